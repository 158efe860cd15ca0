"""Staff page «Estaciones»: one-time enrollment codes and withdrawing a station."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.api.deps import Ctx, Db, utcnow
from central.api.routes.web_home import station_rows
from central.api.routes.web_session import CheckedForm, Staff, StaffUser, WebRoute, page
from central.crud import staff as staff_ops
from central.crud import station_health
from central.crud import stations as station_ops
from central.errors import ApiError
from central.models import Region, School, Station
from foundation.web.pages import text

router = APIRouter(prefix="/staff/estaciones", route_class=WebRoute, include_in_schema=False)


def _render(request: Request, user: StaffUser, session: Session, ctx: Ctx, *,
            status: int = 200, **extra: object) -> HTMLResponse:
    regions = list(session.scalars(select(Region.name).order_by(Region.name)))
    if not user.scope.everything:
        regions = [r for r in regions if r == user.region]
    schools = session.scalars(select(School).order_by(School.cct).where(
        School.drse.in_(regions)))
    rows = station_rows(session, user.scope)
    health = station_health.load_all(ctx.settings.data_dir, [r.id for r in rows], utcnow())
    out = page(request, "web_stations.html", user, status=status, nav="estaciones",
               stations=rows, health=health, regions=regions,
               schools=list(schools), hours=ctx.settings.enrollment_code_hours, **extra)
    session.commit()
    return out


@router.get("", response_class=HTMLResponse)
def stations_page(request: Request, user: Staff, session: Db, ctx: Ctx) -> HTMLResponse:
    return _render(request, user, session, ctx)


@router.post("/codigo", response_class=HTMLResponse)
def new_code(request: Request, user: Staff, form: CheckedForm, session: Db,
             ctx: Ctx) -> HTMLResponse:
    """A one-time code, shown once: only its hash is kept."""
    kind = text(form, "tipo")
    cct, drse = text(form, "cct").upper(), text(form, "drse", limit=120)
    name = text(form, "nombre", limit=120)
    if not name:
        raise ApiError(422, "missing-name", "Escriba un nombre para la estación "
                                            "(por ejemplo, «Primaria 9901, dirección»).")
    if kind == "escuela":
        user.scope.require_school(session, cct)
        drse = ""
    elif kind == "drse":
        user.scope.require_region(drse)
        cct = ""
    hours = ctx.settings.enrollment_code_hours
    now = utcnow()
    code, row = station_ops.create_enrollment_code(
        session, kind=kind, school_cct=cct or None, drse=drse or None, station_name=name,
        staff=user.username, hours=hours, now=now)
    staff_ops.record(session, staff=user.username, action="enrollment-code",
                     target=cct or drse, reason=name, now=now)
    session.commit()
    return _render(request, user, session, ctx, status=201, new_code=code, code_row=row,
                   code_expires=now + timedelta(hours=hours))


@router.post("/{station_id}/retirar", response_class=HTMLResponse)
def withdraw(request: Request, station_id: str, user: Staff, form: CheckedForm, session: Db,
             ctx: Ctx) -> HTMLResponse:
    """First answer: a confirmation page; with ``confirmar=si``: the station is withdrawn."""
    station = session.get(Station, station_id)
    if station is None:
        raise ApiError(404, "station-not-found", f"No existe la estación {station_id}.")
    user.scope.require_station(session, station)
    reason = text(form, "motivo")
    if len(reason) < 3:
        raise ApiError(422, "missing-reason", "Escriba el motivo del retiro (por ejemplo, "
                                              "«equipo robado»).")
    if text(form, "confirmar") != "si":
        session.commit()
        return page(request, "web_confirm.html", user, nav="estaciones",
                    title=f"¿Retirar la estación {station.id}?",
                    explain=(f"«{station.name}» dejará de firmar credenciales desde hoy. Las "
                             "credenciales que ya expidió siguen válidas. No se puede deshacer."),
                    action=f"/staff/estaciones/{station.id}/retirar", reason=reason,
                    button="Sí, retirar la estación", back="/staff/estaciones")
    now = utcnow()
    station_ops.withdraw(session, station_id=station_id, reason=reason,
                         central_key=ctx.central_key, now=now)
    staff_ops.record(session, staff=user.username, action="withdraw-station",
                     target=station_id, reason=reason, now=now)
    session.commit()
    return _render(request, user, session, ctx,
                   done=f"La estación {station_id} quedó retirada: {reason}.")
