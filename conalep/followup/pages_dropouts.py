"""Pages «Bajas» (format F04, norm 15): the plantel records a baja with the tutor's written
request; DG Servicios Escolares sees it at once (marked «nueva» until a DG user opens it);
Psicopedagogía's queue is the pending ones, where they record the attention given.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from conalep.academic import siseac
from conalep.context import Ctx, Db, utcnow
from conalep.followup import actions, records
from conalep.followup.documents import DropoutRow, f04_pdf
from conalep.followup.dropouts import ATENDIDA, MOTIVOS, PENDIENTE, RESULTADOS, TIPOS
from conalep.followup.pages_common import values
from conalep.followup.validation import FollowupInputError, Problem
from conalep.models.academic import Alumno
from conalep.models.followup import Baja
from conalep.navigation import NAV, NavItem
from conalep.privacy.access import reads
from conalep.roles import Scope
from conalep.web import CheckedForm, ConalepUser, Staff, WebRoute, page
from foundation.web.downloads import pdf_download
from foundation.web.refusal import Refusal

router = APIRouter(prefix="/staff/bajas", route_class=WebRoute, include_in_schema=False)
NAV.append(NavItem("bajas", "/staff/bajas", "Bajas", "view_dropouts",
                   "bajas con su motivo y la solicitud de la persona tutora (F04), y la "
                   "atención de Psicopedagogía"))
NUEVAS = "nuevas"
"""Not a state of the baja: the ones no DG Servicios Escolares user has opened yet."""
ESTADOS = {"pendientes": PENDIENTE, "atendidas": ATENDIDA, NUEVAS: NUEVAS, "todas": None}


def _listing(session: Db, user: ConalepUser, estado: str | None, plantel: str,
             periodo: str = "") -> list[tuple[Baja, Alumno]]:
    query = (select(Baja, Alumno).join(Alumno, Alumno.matricula == Baja.matricula)
             .order_by(Baja.registrada_en.desc(), Baja.id.desc()))
    if plantel:
        query = query.where(Baja.clave_plantel == plantel)
    elif user.scope.planteles is not None:
        query = query.where(Baja.clave_plantel.in_(user.scope.planteles))
    if estado == NUEVAS:
        query = query.where(Baja.vista_dg_en.is_(None))
    elif estado:
        query = query.where(Baja.estado == estado)
    if periodo:
        query = query.where(Baja.periodo == periodo)
    return [(b, a) for b, a in session.execute(query).all()]


def new_count(session: Session, scope: Scope) -> int:
    """Bajas in scope that no DG Servicios Escolares user has opened yet (the «nueva» mark
    of the list; opening one clears it for everybody at DG)."""
    query = select(func.count()).select_from(Baja).where(Baja.vista_dg_en.is_(None))
    if scope.planteles is not None:
        query = query.where(Baja.clave_plantel.in_(scope.planteles))
    return int(session.scalar(query) or 0)


def pending_count(session: Session, scope: Scope) -> int:
    """Bajas in scope waiting for Psicopedagogía's attention."""
    query = select(func.count()).select_from(Baja).where(Baja.estado == PENDIENTE)
    if scope.planteles is not None:
        query = query.where(Baja.clave_plantel.in_(scope.planteles))
    return int(session.scalar(query) or 0)


def _render(request: Request, user: ConalepUser, session: Db, *, estado: str = "pendientes",
            plantel: str = "", periodo: str = "", status: int = 200,
            problems: list[Problem] | None = None,
            form: dict[str, str] | None = None) -> HTMLResponse:
    if estado not in ESTADOS:
        raise Refusal(404, "bad-filter", "Ese filtro no existe; use pendientes, atendidas, "
                                         "nuevas o todas.")
    if plantel:
        user.scope.require_plantel(plantel, f"el plantel {plantel}")
    rows = _listing(session, user, ESTADOS[estado], plantel, periodo)
    reads(session, request, user, "lista de bajas", [a.matricula for _, a in rows])
    return page(request, "followup/dropouts.html", user, status=status, nav="bajas",
                rows=rows, estado=estado,
                plantel=plantel, periodo=periodo, planteles=records.planteles(session, user.scope),
                periodos=siseac.periodos(session), motivos=MOTIVOS, tipos=TIPOS,
                problems=problems or [], form=form or {}, full_name=records.full_name)


@router.get("", response_class=HTMLResponse)
def dropouts(request: Request, user: Staff, session: Db, estado: str = "pendientes",
             plantel: str = "", periodo: str = "") -> HTMLResponse:
    user.scope.require("view_dropouts")
    return _render(request, user, session, estado=estado, plantel=plantel, periodo=periodo)


@router.post("", response_class=HTMLResponse)
def record(request: Request, user: Staff, form: CheckedForm, session: Db,
           ctx: Ctx) -> Response:
    user.scope.require("record_dropout")
    upload = form.get("solicitud")
    limit = ctx.settings.max_scan_bytes
    # one byte past the limit is enough to refuse it without reading a huge upload whole
    scan = upload.file.read(limit + 1) if isinstance(upload, UploadFile) else b""
    typed = values(form)
    try:
        baja = actions.record_dropout(session, user.scope, typed, scan,
                                      data_dir=ctx.settings.data_dir, max_scan_bytes=limit,
                                      now=utcnow())
    except FollowupInputError as exc:
        session.rollback()
        return _render(request, user, session, estado="todas", status=422,
                       problems=exc.problems, form=typed)
    session.commit()
    return RedirectResponse(f"/staff/bajas/{baja.id}?hecho=registrada", status_code=303)


@router.get("/f04.pdf")
def f04_listing(request: Request, user: Staff, session: Db, plantel: str = "",
                periodo: str = "") -> Response:
    """The F04 of a plantel (every baja of the periodo, or every baja on record)."""
    user.scope.require("view_dropouts")
    plantel = plantel or (user.clave_plantel or "")
    if plantel:
        user.scope.require_plantel(plantel, f"el plantel {plantel}")
    rows = _listing(session, user, None, plantel, periodo)
    rows.reverse()
    reads(session, request, user, "formato F04 (PDF)", [a.matricula for _, a in rows])
    data = f04_pdf(plantel=records.plantel_label(session, plantel) if plantel else "Todos",
                   periodo=periodo or "Todos", fecha=utcnow().date(),
                   rows=[_f04_row(b, a) for b, a in rows])
    return pdf_download(data, f"F04-bajas-{plantel or 'estado'}-{periodo or 'todos'}.pdf")


def _f04_row(b: Baja, a: Alumno) -> DropoutRow:
    kind = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
    attention = ""
    if b.estado == ATENDIDA and b.resultado:
        attention = (f"{b.fecha_atencion.strftime('%d/%m/%Y') if b.fecha_atencion else ''} "
                     f"{RESULTADOS[b.resultado]}: {b.acciones or ''}").strip()
    return DropoutRow(b.id, a.matricula, records.full_name(a), a.clave_carrera,
                      str(a.semestre), a.grupo, b.fecha_baja, TIPOS.get(b.tipo, b.tipo),
                      MOTIVOS.get(b.motivo, b.motivo), b.detalle,
                      f"{b.tutor_nombre} ({b.tutor_parentesco})",
                      f"{kind.get(b.solicitud_tipo, b.solicitud_tipo)}, "
                      f"{max(b.solicitud_bytes // 1024, 1)} KB, SHA-256 "
                      f"{b.solicitud_sha256[:16]}…", attention)


def _detail(request: Request, user: ConalepUser, session: Db, baja: Baja, *,
            status: int = 200, done: str = "", problems: list[Problem] | None = None,
            form: dict[str, str] | None = None) -> HTMLResponse:
    alumno = records.student(session, user.scope, baja.matricula)
    reads(session, request, user, "baja (F04) del alumno", [alumno.matricula])
    return page(request, "followup/dropout.html", user, status=status, nav="bajas", b=baja,
                a=alumno, alumno_name=records.full_name(alumno), motivos=MOTIVOS, tipos=TIPOS,
                resultados=RESULTADOS, plantel=records.plantel_label(session,
                                                                     baja.clave_plantel),
                done=done, problems=problems or [], form=form or {})


@router.get("/{baja_id}", response_class=HTMLResponse)
def dropout(request: Request, baja_id: int, user: Staff, session: Db,
            hecho: str = "") -> HTMLResponse:
    user.scope.require("view_dropouts")
    baja = records.dropout(session, user.scope, baja_id)
    actions.seen_by_dg(session, user.scope, baja, utcnow())
    session.commit()
    done = {"registrada": f"Baja registrada con folio {baja.id}; ya está en la bandeja de "
                          "Psicopedagogía y Servicios Escolares de DG la ve.",
            "atendida": f"Atención registrada; la baja {baja.id} quedó atendida."}.get(hecho, "")
    return _detail(request, user, session, baja, done=done)


@router.post("/{baja_id}/atencion", response_class=HTMLResponse)
def attend(request: Request, baja_id: int, user: Staff, form: CheckedForm,
           session: Db) -> Response:
    user.scope.require("attend_dropout")
    baja = records.dropout(session, user.scope, baja_id)
    typed = values(form)
    try:
        actions.attend_dropout(session, user.scope, baja, typed, now=utcnow())
    except FollowupInputError as exc:
        session.rollback()
        return _detail(request, user, session, records.dropout(session, user.scope, baja_id),
                       status=422, problems=exc.problems, form=typed)
    session.commit()
    return RedirectResponse(f"/staff/bajas/{baja_id}?hecho=atendida", status_code=303)


@router.get("/{baja_id}/solicitud")
def tutor_request(request: Request, baja_id: int, user: Staff, session: Db, ctx: Ctx) -> Response:
    """The scan as it was uploaded (scope checked on the download too)."""
    user.scope.require("view_dropouts")
    baja = records.dropout(session, user.scope, baja_id)
    path = actions.scan_path(ctx.settings.data_dir, baja)
    if not path.is_file():
        raise Refusal(410, "scan-missing", f"El archivo de la solicitud de la baja {baja_id} "
                                           "ya no está en el servidor.")
    ext = path.suffix
    reads(session, request, user, "solicitud de baja (escaneo)", [baja.matricula])
    return Response(path.read_bytes(), media_type=baja.solicitud_tipo, headers={
        "Content-Disposition": f'attachment; filename="solicitud-baja-{baja_id}{ext}"',
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


@router.get("/{baja_id}/f04.pdf")
def f04_one(request: Request, baja_id: int, user: Staff, session: Db) -> Response:
    user.scope.require("view_dropouts")
    baja = records.dropout(session, user.scope, baja_id)
    alumno = records.student(session, user.scope, baja.matricula)
    data = f04_pdf(plantel=records.plantel_label(session, baja.clave_plantel),
                   periodo=baja.periodo, fecha=utcnow().date(), rows=[_f04_row(baja, alumno)])
    reads(session, request, user, "formato F04 (PDF)", [alumno.matricula])
    return pdf_download(data, f"F04-baja-{baja_id}.pdf")
