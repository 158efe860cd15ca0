"""Graduates read from the academic wing's tables (the SAE import) and the debts ledger."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conalep.certificates.graduates import Graduate
from conalep.models.academic import Alumno, Calificacion, Carrera, Modulo, Plantel
from conalep.models.certificates import Debt

PASSING_GRADE = 6.0
FINAL_CORTE = 3


class AcademicGraduates:
    """:class:`conalep.certificates.graduates.GraduateSource` over the database."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _graduates(self, where) -> list[Graduate]:  # type: ignore[no-untyped-def]
        rows = self.session.execute(
            select(Alumno, Carrera, Plantel)
            .join(Carrera, Carrera.clave_carrera == Alumno.clave_carrera)
            .join(Plantel, Plantel.clave_plantel == Alumno.clave_plantel)
            .where(where).order_by(Alumno.matricula)).all()
        matriculas = [a.matricula for a, _, _ in rows]
        failed = self._failed(matriculas)
        debts: dict[str, list[str]] = {}
        for d in self.session.scalars(select(Debt).where(
                Debt.matricula.in_(matriculas), Debt.settled_at.is_(None))):
            debts.setdefault(d.matricula, []).append(d.concept)
        return [Graduate(a.matricula, a.curp, a.nombre, a.primer_apellido, a.segundo_apellido,
                         a.clave_plantel, p.nombre, c.clave_carrera, c.nombre,
                         c.modelo_academico, a.generacion, a.estatus,
                         tuple(failed.get(a.matricula, ())), tuple(debts.get(a.matricula, ())))
                for a, c, p in rows]

    def _failed(self, matriculas: Iterable[str]) -> dict[str, list[str]]:
        """Modules whose final-cut grade is below 6.0 or missing, per student."""
        matriculas = list(matriculas)
        if not matriculas:
            return {}
        last = (select(Calificacion.matricula, Calificacion.clave_modulo,
                       func.max(Calificacion.periodo).label("periodo"))
                .where(Calificacion.matricula.in_(matriculas))
                .group_by(Calificacion.matricula, Calificacion.clave_modulo).subquery())
        rows = self.session.execute(
            select(Calificacion.matricula, Modulo.nombre)
            .join(last, (last.c.matricula == Calificacion.matricula)
                  & (last.c.clave_modulo == Calificacion.clave_modulo)
                  & (last.c.periodo == Calificacion.periodo))
            .join(Modulo, Modulo.clave_modulo == Calificacion.clave_modulo)
            .where(Calificacion.corte == FINAL_CORTE,
                   (Calificacion.calificacion.is_(None))
                   | (Calificacion.calificacion < PASSING_GRADE)))
        out: dict[str, list[str]] = {}
        for matricula, modulo in rows:
            out.setdefault(matricula, []).append(modulo)
        return out

    def get(self, matricula: str) -> Graduate | None:
        found = self._graduates(Alumno.matricula == matricula)
        return found[0] if found else None

    def of_plantel(self, plantel: str) -> list[Graduate]:
        return self._graduates(Alumno.clave_plantel == plantel)
