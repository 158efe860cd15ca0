"""Sending print files to a CUPS queue and following each job until it ends.

CUPS cannot see paper (see ../shared/PLATFORM-NOTES.md): a job that CUPS calls completed may
not have printed, so the station always asks the operator to confirm each sheet afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from station.context import Station
from station.core.errors import PrinterError
from station.printer.cups_queue import JobStatus, PrintQueue
from station.services.issuance import ProducedSheet
from station.services.sheet_flow import SheetStream
from station.store import sheet_records
from station.store.print_files import print_lock


@dataclass(frozen=True, slots=True)
class SheetJob:
    sheet_id: int
    job_id: int | None
    state: str
    message: str

    def to_json(self) -> dict[str, object]:
        return {"sheet": self.sheet_id, "job": self.job_id, "state": self.state,
                "message": self.message}


def send_sheets(
    station: Station, sheets: Iterable[ProducedSheet], queue: PrintQueue, *, printer: str,
    on_update: Callable[[int, JobStatus], None] | None = None,
) -> list[SheetJob]:
    """Submit each sheet as its own job and follow it; a printer error stops the rest.

    ``sheets`` may be a :class:`~station.services.sheet_flow.SheetStream`: each sheet is sent
    as soon as it is made, and a printer error also stops the making (no more folios are used
    for sheets that could not be sent). Sheets not sent stay 'generated' with their print file
    kept, so nothing is lost: they can be sent later with ``station send``.
    """
    # The fleet updater never switches versions (and restarts the kiosk) under a print.
    with print_lock(station.folder):
        return _send_each(station, sheets, queue, printer=printer, on_update=on_update)


def _send_each(
    station: Station, sheets: Iterable[ProducedSheet], queue: PrintQueue, *, printer: str,
    on_update: Callable[[int, JobStatus], None] | None,
) -> list[SheetJob]:
    timeout = float(station.settings["printer.job_timeout_s"])
    results: list[SheetJob] = []
    pending = iter(sheets)
    for sheet in pending:
        try:
            job_id = queue.submit(sheet.pdf, title=f"Planilla {sheet.sheet_id}")
        except PrinterError as exc:
            kept = ("La hoja quedó guardada con sus folios; se puede enviar otra vez cuando "
                    "la impresora esté lista.")
            results.append(SheetJob(sheet.sheet_id, None, "not-sent",
                                    f"{exc.user_message()} {kept}"))
            for rest in _already_made(pending):
                results.append(SheetJob(rest.sheet_id, None, "not-sent",
                                        "No se envió porque la impresora falló antes. "
                                        + kept))
            return results
        with station.db.write() as conn:
            sheet_records.mark_sent(conn, sheet.sheet_id, printer=printer, job_id=job_id)

        def report(status: JobStatus, sheet_id: int = sheet.sheet_id) -> None:
            if on_update:
                on_update(sheet_id, status)

        try:
            status = queue.follow(job_id, timeout_s=timeout, on_update=report)
        except PrinterError as exc:
            results.append(SheetJob(sheet.sheet_id, job_id, "unknown", exc.user_message()))
            continue
        results.append(SheetJob(sheet.sheet_id, job_id, status.state, status.message_es))
    return results


def _already_made(pending: Iterator[ProducedSheet]) -> list[ProducedSheet]:
    """After a printer failure: the sheets made but not sent. A stream makes no more, so the
    students of the sheets it did not start stay pending, with no folio used for them."""
    if isinstance(pending, SheetStream):
        before = len(pending.made)
        pending.close()
        return pending.made[before:]
    return list(pending)
