"""Printing, one way for both front doors: ``station print/send/reprint/specimen/calibrate``
and the touchscreen call these functions and only format what they return.

1. the destination is settled and, for a printer, checked before any folio is used
   (:func:`destination`: reachable, the queue there, not paused, accepting jobs);
2. the students are selected again (someone may have printed them meanwhile) and issued
   sheet by sheet (folios taken, cards marked issued, print file made);
3. each sheet goes to CUPS as its own job as soon as it is committed and is followed until
   CUPS is done with it, while the next sheets are made (``station.services.sheet_flow``);
   or each goes, as it is made, into one PDF (``station.printer.pdf_output.PdfBook``);
4. the operator then confirms each sheet or marks it spoiled (CUPS cannot see paper).

The touchscreen's ``on_progress(fraction, message)`` is called from the working threads
(the maker's and the sender's): 25 % of the bar for the print files made, the rest for what
the printer took.

>>> outcome = print_batches(station, [Batch(plan)], on_progress=print)   # doctest: +SKIP
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from foundation.errors import RuleViolation
from foundation.qr_draw import qr_symbol
from station.context import Station
from station.core.errors import PrinterError
from station.core.model import School, Student
from station.printer.cups_queue import JobStatus, PrintQueue, QueueStatus, probe_print_queue
from station.services.issuance import Issuer, ProducedSheet, reprint_selection, select_students
from station.services.preview import PrintPlan
from station.services.printer_check import (
    Trouble,
    error_trouble,
    ready_print_queue,
    status_trouble,
    trouble_of,
)
from station.services.printing import SheetJob, send_sheets
from station.services.sheet_flow import SheetStream
from station.services.supplies import check_stock_for_print
from station.store import sheet_records

Progress = Callable[[float, str], None]
OnSheet = Callable[[ProducedSheet, int, int], None]
OnJob = Callable[[int, JobStatus], None]
OnTrouble = Callable[[Trouble | None], None]

PDF_PRINTER = "pdf"
"""The printer name of sheets written to a PDF file (their calibration is kept under it)."""

SPOIL_REASONS = ("atasco de papel", "tinta corrida o falta de tinta", "impresión desalineada",
                 "hoja manchada o rota", "otra falla de impresión")  # fmt: skip
"""Reasons offered when a sheet came out wrong (recorded with the spoiled folios)."""

_PRODUCE_SHARE = 0.25
_JOB_SHARE = {"pending": 0.1, "held": 0.1, "processing": 0.5, "stopped": 0.5}


def forget_render_caches(*, rendering_idle: bool = False) -> None:
    """Drop the QR symbols the renderer keeps for reprints (a few MB after a long session);
    with ``rendering_idle`` (no sheet is being made) also its fonts, template images and
    prepared photos (~12 MB more)."""
    qr_symbol.cache_clear()
    if rendering_idle:
        from station.printer.card import forget_render_state

        forget_render_state()


# --- where sheets go -------------------------------------------------------------------------

def printer_key(station: Station, queue: str | None = None) -> str:
    """The printer a sheet records and its calibration is kept under: the queue asked for,
    else the configured one, else the PDF "printer"."""
    return queue or str(station.settings["printer.queue"] or "") or PDF_PRINTER


def configured_printer(station: Station) -> str:
    queue = str(station.settings["printer.queue"] or "")
    if not queue:
        raise PrinterError("No hay impresora de credenciales configurada en esta estación.",
                           way_out="Un director(a) puede elegirla en Ajustes > Impresora.")
    return queue


def _server(station: Station) -> str | None:
    return station.settings["printer.cups_server"] or None


def open_queue(station: Station, queue: str | None = None) -> PrintQueue:
    """The CUPS queue (default: the configured one), checked (PrinterError in Spanish)."""
    return probe_print_queue(queue or configured_printer(station), server=_server(station))


def printer_status(station: Station) -> QueueStatus:
    """What the printer says now: state, problems in words, ink levels."""
    return open_queue(station).status()


def printer_trouble(station: Station) -> Trouble | None:
    """What stops the configured printer now, in a secretary's words; None when it can print
    (a printer that cannot be asked is a trouble too)."""
    try:
        return status_trouble(printer_status(station))
    except PrinterError as error:
        return error_trouble(error)


def resume_printer(station: Station) -> QueueStatus:
    """«Reanudar» on the touchscreen: enable the configured queue and let it accept jobs
    (harmless when it already does), then say how it is. Allowed to every signed-in user:
    it uses no folio and changes no setting (see :class:`Trouble`)."""
    queue = open_queue(station)
    queue.resume()
    return queue.status()


def ready_queue(station: Station, queue: str | None = None) -> PrintQueue:
    """The queue, refused by :func:`~station.services.printer_check.ready_print_queue` when
    paused or not accepting jobs: print files made now could not be sent, and their folios
    would wait."""
    return ready_print_queue(queue or configured_printer(station), server=_server(station))


@dataclass(frozen=True, slots=True)
class Destination:
    """A checked CUPS queue, or a PDF file (``queue`` None)."""

    printer: str
    queue: PrintQueue | None = None
    pdf_out: Path | None = None


def destination(station: Station, *, queue: str | None = None, pdf_out: Path | None = None,
                ready: bool = True) -> Destination:
    """Where sheets go: ``pdf_out`` when given, else the queue (default: the configured one),
    checked now, before any folio is used: reachable and, with ``ready``, not paused and
    accepting jobs (a print that uses no folio only needs the queue to exist)."""
    if pdf_out is not None:
        return Destination(queue or PDF_PRINTER, pdf_out=pdf_out)
    name = queue or configured_printer(station)
    return Destination(name, queue=ready_queue(station, name) if ready
                       else open_queue(station, name))


@dataclass
class PrintOutcome:
    produced: list[ProducedSheet] = field(default_factory=list)
    jobs: list[SheetJob] = field(default_factory=list)
    pdf: Path | None = None

    def job(self, sheet_id: int) -> SheetJob | None:
        return next((j for j in self.jobs if j.sheet_id == sheet_id), None)

    @property
    def not_sent(self) -> list[int]:
        """Sheets committed (folios taken, print file kept) that never reached the printer:
        they are sent again as they are, never issued again (see :func:`send_again`)."""
        return [j.sheet_id for j in self.jobs if j.state == "not-sent"]

    @property
    def sent(self) -> list[int]:
        return [j.sheet_id for j in self.jobs if j.state != "not-sent"]

    def to_json(self) -> dict[str, object]:
        answer: dict[str, object] = {"sheets": [p.to_json() for p in self.produced]}
        if self.pdf is not None:
            answer["pdf"] = str(self.pdf)
        else:
            answer["jobs"] = [j.to_json() for j in self.jobs]
        return answer


def deliver(station: Station, produced: Iterable[ProducedSheet], dest: Destination, *,
            on_job: OnJob | None = None) -> PrintOutcome:
    """Send sheets to the printer, one job each, or write them into one PDF, each as it comes.

    ``produced`` is a list (sheets made earlier) or sheets being made: a
    :class:`~station.services.sheet_flow.SheetStream` for a printer, a generator for a PDF.
    """
    if dest.queue is None:
        # pypdf (with fontTools, ~12 MB of Python objects) only for a PDF: the kiosk prints
        # through CUPS and should not carry it.
        from station.printer.pdf_output import PdfBook

        assert dest.pdf_out is not None
        made: list[ProducedSheet] = []
        with PdfBook(dest.pdf_out) as book:
            for sheet in produced:
                made.append(sheet)
                book.add(sheet.pdf)
            return PrintOutcome(made, pdf=book.finish())
    jobs = send_sheets(station, produced, dest.queue, printer=dest.printer, on_update=on_job)
    made = produced.made if isinstance(produced, SheetStream) else list(produced)
    return PrintOutcome(made, jobs)


def _deliver_as_made(station: Station, sheets: Iterator[ProducedSheet], dest: Destination, *,
                     on_job: OnJob | None = None) -> PrintOutcome:
    """:func:`deliver` sheets while they are made: for a printer the making runs in a worker
    thread, so the first sheet is at the printer while the next ones are made."""
    if dest.queue is None:
        return deliver(station, sheets, dest)
    with SheetStream(sheets) as stream:
        return deliver(station, stream, dest, on_job=on_job)


# --- the tasks ---------------------------------------------------------------------------------

def print_students(station: Station, school: School, students: Sequence[Student],
                   dest: Destination, *, reprint_of: int | None = None,
                   on_sheet: OnSheet | None = None, on_job: OnJob | None = None,
                   despite_stock: bool = False) -> PrintOutcome:
    """Issue the students' cards in sheets of 8 and deliver each as soon as it is made
    (refused first when the recorded stock would go below zero, unless ``despite_stock``)."""
    check_stock_for_print(station, len(students), despite_stock=despite_stock)
    sheets = Issuer(station, printer=dest.printer).sheets(
        school, students, reprint_of=reprint_of, on_sheet=on_sheet)
    return _deliver_as_made(station, sheets, dest, on_job=on_job)


def sheets_to_send(station: Station, sheet_ids: Sequence[int]) -> list[ProducedSheet]:
    """Sheets produced but never sent, as they were produced (same folios, same file)."""
    produced = []
    with station.db.read() as conn:
        for sheet_id in sheet_ids:
            record = sheet_records.get_sheet(conn, sheet_id)
            if record.state != "generated":
                raise RuleViolation(
                    f"La planilla {sheet_id} ya se envió a imprimir (estado: {record.state}).",
                    way_out="Si salió mal, márquela dañada y reimprímala con folios nuevos.")
            produced.append(ProducedSheet(sheet_id, station.sheets_dir / record.pdf_name,
                                          record.folios, record.cancelled))
    return produced


def reprint(station: Station, sheet_id: int, *, queue: str | None = None,
            pdf_out: Path | None = None, on_sheet: OnSheet | None = None,
            on_job: OnJob | None = None) -> PrintOutcome:
    """Print again, on new folios, the students of a spoiled sheet (checked first, then the
    printer)."""
    cct, curps = reprint_selection(station, sheet_id)
    school, students = select_students(station, cct, curps)
    dest = destination(station, queue=queue, pdf_out=pdf_out)
    return print_students(station, school, students, dest, reprint_of=sheet_id,
                          on_sheet=on_sheet, on_job=on_job)


def confirm_sheets(station: Station, sheet_ids: Sequence[int]) -> None:
    """The operator saw the sheets come out right."""
    with station.db.write() as conn:
        for sheet_id in sheet_ids:
            sheet_records.confirm(conn, sheet_id)


def undo_confirm(station: Station, sheet_id: int) -> sheet_records.SheetRecord:
    """Take back :func:`confirm_sheets` for one sheet: it is waiting for review again (an
    event records it; folios and cards are unchanged, so the audit still balances)."""
    with station.db.write() as conn:
        return sheet_records.unconfirm(conn, sheet_id)


def spoil_sheet(station: Station, sheet_id: int, reason: str) -> sheet_records.SheetRecord:
    """The sheet came out wrong: its folios are spoiled, its students pending again."""
    with station.db.write() as conn:
        return sheet_records.spoil(conn, sheet_id, reason=reason)


# --- the touchscreen's batches, with progress ------------------------------------------------

@dataclass(frozen=True, slots=True)
class Batch:
    """Students to print; ``reprint_of`` names the spoiled sheet they replace."""

    plan: PrintPlan
    reprint_of: int | None = None


def print_batches(station: Station, batches: Sequence[Batch], *,
                  on_progress: Progress, on_trouble: OnTrouble | None = None) -> PrintOutcome:
    """Issue and print every batch on the configured printer; see the module docstring.

    ``on_trouble`` hears the printer's problem while a sheet waits there (no paper, off…) and
    None once it is gone."""
    dest = destination(station)
    check_stock_for_print(station, sum(len(sheet.students) for b in batches
                                       for sheet in b.plan.sheets), despite_stock=False)
    issuer = Issuer(station, printer=dest.printer)
    progress = _BatchProgress(sum(len(b.plan.sheets) for b in batches), on_progress,
                              on_trouble)

    def sheets() -> Iterator[ProducedSheet]:
        for batch in batches:
            curps = [s.curp for sheet in batch.plan.sheets for s in sheet.students]
            school, students = select_students(station, batch.plan.school.cct, curps)
            yield from issuer.sheets(school, students, reprint_of=batch.reprint_of,
                                     on_sheet=progress.made)

    return _deliver_as_made(station, sheets(), dest, on_job=progress.job)


def send_again(station: Station, sheet_ids: Sequence[int], *,
               on_progress: Progress, on_trouble: OnTrouble | None = None) -> PrintOutcome:
    """Send, on the configured printer, sheets produced but never sent (same folios)."""
    dest = destination(station)
    produced = sheets_to_send(station, sheet_ids)
    progress = _BatchProgress(len(produced), on_progress, on_trouble)
    for sheet in produced:
        progress.made(sheet, 0, 0, quiet=True)
    on_progress(_PRODUCE_SHARE, "")
    return deliver(station, produced, dest, on_job=progress.job)


class _BatchProgress:
    """One bar for sheets made (25 %) and taken by the printer (the rest), fed from the
    maker's thread and the sender's at once."""

    def __init__(self, total: int, on_progress: Progress,
                 on_trouble: OnTrouble | None = None) -> None:
        self.total = max(1, total)
        self.on_progress = on_progress
        self.on_trouble = on_trouble
        self._trouble: Trouble | None = None
        self._lock = threading.Lock()
        self._order: dict[int, int] = {}
        self._printed = 0.0  # sheets the printer took, the current one in part

    def _fraction(self) -> float:
        made = len(self._order) / self.total
        return _PRODUCE_SHARE * made + (1 - _PRODUCE_SHARE) * self._printed / self.total

    def made(self, sheet: ProducedSheet, _index: int, _count: int, *,
             quiet: bool = False) -> None:
        with self._lock:
            self._order[sheet.sheet_id] = len(self._order)
            if quiet:
                return
            done = len(self._order)
            self.on_progress(self._fraction(),
                             f"Hoja {done} de {self.total} preparada (folios "
                             f"{sheet.folios[0]:07d} a {sheet.folios[-1]:07d}).")

    def job(self, sheet_id: int, status: JobStatus) -> None:
        with self._lock:
            index = self._order.get(sheet_id, 0)
            share = 1.0 if status.final else _JOB_SHARE.get(status.state, 0.3)
            self._printed = max(self._printed, index + share)
            self.on_progress(self._fraction(),
                             f"Hoja {index + 1} de {self.total}: {status.message_es}")
            trouble = None if status.final else trouble_of(status.printer_reasons)
            if self.on_trouble is not None and trouble != self._trouble:
                self.on_trouble(trouble)
            self._trouble = trouble


# --- prints that use no folio ----------------------------------------------------------------

def print_without_folios(station: Station, kind: str, dest: Destination, *,
               on_update: Callable[[JobStatus], None] | None = None) -> JobStatus | Path:
    """Print a specimen sheet (``kind="specimen"``) or the calibration page: no folio used.

    Follows the job until CUPS is done with it and returns its last status; with a PDF
    destination, writes the file and returns its path.
    """
    from station.services.calibration_prints import calibration_pdf, specimen_pdf

    if kind == "specimen":
        pdf, title = specimen_pdf(station, printer=dest.printer), "Espécimen"
    else:
        pdf, title = calibration_pdf(station, printer=dest.printer), "Calibración"
    if dest.queue is None:
        assert dest.pdf_out is not None
        # Like the sheets' PDF: folders made, written atomically, refusals in words.
        from station.printer.pdf_output import combine_pdfs

        return combine_pdfs([pdf], dest.pdf_out)
    return _submit(station, dest.queue, pdf, title, on_update)


def print_test_page(station: Station, kind: str, *, on_progress: Progress) -> JobStatus:
    """:func:`print_without_folios` on the configured printer, with the touchscreen's progress."""
    dest = destination(station, ready=False)
    on_progress(0.2, "Enviando a la impresora…")
    status = print_without_folios(station, kind, dest, on_update=_job_words(on_progress))
    assert isinstance(status, JobStatus)
    return status


def print_document(station: Station, pdf: Path, *, title: str,
                   on_progress: Progress) -> JobStatus:
    """Print a document (a resupply request, an acknowledgement): no folio, no card."""
    queue = open_queue(station)
    on_progress(0.2, "Enviando a la impresora…")
    return _submit(station, queue, pdf, title, _job_words(on_progress))


def _submit(station: Station, queue: PrintQueue, pdf: Path, title: str,
            on_update: Callable[[JobStatus], None] | None) -> JobStatus:
    job_id = queue.submit(pdf, title=title)
    return queue.follow(job_id, timeout_s=float(station.settings["printer.job_timeout_s"]),
                        on_update=on_update)


def _job_words(on_progress: Progress) -> Callable[[JobStatus], None]:
    return lambda s: on_progress(0.6 if not s.final else 1.0, s.message_es)
