"""Staff page «Solicitudes» (DRSE procedure 1, seed 004): the small schools' requests for
cards and holograms, each with its steps (who, which office, when, why).

DRSE staff see and act on their DRSE's requests only (another DRSE's request answers 403 and
nothing changes); which step an account may do depends on its DRSE office
(:func:`central.crud.offices.require_office`). Planeación registers an oficio that arrived
on paper (with its scan); a school station sends its own (``station oficio send``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from central.api.deps import Ctx, Db, RowId, utcnow
from central.api.routes.access import seen
from central.api.routes.web_session import CheckedForm, Staff, StaffUser, WebRoute, page
from central.crud import office_supplies, offices
from central.crud import staff as staff_ops
from central.crud.offices import OFFICES, STATES, office_label, require_office
from central.errors import ApiError
from central.models import Delivery, OfficeRequest, OfficeRequestStudent, School, Student
from foundation.web.pages import text

UPLOAD_PATH = "/staff/solicitudes"
router = APIRouter(prefix=UPLOAD_PATH, route_class=WebRoute, include_in_schema=False)


def _who(user: StaffUser) -> tuple[str, str]:
    return user.display_name or user.username, office_label(user.role, user.office)


def _list(request: Request, user: StaffUser, session: Session, *, estado: str,
          status: int = 200) -> HTMLResponse:
    if estado not in ("abiertas", "todas"):
        raise ApiError(404, "bad-filter", "Ese filtro no existe; use abiertas o todas.")
    rows = offices.list_requests(session, user.scope.region_code,
                                 open_only=estado == "abiertas")
    names = {s.cct: s.nombre for s in session.scalars(select(School).where(
        School.cct.in_({r.cct for r in rows})))}
    schools = list(session.scalars(select(School).where(
        School.drse == user.region if user.region else School.cct.is_not(None))
        .order_by(School.cct).limit(2000)))
    out = page(request, "web_offices.html", user, nav="solicitudes", rows=rows, names=names,
               states=STATES, estado=estado, schools=schools, offices=OFFICES)
    session.commit()
    return out


@router.get("", response_class=HTMLResponse)
def requests_page(request: Request, user: Staff, session: Db,
                  estado: str = "abiertas") -> HTMLResponse:
    return _list(request, user, session, estado=estado)


@router.post("", response_class=HTMLResponse)
async def register(request: Request, user: Staff, form: CheckedForm, session: Db,
                   ctx: Ctx) -> HTMLResponse:
    """Planeación registers an oficio the school sent on paper, with its scan."""
    require_office(user.role, user.office, "registrar")
    cct = text(form, "cct", limit=10).upper()
    if not cct:
        raise ApiError(422, "missing-school", "Elija la escuela que envió el oficio.")
    user.scope.require_school(session, cct)
    upload = form.get("escaneo")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ApiError(422, "missing-scan", "Falta el oficio firmado y sellado escaneado (PDF, "
                                            "JPG o PNG); elíjalo con «Examinar…».")
    scan = await upload.read(offices.MAX_SCAN + 1)
    school = offices.school_for_request(session, cct, ctx.routing)
    cycle = session.scalar(select(Student.ciclo).where(Student.cct == cct).limit(1)) or ""
    raw = form.get("curps")
    curps = raw.replace(",", " ").split() if isinstance(raw, str) else []
    who, office = _who(user)
    req, _fresh = offices.create_request(
        session, school=school, cycle=cycle, oficio=text(form, "oficio", limit=60),
        director=text(form, "director", limit=120), notes=text(form, "notas", limit=2000),
        curps=curps, scan=scan, source="pagina", staff=who, data_dir=ctx.settings.data_dir,
        now=utcnow())
    staff_ops.record(session, staff=user.username, action="office-request",
                     target=f"solicitud {req.id} {cct}", reason=f"oficio {req.oficio}",
                     now=utcnow())
    session.commit()
    return _detail(request, user, session, ctx, req.id, status=201,
                   done=f"Se registró la solicitud {req.id} de {cct} ({office}).")


def _detail(request: Request, user: StaffUser, session: Session, ctx: Ctx, request_id: int,
            *, status: int = 200, done: str = "") -> HTMLResponse:
    req = offices.get_request(session, user.scope, request_id)
    school = session.get(School, req.cct)
    students = list(session.execute(
        select(OfficeRequestStudent, Student.nombre, Student.primer_apellido,
               Student.segundo_apellido)
        .outerjoin(Student, Student.curp == OfficeRequestStudent.curp)
        .where(OfficeRequestStudent.request_id == req.id)
        .order_by(OfficeRequestStudent.need, Student.primer_apellido)))
    seen(request, user, session, f"solicitud de oficio {req.id}",
         [(row.curp, req.cct) for row, nombre, _, _ in students if nombre is not None])
    cov = offices.coverage(session, req) if req.state == "revisada" else None
    cards, holograms = offices.batch_of(session, req.id)
    need = office_supplies.need_of(len(cards), len(holograms))
    stock = office_supplies.known_stock(session, req.drse, req.cycle) \
        if req.state in ("validada", "material_insuficiente") else None
    deliveries = list(session.scalars(select(Delivery).where(Delivery.request_id == req.id)))
    out = page(request, "web_office_request.html", user, status=status, nav="solicitudes",
               req=req, school=school, students=students, cov=cov, states=STATES,
               steps=offices.steps_of(session, "oficio", req.id), need=need, stock=stock,
               cards=cards, holograms=holograms, deliveries=deliveries, done=done)
    session.commit()
    return out


@router.get("/{request_id}", response_class=HTMLResponse)
def request_page(request: Request, request_id: RowId, user: Staff, session: Db,
                 ctx: Ctx) -> HTMLResponse:
    return _detail(request, user, session, ctx, request_id)


@router.get("/{request_id}/oficio")
def oficio_scan(request_id: RowId, user: Staff, session: Db, ctx: Ctx) -> FileResponse:
    req = offices.get_request(session, user.scope, request_id)
    path = offices.scan_path(ctx.settings.data_dir, req)
    session.commit()
    if not path.is_file():
        raise ApiError(410, "scan-missing", f"El escaneo del oficio de la solicitud "
                                            f"{request_id} ya no está en el servicio central.")
    media = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".png": "image/png"}
    return FileResponse(path, media_type=media[req.scan_ext],
                        filename=f"oficio-{req.cct}-{req.id}{req.scan_ext}",
                        headers={"Cache-Control": "no-store"})


def _act(user: StaffUser, session: Session, request_id: int, step: str) -> OfficeRequest:
    req = offices.get_request(session, user.scope, request_id)
    require_office(user.role, user.office, step)
    return req


@router.post("/{request_id}/revisar", response_class=HTMLResponse)
def review(request: Request, request_id: RowId, user: Staff, form: CheckedForm, session: Db,
           ctx: Ctx) -> HTMLResponse:
    req = _act(user, session, request_id, "revisar")
    who, office = _who(user)
    accept = text(form, "decision") == "aceptar"
    offices.review(session, req, accept=accept, content=form.get("contenido") == "si",
                   signature=form.get("firma") == "si", seal=form.get("sello") == "si",
                   reason=text(form, "motivo", limit=1000), staff=who, office=office,
                   now=utcnow())
    staff_ops.record(session, staff=user.username, action="office-review",
                     target=f"solicitud {req.id}", reason=req.reason or "aceptada", now=utcnow())
    session.commit()
    return _detail(request, user, session, ctx, req.id, done=(
        "Oficio revisado: pasa a Control Escolar." if accept
        else "Solicitud devuelta a la escuela con el motivo."))


@router.post("/{request_id}/validar", response_class=HTMLResponse)
def validate(request: Request, request_id: RowId, user: Staff, form: CheckedForm,
             session: Db, ctx: Ctx) -> HTMLResponse:
    req = _act(user, session, request_id, "validar")
    who, office = _who(user)
    accept = text(form, "decision") == "validar"
    offices.validate(session, req, accept=accept, reason=text(form, "motivo", limit=1000),
                     staff=who, office=office, now=utcnow())
    staff_ops.record(session, staff=user.username, action="office-validate",
                     target=f"solicitud {req.id}", reason=req.reason or "validada",
                     now=utcnow())
    session.commit()
    return _detail(request, user, session, ctx, req.id, done=(
        "Solicitud validada contra la matrícula." if accept
        else "Solicitud devuelta a la escuela con el motivo."))


@router.post("/{request_id}/material", response_class=HTMLResponse)
def material(request: Request, request_id: RowId, user: Staff, form: CheckedForm, session: Db,
             ctx: Ctx) -> HTMLResponse:
    req = _act(user, session, request_id, "material")
    who, office = _who(user)
    cards, holograms = offices.batch_of(session, req.id)
    enough = text(form, "decision") == "suficiente"
    office_supplies.decide_material(
        session, req, enough=enough, note=text(form, "nota", limit=1000),
        need=office_supplies.need_of(len(cards), len(holograms)),
        stock=office_supplies.known_stock(session, req.drse, req.cycle), staff=who,
        office=office, now=utcnow())
    staff_ops.record(session, staff=user.username, action="office-material",
                     target=f"solicitud {req.id}", reason=req.state, now=utcnow())
    session.commit()
    return _detail(request, user, session, ctx, req.id, done=(
        "Material suficiente: el lote llegará a la estación de la DRSE en su próxima "
        "sincronización." if enough else "Quedó en espera de material."))
