"""Hologram serials and the rules of hologram stock (normativos 5, 6; DESIGN.md §3).

Holograms arrive as rolls with consecutive serials, e.g. ``H000100`` to ``H000199``: a letter
prefix and a zero-padded number. The station records each received *range* for a cycle, and
each *use* of one serial: applied to a student's card, or spoiled (torn, misapplied). A serial
is used once, and only a serial of a received range can be used. The audit proves it, and
that the stock the supplies ledger shows equals received − applied − spoiled.

>>> r = parse_range("h-000100", "H-000199")
>>> r.prefix, r.first, r.last, r.size, r.serial(150)
('H-', 100, 199, 100, 'H-000150')
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from foundation.errors import InputError, RuleViolation

MAX_RANGE = 200_000
"""The most serials one received range may hold (a DRSE's whole region fits)."""

_SERIAL = re.compile(r"^([A-Z]{0,6}-?)(\d{3,12})$")


@dataclass(frozen=True, slots=True)
class Serial:
    prefix: str
    number: int
    width: int

    def __str__(self) -> str:
        return f"{self.prefix}{self.number:0{self.width}d}"


def parse_serial(text: str) -> Serial:
    """A serial as printed on the hologram; spaces and case do not matter.

    >>> str(parse_serial(" h 000123 "))
    'H000123'
    """
    clean = "".join((text or "").split()).upper()
    found = _SERIAL.match(clean)
    if not found:
        raise InputError(
            f"«{text}» no parece un número de serie de holograma.",
            way_out="Escríbalo como aparece en el holograma, por ejemplo H000123.")
    return Serial(found.group(1), int(found.group(2)), len(found.group(2)))


@dataclass(frozen=True, slots=True)
class HologramRange:
    """Serials ``prefix + first`` … ``prefix + last`` (numbers zero-padded to ``width``)."""

    prefix: str
    first: int
    last: int
    width: int
    cycle: str = ""
    id: int = 0

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    def serial(self, number: int) -> str:
        return f"{self.prefix}{number:0{self.width}d}"

    def holds(self, s: Serial) -> bool:
        return (s.prefix == self.prefix and s.width == self.width
                and self.first <= s.number <= self.last)

    def overlaps(self, other: HologramRange) -> bool:
        return (self.prefix == other.prefix and self.width == other.width
                and self.first <= other.last and other.first <= self.last)

    def describe(self) -> str:
        return f"{self.serial(self.first)}–{self.serial(self.last)}"


def parse_range(first: str, last: str) -> HologramRange:
    """The range between two serials of the same roll (same prefix and digit count)."""
    a, b = parse_serial(first), parse_serial(last)
    if (a.prefix, a.width) != (b.prefix, b.width):
        raise InputError(
            f"Los números {a} y {b} no son del mismo rollo (el prefijo o la cantidad de dígitos "
            "no coinciden).", way_out="Registre cada rollo por separado.")
    if b.number < a.number:
        raise InputError(f"El rango de hologramas está al revés: {a} es mayor que {b}.",
                         way_out="Escriba primero el número menor.")
    size = b.number - a.number + 1
    if size > MAX_RANGE:
        raise InputError(f"El rango {a}–{b} tiene {size} hologramas; el máximo por registro es "
                         f"{MAX_RANGE}.", way_out="Revise los números o regístrelo por partes.")
    return HologramRange(a.prefix, a.number, b.number, a.width)


def check_new_range(new: HologramRange, existing: Iterable[HologramRange]) -> None:
    """A roll is received once: its serials must not overlap a range already recorded."""
    for old in existing:
        if new.overlaps(old):
            raise RuleViolation(
                f"Los hologramas {new.describe()} se enciman con el rango {old.describe()} "
                f"que ya se recibió (ciclo {old.cycle}).",
                way_out="Revise los números: cada holograma se registra una sola vez.")


def range_of(serial: Serial, ranges: Iterable[HologramRange]) -> HologramRange:
    """The received range holding ``serial``; refuses a serial the station never received."""
    for r in ranges:
        if r.holds(serial):
            return r
    raise RuleViolation(
        f"El holograma {serial} no pertenece a ningún rango recibido en esta estación.",
        way_out="Registre primero la llegada del rollo: Insumos > «Registrar lo recibido» > "
                "Hologramas.",
        command="station hologram receive --first H… --last H…")


@dataclass(frozen=True, slots=True)
class HologramUse:
    """One serial used: applied to a card, or spoiled with a reason."""

    serial: str
    range_id: int
    state: str  # 'applied' | 'spoiled'
    cycle: str
    folio: int | None = None
    reason: str = ""


@dataclass(slots=True)
class HologramAudit:
    received: int = 0
    applied: int = 0
    spoiled: int = 0
    stock: int = 0
    stock_in_supplies: int = 0
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"received": self.received, "applied": self.applied, "spoiled": self.spoiled,
                "stock": self.stock, "stock_in_supplies": self.stock_in_supplies,
                "problems": list(self.problems)}


def audit_holograms(
    ranges: Sequence[HologramRange], uses: Sequence[HologramUse],
    receipts_by_range: dict[int, int], other_hologram_movements: int,
) -> HologramAudit:
    """Each serial once, only from received ranges; stock = received − applied − spoiled.

    ``receipts_by_range`` is what the supplies ledger recorded as received for each range
    (range id → quantity) and ``other_hologram_movements`` the sum of any other hologram
    movement there: the two records must tell the same story.
    """
    out = HologramAudit()
    for i, a in enumerate(ranges):
        for b in ranges[i + 1:]:
            if a.overlaps(b):
                out.problems.append(f"Los rangos de hologramas {a.describe()} y {b.describe()} "
                                    "se enciman.")
    out.received = sum(r.size for r in ranges)
    by_id = {r.id: r for r in ranges}
    for serial, times in Counter(u.serial for u in uses).items():
        if times > 1:
            out.problems.append(f"El holograma {serial} se usó {times} veces.")
    per_card_cycle = Counter((u.folio, u.cycle) for u in uses if u.state == "applied")
    for (folio, cycle), times in sorted(per_card_cycle.items(), key=str):
        if times > 1:
            out.problems.append(f"La credencial con folio {folio} tiene {times} hologramas del "
                                f"ciclo {cycle}.")
    for use in uses:
        r = by_id.get(use.range_id)
        if r is None or not r.holds(parse_serial(use.serial)):
            out.problems.append(f"El holograma {use.serial} no pertenece a un rango recibido.")
        elif r.cycle and r.cycle != use.cycle:
            out.problems.append(f"El holograma {use.serial} es del ciclo {r.cycle} pero se "
                                f"registró en el ciclo {use.cycle}.")
        if use.state == "applied":
            out.applied += 1
        else:
            out.spoiled += 1
            if not use.reason.strip():
                out.problems.append(f"El holograma {use.serial} está dañado sin motivo.")
    for r in ranges:
        got = receipts_by_range.get(r.id)
        if got != r.size:
            out.problems.append(f"El rango {r.describe()} tiene {r.size} hologramas, pero el "
                                f"inventario registró {got or 0} de entrada.")
    for range_id in set(receipts_by_range) - set(by_id):
        out.problems.append(f"El inventario tiene una entrada de hologramas (rango {range_id}) "
                            "que no corresponde a ningún rango recibido.")
    if other_hologram_movements:
        out.problems.append("El inventario de hologramas tiene movimientos sin número de serie "
                            f"(suman {other_hologram_movements}).")
    out.stock = out.received - out.applied - out.spoiled
    out.stock_in_supplies = (sum(receipts_by_range.values()) + other_hologram_movements
                             - out.applied - out.spoiled)
    if out.stock != out.stock_in_supplies:
        out.problems.append(f"Existencia de hologramas: por número de serie {out.stock}, en el "
                            f"inventario {out.stock_in_supplies}.")
    return out


def check_apply(
    serial: str, *, range_cycle: str, cycle: str, earlier_use: str | None, student: str,
    folio: int | None, card_hologram: str | None,
) -> None:
    """May ``serial`` go on the student's card in ``cycle``?

    ``earlier_use`` describes a previous use of the serial (None if unused), ``folio`` is the
    student's active card (None without one) and ``card_hologram`` the serial that card
    already carries for the cycle.
    """
    if earlier_use is not None:
        raise RuleViolation(f"El holograma {serial} ya se usó: {earlier_use}. Cada holograma se "
                            "usa una sola vez.", way_out="Revise el número de serie.")
    if range_cycle != cycle:
        raise RuleViolation(f"El holograma {serial} es del ciclo {range_cycle}, no del ciclo "
                            f"vigente {cycle}.", way_out="Use un holograma del ciclo vigente.")
    if folio is None:
        raise RuleViolation(
            f"{student} no tiene credencial vigente: el holograma va sobre una credencial "
            "enmicada.", way_out="Imprima primero su credencial (o tramite la reposición).")
    if card_hologram is not None:
        raise RuleViolation(f"La credencial de {student} (folio {folio}) ya tiene el holograma "
                            f"{card_hologram} del ciclo {cycle}.",
                            way_out="Si ese holograma se dañó, tramite la reposición de la "
                            "credencial.")


def check_spoil(serial: str, *, earlier_use: str | None, reason: str) -> None:
    if earlier_use is not None:
        raise RuleViolation(f"El holograma {serial} ya se usó: {earlier_use}.")
    if not (reason or "").strip():
        raise InputError("Para marcar un holograma como dañado hay que escribir el motivo.")


def run_of(first: Serial, count: int) -> list[Serial]:
    """``count`` consecutive serials starting at ``first`` (one roll, same width).

    >>> [str(s) for s in run_of(parse_serial("H0998"), 3)]
    ['H0998', 'H0999', 'H1000']
    """
    last = first.number + count - 1
    if len(str(last)) > first.width:
        raise InputError(f"No caben {count} hologramas a partir de {first}: el número de serie "
                         "se pasaría de sus dígitos.")
    return [Serial(first.prefix, first.number + i, first.width) for i in range(count)]


def check_assigned(wanted: HologramRange, assigned: Sequence[HologramRange]) -> None:
    """Serials ``wanted`` (one serial is a range of one) must lie inside one range central
    handed to this station's school or DRSE (issue 13). No range handed (an older central, or
    none given yet): every serial is accepted, as before.

    >>> mine = [parse_range("H000100", "H000149")]
    >>> check_assigned(parse_range("H000120", "H000130"), mine)
    >>> check_assigned(parse_range("H000150", "H000150"), [])
    >>> check_assigned(parse_range("H000140", "H000160"), mine)
    Traceback (most recent call last):
    ...
    foundation.errors.RuleViolation: Los hologramas H000140–H000160 no son de los rangos que ...
    >>> check_assigned(parse_range("H000150", "H000150"), mine)
    Traceback (most recent call last):
    ...
    foundation.errors.RuleViolation: El holograma H000150 no es de los rangos que ...
    """
    if not assigned:
        return
    for r in assigned:
        if (r.prefix, r.width) == (wanted.prefix, wanted.width) \
                and r.first <= wanted.first and wanted.last <= r.last:
            return
    what = (f"El holograma {wanted.serial(wanted.first)} no es" if wanted.size == 1
            else f"Los hologramas {wanted.describe()} no son")
    listed = ", ".join(r.describe() for r in assigned[:5]) + (" …" if len(assigned) > 5 else "")
    raise RuleViolation(
        f"{what} de los rangos que la oficina central asignó a esta estación ({listed}).",
        way_out="Revise el número de serie. Si el rollo sí es de esta escuela, pida a su DRSE "
                "que se lo asigne en el servicio central y sincronice la estación.")
