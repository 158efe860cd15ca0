"""Signed station routes of the DRSE procedures (issue 13): a school station sends its
procedure-1 request with the signed oficio; every station reads how its requests go (state
and reason of a return or rejection) and a DRSE station reads its batches to produce.

Stations older than issue 13 never call these routes; they keep syncing as before.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.api.deps import AuthStation, Ctx, Db, RawBody, RowId, utcnow
from central.crud import offices
from central.crud.office_supplies import SUPPLY_STATES
from central.crud.stations import require_in_scope
from central.errors import ApiError
from central.models import Delivery, OfficeRequest, Station, SupplyRequest
from central.schemas import OfficeRequestIn
from foundation.atomic_files import write_atomic
from foundation.contract.responses import OfficeNews, OfficeRequestStored

router = APIRouter(prefix="/api/v1/sync", tags=["sync"])
UPLOAD_PATH = "/api/v1/sync/office-requests"
SCANS_PATH = "/api/v1/sync/delivery-scans/"


@router.post("/office-requests", response_model=OfficeRequestStored)
def send_request(body: OfficeRequestIn, station: AuthStation, session: Db,
                 ctx: Ctx) -> dict[str, object]:
    """A procedure-1 request of a school the station acts for, with its scanned oficio."""
    if station.kind == "drse":
        require_in_scope(session, station=station, routing=ctx.routing, ccts={body.cct})
    else:
        _own_school(station, body.cct)
    try:
        scan = base64.b64decode(body.scan, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(422, "bad-scan", "El escaneo del oficio no llegó completo; envíelo "
                                        "otra vez.") from None
    school = offices.school_for_request(session, body.cct, ctx.routing)
    req, fresh = offices.create_request(
        session, school=school, cycle=body.cycle, oficio=body.oficio, director=body.director,
        notes=body.notes, curps=body.curps, scan=scan, source="estacion",
        staff=f"{body.director} (estación {station.id})", data_dir=ctx.settings.data_dir,
        now=utcnow(), station_id=station.id, station_ref=body.ref)
    session.commit()
    return {"number": req.id, "state": req.state, "duplicate": not fresh}


def _own_school(station: Station, cct: str) -> None:
    if station.school_cct != cct:
        raise ApiError(403, "school-out-of-scope",
                       f"La estación {station.id} es de la escuela {station.school_cct}; no "
                       f"puede enviar solicitudes de {cct}.")


@router.get("/office-news", response_model=OfficeNews)
def office_news(station: AuthStation, session: Db) -> dict[str, object]:
    """The state of the station's requests, and (DRSE station) the batches to produce."""
    items: list[dict[str, object]] = []
    for r in session.scalars(select(OfficeRequest).where(OfficeRequest.station_id == station.id)
                             .order_by(OfficeRequest.id)):
        items.append({"procedure": "oficio", "ref": r.station_ref, "number": r.id,
                      "state": r.state, "words": offices.STATES[r.state], "reason": r.reason})
    for s in session.scalars(select(SupplyRequest).where(SupplyRequest.station_id == station.id)
                             .order_by(SupplyRequest.id)):
        items.append({"procedure": "material", "ref": s.station_ref, "number": s.id,
                      "state": s.state, "words": SUPPLY_STATES[s.state], "reason": s.reason,
                      "approved": json.loads(s.approved) if s.approved else None,
                      "shipped_reference": s.shipped_reference})
    batches = _batches(session, station)
    session.commit()
    return {"requests": items, "batches": batches}


def _batches(session: Session, station: Station) -> list[dict[str, object]]:
    if station.kind != "drse" or not station.drse:
        return []
    out: list[dict[str, object]] = []
    for r in session.scalars(select(OfficeRequest).where(
            OfficeRequest.drse == station.drse, OfficeRequest.state == "en_produccion")
            .order_by(OfficeRequest.id)):
        cards, holograms = offices.batch_of(session, r.id)
        out.append({"request": r.id, "cct": r.cct, "cycle": r.cycle, "cards": cards,
                    "holograms": holograms})
    return out


@router.put("/delivery-scans/{delivery}", response_model=OfficeRequestStored)
def put_delivery_scan(delivery: RowId, body: RawBody, station: AuthStation, session: Db,
                      ctx: Ctx) -> dict[str, object]:
    """The signed acknowledgement of one of the station's deliveries (PDF, JPEG or PNG), so
    the DRSE and the state see it on central; sending it again changes nothing."""
    row = session.get(Delivery, (station.id, delivery))
    if row is None:
        raise ApiError(404, "delivery-not-found",
                       f"El servicio central aún no tiene la entrega {delivery} de la estación "
                       f"{station.id}; se enviará el acuse en la próxima sincronización.")
    ext = offices.scan_ext(body)
    digest = hashlib.sha256(body).hexdigest()
    path = ctx.settings.data_dir / "acuses" / f"{digest}{ext}"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        write_atomic(path, body, mode=0o600)
    fresh = row.scan_sha256 != digest
    row.scan_sha256, row.scan_ext = digest, ext
    session.commit()
    return {"number": delivery, "state": "recibido", "duplicate": not fresh}
