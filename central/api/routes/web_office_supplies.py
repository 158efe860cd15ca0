"""Staff pages «Material» (DRSE procedure 2: supply requests of stations, with the use that
justifies them), «Entregas» (deliveries of DRSE stations with their signed acknowledgement)
and «Sin atender» (requests for a card unattended past ``unattended_escalate_days``,
normativo 4). DRSE staff see their DRSE only; another DRSE's request answers 403.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.api.deps import Ctx, Db, RowId, utcnow
from central.api.routes.access import seen
from central.api.routes.web_session import CheckedForm, Staff, StaffUser, WebRoute, page
from central.crud import office_supplies, offices, unattended
from central.crud import staff as staff_ops
from central.crud.office_supplies import ITEMS, SUPPLY_STATES
from central.crud.offices import office_label, require_office
from central.errors import ApiError
from central.models import Delivery, School, Station
from foundation.web.pages import text

router = APIRouter(prefix="/staff", route_class=WebRoute, include_in_schema=False)


def _schools(session: Session, ccts: set[str]) -> dict[str, str]:
    return {s.cct: s.nombre for s in session.scalars(select(School).where(
        School.cct.in_(ccts)))} if ccts else {}


@router.get("/material", response_class=HTMLResponse)
def supplies_page(request: Request, user: Staff, session: Db) -> HTMLResponse:
    rows = office_supplies.list_supply_requests(session, user.scope.region_code)
    out = page(request, "web_office_supplies.html", user, nav="material", rows=rows,
               states=SUPPLY_STATES, schools=_schools(session, {r.cct for r in rows if r.cct}),
               payloads={r.id: json.loads(r.payload) for r in rows})
    session.commit()
    return out


def _detail(request: Request, user: StaffUser, session: Session, request_id: int, *,
            done: str = "") -> HTMLResponse:
    row = office_supplies.get_supply_request(session, user.scope, request_id)
    station = session.get(Station, row.station_id)
    out = page(request, "web_office_supply.html", user, nav="material", row=row,
               station=station, p=json.loads(row.payload), states=SUPPLY_STATES,
               approved=json.loads(row.approved) if row.approved else {},
               received=json.loads(row.received or "{}"), items=ITEMS,
               school=_schools(session, {row.cct} if row.cct else set()).get(row.cct or ""),
               steps=offices.steps_of(session, "material", row.id), done=done)
    session.commit()
    return out


@router.get("/material/{request_id}", response_class=HTMLResponse)
def supply_page(request: Request, request_id: RowId, user: Staff, session: Db) -> HTMLResponse:
    return _detail(request, user, session, request_id)


def _quantities(form: object) -> dict[str, int]:
    out = {}
    for item in ITEMS:
        raw = text(form, f"q_{item.value}", limit=12)  # type: ignore[arg-type]
        if not raw:
            continue
        if not raw.lstrip("-").isdigit():
            raise ApiError(422, "bad-quantity", f"La cantidad de {item.words} debe ser un "
                                                f"número entero (se escribió «{raw}»).")
        out[item.value] = int(raw)
    return out


@router.post("/material/{request_id}/{action}", response_class=HTMLResponse)
def supply_action(request: Request, request_id: RowId, action: str, user: Staff,
                  form: CheckedForm, session: Db) -> HTMLResponse:
    """«aprobar» (quantities), «rechazar» (reason) or «enviar» (shipping reference)."""
    row = office_supplies.get_supply_request(session, user.scope, request_id)
    station = session.get(Station, row.station_id)
    if action not in ("aprobar", "rechazar", "enviar"):
        raise ApiError(404, "not-found", "No existe esa acción.")
    if station is not None and station.kind == "drse":
        # A DRSE's own request goes up to the state office (seed 004, técnico 5).
        user.scope.require_estatal("atender la solicitud de material de una DRSE")
    require_office(user.role, user.office,
                   "enviar_material" if action == "enviar" else "aprobar_material")
    who, office = user.display_name or user.username, office_label(user.role, user.office)
    now = utcnow()
    if action == "aprobar":
        office_supplies.approve(session, row, quantities=_quantities(form), staff=who,
                                office=office, now=now)
        done = "Solicitud aprobada; registre el envío cuando salga el material."
    elif action == "rechazar":
        office_supplies.reject(session, row, reason=text(form, "motivo", limit=1000),
                               staff=who, office=office, now=now)
        done = "Solicitud rechazada; la estación verá el motivo en su próxima sincronización."
    else:
        office_supplies.ship(session, row, reference=text(form, "referencia", limit=120),
                             staff=who, office=office, now=now)
        done = ("Envío registrado; la solicitud se cierra cuando la estación registre lo "
                "recibido.")
    staff_ops.record(session, staff=user.username, action=f"supply-{action}",
                     target=f"material {row.id} {row.station_id}", reason=row.state, now=now)
    session.commit()
    return _detail(request, user, session, row.id, done=done)


@router.get("/entregas", response_class=HTMLResponse)
def deliveries_page(request: Request, user: Staff, session: Db) -> HTMLResponse:
    query = select(Delivery).order_by(Delivery.created_at.desc())
    if user.scope.region_code is not None:
        query = query.where(Delivery.drse == user.scope.region_code)
    rows = list(session.scalars(query))
    out = page(request, "web_office_deliveries.html", user, nav="entregas", rows=rows,
               schools=_schools(session, {r.cct for r in rows}))
    session.commit()
    return out


@router.get("/sin-atender", response_class=HTMLResponse)
def unattended_page(request: Request, user: Staff, session: Db, ctx: Ctx) -> HTMLResponse:
    days = ctx.settings.unattended_escalate_days
    rows = unattended.escalated(session, region=user.scope.region_code, today=utcnow().date(),
                                days=days)
    seen(request, user, session, "solicitudes sin atender", [(r.curp, r.cct) for r in rows])
    out = page(request, "web_office_unattended.html", user, nav="sin-atender", rows=rows,
               days=days)
    session.commit()
    return out


@router.get("/entregas/{station_id}/{delivery}/acuse")
def delivery_scan(station_id: str, delivery: RowId, user: Staff, session: Db,
                  ctx: Ctx) -> FileResponse:
    """The signed acknowledgement as the DRSE station scanned it (scope checked)."""
    row = session.get(Delivery, (station_id[:20], delivery))
    if row is None:
        raise ApiError(404, "delivery-not-found", "No existe esa entrega.")
    if not user.scope.everything and row.drse != user.scope.region:
        raise ApiError(403, "outside-region", f"Su cuenta es de la DRSE «{user.scope.region}»: "
                                              "esa entrega no le corresponde.")
    session.commit()
    path = ctx.settings.data_dir / "acuses" / f"{row.scan_sha256}{row.scan_ext}"
    if row.scan_sha256 is None or not path.is_file():
        raise ApiError(404, "scan-missing", "La estación de la DRSE aún no envía el acuse "
                                            "firmado escaneado; llega en su próxima "
                                            "sincronización.")
    media = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".png": "image/png"}
    return FileResponse(path, media_type=media[row.scan_ext or ".pdf"],
                        filename=f"acuse-{row.cct}-{row.delivery}{row.scan_ext}",
                        headers={"Cache-Control": "no-store"})
