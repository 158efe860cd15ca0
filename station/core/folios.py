"""Folio rules: allocation from blocks and the audit that proves no gap and no duplicate.

A station holds folio *blocks* (ranges handed out locally today, by central later). Folios are
used in order from the lowest block, so within a block the used folios always form a prefix
``first .. first+k-1``; a hole in that prefix is a gap the audit reports. Every folio is, in the
end, exactly one of: issued, cancelled blank, spoiled, unused (DESIGN.md §3, "Folios").

>>> blocks = [FolioBlock(id=1, first=100, last=104)]
>>> take_folios(blocks, {1: 3}, 2)
[(1, 103), (1, 104)]
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from station.core.errors import FolioExhausted

FolioState = Literal["issued", "cancelled", "spoiled"]


@dataclass(frozen=True, slots=True)
class FolioBlock:
    id: int
    first: int
    last: int

    @property
    def size(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True, slots=True)
class FolioUse:
    """One used folio: where it went and in which state it ended."""

    folio: int
    block_id: int
    state: FolioState
    sheet_id: int
    position: int
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class CardRecord:
    """A credential the ledger holds: ``status`` is active, spoiled or revoked."""

    folio: int
    status: str
    prior: bool = False
    """Issued before the station existed (normativo 6): its folio lies outside every block."""


@dataclass(slots=True)
class AuditReport:
    ok: bool = True
    issued: int = 0
    cancelled: int = 0
    spoiled: int = 0
    unused: int = 0
    prior: int = 0
    """Cards registered as issued before the station, outside its blocks."""
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "issued": self.issued,
            "cancelled": self.cancelled,
            "spoiled": self.spoiled,
            "unused": self.unused,
            "prior": self.prior,
            "problems": list(self.problems),
        }


def remaining(blocks: Sequence[FolioBlock], used_per_block: Mapping[int, int]) -> int:
    """How many folios the station can still use."""
    return sum(b.size - used_per_block.get(b.id, 0) for b in blocks)


def closed_at_use(block: FolioBlock, used: int) -> int | None:
    """The last folio a local block keeps when the station enrols (central numbers next):
    the last one used, or None when none was used (the block goes).

    >>> closed_at_use(FolioBlock(1, 100, 199), 8), closed_at_use(FolioBlock(1, 100, 199), 0)
    (107, None)
    """
    return block.first + used - 1 if used else None


def take_folios(
    blocks: Sequence[FolioBlock], used_per_block: Mapping[int, int], count: int
) -> list[tuple[int, int]]:
    """The next ``count`` unused folios as (block id, folio), lowest block first.

    Raises :class:`FolioExhausted` (and takes nothing) when the blocks cannot cover ``count``.
    """
    taken: list[tuple[int, int]] = []
    for block in sorted(blocks, key=lambda b: b.first):
        start = block.first + used_per_block.get(block.id, 0)
        while start <= block.last and len(taken) < count:
            taken.append((block.id, start))
            start += 1
        if len(taken) == count:
            return taken
    left = remaining(blocks, used_per_block)
    raise FolioExhausted(
        f"La estación necesita {count} folios y sólo le quedan {left}.",
        way_out="Sincronice con la oficina central para recibir un nuevo bloque de folios.",
    )


def audit(
    blocks: Sequence[FolioBlock], uses: Iterable[FolioUse], cards: Iterable[CardRecord]
) -> AuditReport:
    """Prove every folio of every block is exactly one of issued/cancelled/spoiled/unused."""
    report = AuditReport()
    uses = list(uses)
    by_id = {b.id: b for b in blocks}

    ordered = sorted(blocks, key=lambda b: b.first)
    for a, b in itertools.pairwise(ordered):
        if b.first <= a.last:
            report.problems.append(
                f"Los bloques de folios {a.id} y {b.id} se enciman ({b.first}–{a.last})."
            )

    seen = Counter(u.folio for u in uses)
    for folio, times in sorted(seen.items()):
        if times > 1:
            report.problems.append(f"El folio {folio} aparece {times} veces.")

    used_in_block: dict[int, set[int]] = {b.id: set() for b in blocks}
    for use in uses:
        block = by_id.get(use.block_id)
        if block is None or not block.first <= use.folio <= block.last:
            report.problems.append(f"El folio {use.folio} no pertenece a ningún bloque recibido.")
            continue
        used_in_block[block.id].add(use.folio)
        if use.state == "spoiled" and not (use.reason or "").strip():
            report.problems.append(f"El folio {use.folio} está marcado como dañado sin motivo.")

    for block in blocks:
        used = used_in_block[block.id]
        if used:
            top = max(used)
            missing = [f for f in range(block.first, top + 1) if f not in used]
            if missing:
                shown = ", ".join(str(f) for f in missing[:10])
                report.problems.append(
                    f"Hueco en el bloque {block.id}: folios sin destino {shown}"
                    + (" …" if len(missing) > 10 else "")
                )
        report.unused += block.size - len(used)

    sheets: dict[int, list[int]] = {}
    for use in uses:
        sheets.setdefault(use.sheet_id, []).append(use.position)
        if use.state == "issued":
            report.issued += 1
        elif use.state == "cancelled":
            report.cancelled += 1
        else:
            report.spoiled += 1
    for sheet_id, positions in sorted(sheets.items()):
        if sorted(positions) != list(range(8)):
            report.problems.append(
                f"La planilla {sheet_id} no tiene sus 8 posiciones con folio: {sorted(positions)}."
            )

    state_of = {u.folio: u.state for u in uses}
    card_folios = set()
    for card in cards:
        if card.prior:  # outside the blocks by definition: it must not be in one
            report.prior += 1
            if card.folio in state_of or any(b.first <= card.folio <= b.last for b in blocks):
                report.problems.append(
                    f"La credencial anterior al sistema con folio {card.folio} tiene un folio "
                    "de los bloques de la estación.")
            continue
        card_folios.add(card.folio)
        expected = {"active": "issued", "revoked": "issued", "spoiled": "spoiled"}.get(card.status)
        actual = state_of.get(card.folio)
        if actual is None:
            report.problems.append(f"La credencial con folio {card.folio} no tiene folio asignado.")
        elif actual != expected:
            report.problems.append(
                f"La credencial con folio {card.folio} está '{card.status}' pero su folio "
                f"está '{actual}'."
            )
    for use in uses:
        if use.state in ("issued", "spoiled") and use.folio not in card_folios:
            report.problems.append(f"El folio {use.folio} está '{use.state}' sin credencial.")
        if use.state == "cancelled" and use.folio in card_folios:
            report.problems.append(f"El folio cancelado {use.folio} tiene una credencial.")

    report.ok = not report.problems
    return report
