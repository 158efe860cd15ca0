"""The SISEAC report as the office uses it: one XLSX workbook with a sheet per view (frozen
headers, filters, at-risk rows highlighted), the sábana also as CSV, and a PDF of the
summary views.

A state-wide sábana (50,000 students × 6 modules = 300,000 rows × 14 columns) costs XlsxWriter
≈ 7 µs of CPU per cell, ≈ 30 s on an idle server: past what an office waits for a download
(issue 11: 15 s). Above :data:`SABANA_XLSX_MAX_ROWS` rows the workbook keeps the three summary
sheets and its sábana sheet says where the full sábana is: the CSV download (same columns,
Excel opens it directly) or the workbook of one plantel. Measurements: bench/bench_conalep.py,
docs/PERFORMANCE.md.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from conalep.academic.siseac import SiseacReport
from foundation.web.downloads import Section, pdf_sections
from foundation.web.xlsx import XlsxBook

SHEETS = ("Alumnos y módulos", "Alumnos en riesgo", "Incumplimiento", "Tendencia")
SABANA_XLSX_MAX_ROWS = 60_000
"""A sábana up to this many rows goes into the workbook (≈ 6 s of CPU); a plantel's is
≈ 7,500."""


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


def sabana_in_workbook(report: SiseacReport) -> bool:
    return len(report.modules) <= SABANA_XLSX_MAX_ROWS


def workbook(report: SiseacReport, csv_link: str = "") -> bytes:
    """The four views; a sábana too large for a quick download is replaced by a notice
    naming ``csv_link`` (the CSV of the same report) and the per-plantel workbooks."""
    book = XlsxBook()
    for title, view in zip(SHEETS, VIEWS, strict=True):
        if view is module_view and not sabana_in_workbook(report):
            book.add_table(title, ["Aviso"], [[line] for line in _sabana_notice(report,
                                                                                csv_link)])
            continue
        headers, rows, marks = view(report)
        book.add_table(title, headers, rows, highlight=marks)
    return book.to_bytes()


def _sabana_notice(report: SiseacReport, csv_link: str) -> list[str]:
    return [f"La sábana de este reporte tiene {len(report.modules):,} filas (alumno × módulo); "
            "en un libro de Excel tardaría demasiado en descargarse.",
            "Descárguela como CSV desde la página del reporte («Sábana completa en CSV»): "
            "Excel la abre directamente, con las mismas columnas.",
            *([f"Dirección de la descarga: {csv_link}"] if csv_link else []),
            "O filtre un plantel y descargue su libro de Excel: trae su sábana completa.",
            "Las hojas «Alumnos en riesgo», «Incumplimiento» y «Tendencia» de este libro están "
            "completas."]


def sabana_csv(report: SiseacReport) -> bytes:
    """The sábana (the workbook's first sheet) as CSV: UTF-8 with BOM so that Excel reads
    the accents, comma-separated, a point for decimals."""
    headers, rows, _ = module_view(report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def pdf(report: SiseacReport, subtitle: str) -> bytes:
    """The at-risk students, the incumplimiento and the trend (the sábana of every student and
    module belongs in the workbook: on paper it would be hundreds of pages)."""
    sections = [Section(name, *view(report)) for name, view in (
        ("Alumnos en riesgo", risk_view), ("Incumplimiento del registro", compliance_view),
        ("Tendencia por grupo y módulo", trend_view))]
    return pdf_sections(f"Reporte SISEAC · periodo {report.periodo} · corte {report.corte}",
                        subtitle, sections)
