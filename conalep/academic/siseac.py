"""The SISEAC report of one corte (norms 10–12): per student, module and teacher, the
grades of the semester's cortes so far, the weighted progress, failing modules, students at
risk, and per teacher and group the grades not captured ("incumplimiento del registro"),
with the trend across the three cortes.

Definitions (docs/conalep.md, "SISEAC"; the numbers are settings):

- a module *fails* in a corte when its captured grade there is below the passing grade
  (``CONALEP_PASSING_GRADE``, 6.0);
- *weighted progress* of a module at corte N: Σ wᵢ·gᵢ / Σ wᵢ over the cortes i ≤ N whose
  grade was captured (``CONALEP_CORTE_WEIGHTS``, default 0.3, 0.3, 0.4); a student's progress
  is the mean of their modules' progress;
- a student is *at risk* at corte N when they fail at least ``CONALEP_RISK_MIN_FAILING``
  modules (2) in corte N, or their progress is below ``CONALEP_RISK_BELOW_PROGRESS`` (6.0),
  or a module has failed in every corte so far (N ≥ 2);
- *failing students*: students with at least one failing module in corte N;
- *late captures*: grades of corte N captured after corte N's window closed;
- *missing captures*: grades of corte N of students with estatus INSCRITO that were not
  captured at all, counted per teacher.

Only students with estatus INSCRITO are reported (a BAJA or EGRESADO student's old rows are
not part of the follow-up).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from conalep.models.academic import (
    Alumno,
    Calificacion,
    CaptureWindow,
    Carrera,
    Docente,
    Modulo,
    Plantel,
    SiseacPublication,
)
from conalep.settings import ConalepSettings

CORTES = (1, 2, 3)


@dataclass(frozen=True, slots=True)
class Rules:
    """The numbers of the definitions above (from the settings)."""

    passing: float = 6.0
    weights: tuple[float, float, float] = (0.3, 0.3, 0.4)
    risk_min_failing: int = 2
    risk_below_progress: float = 6.0

    @classmethod
    def of(cls, settings: ConalepSettings) -> Rules:
        return cls(settings.passing_grade, settings.corte_weights, settings.risk_min_failing,
                   settings.risk_below_progress)

    def progress(self, grades: Sequence[float | None], corte: int) -> float | None:
        """Weighted progress at ``corte`` of one module's grades (cortes 1..3).

        >>> Rules().progress([8.0, None, 5.0], 3)
        6.2857
        >>> Rules().progress([None, None, None], 2) is None
        True
        """
        total = weight = 0.0
        for i in range(corte):
            grade = grades[i]
            if grade is not None:
                total += self.weights[i] * grade
                weight += self.weights[i]
        return round(total / weight, 4) if weight else None


@dataclass(slots=True)
class ModuleRow:
    """One student in one module: the sábana's row."""

    matricula: str
    nombre: str
    clave_plantel: str
    clave_carrera: str
    grupo: str
    clave_modulo: str
    modulo: str
    clave_docente: str
    docente: str
    grades: list[float | None]
    late: list[bool]
    progress: float | None = None
    failing: bool = False
    at_risk: bool = False


@dataclass(slots=True)
class StudentRow:
    matricula: str
    nombre: str
    clave_plantel: str
    clave_carrera: str
    grupo: str
    modules: int
    modules_failing: int
    progress: float | None
    at_risk: bool
    reasons: list[str]


@dataclass(slots=True)
class ComplianceRow:
    """Incumplimiento del registro: one teacher's grades of one group and module in corte N."""

    clave_docente: str
    docente: str
    clave_plantel: str
    grupo: str
    clave_modulo: str
    modulo: str
    expected: int
    missing: int
    late: int


@dataclass(slots=True)
class TrendRow:
    """One group and module across the cortes: average and failing count per corte."""

    clave_plantel: str
    grupo: str
    clave_modulo: str
    modulo: str
    averages: list[float | None]
    failing: list[int]


@dataclass(slots=True)
class SiseacReport:
    periodo: str
    corte: int
    rules: Rules
    modules: list[ModuleRow] = field(default_factory=list)
    students: list[StudentRow] = field(default_factory=list)
    compliance: list[ComplianceRow] = field(default_factory=list)
    trend: list[TrendRow] = field(default_factory=list)
    late_captures: int = 0

    @property
    def failing_students(self) -> int:
        return sum(1 for s in self.students if s.modules_failing)

    @property
    def at_risk(self) -> list[StudentRow]:
        return [s for s in self.students if s.at_risk]

    def missing_by_teacher(self) -> list[dict[str, Any]]:
        counts: dict[str, int] = defaultdict(int)
        for row in self.compliance:
            counts[row.clave_docente] += row.missing
        return [{"clave_docente": d, "corte": self.corte, "count": n}
                for d, n in sorted(counts.items()) if n]

    def as_json(self) -> dict[str, Any]:
        """The keys of ``conalep siseac --json`` (issue 11), plus the rules applied."""
        return {
            "periodo": self.periodo, "corte": self.corte,
            "failing_students": self.failing_students,
            "late_captures": self.late_captures,
            "missing_captures": self.missing_by_teacher(),
            "at_risk": [{"matricula": s.matricula, "modules_failing": s.modules_failing,
                         "progress": s.progress, "clave_plantel": s.clave_plantel,
                         "grupo": s.grupo, "reasons": s.reasons} for s in self.at_risk],
            "rules": {"passing_grade": self.rules.passing,
                      "corte_weights": list(self.rules.weights),
                      "risk_min_failing": self.rules.risk_min_failing,
                      "risk_below_progress": self.rules.risk_below_progress},
        }


@dataclass(frozen=True, slots=True)
class Filters:
    """What the pages and exports narrow a report to (empty = everything in scope)."""

    clave_plantel: str = ""
    clave_carrera: str = ""
    grupo: str = ""
    clave_modulo: str = ""
    clave_docente: str = ""
    only_at_risk: bool = False

    def apply(self, report: SiseacReport) -> SiseacReport:
        def keep(row: Any, *, module: bool) -> bool:
            return ((not self.clave_plantel or row.clave_plantel == self.clave_plantel)
                    and (not self.clave_carrera or getattr(row, "clave_carrera",
                                                           self.clave_carrera)
                         == self.clave_carrera)
                    and (not self.grupo or row.grupo == self.grupo)
                    and (not module or not self.clave_modulo
                         or row.clave_modulo == self.clave_modulo)
                    and (not module or not self.clave_docente
                         or getattr(row, "clave_docente", self.clave_docente)
                         == self.clave_docente))

        modules = [m for m in report.modules if keep(m, module=True)
                   and (not self.only_at_risk or m.at_risk)]
        chosen = {m.matricula for m in modules}
        narrowed = bool(self.clave_modulo or self.clave_docente)
        students = [s for s in report.students if keep(s, module=False)
                    and (not self.only_at_risk or s.at_risk)
                    and (not narrowed or s.matricula in chosen)]
        compliance = [c for c in report.compliance if keep(c, module=True)]
        # Each module row's late capture is counted once in its compliance row.
        return SiseacReport(
            report.periodo, report.corte, report.rules, modules, students, compliance,
            [t for t in report.trend if keep(t, module=True)], sum(c.late for c in compliance))


def periodos(session: Session) -> list[str]:
    return list(session.scalars(select(CaptureWindow.periodo).distinct()
                                .order_by(CaptureWindow.periodo.desc())))


def is_published(session: Session, periodo: str, corte: int) -> bool:
    return session.get(SiseacPublication, (periodo, corte)) is not None


def build_report(session: Session, periodo: str, corte: int, rules: Rules,
                 planteles: tuple[str, ...] | None = None) -> SiseacReport:
    """The report of ``corte`` of ``periodo`` for ``planteles`` (None: the whole state)."""
    connection = session.connection()  # Core rows: the ORM's row handling was a third
    students = {m: (n, c) for m, n, c in connection.execute(
        _in_planteles(select(Alumno.matricula, Alumno.primer_apellido + " "
                             + Alumno.segundo_apellido + " " + Alumno.nombre,
                             Alumno.clave_carrera)
                      .where(Alumno.estatus == "INSCRITO"), Alumno.clave_plantel, planteles))}
    module_names = dict(connection.execute(select(Modulo.clave_modulo, Modulo.nombre)).all())
    teacher_names = dict(connection.execute(select(Docente.clave_docente,
                                                   Docente.nombre)).all())
    report = SiseacReport(periodo, corte, rules)
    modules = report.modules
    for (matricula, modulo, g1, g2, g3, l1, l2, l3, docente, grupo,
         plantel) in connection.execute(_pivot(periodo, corte, planteles)).all():
        student = students.get(matricula)
        if student is None:
            continue
        modules.append(ModuleRow(
            matricula, student[0], plantel, student[1], grupo, modulo,
            module_names.get(modulo, modulo), docente, teacher_names.get(docente, docente),
            [g1, g2, g3], [bool(l1), bool(l2), bool(l3)]))
    modules.sort(key=lambda r: (r.clave_plantel, r.grupo, r.nombre, r.clave_modulo))
    _students(report, rules)
    _compliance_and_trend(report)
    return report


def _pivot(periodo: str, corte: int, planteles: tuple[str, ...] | None) -> Any:
    """One row per student and module with the grades and late marks of cortes 1–3 side by
    side (a corte after ``corte`` is NULL), grouped by the database: a state's 900,000 grade
    rows become 300,000 without passing through Python one by one. The teacher, group and
    plantel are those of ``corte`` (of an earlier corte when ``corte``'s row is missing)."""
    c = Calificacion

    def at(n: int, column: Any) -> Any:
        return func.max(case((c.corte == n, column)))

    def late_at(n: int) -> Any:
        return func.max(case((and_(c.corte == n, c.late.is_(True)), 1), else_=0))

    def current(column: Any) -> Any:
        return func.coalesce(at(corte, column), func.max(column))

    return _in_planteles(
        select(c.matricula, c.clave_modulo, *(at(n, c.calificacion) for n in CORTES),
               *(late_at(n) for n in CORTES), current(c.clave_docente), current(c.grupo),
               current(c.clave_plantel))
        # "+ 0": the corte keeps SQLite off the (periodo, corte, plantel) index, so that it
        # walks the unique key (periodo, matricula, módulo, corte), already in group order,
        # instead of sorting every row of the periodo into a temporary B-tree.
        .where(c.periodo == periodo, c.corte + 0 <= corte)
        .group_by(c.matricula, c.clave_modulo), c.clave_plantel, planteles)


def _in_planteles(query: Any, column: Any, planteles: tuple[str, ...] | None) -> Any:
    return query if planteles is None else query.where(column.in_(planteles))


def _students(report: SiseacReport, rules: Rules) -> None:
    corte, passing = report.corte, rules.passing
    weights = rules.weights[:corte]
    by_student: dict[str, list[ModuleRow]] = defaultdict(list)
    for row in report.modules:
        total = weight = 0.0
        for w, grade in zip(weights, row.grades, strict=False):  # Rules.progress, inlined
            if grade is not None:
                total += w * grade
                weight += w
        row.progress = round(total / weight, 4) if weight else None
        current = row.grades[corte - 1]
        row.failing = current is not None and current < passing
        by_student[row.matricula].append(row)
    for matricula, rows in by_student.items():
        failing = sum(r.failing for r in rows)
        progresses = [r.progress for r in rows if r.progress is not None]
        progress = round(sum(progresses) / len(progresses), 2) if progresses else None
        reasons = []
        if failing >= rules.risk_min_failing:
            reasons.append(f"reprueba {failing} módulos en el corte {corte}")
        if progress is not None and progress < rules.risk_below_progress:
            reasons.append(f"avance ponderado {progress:.2f} menor a "
                           f"{rules.risk_below_progress:.1f}")
        if corte >= 2:
            for r in rows:
                captured = [g for g in r.grades[:corte] if g is not None]
                if len(captured) == corte and all(g < passing for g in captured):
                    reasons.append(f"reprobado en todos los cortes: {r.clave_modulo}")
        first = rows[0]
        report.students.append(StudentRow(matricula, first.nombre, first.clave_plantel,
                                          first.clave_carrera, first.grupo, len(rows), failing,
                                          progress, bool(reasons), reasons))
        if reasons:
            for r in rows:
                r.at_risk = True
    report.students.sort(key=lambda s: (s.clave_plantel, s.grupo, s.nombre))


def _compliance_and_trend(report: SiseacReport) -> None:
    corte, passing = report.corte, report.rules.passing
    now = corte - 1
    compliance: dict[tuple[str, str, str, str], ComplianceRow] = {}
    trend: dict[tuple[str, str, str], tuple[TrendRow, list[list[float]]]] = {}
    late_captures = 0
    for row in report.modules:
        key = (row.clave_docente, row.clave_plantel, row.grupo, row.clave_modulo)
        entry = compliance.get(key)
        if entry is None:
            entry = compliance[key] = ComplianceRow(
                row.clave_docente, row.docente, row.clave_plantel, row.grupo,
                row.clave_modulo, row.modulo, 0, 0, 0)
        grades, late = row.grades, row.late[now]
        entry.expected += 1
        if grades[now] is None:
            entry.missing += 1
        if late:
            entry.late += 1
            late_captures += 1
        tkey = (row.clave_plantel, row.grupo, row.clave_modulo)
        found = trend.get(tkey)
        if found is None:
            found = trend[tkey] = (TrendRow(row.clave_plantel, row.grupo, row.clave_modulo,
                                            row.modulo, [None, None, None], [0, 0, 0]),
                                   [[], [], []])
        failing, values = found[0].failing, found[1]
        for i in range(corte):
            grade = grades[i]
            if grade is not None:
                values[i].append(grade)
                if grade < passing:
                    failing[i] += 1
    report.late_captures += late_captures
    report.compliance = sorted(compliance.values(),
                               key=lambda c: (c.clave_plantel, c.clave_docente, c.grupo,
                                              c.clave_modulo))
    for t, values in trend.values():
        t.averages = [round(sum(v) / len(v), 2) if v else None for v in values]
    report.trend = sorted((t for t, _ in trend.values()),
                          key=lambda t: (t.clave_plantel, t.grupo, t.clave_modulo))


def catalogues(session: Session, planteles: tuple[str, ...] | None) -> dict[str, list[Any]]:
    """The choices of the filters, within scope."""
    plantel_rows = list(session.scalars(_in_planteles(select(Plantel), Plantel.clave_plantel,
                                                      planteles).order_by(Plantel.clave_plantel)))
    return {"planteles": plantel_rows,
            "carreras": list(session.scalars(select(Carrera).order_by(Carrera.clave_carrera)))}
