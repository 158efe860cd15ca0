"""A hologram serial or a fee receipt used at two stations (issue 13; normativos 6 and 9).

The first use central received stays; the second is refused (:mod:`central.crud.event_scope`,
``hologram-used`` / ``receipt-used``). Here the refusal also becomes a conflict staff see on
the conflicts page with both cards, and a notice for each station, which it receives at its
next sync (``GET /api/v1/sync/config``: ``notices`` after its cursor) and keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from central.crud.staff import record
from central.errors import ApiError
from central.models import (
    Card,
    DoubleUse,
    Hologram,
    Receipt,
    School,
    Station,
    StationNotice,
    Student,
)
from foundation.contract.events import HologramApplied, ReplacementPaid
from foundation.sqldb import insert_ignore

WHAT = {"hologram": "El holograma", "receipt": "El recibo de pago"}


def flag(session: Session, *, station: Station, seq: int, payload: HologramApplied |
         ReplacementPaid, now: datetime) -> None:
    """Record the double use of ``payload``'s serial or receipt (once per event) and tell
    both stations."""
    if isinstance(payload, HologramApplied):
        kind, key, folio = "hologram", payload.serial, payload.folio
        first = session.get(Hologram, key)
        first_station, first_curp, first_folio = ((first.station_id, first.curp, first.folio)
                                                  if first else (None, "", None))
    else:
        kind, key, folio = "receipt", payload.receipt, payload.old_folio
        used = session.get(Receipt, key)
        first_station, first_curp, first_folio = ((used.station_id, used.curp, None)
                                                  if used else (None, "", None))
    if first_station is None or first_station == station.id:
        return
    new = insert_ignore(session, DoubleUse, {
        "kind": kind, "key": key, "first_station_id": first_station, "first_curp": first_curp,
        "first_folio": first_folio, "second_station_id": station.id, "second_seq": seq,
        "second_curp": payload.curp, "second_folio": folio, "detected_at": now})
    if not new:
        return
    what = WHAT[kind]
    where_first = f" (credencial con folio {first_folio})" if first_folio else ""
    where_second = f" (credencial con folio {folio})" if folio else ""
    rule = ("cada holograma va en una sola credencial" if kind == "hologram"
            else "un recibo vale una sola reposición")
    _notice(session, station_id=first_station, kind=f"{kind}-used-twice", now=now,
            message=f"{what} {key} que esta estación registró para el alumno {first_curp[:4]}…"
                    f"{where_first} también lo registró la estación {station.id} para el alumno "
                    f"{payload.curp[:4]}…{where_second}. Se conservó el de esta estación; la "
                    f"oficina lo revisa como conflicto ({rule}).")
    _notice(session, station_id=station.id, kind=f"{kind}-used-twice", now=now,
            message=f"{what} {key} que esta estación registró para el alumno "
                    f"{payload.curp[:4]}…{where_second} ya lo había registrado la estación "
                    f"{first_station} para el alumno {first_curp[:4]}…{where_first}: no se "
                    f"aplicó ({rule}). Revise el número con la DRSE; la oficina lo revisa como "
                    "conflicto.")


def _notice(session: Session, *, station_id: str, kind: str, message: str,
            now: datetime) -> None:
    session.add(StationNotice(station_id=station_id, kind=kind, message=message,
                              created_at=now))


def notices_after(session: Session, *, station_id: str, cursor: int,
                  limit: int = 200) -> list[StationNotice]:
    return list(session.scalars(select(StationNotice).where(
        StationNotice.station_id == station_id, StationNotice.id > cursor)
        .order_by(StationNotice.id).limit(limit)))


@dataclass(frozen=True, slots=True)
class Side:
    """One of the two uses: the station, the student and the card it went with."""

    station_id: str
    curp: str
    student: str
    card: Card | None


@dataclass(frozen=True, slots=True)
class DoubleUseRow:
    row: DoubleUse
    first: Side
    second: Side

    @property
    def what(self) -> str:
        return WHAT[self.row.kind]


def _card(session: Session, station_id: str, curp: str, folio: int | None) -> Card | None:
    """The card of that use: by folio, else the student's newest card at that station."""
    query = select(Card).where(Card.station_id == station_id)
    query = (query.where(Card.folio == folio) if folio is not None
             else query.where(Card.curp == curp).order_by(Card.id.desc()))
    return session.scalars(query.limit(1)).first()


def _name(session: Session, curp: str) -> str:
    s = session.get(Student, curp)
    return " ".join(x for x in (s.nombre, s.primer_apellido, s.segundo_apellido) if x) \
        if s else "(alumno que no está en la plantilla)"


def _region_stations(region: str) -> object:
    schools = select(School.cct).where(School.drse == region)
    return select(Station.id).where(or_(Station.drse == region,
                                        Station.school_cct.in_(schools)))


def double_uses(session: Session, *, reviewed: bool | None,
                region: str | None) -> list[DoubleUseRow]:
    """Double uses with both cards, oldest first; ``region``: a DRSE's (either station)."""
    query = select(DoubleUse).order_by(DoubleUse.id)
    if reviewed is not None:
        query = query.where(DoubleUse.reviewed_at.is_not(None) if reviewed
                            else DoubleUse.reviewed_at.is_(None))
    if region is not None:
        ids = _region_stations(region)
        query = query.where(or_(DoubleUse.first_station_id.in_(ids),
                                DoubleUse.second_station_id.in_(ids)))
    out = []
    for d in session.scalars(query.limit(500)):
        out.append(DoubleUseRow(
            d, Side(d.first_station_id, d.first_curp, _name(session, d.first_curp),
                    _card(session, d.first_station_id, d.first_curp, d.first_folio)),
            Side(d.second_station_id, d.second_curp, _name(session, d.second_curp),
                 _card(session, d.second_station_id, d.second_curp, d.second_folio))))
    return out


def review(session: Session, *, double_use_id: int, region: str | None, staff: str, note: str,
           now: datetime) -> DoubleUse:
    """Mark a double use reviewed with a note (409 when reviewed already; 403 outside the
    DRSE's stations)."""
    row = session.get(DoubleUse, double_use_id, with_for_update=True)
    if row is None:
        raise ApiError(404, "double-use-not-found", f"No existe el conflicto de uso doble "
                                                    f"{double_use_id}.")
    if region is not None:
        ids = set(session.scalars(_region_stations(region)))
        if row.first_station_id not in ids and row.second_station_id not in ids:
            raise ApiError(403, "outside-region",
                           f"Su cuenta es de la DRSE «{region}»: ese conflicto no le "
                           "corresponde. Pida a la oficina estatal que lo revise.")
    note = " ".join(note.split())
    if len(note) < 3:
        raise ApiError(422, "missing-note", "Escriba una nota de lo que se revisó (al menos 3 "
                                            "letras).")
    if row.reviewed_at is not None:
        raise ApiError(409, "double-use-reviewed", f"Ese conflicto ya fue revisado por "
                                                   f"{row.reviewed_by}.")
    row.reviewed_at, row.reviewed_by, row.note = now, staff, note[:1000]
    record(session, staff=staff, action="review-double-use", target=f"{row.kind} {row.key}",
           reason=note[:1000], now=now)
    session.flush()
    return row
