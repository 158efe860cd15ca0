"""Staff page «Reportes»: problem reports stations sent (DRSE staff: only their region's).

Newest first, filtered «pendientes» (default), «atendidos» or «todos»; the zip can be
downloaded (scope checked again on the download) and a report marked «atendido» with a note
(:func:`central.crud.report_attention.attend_problem_report`, recorded in
``staff_actions``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.api.deps import Ctx, Db, RowId, utcnow
from central.api.routes.web_session import CheckedForm, Staff, StaffUser, WebRoute, page
from central.crud import problem_reports
from central.crud.report_attention import attend_problem_report
from central.crud.support import escalations_by_report
from central.errors import ApiError
from central.models import ProblemReport, School, Station
from foundation.scrub import CATEGORIES
from foundation.web.pages import text

router = APIRouter(prefix="/staff/reportes", route_class=WebRoute, include_in_schema=False)
FILTERS = {"pendientes": False, "atendidos": True, "todos": None}


def size_es(size: int) -> str:
    """``512 bytes``, ``34 KB``, ``1.2 MB``.

    >>> size_es(512), size_es(34_000), size_es(1_250_000)
    ('512 bytes', '33 KB', '1.2 MB')
    """
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size // 1024} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _rows(session: Session, user: StaffUser, attended: bool | None) -> list[dict[str, object]]:
    reports = problem_reports.list_problem_reports(session, region_code=user.scope.region_code)
    if attended is not None:
        reports = [r for r in reports if (r.attended_at is not None) == attended]
    stations = {s.id: s for s in session.scalars(select(Station).where(
        Station.id.in_({r.station_id for r in reports})))}
    schools = {s.cct: s for s in session.scalars(select(School).where(
        School.cct.in_({r.school_cct for r in reports if r.school_cct})))}
    escalated = escalations_by_report(session, [r.id for r in reports])
    out = []
    for r in reports:
        station, school = stations.get(r.station_id), schools.get(r.school_cct or "")
        out.append({"r": r, "station": station.name if station else "",
                    "school": f"{school.cct} {school.nombre}" if school
                    else (r.school_cct or f"DRSE {r.drse or '—'}"),
                    "category": CATEGORIES.get(r.category, r.category),
                    "size": size_es(r.size), "esc": escalated.get(r.id)})
    return out


def _render(request: Request, user: StaffUser, session: Session, estado: str, *,
            status: int = 200, done: str = "") -> HTMLResponse:
    if estado not in FILTERS:
        raise ApiError(404, "bad-filter", "Ese filtro no existe; use pendientes, atendidos o "
                                          "todos.")
    out = page(request, "web_reports.html", user, status=status, nav="reportes",
               rows=_rows(session, user, FILTERS[estado]), estado=estado, done=done)
    session.commit()
    return out


@router.get("", response_class=HTMLResponse)
def reports_page(request: Request, user: Staff, session: Db,
                 estado: str = "pendientes") -> HTMLResponse:
    return _render(request, user, session, estado)


def _in_scope(session: Session, user: StaffUser, report_id: int) -> ProblemReport:
    row = problem_reports.read_problem_report(session, report_id=report_id)
    user.scope.require_problem_report(row)
    return row


@router.get("/{report_id}/descargar")
def download(report_id: RowId, user: Staff, session: Db, ctx: Ctx) -> FileResponse:
    """The zip as the station wrote it (only for staff whose scope holds the report)."""
    row = _in_scope(session, user, report_id)
    path = problem_reports.report_file(ctx.settings.data_dir, row)
    session.commit()
    if not path.is_file():
        raise ApiError(410, "problem-report-file-missing",
                       f"El archivo del reporte {report_id} ya no está en el servicio central.")
    return FileResponse(path, media_type="application/zip",
                        filename=f"{row.station_id}-{row.report_name}",
                        headers={"Cache-Control": "no-store"})


@router.post("/{report_id}/atender", response_class=HTMLResponse)
def attend(request: Request, report_id: RowId, user: Staff, form: CheckedForm,
           session: Db) -> HTMLResponse:
    _in_scope(session, user, report_id)
    row = attend_problem_report(session, report_id=report_id, staff=user.username,
                                note=text(form, "nota", limit=1000), now=utcnow())
    session.commit()
    return _render(request, user, session, "pendientes",
                   done=f"El reporte {row.id} de {row.station_id} quedó atendido.")
