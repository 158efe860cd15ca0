"""Requests for a card nobody attended (normativo 4), escalated to the DRSE.

A request a station recorded (``card_requested``) is attended when, on or after its day,
the student got a card that was not spoiled or undone, or a hologram; otherwise, once it is
older than ``unattended_escalate_days`` (a central setting), it shows on the DRSE's page:
a parent asked and the school did not issue the card, which normativo 4 makes a complaint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import String, and_, cast, exists, func, select
from sqlalchemy.orm import Session

from central.models import Card, CardRequestRecord, Hologram, School, Station, Student


@dataclass(frozen=True, slots=True)
class Escalated:
    cct: str
    school: str
    drse: str
    name: str
    requested_on: date
    requested_by: str
    taken_by: str
    station_id: str
    days: int
    curp: str = ""


def escalated(session: Session, *, region: str | None, today: date,
              days: int) -> list[Escalated]:
    """Unattended requests older than ``days``, the oldest first (of ``region``, or all)."""
    limit = today - timedelta(days=days)
    attended_card = exists().where(Card.curp == CardRequestRecord.curp,
                                   Card.issued_on >= CardRequestRecord.requested_on,
                                   Card.status.not_in(("spoiled", "undone")))
    # Hologram times are the station's text (ISO): its first 10 characters are the day.
    attended_hologram = exists().where(
        Hologram.curp == CardRequestRecord.curp,
        func.substr(Hologram.applied_at, 1, 10)
        >= cast(CardRequestRecord.requested_on, String))
    query = (select(CardRequestRecord, School.nombre, School.drse, Student.nombre,
                    Student.primer_apellido, Student.segundo_apellido, Station.id)
             .join(School, School.cct == CardRequestRecord.cct)
             .join(Student, Student.curp == CardRequestRecord.curp)
             .join(Station, Station.id == CardRequestRecord.station_id)
             .where(and_(CardRequestRecord.requested_on < limit, ~attended_card,
                         ~attended_hologram))
             .order_by(CardRequestRecord.requested_on, CardRequestRecord.cct))
    if region is not None:
        query = query.where(School.drse == region)
    out = []
    for r, school, drse, nombre, ap1, ap2, station_id in session.execute(query):
        out.append(Escalated(r.cct or "", school, drse,
                             " ".join(p for p in (nombre, ap1, ap2) if p), r.requested_on,
                             r.requested_by, r.taken_by, station_id,
                             (today - r.requested_on).days, r.curp))
    return out
