"""Staff pages «Datos personales» (ARCO requests, issue 18) and the state office's «Registro
de accesos».

The CURP travels only in POST forms (never in an address, which a proxy would log). Every view
of a student here leaves an access record (:func:`central.api.routes.access.seen`).
"""

from __future__ import annotations

import csv
import io
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from central.api.deps import Ctx, Db, utcnow
from central.api.routes.access import key_of, seen
from central.api.routes.web_session import CheckedForm, Staff, StaffUser, WebRoute, page
from central.crud import access_log, privacy_arco, privacy_export
from central.crud.privacy_digest import student_digest
from central.crud.privacy_erase import delete_pending_photos
from central.errors import ApiError
from central.models import Card, School, Student
from foundation.web.downloads import download, pdf_download
from foundation.web.pages import text

router = APIRouter(prefix="/staff", route_class=WebRoute, include_in_schema=False)
_CURP = "curp"


def _officer(user: StaffUser) -> None:
    privacy_arco.require_officer(user.scope, user.office)


def _date(form: FormData, name: str, label: str) -> date:
    raw = text(form, name, limit=10)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(422, "bad-date", f"Escriba la {label} como día/mes/año en el "
                                        "calendario (por ejemplo 02/12/2026).") from None


def _home(request: Request, user: StaffUser, session: Session, *, results: list[Student] | None
          = None, done: str = "") -> HTMLResponse:
    requests = privacy_arco.requests_of(session, user.scope)
    out = page(request, "web_privacy.html", user, nav="privacidad", results=results,
               requests=requests, kinds=privacy_arco.KINDS, done=done)
    session.commit()
    return out


@router.get("/privacidad", response_class=HTMLResponse)
def privacy_home(request: Request, user: Staff, session: Db) -> HTMLResponse:
    _officer(user)
    return _home(request, user, session)


@router.post("/privacidad/buscar", response_class=HTMLResponse)
def privacy_search(request: Request, user: Staff, form: CheckedForm, session: Db,
                   ctx: Ctx) -> HTMLResponse:
    _officer(user)
    curp = text(form, _CURP, limit=18).upper()
    if curp:
        return _student(request, user, session, ctx, curp)
    found = privacy_arco.find_students(session, user.scope, name=text(form, "nombre"),
                                       cct=text(form, "cct", limit=10))
    seen(request, user, session, "búsqueda ARCO", [(s.curp, s.cct) for s in found])
    return _home(request, user, session, results=found)


def _student(request: Request, user: StaffUser, session: Session, ctx: Ctx, curp: str, *,
             done: str = "", status: int = 200) -> HTMLResponse:
    student = privacy_arco.student_in_scope(session, user.scope, curp)
    seen(request, user, session, "ficha del alumno (ARCO)", [(student.curp, student.cct)])
    key = key_of(ctx)
    cards = list(session.scalars(select(Card).where(Card.curp == student.curp)
                                 .order_by(Card.issued_on)))
    out = page(request, "web_privacy_student.html", user, nav="privacidad", st=student,
               school=session.get(School, student.cct), cards=cards, done=done,
               requests=privacy_arco.requests_of(session, user.scope,
                                                 student_digest(key, student.curp)),
               kinds=privacy_arco.KINDS, fields=privacy_arco.RECTIFIABLE,
               today=utcnow().date().isoformat(), status=status)
    session.commit()
    return out


@router.post("/privacidad/alumno", response_class=HTMLResponse)
def privacy_student(request: Request, user: Staff, form: CheckedForm, session: Db,
                    ctx: Ctx) -> HTMLResponse:
    _officer(user)
    return _student(request, user, session, ctx, text(form, _CURP, limit=18).upper())


@router.post("/privacidad/alumno/exportar")
def privacy_export_download(request: Request, user: Staff, form: CheckedForm, session: Db,
                            ctx: Ctx) -> Response:
    """The student's data as PDF (``formato=pdf``, for the parent) or JSON."""
    _officer(user)
    student = privacy_arco.student_in_scope(session, user.scope, text(form, _CURP, limit=18))
    fmt = text(form, "formato", limit=4)
    if fmt not in ("pdf", "json"):
        raise ApiError(422, "bad-format", "El formato es PDF o JSON.")
    data = privacy_export.export_student(session, key=key_of(ctx), curp=student.curp,
                                         now=utcnow())
    seen(request, user, session, f"exportación ARCO ({fmt.upper()})",
         [(student.curp, student.cct)])
    photo = (ctx.photos.path(student.photo_hash)
             if student.photo_hash and ctx.photos.has(student.photo_hash) else None)
    session.commit()
    name = f"datos-personales-{student.primer_apellido.lower().replace(' ', '-')}"
    if fmt == "pdf":
        return pdf_download(privacy_export.export_pdf(data, photo=photo,
                                                      officer=user.display_name),
                            f"{name}.pdf")
    return download(privacy_export.export_json(data), f"{name}.json", "application/json")


def _request_fields(form: FormData) -> tuple[str, date, str]:
    return (text(form, "folio", limit=40), _date(form, "recibida", "fecha de recepción"),
            text(form, "fundamento"))


@router.post("/privacidad/alumno/registrar", response_class=HTMLResponse)
def privacy_record(request: Request, user: Staff, form: CheckedForm, session: Db,
                   ctx: Ctx) -> HTMLResponse:
    """An «acceso» or «oposición» request and what was answered."""
    _officer(user)
    student = privacy_arco.student_in_scope(session, user.scope, text(form, _CURP, limit=18))
    kind = text(form, "tipo", limit=14)
    if kind not in ("acceso", "oposicion"):
        raise ApiError(422, "bad-kind", "Aquí se registran las solicitudes de acceso u "
                                        "oposición; la rectificación y la cancelación tienen "
                                        "su propio formulario.")
    answer = text(form, "respuesta", limit=2000)
    if len(answer) < 3:
        raise ApiError(422, "missing-answer", "Escriba qué se respondió (al menos 3 letras).")
    folio, received, reason = _request_fields(form)
    row = privacy_arco.record_request(session, key=key_of(ctx), student=student, kind=kind,
                                      folio=folio, received_on=received, legal_reason=reason,
                                      result=answer, staff=user.username, now=utcnow())
    return _student(request, user, session, ctx, student.curp,
                    done=f"Se registró la solicitud {row.folio} ({privacy_arco.KINDS[kind]}).")


@router.post("/privacidad/alumno/rectificar", response_class=HTMLResponse)
def privacy_rectify(request: Request, user: Staff, form: CheckedForm, session: Db,
                    ctx: Ctx) -> HTMLResponse:
    _officer(user)
    student = privacy_arco.student_in_scope(session, user.scope, text(form, _CURP, limit=18))
    folio, received, reason = _request_fields(form)
    field = text(form, "campo", limit=20)
    privacy_arco.rectify(session, key=key_of(ctx), student=student, field=field,
                         value=text(form, "valor", limit=120), folio=folio,
                         received_on=received, legal_reason=reason, staff=user.username,
                         now=utcnow())
    session.commit()
    return _student(request, user, session, ctx, student.curp,
                    done=f"Se rectificó {privacy_arco.RECTIFIABLE[field].lower()} (solicitud "
                         f"{folio}). Las estaciones lo reciben en su próxima sincronización. "
                         "Pida también la corrección en SCEJAL.")


@router.post("/privacidad/alumno/cancelar", response_class=HTMLResponse)
def privacy_cancel(request: Request, user: Staff, form: CheckedForm, session: Db,
                   ctx: Ctx) -> HTMLResponse:
    _officer(user)
    student = privacy_arco.student_in_scope(session, user.scope, text(form, _CURP, limit=18))
    if text(form, "confirmo", limit=2) != "si":
        raise ApiError(422, "not-confirmed", "Marque la casilla que confirma el borrado: no se "
                                             "puede deshacer.")
    folio, received, reason = _request_fields(form)
    privacy_arco.cancel(session, key=key_of(ctx), student=student, folio=folio,
                        received_on=received, legal_reason=reason, staff=user.username,
                        now=utcnow())
    session.commit()
    delete_pending_photos(session, ctx.photos)
    return _home(request, user, session,
                 done=f"Se cancelaron los datos del alumno (solicitud {folio}): se borraron "
                      "su nombre, CURP y foto; quedan el folio y el estado de sus credenciales. "
                      "Las estaciones los borran en su próxima sincronización.")


# --- the state office's access record ---------------------------------------------------------

def _filters(form: FormData | None) -> access_log.Filters:
    if form is None:
        return access_log.Filters()
    since = text(form, "desde", limit=10)
    until = text(form, "hasta", limit=10)
    try:
        return access_log.Filters(curp=text(form, _CURP, limit=18).upper(),
                                  staff=text(form, "personal", limit=120),
                                  since=date.fromisoformat(since) if since else None,
                                  until=date.fromisoformat(until) if until else None)
    except ValueError:
        raise ApiError(422, "bad-date", "Escriba las fechas como día/mes/año en el "
                                        "calendario.") from None


def _access_page(request: Request, user: StaffUser, session: Session, ctx: Ctx,
                 form: FormData | None) -> HTMLResponse:
    user.scope.require_estatal("ver el registro de accesos")
    filters = _filters(form)
    key = key_of(ctx)
    records = access_log.find(session, key=key, filters=filters)
    out = page(request, "web_access.html", user, nav="accesos", records=records,
               names=access_log.names_for(session, key=key, records=records), f=filters,
               limit=access_log.MAX_ROWS, days=ctx.settings.access_log_retention_days)
    session.commit()
    return out


@router.get("/accesos", response_class=HTMLResponse)
def access_page(request: Request, user: Staff, session: Db, ctx: Ctx) -> HTMLResponse:
    return _access_page(request, user, session, ctx, None)


@router.post("/accesos", response_class=HTMLResponse)
def access_search(request: Request, user: Staff, form: CheckedForm, session: Db,
                  ctx: Ctx) -> HTMLResponse:
    return _access_page(request, user, session, ctx, form)


@router.post("/accesos/descargar")
def access_download(user: Staff, form: CheckedForm, session: Db, ctx: Ctx) -> Response:
    """The filtered records as CSV (opens in Excel: UTF-8 with BOM)."""
    user.scope.require_estatal("descargar el registro de accesos")
    records = access_log.find(session, key=key_of(ctx), filters=_filters(form), limit=100_000)
    session.commit()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["fecha y hora (UTC)", "personal", "rol", "alumno (huella)", "escuela",
                     "qué consultó", "IP"])
    for r in records:
        writer.writerow([r.at.isoformat(), r.staff, r.role, r.student or "", r.cct or "",
                         r.what, r.ip])
    return download(("\ufeff" + out.getvalue()).encode(), "registro-de-accesos.csv",
                    "text/csv; charset=utf-8")
