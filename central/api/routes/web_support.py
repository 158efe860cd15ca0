"""Staff pages «Soporte» and «Directorio DRSE» (seed 004, técnicos 10–12).

- A DRSE turns a problem report it cannot solve over to DGTI with a note (from «Reportes»);
  DGTI answers here; the answer shows on the DRSE's pages and reaches the station at its next
  sync (``station question list``).
- A school asks from its station (``station question ask``); its DRSE's Control Escolar answers
  or turns it over to the state with a note; the state answers what reaches it.
- The directory of the 14 DRSE: everyone reads it, the state edits it.

Every action is scope-checked (another DRSE's question or report answers 403, nothing
changes) and recorded in ``staff_actions``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from central.api.deps import Db, RowId, utcnow
from central.api.routes.web_session import CheckedForm, Staff, StaffUser, WebRoute, page
from central.crud import support
from central.crud.problem_reports import read_problem_report
from central.errors import ApiError
from foundation.web.pages import text

router = APIRouter(prefix="/staff", route_class=WebRoute, include_in_schema=False)


def _render(request: Request, user: StaffUser, session: Session, *, done: str = "",
            status: int = 200) -> Response:
    scope = user.scope
    if scope.is_dgti:
        asked: list[object] = []
    else:
        asked = list(support.questions(session, region_code=scope.region_code,
                                       state_level_only=False))
    escalated = support.escalations(
        session, region_code=None if scope.is_dgti else scope.region_code)
    contact = support.contact_for(session, user.region)
    out = page(request, "web_support.html", user, nav="soporte", status=status, done=done,
               questions=asked, escalated=escalated, contact=contact,
               state_level=support.LEVEL_STATE)
    session.commit()
    return out


@router.get("/soporte", response_class=HTMLResponse)
def support_page(request: Request, user: Staff, session: Db) -> Response:
    return _render(request, user, session)


def _question_in_scope(session: Session, user: StaffUser, question_id: int) -> None:
    row = support.read_question(session, question_id)
    if user.scope.is_dgti:
        raise ApiError(403, "dgti-questions",
                       "Las preguntas de las escuelas las responde Control Escolar de la DRSE o "
                       "la oficina estatal, no DGTI.")
    if row.drse is None:
        user.scope.require_estatal("responder una pregunta sin DRSE")
    else:
        user.scope.require_region(row.drse)


@router.post("/soporte/preguntas/{question_id}/responder", response_class=HTMLResponse)
def answer_question(request: Request, question_id: RowId, user: Staff, form: CheckedForm,
                    session: Db) -> Response:
    _question_in_scope(session, user, question_id)
    row = support.answer_question(session, question_id=question_id, staff=user.username,
                                  state_staff=user.scope.everything,
                                  answer=text(form, "respuesta", limit=2000), now=utcnow())
    session.commit()
    return _render(request, user, session,
                   done=f"La pregunta {row.id} quedó respondida; la escuela verá la respuesta "
                        "en su estación al sincronizar.")


@router.post("/soporte/preguntas/{question_id}/turnar", response_class=HTMLResponse)
def forward_question(request: Request, question_id: RowId, user: Staff, form: CheckedForm,
                     session: Db) -> Response:
    _question_in_scope(session, user, question_id)
    if user.scope.everything:
        raise ApiError(409, "already-state", "Usted es de la oficina estatal: responda la "
                                             "pregunta directamente.")
    row = support.forward_question(session, question_id=question_id, staff=user.username,
                                   note=text(form, "nota", limit=2000), now=utcnow())
    session.commit()
    return _render(request, user, session,
                   done=f"La pregunta {row.id} se turnó a la oficina estatal.")


@router.post("/soporte/reportes/{report_id}/turnar", response_class=HTMLResponse)
def escalate_report(request: Request, report_id: RowId, user: Staff, form: CheckedForm,
                    session: Db) -> Response:
    report = read_problem_report(session, report_id=report_id)
    if user.scope.is_dgti:
        raise ApiError(403, "dgti-escalate", "DGTI responde los reportes turnados; turnarlos "
                                             "le corresponde a la DRSE.")
    user.scope.require_problem_report(report)
    support.escalate_report(session, report_id=report_id, staff=user.username,
                            note=text(form, "nota", limit=2000), now=utcnow())
    session.commit()
    return _render(request, user, session,
                   done=f"El reporte {report_id} se turnó a DGTI; su respuesta aparecerá aquí y "
                        "en la estación.")


@router.post("/soporte/reportes/{report_id}/responder", response_class=HTMLResponse)
def answer_report(request: Request, report_id: RowId, user: Staff, form: CheckedForm,
                  session: Db) -> Response:
    if not user.scope.is_dgti:
        raise ApiError(403, "dgti-only", "Sólo DGTI (Tecnologías de la Información) responde los "
                                         "reportes turnados. Si usted es de DGTI, pida a la "
                                         "oficina estatal una cuenta con ese rol.")
    support.answer_escalation(session, report_id=report_id, staff=user.username,
                              answer=text(form, "respuesta", limit=2000), now=utcnow())
    session.commit()
    return _render(request, user, session,
                   done=f"Respuesta enviada: la DRSE y la estación del reporte {report_id} la "
                        "verán.")


# --- directory -------------------------------------------------------------------------------

def _directory(request: Request, user: StaffUser, session: Session, *, done: str = "",
               status: int = 200) -> Response:
    out = page(request, "web_directory.html", user, nav="directorio", status=status, done=done,
               contacts=support.contacts(session), fields=support.FIELDS)
    session.commit()
    return out


@router.get("/directorio", response_class=HTMLResponse)
def directory(request: Request, user: Staff, session: Db) -> Response:
    return _directory(request, user, session)


def _values(form: object) -> dict[str, str]:
    return {key: text(form, key, limit=limit + 50)  # type: ignore[arg-type]
            for key, (_label, limit) in support.FIELDS.items()}


@router.post("/directorio/nueva", response_class=HTMLResponse)
def add_contact(request: Request, user: Staff, form: CheckedForm, session: Db) -> Response:
    user.scope.require_estatal("editar el directorio de las DRSE")
    row = support.save_contact(session, contact_id=None, values=_values(form),
                               staff=user.username, now=utcnow())
    session.commit()
    return _directory(request, user, session, done=f"Se agregó la DRSE «{row.name}».")


@router.post("/directorio/{contact_id}", response_class=HTMLResponse)
def edit_contact(request: Request, contact_id: RowId, user: Staff, form: CheckedForm,
                 session: Db) -> Response:
    user.scope.require_estatal("editar el directorio de las DRSE")
    row = support.save_contact(session, contact_id=contact_id, values=_values(form),
                               staff=user.username, now=utcnow())
    session.commit()
    return _directory(request, user, session, done=f"Se guardaron los datos de «{row.name}».")
