"""Electronic folio rules (activity 2, norm 27): national office → state → plantel → certificate.

One record per folio. The national office grants the state a block (with its reference); DG
assigns sub-blocks to planteles; a plantel puts one folio on one certificate. At every moment
each folio is exactly one of:

- ``unassigned``: granted to the state, not yet given to a plantel;
- ``assigned``: given to one plantel, not yet on a certificate;
- ``used``: on exactly one certificate;
- ``cancelled``: withdrawn (with reason) and never usable again.

Only the transitions in :data:`TRANSITIONS` exist; nothing goes back, so a folio is never
used twice. The database adapter applies each transition as a compare-and-set on the row
(``UPDATE … WHERE state = <from>``), which makes two requests at once safe; :func:`audit`
re-proves the invariants over the stored rows.

>>> parse_range("1001-1005")
FolioRange(first=1001, last=1005)
>>> can_move(FolioState.ASSIGNED, FolioState.USED), can_move(FolioState.USED, FolioState.ASSIGNED)
(True, False)
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


class FolioState(enum.StrEnum):
    UNASSIGNED = "unassigned"
    ASSIGNED = "assigned"
    USED = "used"
    CANCELLED = "cancelled"


STATE_NAMES_ES = {
    FolioState.UNASSIGNED: "sin asignar (en la Dirección General)",
    FolioState.ASSIGNED: "asignado a un plantel",
    FolioState.USED: "usado en un certificado",
    FolioState.CANCELLED: "cancelado",
}

TRANSITIONS: frozenset[tuple[FolioState, FolioState]] = frozenset({
    (FolioState.UNASSIGNED, FolioState.ASSIGNED),
    (FolioState.UNASSIGNED, FolioState.CANCELLED),
    (FolioState.ASSIGNED, FolioState.USED),
    (FolioState.ASSIGNED, FolioState.CANCELLED),
})
"""A used folio stays used: replacing a certificate takes a *new* folio (norm 18)."""

MAX_BLOCK = 100_000
"""Largest block accepted in one grant or assignment (a typo guard, not a rule of the seed)."""

_RANGE = re.compile(r"^\s*(\d{1,12})\s*(?:-\s*(\d{1,12}))?\s*$")


class FolioRuleError(ValueError):
    """A folio operation the rules forbid; ``str(exc)`` says why in Spanish."""


@dataclass(frozen=True, slots=True)
class FolioRange:
    first: int
    last: int

    def __post_init__(self) -> None:
        if self.first <= 0 or self.last < self.first:
            raise FolioRuleError(
                f"El bloque {self.first}-{self.last} no es válido: el primer folio debe ser "
                "positivo y no mayor que el último."
            )
        if len(self) > MAX_BLOCK:
            raise FolioRuleError(
                f"El bloque {self.first}-{self.last} tiene {len(self)} folios; el máximo por "
                f"operación es {MAX_BLOCK}."
            )

    def __len__(self) -> int:
        return self.last - self.first + 1

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(range(self.first, self.last + 1))

    def __str__(self) -> str:
        return f"{self.first}-{self.last}"


def parse_range(text: str) -> FolioRange:
    """``"1001-1500"`` or a single ``"1001"``; FolioRuleError (Spanish) otherwise."""
    m = _RANGE.match(text or "")
    if not m:
        raise FolioRuleError(
            f"«{text}» no es un bloque de folios; escriba el primero y el último, p. ej. 1001-1500."
        )
    first = int(m.group(1))
    return FolioRange(first, int(m.group(2)) if m.group(2) else first)


def can_move(old: FolioState, new: FolioState) -> bool:
    return (old, new) in TRANSITIONS


def refuse_move(folio: int, old: FolioState | None, new: FolioState) -> FolioRuleError:
    """The Spanish refusal for a transition the rules do not allow."""
    if old is None:
        return FolioRuleError(
            f"El folio {folio} no fue otorgado al estado por Oficinas Nacionales."
        )
    if old is new:
        return FolioRuleError(f"El folio {folio} ya está {STATE_NAMES_ES[old]}.")
    return FolioRuleError(
        f"El folio {folio} está {STATE_NAMES_ES[old]}; no puede pasar a "
        f"«{STATE_NAMES_ES[new]}»."
    )


@dataclass(frozen=True, slots=True)
class FolioRow:
    """What the audit reads of one stored folio."""

    folio: int
    grant_reference: str
    state: FolioState
    plantel: str | None
    certificate_id: int | None
    cancel_reason: str | None = None


@dataclass
class AuditReport:
    ok: bool = True
    by_state: dict[str, int] = field(default_factory=dict)
    by_plantel: dict[str, dict[str, int]] = field(default_factory=dict)
    by_grant: dict[str, dict[str, int]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "por_estado": self.by_state,
            "por_plantel": self.by_plantel,
            "por_otorgamiento": self.by_grant,
            "problemas": self.problems,
        }


def _row_problem(row: FolioRow) -> str | None:
    """Why a row's columns contradict its state (a folio is in one state at every level)."""
    has_plantel, has_cert = row.plantel is not None, row.certificate_id is not None
    if row.state is FolioState.UNASSIGNED and (has_plantel or has_cert):
        return "está sin asignar pero tiene plantel o certificado"
    if row.state is FolioState.ASSIGNED and (not has_plantel or has_cert):
        return "está asignado sin plantel o ya tiene certificado"
    if row.state is FolioState.USED and not (has_plantel and has_cert):
        return "está usado sin plantel o sin certificado"
    if row.state is FolioState.CANCELLED and (has_cert or not (row.cancel_reason or "").strip()):
        return "está cancelado con certificado o sin motivo"
    return None


def audit(
    rows: Iterable[FolioRow], certificate_folios: Iterable[tuple[int, int, str]]
) -> AuditReport:
    """Prove each folio is exactly one state at each level, and no folio is on two certificates.

    ``certificate_folios`` is (certificate id, folio, plantel) for every certificate ever issued
    (revoked ones included): it is checked against the folio rows from the other side.
    """
    report = AuditReport()
    states: Counter[str] = Counter()
    by_folio: dict[int, FolioRow] = {}
    for row in rows:
        if row.folio in by_folio:
            report.problems.append(f"El folio {row.folio} aparece dos veces en el libro de folios.")
        by_folio[row.folio] = row
        states[row.state.value] += 1
        grant = report.by_grant.setdefault(row.grant_reference, Counter())
        grant[row.state.value] += 1
        why = _row_problem(row)
        if why:
            report.problems.append(f"El folio {row.folio} {why}.")
        if row.plantel is not None:
            per = report.by_plantel.setdefault(row.plantel, Counter())
            per[row.state.value] += 1
    seen: dict[int, int] = {}
    for cert_id, folio, plantel in certificate_folios:
        if folio in seen:
            report.problems.append(
                f"El folio {folio} está en dos certificados ({seen[folio]} y {cert_id})."
            )
            continue
        seen[folio] = cert_id
        row = by_folio.get(folio)
        if row is None:
            report.problems.append(
                f"El certificado {cert_id} usa el folio {folio}, que nunca se otorgó."
            )
        elif row.state is not FolioState.USED or row.certificate_id != cert_id:
            report.problems.append(
                f"El certificado {cert_id} usa el folio {folio}, pero el libro lo tiene "
                f"{STATE_NAMES_ES[row.state]}."
            )
        elif row.plantel != plantel:
            report.problems.append(
                f"El folio {folio} del certificado {cert_id} era del plantel {row.plantel}, "
                f"no del {plantel}."
            )
    for row in by_folio.values():
        if row.state is FolioState.USED and seen.get(row.folio) != row.certificate_id:
            report.problems.append(
                f"El folio {row.folio} está usado pero ningún certificado lo lleva."
            )
    report.by_state = {s.value: states.get(s.value, 0) for s in FolioState}
    report.by_plantel = {k: dict(v) for k, v in sorted(report.by_plantel.items())}
    report.by_grant = {k: dict(v) for k, v in sorted(report.by_grant.items())}
    report.ok = not report.problems
    return report
