"""Printing from the touchscreen: the same steps as ``station print``, with progress.

1. the printer is checked before any folio is used (:func:`ready_queue`, the same check as
   ``station print``: reachable, the queue there, not paused, accepting jobs);
2. the students of each planned batch are selected again (someone may have printed them
   meanwhile) and issued sheet by sheet (folios taken, cards marked issued, print file made);
3. each sheet goes to CUPS as its own job and is followed until CUPS is done with it;
4. the operator then confirms each sheet or marks it spoiled (CUPS cannot see paper).

``on_progress(fraction, message)`` is called from the working thread: 0–25 % while the print
files are made, the rest while the printer takes them.

>>> outcome = print_batches(station, [Batch(plan)], on_progress=print)   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from foundation.errors import RuleViolation
from station.core.errors import PrinterError
from station.printer.cups_queue import JobStatus, PrintQueue, QueueStatus, probe_print_queue
from station.services.issuance import Issuer, ProducedSheet, select_students
from station.services.preview import PrintPlan
from station.services.printer_check import ready_print_queue
from station.services.printing import SheetJob, send_sheets
from station.services.station import Station
from station.store import sheet_records

Progress = Callable[[float, str], None]

SPOIL_REASONS = ("atasco de papel", "tinta corrida o falta de tinta", "impresión desalineada",
                 "hoja manchada o rota", "otra falla de impresión")  # fmt: skip
"""Reasons offered when a sheet came out wrong (recorded with the spoiled folios)."""

_PRODUCE_SHARE = 0.25
_JOB_SHARE = {"pending": 0.1, "held": 0.1, "processing": 0.5, "stopped": 0.5}


@dataclass(frozen=True, slots=True)
class Batch:
    """Students to print; ``reprint_of`` names the spoiled sheet they replace."""

    plan: PrintPlan
    reprint_of: int | None = None


@dataclass
class PrintOutcome:
    produced: list[ProducedSheet] = field(default_factory=list)
    jobs: list[SheetJob] = field(default_factory=list)

    def job(self, sheet_id: int) -> SheetJob | None:
        return next((j for j in self.jobs if j.sheet_id == sheet_id), None)


def printer_name(station: Station) -> str:
    queue = str(station.settings["printer.queue"] or "")
    if not queue:
        raise PrinterError("No hay impresora de credenciales configurada en esta estación.",
                           way_out="Un director(a) puede elegirla en Ajustes > Impresora.")
    return queue


def open_queue(station: Station) -> PrintQueue:
    """The configured CUPS queue, checked (raises PrinterError in Spanish when it is not)."""
    return probe_print_queue(printer_name(station),
                             server=station.settings["printer.cups_server"] or None)


def printer_status(station: Station) -> QueueStatus:
    """What the printer says now: state, problems in words, ink levels."""
    return open_queue(station).status()


def ready_queue(station: Station) -> PrintQueue:
    """The configured queue, refused by :func:`~station.services.printer_check.
    ready_print_queue` (the same check as ``station print``) when paused or not accepting
    jobs: print files made now could not be sent, and their folios would wait."""
    return ready_print_queue(printer_name(station),
                             server=station.settings["printer.cups_server"] or None)


def print_batches(station: Station, batches: Sequence[Batch], *,
                  on_progress: Progress) -> PrintOutcome:
    """Issue and print every batch; see the module docstring for the steps."""
    queue = ready_queue(station)
    printer = printer_name(station)
    issuer = Issuer(station, printer=printer)
    outcome = PrintOutcome()
    total = sum(len(b.plan.sheets) for b in batches)
    done = 0
    for batch in batches:
        curps = [s.curp for sheet in batch.plan.sheets for s in sheet.students]
        school, students = select_students(station, batch.plan.school.cct, curps)

        def made(sheet: ProducedSheet, _index: int, _count: int) -> None:
            nonlocal done
            done += 1
            on_progress(_PRODUCE_SHARE * done / total,
                        f"Hoja {done} de {total} preparada (folios {sheet.folios[0]:07d} a "
                        f"{sheet.folios[-1]:07d}).")

        outcome.produced += issuer.produce(school, students, reprint_of=batch.reprint_of,
                                           on_sheet=made)
    outcome.jobs = _send(station, outcome.produced, queue, printer, on_progress)
    return outcome


def send_again(station: Station, sheet_ids: Sequence[int], *,
               on_progress: Progress) -> PrintOutcome:
    """Send sheets that were produced but never reached the printer (same folios)."""
    queue = ready_queue(station)
    produced = []
    with station.db.read() as conn:
        for sheet_id in sheet_ids:
            record = sheet_records.get_sheet(conn, sheet_id)
            if record.state != "generated":
                raise RuleViolation(f"La hoja {sheet_id} ya se envió a la impresora.",
                                    way_out="Si salió mal, márquela dañada y reimprímala.")
            data = record.to_json()
            produced.append(ProducedSheet(sheet_id, station.sheets_dir / record.pdf_name,
                                          tuple(data["folios"]),  # type: ignore[arg-type]
                                          tuple(data["cancelled"])))  # type: ignore[arg-type]
    on_progress(_PRODUCE_SHARE, "")
    return PrintOutcome(produced, _send(station, produced, queue, printer_name(station),
                                        on_progress))


def _send(station: Station, produced: list[ProducedSheet], queue: PrintQueue, printer: str,
          on_progress: Progress) -> list[SheetJob]:
    order = {p.sheet_id: i for i, p in enumerate(produced)}
    total = max(1, len(produced))

    def update(sheet_id: int, status: JobStatus) -> None:
        share = 1.0 if status.final else _JOB_SHARE.get(status.state, 0.3)
        fraction = _PRODUCE_SHARE + (1 - _PRODUCE_SHARE) * (order[sheet_id] + share) / total
        on_progress(fraction, f"Hoja {order[sheet_id] + 1} de {total}: {status.message_es}")

    return send_sheets(station, produced, queue, printer=printer, on_update=update)


def confirm_sheet(station: Station, sheet_id: int) -> None:
    """The operator saw the sheet come out right."""
    with station.db.write() as conn:
        sheet_records.confirm(conn, sheet_id)


def spoil_sheet(station: Station, sheet_id: int, reason: str) -> sheet_records.SheetRecord:
    """The sheet came out wrong: its folios are spoiled, its students pending again."""
    with station.db.write() as conn:
        return sheet_records.spoil(conn, sheet_id, reason=reason)


def print_test_page(station: Station, kind: str, *, on_progress: Progress) -> JobStatus:
    """Print a specimen sheet (``kind="specimen"``) or the calibration page: no folio used.

    Follows the job until CUPS is done with it and returns its last status.
    """
    from station.services.test_prints import calibration_pdf, specimen_pdf

    queue = open_queue(station)
    printer = printer_name(station)
    if kind == "specimen":
        pdf, title = specimen_pdf(station, printer=printer), "Espécimen"
    else:
        pdf, title = calibration_pdf(station, printer=printer), "Calibración"
    on_progress(0.2, "Enviando a la impresora…")
    job_id = queue.submit(pdf, title=title)
    return queue.follow(job_id, timeout_s=float(station.settings["printer.job_timeout_s"]),
                        on_update=lambda s: on_progress(0.6 if not s.final else 1.0,
                                                        s.message_es))


def print_document(station: Station, pdf: Path, *, title: str,
                   on_progress: Progress) -> JobStatus:
    """Print a document (a resupply request, an acknowledgement): no folio, no card."""
    queue = open_queue(station)
    on_progress(0.2, "Enviando a la impresora…")
    job_id = queue.submit(pdf, title=title)
    return queue.follow(job_id, timeout_s=float(station.settings["printer.job_timeout_s"]),
                        on_update=lambda s: on_progress(0.6 if not s.final else 1.0,
                                                        s.message_es))
