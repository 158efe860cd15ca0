"""Capture calendar, pending rectifications and grade corrections (norms 6–8)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from conalep.academic import rectifications
from conalep.context import Db, utcnow
from conalep.models.academic import Alumno, CaptureWindow, Modulo
from conalep.navigation import NAV, NavItem
from conalep.privacy.access import reads
from conalep.web import CheckedForm, Staff, WebRoute, page, record
from foundation.web.pages import LOCAL_TZ, text
from foundation.web.refusal import Refusal

router = APIRouter(prefix="/staff", route_class=WebRoute, include_in_schema=False)
NAV.append(NavItem("calendario", "/staff/calendario", "Calendario y rectificaciones",
                   "view_grades", "ventanas de captura de cada corte y rectificaciones "
                                  "pendientes de capturas tardías"))


@router.get("/calendario", response_class=HTMLResponse)
def calendar(request: Request, user: Staff, session: Db) -> HTMLResponse:
    user.scope.require("view_grades")
    windows = list(session.scalars(select(CaptureWindow).order_by(CaptureWindow.periodo.desc(),
                                                                  CaptureWindow.corte)))
    return page(request, "academic/calendar.html", user, nav="calendario", windows=windows,
                pending=rectifications.pending(session, user.scope),
                today=utcnow().astimezone(LOCAL_TZ).date())


@router.post("/rectificaciones/{rectification_id}")
def complete(rectification_id: int, user: Staff, session: Db, form: CheckedForm) -> Response:
    now = utcnow()
    rect = rectifications.complete(
        session, user.scope, rectification_id, solicitante=text(form, "solicitante", limit=160),
        oficio=text(form, "oficio", limit=80), motivo=text(form, "motivo", limit=2000),
        staff=user.username, now=now)
    record(session, staff=user.username, action="rectification", target=f"rect {rect.id}",
           reason=rect.oficio or "", now=now)
    session.commit()
    return RedirectResponse("/staff/calendario", status_code=303)


@router.get("/calificaciones/{calificacion_id}", response_class=HTMLResponse)
def grade_page(request: Request, calificacion_id: int, user: Staff,
               session: Db) -> HTMLResponse:
    user.scope.require("view_grades")
    grade = rectifications.grade_in_scope(session, user.scope, calificacion_id)
    window = rectifications.window_of(session, grade)
    today = utcnow().astimezone(LOCAL_TZ).date()
    reads(session, request, user, "calificación del alumno", [grade.matricula])
    return page(request, "academic/grade.html", user, nav="alumnos", grade=grade,
                window=window, alumno=session.get(Alumno, grade.matricula),
                modulo=session.get(Modulo, grade.clave_modulo),
                history=rectifications.history(session, grade.id),
                closed=today > window.fin_captura)


@router.post("/calificaciones/{calificacion_id}")
def correct(calificacion_id: int, user: Staff, session: Db, form: CheckedForm) -> Response:
    raw = text(form, "nueva", limit=5).replace(",", ".")
    try:
        nueva = float(raw) if raw else None
    except ValueError:
        raise Refusal(422, "bad-grade", f"«{raw}» no es una calificación de 0 a 10.") from None
    now = utcnow()
    grade = rectifications.correct(
        session, user.scope, calificacion_id, nueva=nueva,
        solicitante=text(form, "solicitante", limit=160), oficio=text(form, "oficio", limit=80),
        motivo=text(form, "motivo", limit=2000), staff=user.username,
        today=now.astimezone(LOCAL_TZ).date(), now=now)
    record(session, staff=user.username, action="grade-correction",
           target=f"{grade.matricula} {grade.clave_modulo} c{grade.corte}",
           reason=text(form, "oficio", limit=80), now=now)
    session.commit()
    return RedirectResponse(f"/staff/calificaciones/{grade.id}", status_code=303)
