"""What the offices' pages read from the events a station pushed (issue 13): its questions
(técnico 12), declines and requests for a card (normativos 1, 4), deliveries from a DRSE
station and supplies requests (for the progress page).

Called by :func:`central.crud.events.ingest` with the events it just applied, in order.
Every row here is a *state* keyed by what it describes (a student, a station's delivery or
request, a station's question number), written by upsert: applying an event twice — a replay,
a re-sync from a restored station — leaves the same rows (tests/test_progress.py proves it).

A student or a delivery outside the station's schools is ignored here: central's card checks
refuse what matters (:mod:`central.crud.event_scope`); another school's decline or delivery
only must not count.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from central.crud import progress_summary, support
from central.crud.event_scope import StationScope
from central.models import (
    Card,
    DeliveryRecord,
    Student,
    StudentCardWish,
    SupplyRequestRecord,
)
from foundation.contract.events import (
    CardDeclined,
    CardDeclineWithdrawn,
    CardReportedLost,
    CardRequested,
    CardRevoked,
    DeliveryClosed,
    DeliveryCreated,
    EventPayload,
    HologramApplied,
    ReplacementIssued,
    ReplacementPaid,
    SheetIssued,
    SheetSpoiled,
    SuppliesRequested,
    SupportQuestionAsked,
)


def _upsert(session: Session, model: Any, values: dict[str, Any], keys: list[str]) -> None:
    dialect = session.connection().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = make(model.__table__).values(**values)
    changes = {k: stmt.excluded[k] for k in values if k not in keys}
    session.execute(stmt.on_conflict_do_update(index_elements=keys, set_=changes))


def project(session: Session, *, scope: StationScope, events: Sequence[Any],
            now: datetime) -> None:
    """Apply the office rows of ``events`` (``central.crud.events.Event``: seq, at, payload)."""
    station = scope.station
    wishes = [ev.payload for ev in events
              if isinstance(ev.payload, CardDeclined | CardDeclineWithdrawn | CardRequested)]
    schools: dict[str, str] = {}
    if wishes:
        schools = {curp: cct for curp, cct in session.execute(select(
            Student.curp, Student.cct).where(Student.curp.in_(sorted({p.curp for p in wishes}))))}
    for ev in events:
        p: EventPayload = ev.payload
        if isinstance(p, SupportQuestionAsked):
            support.store_question(session, station=station, number=p.question, text=p.text,
                                   asked_by=p.asked_by, asked_at=ev.at, now=now)
        elif isinstance(p, CardDeclined | CardDeclineWithdrawn | CardRequested):
            _wish(session, scope, p, schools.get(p.curp))
        elif isinstance(p, DeliveryCreated) and p.cct in scope.ccts:
            _upsert(session, DeliveryRecord, {
                "station_id": station.id, "delivery": p.delivery, "cct": p.cct,
                "cycle": p.cycle, "cards": len(p.cards), "holograms": len(p.holograms),
                "closed_on": None}, ["station_id", "delivery"])
        elif isinstance(p, DeliveryClosed):
            row = session.get(DeliveryRecord, (station.id, p.delivery))
            if row is not None:
                row.closed_on = date.fromisoformat(p.received_on)
        elif isinstance(p, SuppliesRequested):
            _upsert(session, SupplyRequestRecord, {
                "station_id": station.id, "request": p.request, "cct": station.school_cct,
                "drse": support.station_drse(session, station),
                "on": date.fromisoformat(p.date), "cycle": p.cycle,
                "teslin_stock": p.stock.get("teslin")}, ["station_id", "request"])
    session.flush()
    progress_summary.mark_students(session, touched_students(session, station.id, events))


def touched_students(session: Session, station_id: str, events: Sequence[Any]) -> set[str]:
    """The students whose progress figures these events may change (cards, holograms,
    declines, requests), for :func:`central.crud.progress_summary.mark_students`."""
    curps: set[str] = set()
    sheets, folios = set(), set()
    for ev in events:
        p = ev.payload
        if isinstance(p, SheetIssued):
            curps.update(c.curp for c in p.cards)
        elif isinstance(p, HologramApplied | CardDeclined | CardDeclineWithdrawn | CardRequested
                        | ReplacementPaid | ReplacementIssued | CardReportedLost):
            curps.add(p.curp)
        elif isinstance(p, SheetSpoiled):
            sheets.add(p.sheet)
        elif isinstance(p, CardRevoked):
            folios.add(p.folio)
    if sheets:
        curps.update(session.scalars(select(Card.curp).where(
            Card.station_id == station_id, Card.sheet.in_(sorted(sheets)))))
    if folios:
        curps.update(session.scalars(select(Card.curp).where(
            Card.station_id == station_id, Card.folio.in_(sorted(folios)))))
    return curps


def _wish(session: Session, scope: StationScope, p: EventPayload, cct: str | None) -> None:
    if cct is None or cct not in scope.ccts:
        return
    assert isinstance(p, CardDeclined | CardDeclineWithdrawn | CardRequested)
    row = session.get(StudentCardWish, p.curp)
    if row is None:
        if isinstance(p, CardDeclineWithdrawn):
            return
        row = StudentCardWish(curp=p.curp, cct=cct, station_id=scope.station.id)
        session.add(row)
    row.cct, row.station_id = cct, scope.station.id
    if isinstance(p, CardDeclined):
        row.declined_on = date.fromisoformat(p.declined_on)
    elif isinstance(p, CardDeclineWithdrawn):
        row.declined_on = None
    else:
        row.requested_on = row.requested_on or date.fromisoformat(p.requested_on)
