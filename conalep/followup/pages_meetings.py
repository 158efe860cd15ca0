"""Pages «Reuniones de revisión» (norm 12c): DG convenes three per semester and plantel with
the at-risk students to review (suggested from the corte's published SISEAC report); the
minutes record attendance and agreements and are closed once; minutes as PDF.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from conalep.academic import siseac
from conalep.context import Ctx, Db, utcnow
from conalep.followup import actions, records
from conalep.followup.documents import MinutesAgreement, minutes_pdf
from conalep.followup.meetings import NUMEROS
from conalep.followup.pages_common import values
from conalep.followup.validation import FollowupInputError, Problem
from conalep.models.followup import Reunion
from conalep.navigation import NAV, NavItem
from conalep.privacy.access import reads
from conalep.web import CheckedForm, ConalepUser, Staff, WebRoute, page
from foundation.web.downloads import pdf_download

router = APIRouter(prefix="/staff/reuniones", route_class=WebRoute, include_in_schema=False)
NAV.append(NavItem("reuniones", "/staff/reuniones", "Reuniones", "view_meetings",
                   "reuniones de revisión de seguimiento académico (tres por semestre), "
                   "asistencia, acuerdos y minuta"))


def _render(request: Request, user: ConalepUser, session: Db, ctx: Ctx, *, plantel: str,
            periodo: str, numero: int = 0, status: int = 200,
            problems: list[Problem] | None = None,
            form: dict[str, str] | None = None) -> HTMLResponse:
    plantel = plantel or (user.clave_plantel or "")
    query = select(Reunion).order_by(Reunion.periodo.desc(), Reunion.clave_plantel,
                                     Reunion.numero)
    if plantel:
        user.scope.require_plantel(plantel, f"el plantel {plantel}")
        query = query.where(Reunion.clave_plantel == plantel)
    elif user.scope.planteles is not None:
        query = query.where(Reunion.clave_plantel.in_(user.scope.planteles))
    periodos = siseac.periodos(session)
    form = dict(form or {})
    note, reasons = "", []
    if numero and plantel and periodo and not form and user.may("convene_meeting"):
        if siseac.is_published(session, periodo, numero):
            risk = records.at_risk(session, ctx.settings, clave_plantel=plantel,
                                   periodo=periodo, corte=numero)
            form = {"clave_plantel": plantel, "periodo": periodo, "numero": str(numero),
                    "matriculas": "\n".join(s.matricula for s in risk)}
            reasons = [f"{s.matricula} {s.nombre}: {'; '.join(s.reasons)}" for s in risk]
            note = (f"Se sugieren {len(risk)} alumnos en riesgo según el reporte SISEAC del "
                    f"corte {numero}.")
        else:
            note = f"El reporte SISEAC del corte {numero} de {periodo} aún no se publica."
    return page(request, "followup/meetings.html", user, status=status, nav="reuniones",
                meetings=list(session.scalars(query)), plantel=plantel, periodo=periodo,
                periodos=periodos, planteles=records.planteles(session, user.scope),
                numeros=NUMEROS, problems=problems or [], form=form, note=note,
                reasons=reasons)


@router.get("", response_class=HTMLResponse)
def meetings(request: Request, user: Staff, session: Db, ctx: Ctx, plantel: str = "",
             periodo: str = "", numero: int = 0) -> HTMLResponse:
    user.scope.require("view_meetings")
    return _render(request, user, session, ctx, plantel=plantel, periodo=periodo,
                   numero=numero)


@router.post("", response_class=HTMLResponse)
def convene(request: Request, user: Staff, form: CheckedForm, session: Db,
            ctx: Ctx) -> Response:
    user.scope.require("convene_meeting")
    typed = values(form)
    try:
        row = actions.convene(session, user.scope, typed, now=utcnow())
    except FollowupInputError as exc:
        session.rollback()
        return _render(request, user, session, ctx, plantel="", periodo="", status=422,
                       problems=exc.problems, form=typed)
    session.commit()
    return RedirectResponse(f"/staff/reuniones/{row.id}?hecho=convocada", status_code=303)


def _detail(request: Request, user: ConalepUser, session: Db, reunion: Reunion, *,
            status: int = 200, done: str = "", problems: list[Problem] | None = None,
            form: dict[str, str] | None = None) -> HTMLResponse:
    people = records.students(session, [a.matricula for a in reunion.alumnos])
    reads(session, request, user, "reunión de revisión", people)
    return page(request, "followup/meeting.html", user, status=status, nav="reuniones",
                r=reunion, people=people, full_name=records.full_name,
                plantel=records.plantel_label(session, reunion.clave_plantel), done=done,
                problems=problems or [], form=form or {})


DONE = {"convocada": "Reunión convocada.", "asistencia": "Asistencia registrada.",
        "acuerdo": "Acuerdo registrado.", "cerrada": "Minuta cerrada."}


@router.get("/{reunion_id}", response_class=HTMLResponse)
def meeting(request: Request, reunion_id: int, user: Staff, session: Db,
            hecho: str = "") -> HTMLResponse:
    user.scope.require("view_meetings")
    return _detail(request, user, session, records.meeting(session, user.scope, reunion_id),
                   done=DONE.get(hecho, ""))


def _step(request: Request, reunion_id: int, user: ConalepUser, form: CheckedForm,
          session: Db, step: str) -> Response:
    user.scope.require("view_meetings")
    reunion = records.meeting(session, user.scope, reunion_id)
    typed = values(form)
    try:
        if step == "asistencia":
            actions.set_attendance(session, user.scope, reunion, typed, now=utcnow())
        elif step == "acuerdo":
            actions.add_agreement(session, user.scope, reunion, typed, now=utcnow())
        else:
            actions.close_minutes(session, user.scope, reunion, now=utcnow())
    except FollowupInputError as exc:
        session.rollback()
        return _detail(request, user, session, records.meeting(session, user.scope, reunion_id),
                       status=422, problems=exc.problems, form=typed)
    session.commit()
    return RedirectResponse(f"/staff/reuniones/{reunion_id}?hecho={step}", status_code=303)


@router.post("/{reunion_id}/asistencia", response_class=HTMLResponse)
def attendance(request: Request, reunion_id: int, user: Staff, form: CheckedForm,
               session: Db) -> Response:
    return _step(request, reunion_id, user, form, session, "asistencia")


@router.post("/{reunion_id}/acuerdos", response_class=HTMLResponse)
def agreement(request: Request, reunion_id: int, user: Staff, form: CheckedForm,
              session: Db) -> Response:
    return _step(request, reunion_id, user, form, session, "acuerdo")


@router.post("/{reunion_id}/cerrar", response_class=HTMLResponse)
def close(request: Request, reunion_id: int, user: Staff, form: CheckedForm,
          session: Db) -> Response:
    return _step(request, reunion_id, user, form, session, "cerrada")


@router.get("/{reunion_id}/minuta.pdf")
def minutes(request: Request, reunion_id: int, user: Staff, session: Db) -> Response:
    user.scope.require("view_meetings")
    r = records.meeting(session, user.scope, reunion_id)
    people = records.students(session, [a.matricula for a in r.alumnos])
    reads(session, request, user, "minuta de reunión (PDF)", people)
    data = minutes_pdf(
        plantel=records.plantel_label(session, r.clave_plantel), periodo=r.periodo,
        numero=r.numero, fecha=r.fecha, hora=r.hora, lugar=r.lugar, convoco=r.convocada_por,
        students=[(m.matricula, records.full_name(people[m.matricula]),
                   people[m.matricula].grupo) for m in r.alumnos],
        attendees=[(a.nombre, a.cargo) for a in r.asistentes],
        agreements=[MinutesAgreement(a.numero, a.texto, a.responsable, a.fecha_compromiso,
                                     ", ".join(x.matricula for x in a.alumnos))
                    for a in r.acuerdos])
    return pdf_download(data, f"minuta-reunion-{r.clave_plantel}-{r.periodo}-{r.numero}.pdf")
