"""Reports per school and cycle: who has a card, who is pending, declined, hologram applied.

Printable as PDF (the counts, and the students still needing something) and exportable as
XLSX (the counts, and one sheet per school with every enrolled student). No CURP goes in
either file: they name minors and leave the station.

>>> reports = school_reports(station, ["14DPR9901D"])        # doctest: +SKIP
>>> write_xlsx(reports, Path("reporte.xlsx"))                 # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from foundation.errors import StorageError
from station.context import Station
from station.core.cycles import Need
from station.core.dates import show_day
from station.printer.documents import Document, Table, render_document
from station.services.lifecycle import SchoolLists, school_lists, unattended_requests
from station.store import ledger

COUNT_LABELS = (
    ("enrolled", "Inscritos"),
    ("with_card", "Con credencial"),
    ("pending", "Pendientes"),
    ("hologram_only", "Sólo holograma"),
    ("hologram_applied", "Con holograma"),
    ("declined", "No la desean"),
    ("needs_receipt", "Extraviadas sin recibo"),
    ("requests_unattended", "Solicitudes sin atender"),
)
"""(key, column title) of the counts; the notes under the PDF table say what each means."""

COUNT_NOTES = (
    "Con credencial: credencial vigente. Pendientes: necesitan credencial nueva (nuevo "
    "ingreso, sin credencial o reposición pagada). Sólo holograma: tienen credencial y les "
    "falta el holograma del ciclo. Con holograma: credencial y holograma del ciclo "
    "registrados. No la desean: renuncia registrada. Extraviadas sin recibo: "
    "credencial reportada extraviada o robada sin recibo de reposición. Solicitudes sin "
    "atender: más días de los configurados sin credencial ni holograma."
)


@dataclass(frozen=True, slots=True)
class SchoolReport:
    lists: SchoolLists
    requests_unattended: int

    def counts(self) -> dict[str, int]:
        students = self.lists.students
        n = {need: len(self.lists.by_need(need)) for need in Need}
        return {"enrolled": len(students),
                "with_card": sum(1 for s in students if s.folio is not None),
                "pending": n[Need.CARD], "hologram_only": n[Need.HOLOGRAM],
                "hologram_applied": n[Need.COMPLETE], "declined": n[Need.DECLINED],
                "needs_receipt": n[Need.RECEIPT],
                "requests_unattended": self.requests_unattended}

    def to_json(self) -> dict[str, object]:
        s = self.lists.school
        return {"cct": s.cct, "school": s.nombre, "cycle": self.lists.cycle, **self.counts()}


def school_reports(station: Station, ccts: list[str] | None = None,
                   cycle: str | None = None) -> list[SchoolReport]:
    """One report per school (default: every school in the roster; on a school station
    with its CCT set, only that school: it keeps and reports only its own school's data)."""
    own = station.settings["station.school_cct"].strip().upper()
    if not ccts:
        with station.db.read() as conn:
            ccts = [s.cct for s in ledger.list_schools(conn)]
    if own and station.settings["station.kind"] == "escuela":
        ccts = [c for c in ccts if c == own] or [own]
    _days, late = unattended_requests(station)
    out = []
    for cct in ccts:
        lists = school_lists(station, cct, cycle)
        out.append(SchoolReport(lists, sum(1 for u in late if u.request.cct == cct)))
    return out


def _private_tmp(out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    return tmp


def write_xlsx(reports: list[SchoolReport], out: Path) -> Path:
    wb = Workbook()
    summary = wb.active
    summary.title = "Resumen"
    summary.append(["CCT", "Escuela", "Ciclo", *(label for _k, label in COUNT_LABELS)])
    for r in reports:
        c = r.counts()
        summary.append([r.lists.school.cct, r.lists.school.nombre, r.lists.cycle,
                        *(c[k] for k, _label in COUNT_LABELS)])
    for r in reports:
        ws = wb.create_sheet(r.lists.school.cct)
        ws.append(["Alumno", "Grado", "Grupo", "Nuevo ingreso", "Situación", "Folio",
                   "Holograma"])
        for s in r.lists.students:
            ws.append([s.name, s.grado, s.grupo, "SÍ" if s.nuevo_ingreso else "NO",
                       s.words, s.folio, s.hologram])
        ws.column_dimensions["A"].width = 45
        ws.column_dimensions["E"].width = 50
    for ws in wb.worksheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
    tmp = _private_tmp(out)
    try:
        wb.save(tmp)
        os.replace(tmp, out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StorageError(f"No se pudo escribir el reporte {out}: {exc.strerror}.") from exc
    return out


def write_pdf(station: Station, reports: list[SchoolReport], out: Path) -> Path:
    cycle = reports[0].lists.cycle if reports else ""
    body: list[Table | str] = [Table(
        "Resumen por escuela", ("CCT", "Escuela", *(label for _k, label in COUNT_LABELS)),
        [(r.lists.school.cct, r.lists.school.nombre, *(r.counts()[k] for k, _l in COUNT_LABELS))
         for r in reports], (1.4, 3.6, *([1] * len(COUNT_LABELS)))), COUNT_NOTES]
    for r in reports:
        todo = [s for s in r.lists.students if s.need is not Need.COMPLETE]
        body.append(Table(
            f"{r.lists.school.nombre} ({r.lists.school.cct}): alumnos con algo pendiente",
            ("Alumno", "Grado y grupo", "Situación", "Folio"),
            [(s.name, f"{s.grado}° {s.grupo}", s.words, s.folio or "") for s in todo],
            (4, 1.2, 4, 1), empty="Todos los alumnos tienen credencial y holograma del ciclo."))
    doc = Document(
        title=f"Reporte de credencialización — ciclo {cycle}",
        header=[("Fecha", show_day(station.today())), ("Estación", station.settings["station.id"])],
        body=body, footer=f"Reporte de credencialización, ciclo {cycle}", landscape=True)
    return render_document(out, doc)
