"""Pages «Asesorías» (format F05, norm 14): tutoring groups per module with advisor and
schedule; when the SISEAC report of a corte is published, the students failing each module
are suggested (a link fills the form with them); F05 as PDF and XLSX.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from conalep.academic import siseac
from conalep.context import Ctx, Db, utcnow
from conalep.followup import actions, records
from conalep.followup.documents import (
    F05_COLUMNS,
    TutoringGroup,
    TutoringStudent,
    f05_pdf,
    f05_rows,
)
from conalep.followup.pages_common import values
from conalep.followup.tutoring import suggest
from conalep.followup.validation import FollowupInputError, Problem
from conalep.models.followup import Asesoria
from conalep.navigation import NAV, NavItem
from conalep.privacy.access import reads
from conalep.web import CheckedForm, ConalepUser, Staff, WebRoute, page
from foundation.web.downloads import pdf_download, xlsx_download
from foundation.web.xlsx import XlsxBook

router = APIRouter(prefix="/staff/asesorias", route_class=WebRoute, include_in_schema=False)
NAV.append(NavItem("asesorias", "/staff/asesorias", "Asesorías", "view_tutoring",
                   "asesorías complementarias por módulo, con asesor(a) y horario (F05)"))


def _groups(session: Db, user: ConalepUser, plantel: str, periodo: str) -> list[Asesoria]:
    query = select(Asesoria).order_by(Asesoria.periodo.desc(), Asesoria.clave_plantel,
                                      Asesoria.clave_modulo, Asesoria.id)
    if plantel:
        user.scope.require_plantel(plantel, f"el plantel {plantel}")
        query = query.where(Asesoria.clave_plantel == plantel)
    elif user.scope.planteles is not None:
        query = query.where(Asesoria.clave_plantel.in_(user.scope.planteles))
    if periodo:
        query = query.where(Asesoria.periodo == periodo)
    return list(session.scalars(query))


def _render(request: Request, user: ConalepUser, session: Db, ctx: Ctx, *, plantel: str,
            periodo: str, corte: int, modulo: str = "", status: int = 200,
            problems: list[Problem] | None = None,
            form: dict[str, str] | None = None) -> HTMLResponse:
    plantel = plantel or (user.clave_plantel or "")
    periodos = siseac.periodos(session)
    periodo = periodo or (periodos[0] if periodos else "")
    suggestions, published = [], False
    if plantel and periodo and corte in (1, 2, 3):
        user.scope.require_plantel(plantel, f"el plantel {plantel}")
        published = siseac.is_published(session, periodo, corte)
        if published:
            suggestions = suggest(records.failing_grades(
                session, ctx.settings, clave_plantel=plantel, periodo=periodo, corte=corte))
    form = dict(form or {})
    chosen = next((s for s in suggestions if s.clave_modulo == modulo), None)
    if chosen is not None and not form:
        form = {"clave_modulo": chosen.clave_modulo, "modulo": chosen.modulo,
                "matriculas": "\n".join(g.matricula for g in chosen.students),
                **{f"motivo_{g.matricula}": f"Corte {g.corte}: {g.calificacion:.1f}"
                   for g in chosen.students}}
    reads(session, request, user, "sugerencias de asesoría",
          [g.matricula for s in suggestions for g in s.students])
    return page(request, "followup/tutoring.html", user, status=status, nav="asesorias",
                groups=_groups(session, user, plantel, periodo), plantel=plantel,
                periodo=periodo, corte=corte, periodos=periodos, published=published,
                planteles=records.planteles(session, user.scope), suggestions=suggestions,
                problems=problems or [], form=form,
                motivos={k: v for k, v in form.items() if k.startswith("motivo_")})


@router.get("", response_class=HTMLResponse)
def tutoring(request: Request, user: Staff, session: Db, ctx: Ctx, plantel: str = "",
             periodo: str = "", corte: int = 0, modulo: str = "") -> HTMLResponse:
    user.scope.require("view_tutoring")
    return _render(request, user, session, ctx, plantel=plantel, periodo=periodo, corte=corte,
                   modulo=modulo)


@router.post("", response_class=HTMLResponse)
def assign(request: Request, user: Staff, form: CheckedForm, session: Db,
           ctx: Ctx) -> Response:
    user.scope.require("assign_tutoring")
    typed = values(form)
    try:
        row = actions.create_tutoring(session, user.scope, typed, now=utcnow())
    except FollowupInputError as exc:
        session.rollback()
        return _render(request, user, session, ctx, plantel=typed.get("clave_plantel", "")
                       if user.scope.sees_plantel(typed.get("clave_plantel", "")) else "",
                       periodo=typed.get("periodo", ""), corte=0, status=422,
                       problems=exc.problems, form=typed)
    session.commit()
    return RedirectResponse(f"/staff/asesorias/{row.id}?hecho=1", status_code=303)


def _f05_groups(session: Db, groups: list[Asesoria]) -> list[TutoringGroup]:
    people = records.students(session, [a.matricula for g in groups for a in g.alumnos])
    return [TutoringGroup(g.clave_modulo, g.modulo, g.asesor, g.horario, g.aula,
                          g.fecha_inicio,
                          [TutoringStudent(a.matricula, records.full_name(people[a.matricula]),
                                           people[a.matricula].grupo, a.motivo)
                           for a in g.alumnos]) for g in groups]


def _f05_scope(user: ConalepUser, plantel: str) -> str:
    plantel = plantel or (user.clave_plantel or "")
    if plantel:
        user.scope.require_plantel(plantel, f"el plantel {plantel}")
    return plantel


@router.get("/f05.pdf")
def f05_as_pdf(request: Request, user: Staff, session: Db, plantel: str = "",
               periodo: str = "") -> Response:
    user.scope.require("view_tutoring")
    plantel = _f05_scope(user, plantel)
    groups = _f05_groups(session, list(reversed(_groups(session, user, plantel, periodo))))
    reads(session, request, user, "formato F05 (PDF)",
          [s.matricula for g in groups for s in g.students])
    data = f05_pdf(plantel=records.plantel_label(session, plantel) if plantel else "Todos",
                   periodo=periodo or "Todos", fecha=utcnow().date(), groups=groups)
    return pdf_download(data, f"F05-asesorias-{plantel or 'estado'}-{periodo or 'todos'}.pdf")


@router.get("/f05.xlsx")
def f05_as_xlsx(request: Request, user: Staff, session: Db, plantel: str = "",
                periodo: str = "") -> Response:
    """One sheet, a row per assigned student, plantel and periodo as columns (frozen,
    filtered headers: the office sorts and filters it in Excel)."""
    user.scope.require("view_tutoring")
    plantel = _f05_scope(user, plantel)
    rows = list(reversed(_groups(session, user, plantel, periodo)))
    reads(session, request, user, "formato F05 (Excel)",
          [a.matricula for g in rows for a in g.alumnos])
    book = XlsxBook()
    book.add_table("F05 Asesorías", ("Plantel", "Periodo", *F05_COLUMNS),
                   [(g.clave_plantel, g.periodo, *row) for g in rows
                    for row in f05_rows(_f05_groups(session, [g]))])
    return xlsx_download(book, f"F05-asesorias-{plantel or 'estado'}-{periodo or 'todos'}"
                               ".xlsx")


@router.get("/{asesoria_id}", response_class=HTMLResponse)
def one(request: Request, asesoria_id: int, user: Staff, session: Db,
        hecho: str = "") -> HTMLResponse:
    user.scope.require("view_tutoring")
    row = records.tutoring(session, user.scope, asesoria_id)
    people = records.students(session, [a.matricula for a in row.alumnos])
    reads(session, request, user, "asesoría complementaria", people)
    return page(request, "followup/tutoring_one.html", user, nav="asesorias", g=row,
                people=people, full_name=records.full_name,
                plantel=records.plantel_label(session, row.clave_plantel),
                done=f"Asesoría {row.id} registrada con {len(row.alumnos)} alumnos."
                if hecho else "", problems=[])
