"""Material at the DRSE (seed 004, técnicos 1–6): the stock central knows from its stations'
events, the material decision of procedure 1, and procedure 2 (supply requests).

Stock of a station, from what it pushed: receipts and adjustments (``supplies_received``,
``supplies_adjusted``), minus one Teslin sheet per sheet issued and one pouch per card that
was not spoiled (the station's own rule, :mod:`station.core.supplies`); holograms of a cycle:
serials received minus those applied or spoiled. Stock is never shown below zero: use not
matched by a recorded receipt means a receipt was not recorded, not negative paper.

Procedure 2: ``recibida`` → ``aprobada`` (quantities) → ``enviada`` (shipping reference) →
``recibida_estacion`` (the station's ``supplies receive --request N``), or ``rechazada``
(with the reason, shown at the station).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from central.crud.offices import STATES, record_step
from central.crud.staff import StaffScope
from central.errors import ApiError
from central.models import (
    Card,
    OfficeRequest,
    Station,
    StationEvent,
    SupplyRequest,
)
from foundation.credential.card import SHEET_SIZE
from foundation.errors import DomainError
from station.core.supplies import Item

ITEMS = tuple(Item)
SUPPLY_STATES = {
    "recibida": "Recibida en la DRSE: espera aprobación",
    "aprobada": "Aprobada: la DRSE prepara el envío",
    "enviada": "Enviada: falta registrar la recepción en la estación",
    "recibida_estacion": "Recibida en la estación",
    "rechazada": "Rechazada",
}
SUPPLY_OPEN = ("recibida", "aprobada", "enviada")


@dataclass(frozen=True, slots=True)
class KnownStock:
    """What central knows of a DRSE's material (its DRSE stations' events)."""

    stations: list[str]
    stock: dict[Item, int]
    tracked: dict[Item, bool]
    """Whether any receipt of the item was ever recorded (otherwise the stock is unknown)."""

    def shortfall(self, need: Mapping[Item, int]) -> dict[Item, int]:
        """What is missing for ``need`` among the items whose stock central knows."""
        return {i: n - self.stock[i] for i, n in need.items()
                if self.tracked[i] and n > self.stock[i]}


def drse_stations(session: Session, drse: str) -> list[str]:
    return list(session.scalars(select(Station.id).where(
        Station.kind == "drse", Station.drse == drse, Station.withdrawn_at.is_(None))
        .order_by(Station.id)))


_KINDS = ("supplies_received", "supplies_adjusted", "hologram_range_received",
          "hologram_applied", "hologram_spoiled")


def known_stock(session: Session, drse: str, cycle: str) -> KnownStock:
    stations = drse_stations(session, drse)
    moved = {i: 0 for i in Item}
    tracked = {i: False for i in Item}
    used_holograms = 0
    if stations:
        for kind, payload in session.execute(select(StationEvent.kind, StationEvent.payload)
                                             .where(StationEvent.station_id.in_(stations),
                                                    StationEvent.kind.in_(_KINDS))):
            p = json.loads(payload)
            if kind in ("supplies_received", "supplies_adjusted"):
                item = _item(p.get("item", ""))
                if item is not None:
                    moved[item] += int(p.get("quantity", 0))
                    tracked[item] = tracked[item] or kind == "supplies_received"
            elif kind == "hologram_range_received" and p.get("cycle") == cycle:
                moved[Item.HOLOGRAMAS] += int(p.get("count", 0))
                tracked[Item.HOLOGRAMAS] = True
            elif kind in ("hologram_applied", "hologram_spoiled") and p.get("cycle") == cycle:
                used_holograms += 1
        sheets = int(session.scalar(select(func.count()).select_from(StationEvent).where(
            StationEvent.station_id.in_(stations), StationEvent.kind == "sheet_issued")) or 0)
        pouches = int(session.scalar(select(func.count()).select_from(Card).where(
            Card.station_id.in_(stations), Card.status != "spoiled")) or 0)
    else:
        sheets = pouches = 0
    used = {Item.TESLIN: sheets, Item.MICAS: pouches, Item.HOLOGRAMAS: used_holograms,
            Item.TINTA: 0}
    stock = {i: max(0, moved[i] - used[i]) for i in Item}
    return KnownStock(stations, stock, tracked)


def _item(text: str) -> Item | None:
    try:
        return Item.parse(text)
    except DomainError:
        return None


def need_of(cards: int, holograms: int) -> dict[Item, int]:
    """Material a batch takes: a Teslin sheet per 8 cards, a pouch per card, a hologram per
    card and per continuing student.

    >>> need_of(10, 4)[Item.TESLIN], need_of(10, 4)[Item.HOLOGRAMAS]
    (2, 14)
    """
    return {Item.TESLIN: math.ceil(cards / SHEET_SIZE), Item.MICAS: cards,
            Item.HOLOGRAMAS: cards + holograms}


def decide_material(session: Session, req: OfficeRequest, *, enough: bool, note: str,
                    need: Mapping[Item, int], stock: KnownStock, staff: str, office: str,
                    now: datetime) -> None:
    """Procedure 1's «¿material suficiente?»: yes sends the batch to the DRSE station; no
    waits for material (asked with a note), and the decision can be taken again later."""
    if req.state not in ("validada", "material_insuficiente"):
        raise ApiError(409, "wrong-state", f"No se puede decidir el material: la solicitud "
                                           f"{req.id} está «{STATES[req.state]}».")
    note = " ".join(note.split())
    if enough:
        if not stock.stations:
            raise ApiError(409, "no-drse-station",
                           f"La DRSE {req.drse} no tiene estación inscrita que imprima el lote; "
                           "inscriba su estación antes de mandar a producción.")
        short = stock.shortfall(need)
        if short:
            raise ApiError(409, "material-short",
                           "El inventario de la DRSE que conoce el servicio central no alcanza: "
                           "faltan " + ", ".join(f"{n} {i.words}" for i, n in short.items())
                           + ". Registre en la estación de la DRSE el material que llegó o "
                           "marque «material insuficiente».")
        req.state = "en_produccion"
        outcome, text = "suficiente", note or "Material suficiente: lote enviado a la estación."
    else:
        if len(note) < 5:
            raise ApiError(422, "missing-note", "Escriba qué material se solicitó y a quién "
                                                "(por ejemplo: «300 hojas Teslin a la oficina "
                                                "estatal»).")
        req.state, outcome, text = "material_insuficiente", "insuficiente", note
    req.updated_at = now
    record_step(session, procedure="oficio", request_id=req.id, step="material",
                outcome=outcome, staff=staff, office=office, note=text, now=now)


# --- procedure 2 ------------------------------------------------------------------------------

def station_drse(session: Session, station: Station) -> str | None:
    from central.models import School

    if station.drse:
        return station.drse
    return session.scalar(select(School.drse).where(School.cct == station.school_cct))


def supply_requested(session: Session, *, station: Station, payload: Mapping[str, object],
                     now: datetime) -> None:
    """A station's resupply request arrives at its DRSE (once per station and number)."""
    ref = int(payload["request"])  # type: ignore[call-overload]
    if session.scalar(select(SupplyRequest.id).where(SupplyRequest.station_id == station.id,
                                                     SupplyRequest.station_ref == ref)):
        return
    drse = station_drse(session, station)
    if drse is None:
        return
    session.add(SupplyRequest(
        station_id=station.id, station_ref=ref, drse=drse, cct=station.school_cct,
        cycle=str(payload.get("cycle", ""))[:9], requested_on=str(payload.get("date", ""))[:10],
        director=str(payload.get("director") or payload.get("requested_by") or "")[:120],
        payload=json.dumps(payload, ensure_ascii=False, sort_keys=True), state="recibida",
        approved=None, received="{}", shipped_reference=None, reason=None, created_at=now,
        updated_at=now))
    session.flush()


def supplies_received(session: Session, *, station: Station, item: str, quantity: int,
                      request: int | None, now: datetime) -> None:
    """The station recorded material received: the request it names (or, from a station
    older than this, the oldest shipped request with that item) counts it, and closes when
    every approved quantity arrived."""
    query = select(SupplyRequest).where(SupplyRequest.station_id == station.id,
                                        SupplyRequest.state == "enviada")
    if request is not None:
        query = query.where(SupplyRequest.station_ref == request)
    found = None
    for row in session.scalars(query.order_by(SupplyRequest.id)):
        if request is not None or json.loads(row.approved or "{}").get(item, 0) > 0:
            found = row
            break
    if found is None:
        return
    received = json.loads(found.received or "{}")
    received[item] = received.get(item, 0) + quantity
    found.received, found.updated_at = json.dumps(received, sort_keys=True), now
    approved = json.loads(found.approved or "{}")
    if all(received.get(i, 0) >= n for i, n in approved.items() if n > 0):
        found.state = "recibida_estacion"
        record_step(session, procedure="material", request_id=found.id, step="recepcion",
                    outcome="recibida", staff=station.id, office="Estación",
                    note=", ".join(f"{n} {Item(i).words}" for i, n in received.items()),
                    now=now)


def get_supply_request(session: Session, scope: StaffScope, request_id: int) -> SupplyRequest:
    row = session.get(SupplyRequest, request_id)
    if row is None:
        raise ApiError(404, "request-not-found", f"No existe la solicitud de material "
                                                 f"{request_id}.")
    if not scope.everything and row.drse != scope.region:
        raise ApiError(403, "outside-region",
                       f"Su cuenta es de la DRSE «{scope.region}»: la solicitud de material "
                       f"{request_id} no le corresponde.")
    return row


def list_supply_requests(session: Session, region: str | None) -> list[SupplyRequest]:
    query = select(SupplyRequest).order_by(SupplyRequest.id.desc())
    if region is not None:
        query = query.where(SupplyRequest.drse == region)
    return list(session.scalars(query))


def approve(session: Session, row: SupplyRequest, *, quantities: Mapping[str, int],
            staff: str, office: str, now: datetime) -> None:
    if row.state != "recibida":
        raise ApiError(409, "wrong-state", f"La solicitud de material {row.id} ya está «"
                                           f"{SUPPLY_STATES[row.state]}».")
    bad = [i for i, n in quantities.items() if n < 0]
    if bad:
        raise ApiError(422, "negative-quantity", "Las cantidades aprobadas no pueden ser "
                                                 "negativas.")
    if not any(n > 0 for n in quantities.values()):
        raise ApiError(422, "nothing-approved", "Apruebe al menos una cantidad mayor que cero, "
                                                "o rechace la solicitud con el motivo.")
    row.approved = json.dumps({i: n for i, n in quantities.items() if n > 0}, sort_keys=True)
    row.state, row.reason, row.updated_at = "aprobada", None, now
    record_step(session, procedure="material", request_id=row.id, step="aprobacion",
                outcome="aprobada", staff=staff, office=office,
                note=", ".join(f"{n} {Item(i).words}" for i, n in quantities.items() if n > 0),
                now=now)


def reject(session: Session, row: SupplyRequest, *, reason: str, staff: str, office: str,
           now: datetime) -> None:
    if row.state not in ("recibida", "aprobada"):
        raise ApiError(409, "wrong-state", f"La solicitud de material {row.id} ya está «"
                                           f"{SUPPLY_STATES[row.state]}».")
    reason = " ".join(reason.split())
    if len(reason) < 5:
        raise ApiError(422, "missing-reason", "Para rechazar escriba el motivo: la escuela lo "
                                              "verá en su estación.")
    row.state, row.reason, row.updated_at = "rechazada", reason, now
    record_step(session, procedure="material", request_id=row.id, step="aprobacion",
                outcome="rechazada", staff=staff, office=office, note=reason, now=now)


def ship(session: Session, row: SupplyRequest, *, reference: str, staff: str, office: str,
         now: datetime) -> None:
    if row.state != "aprobada":
        raise ApiError(409, "wrong-state", f"Sólo se envía una solicitud aprobada; la {row.id} "
                                           f"está «{SUPPLY_STATES[row.state]}».")
    reference = " ".join(reference.split())
    if len(reference) < 3:
        raise ApiError(422, "missing-reference", "Escriba la referencia del envío (vale de "
                                                 "salida, guía u oficio): la escuela la usa al "
                                                 "registrar lo que recibe.")
    row.state, row.shipped_reference, row.updated_at = "enviada", reference[:120], now
    record_step(session, procedure="material", request_id=row.id, step="envio",
                outcome="enviada", staff=staff, office=office, note=reference, now=now)
