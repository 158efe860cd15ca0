"""Complementary tutoring (asesorías complementarias), format 30-524-PO-04-F05 (norm 14).

A plantel assigns students to a tutoring group per module, with an advisor and a schedule.
When the SISEAC report of a corte exists, the students failing that module (grade below the
passing grade) are suggested; the office decides who is assigned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from conalep.followup.validation import Checker, periodo_years


@dataclass(frozen=True, slots=True)
class TutoringInput:
    periodo: str
    clave_modulo: str
    modulo: str
    asesor: str
    horario: str
    aula: str
    fecha_inicio: dt.date
    matriculas: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FailingGrade:
    """A module grade below passing in one corte (from the SISEAC report)."""

    matricula: str
    nombre: str
    grupo: str
    clave_modulo: str
    modulo: str
    corte: int
    calificacion: float


@dataclass(frozen=True, slots=True)
class Suggestion:
    clave_modulo: str
    modulo: str
    students: tuple[FailingGrade, ...]


def read_tutoring(form: Mapping[str, str]) -> TutoringInput:
    """The tutoring group; its start date must fall in the periodo's school year."""
    c = Checker(form)
    periodo, first, last = periodo_years(c)
    clave = c.text("clave_modulo", "Clave del módulo", limit=20).upper()
    modulo = c.text("modulo", "Módulo", limit=120)
    asesor = c.text("asesor", "Asesor(a)", limit=120)
    horario = c.text("horario", "Horario", limit=120)
    aula = c.text("aula", "Aula", required=False, limit=40)
    inicio = c.date("fecha_inicio", "Fecha de inicio", not_before=first, not_after=last)
    matriculas = c.matriculas("matriculas", "Alumnos asignados")
    c.done()
    assert inicio is not None
    return TutoringInput(periodo, clave, modulo, asesor, horario, aula, inicio,
                         tuple(matriculas))


def suggest(failing: Iterable[FailingGrade]) -> list[Suggestion]:
    """Failing grades grouped per module, worst grade first; a student failing a module in
    several cortes appears once, with the latest corte's grade.

    >>> s = suggest([FailingGrade("1", "A", "5A", "M1", "Mate", 1, 5.0),
    ...              FailingGrade("1", "A", "5A", "M1", "Mate", 2, 4.0),
    ...              FailingGrade("2", "B", "5A", "M1", "Mate", 2, 5.5)])
    >>> [(g.matricula, g.calificacion) for g in s[0].students]
    [('1', 4.0), ('2', 5.5)]
    """
    latest: dict[tuple[str, str], FailingGrade] = {}
    for g in failing:
        key = (g.clave_modulo, g.matricula)
        if key not in latest or latest[key].corte < g.corte:
            latest[key] = g
    modules: dict[str, list[FailingGrade]] = {}
    for g in latest.values():
        modules.setdefault(g.clave_modulo, []).append(g)
    return [Suggestion(k, v[0].modulo, tuple(sorted(v, key=lambda g: (g.calificacion,
                                                                         g.matricula))))
            for k, v in sorted(modules.items())]
