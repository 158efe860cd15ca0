"""Staff page «Avance»: the credential programme's progress per DRSE and school (issue 13).

State staff see every DRSE and drill down into one; DRSE staff see only their own DRSE (the
state view shows them their DRSE's schools; another DRSE answers 403). Figures:
:mod:`central.crud.progress`; chart: :mod:`central.crud.progress_chart`; the same tables as
XLSX (``/staff/avance/exportar.xlsx``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from central.api.deps import Db
from central.api.routes.web_session import Staff, StaffUser, WebRoute, page
from central.crud import progress
from central.crud.progress_chart import progress_svg
from central.crud.staff import find_region
from central.models import School
from foundation.web.downloads import xlsx_download
from foundation.web.xlsx import XlsxBook

router = APIRouter(prefix="/staff/avance", route_class=WebRoute, include_in_schema=False)
CHART_SCHOOLS = 30
"""A DRSE's chart shows its schools furthest behind (a bar per school of 700 reads nothing)."""
HEADERS = ["Inscritos", "Con credencial", "% con credencial", "Pendientes", "Rechazaron",
           "Hologramas del ciclo", "Solicitudes abiertas", "Entregas abiertas",
           "Entregas con acuse", "Solicitudes de insumos", "Teslin (última existencia)"]


def _cells(f: progress.Figures) -> list[object]:
    return [f.enrolled, f.with_card, round(f.percent, 1), f.pending, f.declined, f.holograms,
            f.requests_open, f.deliveries_open, f.deliveries_closed, f.supply_requests,
            f.teslin]


def _drse_of(session: Session, user: StaffUser, nombre: str | None) -> str | None:
    """The DRSE asked for (as stored), scope-checked; None: the whole state (estatal only)."""
    if nombre is None:
        return None if user.scope.everything else user.region
    region = find_region(session, nombre)
    user.scope.require_region(region)
    return region


def _render(request: Request, user: StaffUser, session: Session, drse: str | None) -> Response:
    cycle = progress.current_cycle(session)
    if drse is None:
        rows = progress.drse_rows(session, cycle=cycle)
        chart_rows, title = rows, "Avance por DRSE"
    else:
        rows = progress.school_rows(session, drse=drse, cycle=cycle)
        behind = sorted((r for r in rows if r.figures.enrolled), key=lambda r: r.figures.percent)
        chart_rows = behind[:CHART_SCHOOLS]
        title = f"Escuelas de la DRSE {drse} con menor avance"
    total = progress.total(rows)
    schools = int(session.scalar(select(func.count()).select_from(School)) or 0)
    out = page(request, "web_progress.html", user, nav="avance", rows=rows, total=total,
               drse=drse, cycle=cycle, cells=_cells, headers=HEADERS, any_schools=schools > 0,
               chart=Markup(progress_svg(chart_rows, title=title)) if chart_rows else "",
               chart_title=title)
    session.commit()
    return out


@router.get("", response_class=HTMLResponse)
def progress_page(request: Request, user: Staff, session: Db) -> Response:
    return _render(request, user, session, _drse_of(session, user, None))


@router.get("/drse", response_class=HTMLResponse)
def drse_page(request: Request, user: Staff, session: Db, nombre: str) -> Response:
    return _render(request, user, session, _drse_of(session, user, nombre))


@router.get("/exportar.xlsx")
def export(user: Staff, session: Db, drse: str | None = None) -> Response:
    """The DRSE totals (state) and every school in scope, one sheet each."""
    region = _drse_of(session, user, drse)
    cycle = progress.current_cycle(session)
    book = XlsxBook()
    regions = progress.drse_rows(session, cycle=cycle, only=region)
    book.add_table("DRSE", ["DRSE", "Escuelas", *HEADERS],
                   [[r.label, r.schools, *_cells(r.figures)] for r in regions])
    schools = progress.school_figures(session, drse=region, cycle=cycle)
    book.add_table("Escuelas", ["DRSE", "CCT", "Escuela", *HEADERS],
                   [[d, cct, nombre, *_cells(f)] for cct, nombre, d, f in schools])
    session.commit()
    name = f"avance-{cycle}" + (f"-{region}" if region else "-estatal")
    return xlsx_download(book, name.replace(" ", "_") + ".xlsx")
