"""What a print will produce, shown before it exists; and the produced sheets, shown after.

Before printing (:func:`plan_print`, :func:`render_preview`): the same selection rules as
printing (every student checked, nothing written), the same sheet plan, the same renderer as
the print file — but no folio is taken: each card is drawn in specimen mode with the word
VISTA PREVIA where the folio goes and across the card, and cancelled positions carry their
void mark without a folio. Folios are assigned only when the print file is produced
(técnico 9), so looking costs nothing.

After printing (:func:`render_sheet_file`): a picture of the exact print file of a sheet, so
the operator compares the paper with the screen.

Pictures are PNG bytes rasterized by poppler's ``pdftoppm``; the temporary PDF (it holds
minors' photos) lives in a private folder that is deleted at once.

>>> plan = plan_print(station, "14DPR0001A", None)                  # doctest: +SKIP
>>> png = render_preview(station, plan, 0, printer="Credenciales")   # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from foundation.card_templates import load_sheet_layout, load_template
from foundation.credential.card import SHEET_SIZE
from foundation.errors import DomainError, InputError, RuleViolation
from station.core.model import CardFace, School, SheetFace, Student
from station.core.sheets import PlannedSheet, plan_sheets
from station.printer.sheet import render_sheets_pdf
from station.services.issuance import select_students
from station.services.station import Station
from station.store import ledger
from station.store.sheet_records import get_sheet

PREVIEW_WORDS = "VISTA PREVIA"
PREVIEW_QR_TEXT = "VISTA PREVIA SIN VALOR"
"""Text of the QR on preview cards: not a credential (and valid QR alphanumeric text)."""

DEFAULT_DPI = 72


@dataclass(frozen=True, slots=True)
class PrintPlan:
    """The sheets a print would make: students per sheet; blank positions get cancelled."""

    school: School
    sheets: tuple[PlannedSheet[Student], ...]

    @property
    def cards(self) -> int:
        return sum(len(s.students) for s in self.sheets)

    @property
    def cancelled(self) -> int:
        return sum(len(s.cancelled_positions) for s in self.sheets)

    def to_json(self) -> dict[str, object]:
        return {"cct": self.school.cct, "sheets": len(self.sheets), "cards": self.cards,
                "cancelled": self.cancelled}


def plan_print(station: Station, cct: str, curps: Sequence[str] | None) -> PrintPlan:
    """Check the selection exactly as printing will (``curps=None``: every pending student).

    Raises the same :class:`DomainError` printing would, before anything is written.
    """
    school, students = select_students(station, cct, None if curps is None else list(curps))
    return PrintPlan(school, tuple(plan_sheets(students)))


def plan_reprint(station: Station, sheet_id: int) -> PrintPlan:
    """The students of a spoiled sheet who still have no active card, planned again."""
    with station.db.read() as conn:
        sheet = get_sheet(conn, sheet_id)
        if sheet.state != "spoiled":
            raise RuleViolation(f"La planilla {sheet_id} no está marcada como dañada.",
                                way_out="Primero márquela como dañada.")
        curps = [c for c in sheet.students if ledger.active_card_folio(conn, c) is None]
    if not curps:
        raise RuleViolation(f"Todos los alumnos de la planilla {sheet_id} ya tienen otra "
                            "credencial.")
    return plan_print(station, sheet.cct, curps)


def _preview_template(station: Station) -> object:
    template = load_template(station.settings["card.template"])
    mark = dataclasses.replace(template.specimen, text=PREVIEW_WORDS, folio_text=PREVIEW_WORDS)
    return dataclasses.replace(template, specimen=mark)


def preview_face(station: Station, plan: PrintPlan, index: int) -> SheetFace:
    """The sheet ``index`` of ``plan`` as specimen cards with the students' names and photos."""
    planned = plan.sheets[index]
    with station.db.read() as conn:
        photos = ledger.photo_hashes(conn, [s.curp for s in planned.students])
    cards = {
        pos: CardFace(folio=None, name=student.full_name, school=plan.school,
                      photo=str(station.photos.path(photos[student.curp]))
                      if student.curp in photos else None,
                      qr_text=PREVIEW_QR_TEXT, specimen=True)
        for pos, student in enumerate(planned.students)
    }
    cancelled: dict[int, int | None] = {pos: None for pos in planned.cancelled_positions}
    return SheetFace(sheet_id=None, cards=cards, cancelled=cancelled)


def render_preview(station: Station, plan: PrintPlan, index: int, *, printer: str,
                   dpi: int = DEFAULT_DPI) -> bytes:
    """PNG of sheet ``index`` (0-based) of ``plan``, rendered like the print file, no folios."""
    if not 0 <= index < len(plan.sheets):
        raise InputError(f"La vista previa no tiene la hoja {index + 1}.")
    with station.db.read() as conn:
        calibration = ledger.get_calibration(conn, printer)
    with _private_dir() as folder:
        pdf = folder / "vista-previa.pdf"
        render_sheets_pdf(pdf, [preview_face(station, plan, index)],
                          template=_preview_template(station),  # type: ignore[arg-type]
                          layout=load_sheet_layout(station.settings["sheet.layout"]),
                          calibration=calibration)
        return rasterize_pdf(pdf, dpi=dpi, folder=folder)


def render_sheet_file(station: Station, sheet_id: int, *, dpi: int = DEFAULT_DPI) -> bytes:
    """PNG of the print file of a produced sheet (what was sent to the printer)."""
    with station.db.read() as conn:
        sheet = get_sheet(conn, sheet_id)
    pdf = station.sheets_dir / sheet.pdf_name
    if not pdf.is_file():
        raise InputError(f"No se encontró el archivo de la planilla {sheet_id}.",
                         way_out="Si la hoja salió mal, márquela dañada y reimprímala.")
    with _private_dir() as folder:
        return rasterize_pdf(pdf, dpi=dpi, folder=folder)


def rasterize_pdf(pdf: Path, *, dpi: int, folder: Path) -> bytes:
    """The first page of ``pdf`` as PNG bytes (poppler's pdftoppm)."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise DomainError("No se puede mostrar la imagen de la hoja: falta el programa "
                           "pdftoppm en la estación.",
                           way_out="Pida a soporte que instale el paquete poppler-utils.")
    root = folder / "pagina"
    try:
        subprocess.run([tool, "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile",
                        str(pdf), str(root)], check=True, capture_output=True, timeout=60)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError):
        raise DomainError("No se pudo dibujar la imagen de la hoja.",
                           way_out="Intente de nuevo; si sigue igual, reporte el problema."
                           ) from None
    return root.with_suffix(".png").read_bytes()


@contextmanager
def _private_dir() -> Iterator[Path]:
    """A 0700 temporary folder, deleted with its contents on the way out."""
    with tempfile.TemporaryDirectory(prefix="station-preview-") as name:
        yield Path(name)


__all__ = ["SHEET_SIZE", "PrintPlan", "plan_print", "plan_reprint", "preview_face",
           "rasterize_pdf", "render_preview", "render_sheet_file"]
