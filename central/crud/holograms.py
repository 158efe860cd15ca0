"""Hologram rolls by serial range, handed state → DRSE → school (issue 13, seed 004
normativos 5-6), and which ranges each station may use.

The state registers a roll (``estado``); it hands a part of one of its rolls to a DRSE; a DRSE
hands a part of one of its ranges to one of its schools. A range given out is carved from its
parent: it must lie inside it and overlap none of the parent's other handed-out parts, so no
serial is ever held by two schools. Rolls the state registers never overlap each other.

A station accepts the serials of its ranges: a school station those of its school; a DRSE
station those of its DRSE (minus what its DRSE handed to schools it does not print for) and of
the schools it prints for. A station central gave no range keeps working as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from central.crud.staff import StaffScope, find_region, record
from central.errors import ApiError
from central.models import HologramLot, School, Station
from foundation.errors import DomainError
from station.core.cycles import parse_cycle
from station.core.holograms import HologramRange, Serial, parse_range

CHILD_KIND = {"estado": "drse", "drse": "escuela"}
"""Who a holder hands ranges to."""
KIND_WORDS = {"estado": "el estado", "drse": "la DRSE", "escuela": "la escuela"}


def as_range(lot: HologramLot) -> HologramRange:
    return HologramRange(lot.prefix, lot.first_number, lot.last_number, lot.width, lot.cycle,
                         lot.id)


def describe(lot: HologramLot) -> str:
    return as_range(lot).describe()


def holder_words(lot: HologramLot) -> str:
    return "el estado" if lot.holder_kind == "estado" else f"{KIND_WORDS[lot.holder_kind]} " \
                                                           f"{lot.holder}"


def _parse(first: str, last: str, cycle: str) -> tuple[HologramRange, str]:
    """The range and cycle as typed; a DomainError (Spanish words) becomes a 422."""
    try:
        return parse_range(first, last), str(parse_cycle(cycle))
    except DomainError as exc:
        raise ApiError(422, "bad-hologram-range", str(exc)) from None


def _overlapping(new: HologramRange, lots: Iterable[HologramLot]) -> HologramLot | None:
    return next((lot for lot in lots if new.overlaps(as_range(lot))), None)


def register_roll(session: Session, *, first: str, last: str, cycle: str, reference: str,
                  staff: str, now: datetime) -> HologramLot:
    """A roll the state received; refused (409) when it overlaps a roll registered before."""
    new, cycle = _parse(first, last, cycle)
    roots = session.scalars(select(HologramLot).where(
        HologramLot.parent_id.is_(None), HologramLot.prefix == new.prefix,
        HologramLot.width == new.width).with_for_update())
    clash = _overlapping(new, roots)
    if clash is not None:
        raise ApiError(409, "hologram-range-overlap",
                       f"Los hologramas {new.describe()} se enciman con el rollo "
                       f"{describe(clash)} (ciclo {clash.cycle}) ya registrado: cada holograma "
                       "se registra una sola vez. Revise los números del rollo.")
    lot = HologramLot(cycle=cycle, prefix=new.prefix, first_number=new.first,
                      last_number=new.last, width=new.width, holder_kind="estado", holder="",
                      parent_id=None, reference=reference[:200], created_by=staff,
                      created_at=now)
    session.add(lot)
    session.flush()
    record(session, staff=staff, action="hologram-roll", target=new.describe(),
           reason=f"ciclo {cycle}; {reference}"[:1000], now=now)
    return lot


def may_hand_out(scope: StaffScope, lot: HologramLot) -> bool:
    """The state hands out its rolls; a DRSE only the ranges it holds."""
    if lot.holder_kind == "estado":
        return scope.everything
    return lot.holder_kind == "drse" and (scope.everything or lot.holder == scope.region)


def require_visible(session: Session, scope: StaffScope, lot: HologramLot) -> None:
    """403 when a DRSE's account asks for a range that is not its own or its schools'."""
    if scope.everything:
        return
    region = lot.holder if lot.holder_kind == "drse" else (
        scope.school_drse(session, lot.holder) if lot.holder_kind == "escuela" else None)
    if region != scope.region:
        raise ApiError(403, "outside-region",
                       f"Su cuenta es de la DRSE «{scope.region}»: ese rango de hologramas no "
                       "le corresponde. Pida a la oficina estatal que lo revise.")


def hand_out(session: Session, *, scope: StaffScope, lot_id: int, first: str, last: str,
             to: str, reference: str, staff: str, now: datetime) -> HologramLot:
    """Give part of range ``lot_id`` to a DRSE (from the state) or a school (from a DRSE)."""
    parent = session.get(HologramLot, lot_id, with_for_update=True)
    if parent is None:
        raise ApiError(404, "hologram-lot-not-found", f"No existe el rango de hologramas "
                                                      f"{lot_id}.")
    require_visible(session, scope, parent)
    if not may_hand_out(scope, parent):
        raise ApiError(403, "hologram-lot-not-yours",
                       f"El rango {describe(parent)} es de {holder_words(parent)}: sólo quien "
                       "lo tiene puede entregar una parte.")
    kind = CHILD_KIND.get(parent.holder_kind)
    if kind is None:
        raise ApiError(409, "hologram-lot-final", "Una escuela no entrega hologramas a otros.")
    new, cycle = _parse(first, last, parent.cycle)
    held = as_range(parent)
    if not (held.holds(Serial(new.prefix, new.first, new.width))
            and held.holds(Serial(new.prefix, new.last, new.width))):
        raise ApiError(422, "hologram-range-outside",
                       f"Los hologramas {new.describe()} no están dentro del rango "
                       f"{describe(parent)}: sólo se entrega una parte del rango que se tiene.")
    siblings = session.scalars(select(HologramLot).where(HologramLot.parent_id == parent.id))
    clash = _overlapping(new, siblings)
    if clash is not None:
        raise ApiError(409, "hologram-range-overlap",
                       f"Los hologramas {new.describe()} se enciman con {describe(clash)}, "
                       f"que ya se entregó a {holder_words(clash)}: un holograma se entrega "
                       "una sola vez.")
    holder = _holder(session, kind=kind, to=to, parent=parent)
    lot = HologramLot(cycle=cycle, prefix=new.prefix, first_number=new.first,
                      last_number=new.last, width=new.width, holder_kind=kind, holder=holder,
                      parent_id=parent.id, reference=reference[:200], created_by=staff,
                      created_at=now)
    session.add(lot)
    session.flush()
    record(session, staff=staff, action="hologram-hand-out", target=new.describe(),
           reason=f"a {KIND_WORDS[kind]} {holder}; {reference}"[:1000], now=now)
    return lot


def _holder(session: Session, *, kind: str, to: str, parent: HologramLot) -> str:
    if kind == "drse":
        return find_region(session, to)
    cct = to.strip().upper()
    school = session.get(School, cct)
    if school is None:
        raise ApiError(404, "school-not-found", f"No existe la escuela {cct or '(vacía)'}.")
    if school.drse != parent.holder:
        raise ApiError(403, "outside-region",
                       f"La escuela {cct} es de la DRSE «{school.drse}», no de «{parent.holder}»: "
                       "una DRSE entrega hologramas sólo a sus escuelas.")
    return cct


@dataclass(frozen=True, slots=True)
class LotRow:
    lot: HologramLot
    handed: list[HologramLot]
    may_hand_out: bool

    @property
    def size(self) -> int:
        return self.lot.last_number - self.lot.first_number + 1

    @property
    def free(self) -> int:
        return self.size - sum(c.last_number - c.first_number + 1 for c in self.handed)


def visible_lots(session: Session, scope: StaffScope) -> list[LotRow]:
    """The ranges a person sees: all (state), or its DRSE's and its schools' (DRSE)."""
    query = select(HologramLot).order_by(HologramLot.prefix, HologramLot.first_number,
                                         HologramLot.id)
    if not scope.everything:
        schools = select(School.cct).where(School.drse == scope.region)
        query = query.where(or_(
            (HologramLot.holder_kind == "drse") & (HologramLot.holder == scope.region),
            (HologramLot.holder_kind == "escuela") & HologramLot.holder.in_(schools)))
    lots = list(session.scalars(query))
    children: dict[int, list[HologramLot]] = {}
    ids = [lot.id for lot in lots]
    for i in range(0, len(ids), 1000):
        for child in session.scalars(select(HologramLot).where(
                HologramLot.parent_id.in_(ids[i:i + 1000])).order_by(HologramLot.first_number)):
            children.setdefault(child.parent_id or 0, []).append(child)
    return [LotRow(lot, children.get(lot.id, []), may_hand_out(scope, lot)) for lot in lots]


def station_ranges(session: Session, *, station: Station,
                   ccts: Iterable[str]) -> list[HologramRange]:
    """The serial ranges ``station`` may use (empty: central gave it none).

    Its holders: its school's ranges, or, for a DRSE station, its DRSE's and those of the
    schools it prints for (``ccts``). From a range held, the parts handed on to someone else
    are cut out.
    """
    holders = {("escuela", c) for c in ccts}
    if station.kind == "drse" and station.drse:
        holders.add(("drse", station.drse))
    if not holders:
        return []
    lots = [lot for lot in session.scalars(select(HologramLot).where(
        HologramLot.holder_kind.in_({k for k, _ in holders}),
        HologramLot.holder.in_({h for _, h in holders})))
        if (lot.holder_kind, lot.holder) in holders]
    out: list[HologramRange] = []
    for lot in lots:
        given = sorted((c.first_number, c.last_number) for c in session.scalars(
            select(HologramLot).where(HologramLot.parent_id == lot.id))
            if (c.holder_kind, c.holder) not in holders)
        start = lot.first_number
        for first, last in given:
            if first > start:
                out.append(HologramRange(lot.prefix, start, first - 1, lot.width, lot.cycle))
            start = max(start, last + 1)
        if start <= lot.last_number:
            out.append(HologramRange(lot.prefix, start, lot.last_number, lot.width, lot.cycle))
    return sorted(out, key=lambda r: (r.prefix, r.width, r.first))
