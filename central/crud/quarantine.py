"""Events of withdrawn stations held for staff review (quarantine) instead of applied.

A withdrawn station may still push what it holds (its cards stay valid), but a stolen one
could push anything its key signs. What it may not change (:mod:`central.crud.event_scope`)
is never applied; it is kept here, listed on the staff conflicts page, and a person marks it
reviewed with a note (``review-quarantine`` in the staff actions).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from central.crud.staff import record
from central.errors import ApiError
from central.models import EventRefusal, Station, StationEvent


def quarantined(session: Session, *, reviewed: bool | None, ccts: list[str] | None,
                region: str | None) -> list[tuple[EventRefusal, Station, StationEvent]]:
    """Quarantined events with their station and stored event, oldest first. ``ccts`` and
    ``region``: a DRSE's scope (its schools' stations and its own), None for all."""
    query = (select(EventRefusal, Station, StationEvent)
             .join(Station, Station.id == EventRefusal.station_id)
             .join(StationEvent, (StationEvent.station_id == EventRefusal.station_id)
                   & (StationEvent.seq == EventRefusal.seq))
             .where(EventRefusal.quarantined.is_(True))
             .order_by(EventRefusal.refused_at, EventRefusal.station_id, EventRefusal.seq))
    if reviewed is not None:
        query = query.where(EventRefusal.reviewed_at.is_not(None) if reviewed
                            else EventRefusal.reviewed_at.is_(None))
    if ccts is not None:
        query = query.where(or_(Station.school_cct.in_(ccts), Station.drse == region))
    return [(r, s, e) for r, s, e in session.execute(query.limit(500))]


def review(session: Session, *, station_id: str, seq: int, staff: str, note: str,
           now: datetime) -> EventRefusal:
    """Mark one quarantined event reviewed; it stays unapplied (409 when reviewed already)."""
    row = session.get(EventRefusal, (station_id, seq), with_for_update=True)
    if row is None or not row.quarantined:
        raise ApiError(404, "quarantine-not-found",
                       f"No hay un evento {seq} de {station_id} en cuarentena.")
    if len(note) < 3:
        raise ApiError(422, "missing-note", "Escriba una nota de lo que se revisó (al menos 3 "
                                            "letras).")
    if row.reviewed_at is not None:
        raise ApiError(409, "quarantine-reviewed",
                       f"El evento {seq} de {station_id} ya fue revisado por {row.reviewed_by}.")
    row.reviewed_at, row.reviewed_by, row.note = now, staff, note[:1000]
    record(session, staff=staff, action="review-quarantine", target=f"{station_id} evento {seq}",
           reason=note[:1000], now=now)
    session.flush()
    return row
