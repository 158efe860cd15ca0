"""The SISEAC report as the office uses it: one XLSX workbook with a sheet per view (frozen
headers, filters, at-risk rows highlighted) and a PDF of the same views."""

from __future__ import annotations

from typing import Any

from conalep.academic.siseac import SiseacReport
from foundation.web.downloads import Section, pdf_sections
from foundation.web.xlsx import XlsxBook

SHEETS = ("Alumnos y módulos", "Alumnos en riesgo", "Incumplimiento", "Tendencia")


def _grade(value: float | None) -> float | str:
    return "" if value is None else value


def module_view(report: SiseacReport) -> tuple[list[str], list[list[Any]], list[bool]]:
    cortes = range(1, report.corte + 1)
    headers = ["Plantel", "Grupo", "Matrícula", "Alumno", "Carrera", "Módulo", "Clave módulo",
               "Docente", *(f"Corte {c}" for c in cortes), "Avance ponderado", "Reprueba",
               "En riesgo"]
    rows = [[m.clave_plantel, m.grupo, m.matricula, m.nombre, m.clave_carrera, m.modulo,
             m.clave_modulo, m.docente, *(_grade(m.grades[c - 1]) for c in cortes),
             _grade(m.progress), "sí" if m.failing else "no", "sí" if m.at_risk else "no"]
            for m in report.modules]
    return headers, rows, [m.at_risk for m in report.modules]


def risk_view(report: SiseacReport) -> tuple[list[str], list[list[Any]], list[bool]]:
    headers = ["Plantel", "Grupo", "Matrícula", "Alumno", "Carrera", "Módulos",
               "Módulos reprobados", "Avance ponderado", "Motivos"]
    rows = [[s.clave_plantel, s.grupo, s.matricula, s.nombre, s.clave_carrera, s.modules,
             s.modules_failing, _grade(s.progress), "; ".join(s.reasons)]
            for s in report.at_risk]
    return headers, rows, [True] * len(rows)


def compliance_view(report: SiseacReport) -> tuple[list[str], list[list[Any]], list[bool]]:
    headers = ["Plantel", "Clave docente", "Docente", "Grupo", "Clave módulo", "Módulo",
               "Alumnos", "Sin capturar", "Capturadas tarde"]
    rows = [[c.clave_plantel, c.clave_docente, c.docente, c.grupo, c.clave_modulo, c.modulo,
             c.expected, c.missing, c.late] for c in report.compliance]
    return headers, rows, [c.missing > 0 for c in report.compliance]


def trend_view(report: SiseacReport) -> tuple[list[str], list[list[Any]], list[bool]]:
    cortes = range(1, report.corte + 1)
    headers = ["Plantel", "Grupo", "Clave módulo", "Módulo",
               *(f"Promedio corte {c}" for c in cortes),
               *(f"Reprobados corte {c}" for c in cortes)]
    rows = [[t.clave_plantel, t.grupo, t.clave_modulo, t.modulo,
             *(_grade(t.averages[c - 1]) for c in cortes), *(t.failing[c - 1] for c in cortes)]
            for t in report.trend]
    return headers, rows, [False] * len(rows)


VIEWS = (module_view, risk_view, compliance_view, trend_view)


def workbook(report: SiseacReport) -> bytes:
    book = XlsxBook()
    for title, view in zip(SHEETS, VIEWS, strict=True):
        headers, rows, marks = view(report)
        book.add_table(title, headers, rows, highlight=marks)
    return book.to_bytes()


def pdf(report: SiseacReport, subtitle: str) -> bytes:
    """The at-risk students, the incumplimiento and the trend (the sábana of every student and
    module belongs in the workbook: on paper it would be hundreds of pages)."""
    sections = [Section(name, *view(report)) for name, view in (
        ("Alumnos en riesgo", risk_view), ("Incumplimiento del registro", compliance_view),
        ("Tendencia por grupo y módulo", trend_view))]
    return pdf_sections(f"Reporte SISEAC · periodo {report.periodo} · corte {report.corte}",
                        subtitle, sections)
