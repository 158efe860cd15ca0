"""Page «Eficiencia terminal» (the procedure's indicator) with its definitions, a table and a
server-rendered SVG chart; the Junta Directiva's quarterly PDF (norm 30); and one student's
follow-up history (bajas, asesorías, review meetings and the agreements that concern them).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from conalep.context import Db, utcnow
from conalep.followup import records
from conalep.followup.chart import chart_svg
from conalep.followup.documents import DEFINITIONS
from conalep.followup.dropouts import MOTIVOS, RESULTADOS
from conalep.followup.efficiency import totals
from conalep.followup.junta import junta_report
from conalep.models.followup import (
    Acuerdo,
    AcuerdoAlumno,
    Asesoria,
    AsesoriaAlumno,
    Baja,
    Reunion,
    ReunionAlumno,
)
from conalep.navigation import NAV, NavItem
from conalep.privacy.access import reads
from conalep.web import Staff, WebRoute, page
from foundation.web.downloads import pdf_download
from foundation.web.refusal import Refusal

router = APIRouter(prefix="/staff", route_class=WebRoute, include_in_schema=False)
NAV.append(NavItem("eficiencia", "/staff/eficiencia", "Eficiencia terminal", "view_efficiency",
                   "eficiencia terminal por generación, plantel y carrera, con gráfica, y el "
                   "informe trimestral para la Junta Directiva"))


def _quarter_now() -> str:
    today = utcnow().date()
    return f"{today.year}-T{(today.month - 1) // 3 + 1}"


@router.get("/eficiencia", response_class=HTMLResponse)
def efficiency(request: Request, user: Staff, session: Db) -> HTMLResponse:
    user.scope.require("view_efficiency")
    rows = records.efficiency(session, user.scope)
    return page(request, "followup/efficiency.html", user, nav="eficiencia", rows=rows,
                plantel_totals=totals(rows, by_plantel=True),
                state_totals=totals(rows, by_plantel=False) if user.scope.state_wide else [],
                carreras=records.carreras(session), definitions=DEFINITIONS,
                trimestre=_quarter_now())


@router.get("/eficiencia/grafica.svg")
def chart(user: Staff, session: Db) -> Response:
    user.scope.require("view_efficiency")
    svg = chart_svg(records.efficiency(session, user.scope))
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


@router.get("/eficiencia/junta.pdf")
def junta(user: Staff, session: Db, trimestre: str = "") -> Response:
    user.scope.require("junta_report")
    trimestre = trimestre or _quarter_now()
    try:
        data = junta_report(session, user.scope, trimestre)
    except ValueError as exc:
        raise Refusal(422, "bad-quarter", f"Trimestre: {exc}") from None
    return pdf_download(data, f"informe-junta-directiva-{trimestre}.pdf")


@router.get("/alumnos/{matricula}/seguimiento", response_class=HTMLResponse)
def history(request: Request, matricula: str, user: Staff, session: Db) -> HTMLResponse:
    """Everything the follow-up wing holds about one student, oldest first."""
    user.scope.require("view_meetings")
    alumno = records.student(session, user.scope, matricula)
    bajas = list(session.scalars(select(Baja).where(Baja.matricula == matricula)
                                 .order_by(Baja.fecha_baja)))
    tutoring = list(session.scalars(
        select(Asesoria).join(AsesoriaAlumno).where(AsesoriaAlumno.matricula == matricula)
        .order_by(Asesoria.fecha_inicio)))
    meetings = list(session.scalars(
        select(Reunion).join(ReunionAlumno).where(ReunionAlumno.matricula == matricula)
        .order_by(Reunion.fecha)))
    agreements = session.execute(
        select(Acuerdo, Reunion).join(AcuerdoAlumno).join(Reunion)
        .where(AcuerdoAlumno.matricula == matricula)
        .order_by(Reunion.fecha, Acuerdo.numero)).all()
    reads(session, request, user, "seguimiento del alumno", [matricula])
    return page(request, "followup/history.html", user, nav="alumnos", a=alumno,
                alumno_name=records.full_name(alumno), bajas=bajas, tutoring=tutoring,
                meetings=meetings, agreements=agreements, motivos=MOTIVOS,
                resultados=RESULTADOS)
