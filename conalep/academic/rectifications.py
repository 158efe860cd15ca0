"""Rectifications (norm 6) and the capture calendar (norms 7, 8): the rules, without pages.

A grade captured or changed after its corte's window closed needs a rectification: who
asked, the oficio reference, the reason. Imports open them pending; the office completes
them; a correction typed on the pages after the window is recorded complete at once. A
complete rectification never changes: the rows of a grade are its history.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from conalep.models.academic import Alumno, Calificacion, CaptureWindow, Rectificacion
from conalep.roles import Scope
from foundation.web.refusal import Refusal

MIN_REASON = 10


def grade_in_scope(session: Session, scope: Scope, calificacion_id: int) -> Calificacion:
    """The grade, or 404 alike for "does not exist" and "another plantel's"."""
    grade = session.get(Calificacion, calificacion_id)
    if grade is None or not scope.sees_plantel(grade.clave_plantel):
        raise Refusal(404, "grade-not-found", "No existe esa calificación en su alcance.")
    return grade


def window_of(session: Session, grade: Calificacion) -> CaptureWindow:
    window = session.get(CaptureWindow, (grade.periodo, grade.corte))
    if window is None:  # an import never writes a grade without its window
        raise Refusal(409, "no-window", "La calificación no tiene ventana de captura.")
    return window


def _justification(solicitante: str, oficio: str, motivo: str) -> None:
    missing = [name for name, value in (("quién la solicita", solicitante),
                                        ("el número de oficio", oficio)) if not value]
    if missing:
        raise Refusal(422, "rectification-incomplete",
                      "La rectificación necesita " + " y ".join(missing) + ".")
    if len(motivo) < MIN_REASON:
        raise Refusal(422, "rectification-incomplete",
                      f"Escriba el motivo de la rectificación (al menos {MIN_REASON} letras).")


def complete(session: Session, scope: Scope, rectification_id: int, *, solicitante: str,
             oficio: str, motivo: str, staff: str, now: datetime) -> Rectificacion:
    """Record who asked, the oficio and the reason of a pending rectification."""
    scope.require("rectify_grade")
    rect = session.get(Rectificacion, rectification_id)
    if rect is None:
        raise Refusal(404, "rectification-not-found", "No existe esa rectificación.")
    grade_in_scope(session, scope, rect.calificacion_id)
    if rect.recorded_at is not None:
        raise Refusal(409, "rectification-complete",
                      "Esa rectificación ya está registrada y no se modifica; registre otra.")
    _justification(solicitante, oficio, motivo)
    rect.solicitante, rect.oficio, rect.motivo = solicitante, oficio, motivo
    rect.recorded_by, rect.recorded_at = staff, now
    return rect


def correct(session: Session, scope: Scope, calificacion_id: int, *, nueva: float | None,
            solicitante: str, oficio: str, motivo: str, staff: str, today: date,
            now: datetime) -> Calificacion:
    """A correction typed on the pages. After the window it needs the rectification data
    (recorded complete at once); within the window it is an ordinary capture."""
    scope.require("rectify_grade")
    grade = grade_in_scope(session, scope, calificacion_id)
    if nueva is not None and not 0 <= nueva <= 10:
        raise Refusal(422, "bad-grade", "La calificación va de 0 a 10.")
    if nueva == grade.calificacion:
        raise Refusal(422, "same-grade", "La calificación nueva es igual a la actual.")
    window = window_of(session, grade)
    late = today > window.fin_captura
    if late:
        _justification(solicitante, oficio, motivo)
        session.add(Rectificacion(
            calificacion_id=grade.id, kind="correccion", anterior=grade.calificacion,
            nueva=nueva, fecha_captura=today, detected_at=now, solicitante=solicitante,
            oficio=oficio, motivo=motivo, recorded_by=staff, recorded_at=now))
    grade.calificacion, grade.fecha_captura = nueva, today if nueva is not None else None
    grade.late, grade.updated_at = late, now
    return grade


def pending(session: Session, scope: Scope, limit: int = 500
            ) -> list[tuple[Rectificacion, Calificacion, Alumno]]:
    query = (select(Rectificacion, Calificacion, Alumno)
             .join(Calificacion, Calificacion.id == Rectificacion.calificacion_id)
             .join(Alumno, Alumno.matricula == Calificacion.matricula)
             .where(Rectificacion.recorded_at.is_(None))
             .order_by(Calificacion.clave_plantel, Calificacion.periodo, Calificacion.corte,
                       Calificacion.grupo, Alumno.primer_apellido, Rectificacion.id))
    if scope.planteles is not None:
        query = query.where(Calificacion.clave_plantel.in_(scope.planteles))
    return [(r, c, a) for r, c, a in session.execute(query.limit(limit))]


def history(session: Session, calificacion_id: int) -> list[Rectificacion]:
    return list(session.scalars(select(Rectificacion)
                                .where(Rectificacion.calificacion_id == calificacion_id)
                                .order_by(Rectificacion.detected_at, Rectificacion.id)))
