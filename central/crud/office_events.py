"""What the DRSE offices' pages read from station events (issue 13), projected as they are
applied (:func:`central.crud.events.ingest` calls :func:`project` with the applied batch):

- ``supplies_requested`` → a procedure-2 request at the station's DRSE;
- ``supplies_received`` → counted against the request it names (or, from older stations,
  the oldest shipped request with that item), closing it when all arrived;
- ``delivery_created`` / ``delivery_closed`` → the DRSE station's deliveries with their
  signed acknowledgement, moving the procedure-1 request they deliver;
- ``card_requested`` → the requests of normativo 4, escalated when unattended.

Every projection is idempotent: a batch applied again (a station resending after a lost
answer) adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.crud import office_supplies
from central.crud.offices import record_step
from central.models import CardRequestRecord, Delivery, OfficeRequest, Station, Student
from foundation.contract.events import (
    CardRequested,
    DeliveryClosed,
    DeliveryCreated,
    EventPayload,
    SuppliesReceived,
    SuppliesRequested,
)
from foundation.sqldb import insert_ignore
from foundation.words import count


class Applied(Protocol):
    seq: int
    at: str
    payload: EventPayload


KINDS = frozenset(("supplies_requested", "supplies_received", "delivery_created",
                   "delivery_closed", "card_requested"))


def project(session: Session, *, station: Station, events: Iterable[Applied],
            now: datetime) -> None:
    for ev in events:
        p = ev.payload
        if p.kind not in KINDS:
            continue
        if isinstance(p, SuppliesRequested):
            office_supplies.supply_requested(session, station=station, now=now,
                                             payload=p.wire())
        elif isinstance(p, SuppliesReceived):
            office_supplies.supplies_received(session, station=station, item=p.item,
                                              quantity=p.quantity, request=p.request, now=now)
        elif isinstance(p, DeliveryCreated):
            _delivery_created(session, station, p, ev.at, now)
        elif isinstance(p, DeliveryClosed):
            _delivery_closed(session, station, p, now)
        elif isinstance(p, CardRequested):
            insert_ignore(session, CardRequestRecord, {
                "station_id": station.id, "seq": ev.seq, "curp": p.curp,
                "cct": session.scalar(select(Student.cct).where(Student.curp == p.curp)),
                "requested_on": date.fromisoformat(p.requested_on),
                "requested_by": p.requested_by[:20], "taken_by": p.taken_by[:120]})


def _delivery_created(session: Session, station: Station, p: DeliveryCreated, at: str,
                      now: datetime) -> None:
    if session.get(Delivery, (station.id, p.delivery)) is not None:
        return
    req = None
    if p.request is not None:
        req = session.get(OfficeRequest, p.request)
        if req is not None and (req.cct != p.cct or req.drse != station.drse):
            req = None  # not this DRSE's request for this school: the delivery stands alone
    if req is None:  # a station older than issue 13 names no request: the school's open one
        req = session.scalar(select(OfficeRequest).where(
            OfficeRequest.cct == p.cct, OfficeRequest.drse == station.drse,
            OfficeRequest.state == "en_produccion").order_by(OfficeRequest.id))
    session.add(Delivery(station_id=station.id, delivery=p.delivery, drse=station.drse,
                         cct=p.cct, cycle=p.cycle, cards=len(p.cards),
                         holograms=len(p.holograms), created_at=at,
                         request_id=req.id if req else None))
    if req is not None and req.state == "en_produccion":
        req.state, req.delivery_station, req.delivery = "en_entrega", station.id, p.delivery
        req.updated_at = now
        record_step(session, procedure="oficio", request_id=req.id, step="entrega",
                    outcome="entregada", staff=station.id, office="Estación de la DRSE",
                    note=f"Entrega {p.delivery}: "
                         f"{count(len(p.cards), 'credencial', 'credenciales')} y "
                         f"{count(len(p.holograms), 'holograma', 'hologramas')}, acuse para "
                         "firma.", now=now)
    session.flush()


def _delivery_closed(session: Session, station: Station, p: DeliveryClosed,
                     now: datetime) -> None:
    delivery = session.get(Delivery, (station.id, p.delivery))
    if delivery is None or delivery.received_by is not None:
        return
    delivery.received_by, delivery.received_on = p.received_by[:120], p.received_on
    delivery.scan = (p.scan or "")[:120] or None
    req = session.get(OfficeRequest, delivery.request_id) if delivery.request_id else None
    if req is not None and req.state == "en_entrega":
        req.state, req.updated_at = "entregada", now
        record_step(session, procedure="oficio", request_id=req.id, step="acuse",
                    outcome="firmado", staff=station.id, office="Estación de la DRSE",
                    note=f"Recibió {p.received_by} el {p.received_on}"
                         + (f"; acuse escaneado: {p.scan}" if p.scan else "") + ".", now=now)
