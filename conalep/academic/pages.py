"""Academic pages: students (list and one student's grades), each within the person's scope.

:data:`ROUTERS` is what ``conalep.app`` includes for this wing.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from conalep.context import Db
from conalep.models.academic import Alumno, Calificacion, Modulo, Plantel
from conalep.navigation import NAV, NavItem
from conalep.privacy.access import reads
from conalep.web import Staff, WebRoute, page
from foundation.web.refusal import Refusal

router = APIRouter(prefix="/staff", route_class=WebRoute, include_in_schema=False)
NAV.append(NavItem("alumnos", "/staff/alumnos", "Alumnos", "view_grades",
                   "alumnos por plantel, carrera y grupo, y sus calificaciones por corte"))
PAGE_ROWS = 200


@router.get("/alumnos", response_class=HTMLResponse)
def students(request: Request, user: Staff, session: Db, plantel: str = "", grupo: str = "",
             buscar: str = "") -> HTMLResponse:
    scope = user.scope
    scope.require("view_grades")
    query = select(Alumno).order_by(Alumno.clave_plantel, Alumno.grupo, Alumno.primer_apellido,
                                    Alumno.segundo_apellido, Alumno.nombre)
    if plantel:
        scope.require_plantel(plantel, f"el plantel {plantel}")
        query = query.where(Alumno.clave_plantel == plantel)
    elif scope.planteles is not None:
        query = query.where(Alumno.clave_plantel.in_(scope.planteles))
    if grupo:
        query = query.where(Alumno.grupo == grupo)
    if buscar:
        like = f"%{buscar.strip().upper()}%"
        query = query.where(Alumno.matricula.like(like) | Alumno.primer_apellido.like(like)
                            | Alumno.nombre.like(like))
    rows = list(session.scalars(query.limit(PAGE_ROWS + 1)))
    planteles = list(session.scalars(select(Plantel).order_by(Plantel.clave_plantel)))
    if scope.planteles is not None:
        planteles = [p for p in planteles if p.clave_plantel in scope.planteles]
    reads(session, request, user, "lista de alumnos", [a.matricula for a in rows[:PAGE_ROWS]])
    return page(request, "academic/students.html", user, nav="alumnos",
                students=rows[:PAGE_ROWS], more=len(rows) > PAGE_ROWS, planteles=planteles,
                plantel=plantel, grupo=grupo, buscar=buscar)


@router.get("/alumnos/{matricula}", response_class=HTMLResponse)
def student(request: Request, matricula: str, user: Staff, session: Db) -> HTMLResponse:
    scope = user.scope
    scope.require("view_grades")
    alumno = session.get(Alumno, matricula)
    if alumno is None or not scope.sees_plantel(alumno.clave_plantel):
        # the same answer for "does not exist" and "another campus's": no existence leak
        raise Refusal(404, "student-not-found",
                      f"No hay un alumno con matrícula {matricula} en su alcance.")
    grades = session.execute(
        select(Calificacion, Modulo.nombre).join(Modulo,
                                                 Modulo.clave_modulo == Calificacion.clave_modulo)
        .where(Calificacion.matricula == matricula)
        .order_by(Calificacion.periodo, Calificacion.clave_modulo, Calificacion.corte)).all()
    reads(session, request, user, "ficha del alumno", [matricula])
    return page(request, "academic/student.html", user, nav="alumnos", alumno=alumno,
                grades=grades)



