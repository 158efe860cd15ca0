"""The privacy pages: the access record for the state office (filters, Excel download) and
the ARCO desk (find a student, export everything held on them as PDF and JSON, record an
acceso, rectificación, cancelación or oposición).

:data:`ROUTERS` is what ``conalep.app`` includes for this wing.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from conalep.context import Ctx, Db, utcnow
from conalep.models.academic import Alumno
from conalep.models.privacy import AccessRecord, ArcoChange, ArcoRequest, PurgeItem
from conalep.navigation import NAV, NavItem
from conalep.privacy import arco
from conalep.privacy.access import reads
from conalep.privacy.documents import export_pdf
from conalep.privacy.erase import unlink_pending
from conalep.privacy.export import TABLE_LABELS_ES, collect, export, held_files
from conalep.roles import ROLE_LABELS_ES
from conalep.web import CheckedForm, ConalepUser, Staff, WebRoute, page
from foundation.web.downloads import download, pdf_download, xlsx_download
from foundation.web.pages import LOCAL_TZ, local, text
from foundation.web.refusal import Refusal
from foundation.web.xlsx import XlsxBook

router = APIRouter(prefix="/staff/privacidad", route_class=WebRoute, include_in_schema=False)
NAV.append(NavItem("accesos", "/staff/privacidad/accesos", "Registro de accesos",
                   "view_access_record", "quién consultó o descargó los datos de qué alumno, "
                   "cuándo y desde dónde"))
NAV.append(NavItem("arco", "/staff/privacidad/arco", "Solicitudes ARCO", "attend_arco",
                   "acceso, rectificación, cancelación y oposición de datos personales"))
SHOWN = 500
RESPONSABLE = "CONALEP Veracruz (Colegio de Educación Profesional Técnica del Estado de Veracruz)"


def _day(value: str, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Refusal(422, "bad-date", f"{field}: escriba la fecha como AAAA-MM-DD "
                                       f"(recibí «{value[:20]}»).") from None


def _access_query(matricula: str, usuario: str, desde: str, hasta: str,
                  que: str) -> Select[tuple[AccessRecord]]:
    query = select(AccessRecord).order_by(AccessRecord.at.desc(), AccessRecord.id.desc())
    if matricula:
        query = query.where(AccessRecord.matricula == matricula.strip())
    if usuario:
        query = query.where(AccessRecord.staff == usuario.strip())
    if que:
        query = query.where(AccessRecord.what.like(f"%{que.strip()}%"))
    start, end = _day(desde, "Desde"), _day(hasta, "Hasta")
    if start:
        query = query.where(AccessRecord.at >= dt.datetime.combine(start, dt.time(),
                                                                   LOCAL_TZ))
    if end:
        query = query.where(AccessRecord.at < dt.datetime.combine(
            end + dt.timedelta(days=1), dt.time(), LOCAL_TZ))
    return query


@router.get("/accesos", response_class=HTMLResponse)
def access_record(request: Request, user: Staff, session: Db, ctx: Ctx, matricula: str = "",
                  usuario: str = "", desde: str = "", hasta: str = "",
                  que: str = "") -> HTMLResponse:
    user.scope.require("view_access_record")
    query = _access_query(matricula, usuario, desde, hasta, que)
    rows = list(session.scalars(query.limit(SHOWN + 1)))
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return page(request, "privacy/accesos.html", user, nav="accesos", rows=rows[:SHOWN],
                more=len(rows) > SHOWN, total=total, matricula=matricula, usuario=usuario,
                desde=desde, hasta=hasta, que=que, roles=ROLE_LABELS_ES,
                days=ctx.settings.privacy_access_days, query=request.url.query)


@router.get("/accesos.xlsx")
def access_record_xlsx(user: Staff, session: Db, matricula: str = "", usuario: str = "",
                       desde: str = "", hasta: str = "", que: str = "") -> Response:
    user.scope.require("view_access_record")
    rows = session.scalars(_access_query(matricula, usuario, desde, hasta, que))
    book = XlsxBook()
    book.add_table("Registro de accesos", ("Fecha y hora", "Usuario", "Rol", "Matrícula",
                                           "Qué consultó", "Detalle", "Dirección IP"),
                   [(local(r.at), r.staff, ROLE_LABELS_ES.get(r.role, r.role), r.matricula,
                     r.what, r.detail, r.ip) for r in rows])
    return xlsx_download(book, f"registro-de-accesos-{utcnow():%Y-%m-%d}.xlsx")


@router.get("/arco", response_class=HTMLResponse)
def arco_desk(request: Request, user: Staff, session: Db, buscar: str = "") -> HTMLResponse:
    user.scope.require("attend_arco")
    found: list[Alumno] = []
    if buscar.strip():
        like = f"%{buscar.strip().upper()}%"
        query = select(Alumno).where(Alumno.matricula.like(like)
                                     | Alumno.primer_apellido.like(like)
                                     | Alumno.nombre.like(like)).order_by(Alumno.matricula)
        if user.scope.planteles is not None:
            query = query.where(Alumno.clave_plantel.in_(user.scope.planteles))
        found = list(session.scalars(query.limit(50)))
        reads(session, request, user, "búsqueda ARCO", [a.matricula for a in found])
    requests = list(session.scalars(select(ArcoRequest).order_by(
        ArcoRequest.registrada_en.desc()).limit(100)))
    return page(request, "privacy/arco.html", user, nav="arco", buscar=buscar, found=found,
                requests=requests, kinds=arco.KINDS, results=arco.RESULTS)


@router.get("/arco/{matricula}", response_class=HTMLResponse)
def arco_student(request: Request, matricula: str, user: Staff, session: Db,
                 hecho: str = "") -> HTMLResponse:
    user.scope.require("attend_arco")
    alumno = arco.student(session, user.scope, matricula)
    data, _ = collect(session, matricula)
    history = list(session.scalars(select(ArcoRequest).where(
        ArcoRequest.matricula == matricula).order_by(ArcoRequest.id)))
    changes = {r.id: list(session.scalars(select(ArcoChange).where(
        ArcoChange.request_id == r.id))) for r in history}
    erased = list(session.scalars(select(PurgeItem).where(PurgeItem.matricula == matricula)
                                  .order_by(PurgeItem.id)))
    reads(session, request, user, "resumen ARCO del alumno", [matricula])
    return page(request, "privacy/arco_alumno.html", user, nav="arco", a=alumno,
                counts={TABLE_LABELS_ES.get(k, k): len(v) for k, v in data.items()},
                history=history, changes=changes, erased=erased, kinds=arco.KINDS,
                results=arco.RESULTS, fields=arco.RECTIFIABLE,
                grades_needed=arco.grades_needed(session, alumno), hecho=hecho,
                today=utcnow().astimezone(LOCAL_TZ).date().isoformat())


def _document(request: Request, user: ConalepUser, session: Session, ctx: Ctx,
              matricula: str, what: str) -> dict[str, Any]:
    user.scope.require("attend_arco")
    arco.student(session, user.scope, matricula)
    document = export(session, matricula, now=utcnow(),
                      files=held_files(session, ctx.settings.data_dir, matricula))
    reads(session, request, user, what, [matricula])
    return document


@router.get("/arco/{matricula}/datos.json")
def arco_json(request: Request, matricula: str, user: Staff, session: Db,
              ctx: Ctx) -> Response:
    document = _document(request, user, session, ctx, matricula, "exportación ARCO (JSON)")
    return download(json.dumps(document, ensure_ascii=False, indent=1).encode(),
                    f"datos-personales-{matricula}.json", "application/json")


@router.get("/arco/{matricula}/datos.pdf")
def arco_pdf(request: Request, matricula: str, user: Staff, session: Db,
             ctx: Ctx) -> Response:
    document = _document(request, user, session, ctx, matricula, "exportación ARCO (PDF)")
    return pdf_download(export_pdf(document, responsable=RESPONSABLE),
                        f"datos-personales-{matricula}.pdf")


def _asked(form: CheckedForm) -> arco.Asked:
    received = _day(text(form, "recibida_el", limit=10), "Fecha de recepción")
    if received is None:
        raise Refusal(422, "no-date", "Escriba la fecha en que se recibió la solicitud.")
    return arco.Asked(solicitante=text(form, "solicitante", limit=160),
                      recibida_el=received, fundamento=text(form, "fundamento", limit=2000),
                      detalle=text(form, "detalle", limit=2000))


@router.post("/arco/{matricula}")
def arco_act(matricula: str, user: Staff, session: Db, ctx: Ctx,
             form: CheckedForm) -> Response:
    user.scope.require("attend_arco")
    kind, now = text(form, "tipo", limit=20), utcnow()
    asked = _asked(form)
    if kind in ("acceso", "oposicion"):
        arco.record_request(session, user.scope, kind, matricula, asked,
                            resultado=text(form, "resultado", limit=20), now=now)
    elif kind == "rectificacion":
        arco.rectify(session, user.scope, matricula, text(form, "campo", limit=40),
                     text(form, "nuevo", limit=120), asked, now=now)
    elif kind == "cancelacion":
        arco.cancel(session, user.scope, matricula, asked,
                    with_grades=form.get("calificaciones") == "si", now=now)
    else:
        raise Refusal(422, "bad-kind", "Elija el tipo de solicitud.")
    session.commit()
    unlink_pending(session, ctx.settings.data_dir)
    return RedirectResponse(f"/staff/privacidad/arco/{matricula}?hecho={kind}",
                            status_code=303)


@router.post("/arco/solicitudes/{request_id:int}")
def arco_answer(request_id: int, user: Staff, session: Db, form: CheckedForm) -> Response:
    """Record the answer of a request that was left «en trámite»."""
    user.scope.require("attend_arco")
    req = arco.answer(session, user.scope, request_id, text(form, "resultado", limit=20),
                      text(form, "detalle", limit=2000), now=utcnow())
    session.commit()
    return RedirectResponse(f"/staff/privacidad/arco/{req.matricula}?hecho=respuesta",
                            status_code=303)


ROUTERS = [router]
