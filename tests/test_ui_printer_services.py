"""The services behind the printer's buttons (issue 16), on the private CUPS and virtual printer.

«Reanudar» enables the queue and lets it accept jobs again through pycups; printer trouble is
named from what CUPS and the printer say; a print the printer refused half-way is sent again
with the sheets and folios it already had — never issued again.
"""

from __future__ import annotations

import pytest

from station.context import Station, update_settings
from station.printer.cups_queue import CupsPrintQueue
from station.printer.virtual_printer import VirtualPrinter
from station.services import preview, print_tasks
from station.store import sheet_records

pytestmark = pytest.mark.cups


def _use(station: Station, printer: VirtualPrinter) -> None:
    update_settings(station, {"printer.queue": printer.queue,
                              "printer.cups_server": printer.cups_server})


def test_resume_enables_and_accepts_and_trouble_is_named(
        prepared_station: tuple[Station, str, list[str]], virtual_printer: VirtualPrinter,
        print_queue: CupsPrintQueue) -> None:
    station, _cct, _curps = prepared_station
    _use(station, virtual_printer)
    assert print_tasks.printer_trouble(station) is None
    virtual_printer.pause_queue()
    virtual_printer.reject_jobs()
    trouble = print_tasks.printer_trouble(station)
    assert trouble is not None and (trouble.kind, trouble.action) == ("paused", "resume")
    after = print_tasks.resume_printer(station)
    assert (after.state, after.accepting) == ("idle", True)
    read_back = print_queue.status()  # another connection: CUPS itself changed
    assert (read_back.state, read_back.accepting) == ("idle", True)
    virtual_printer.reject_jobs()
    assert print_tasks.printer_trouble(station).kind == "rejecting"  # type: ignore[union-attr]
    virtual_printer.kill_printer()
    assert print_tasks.printer_trouble(station).kind == "offline"  # type: ignore[union-attr]
    update_settings(station, {"printer.queue": "NoExiste"})
    missing = print_tasks.printer_trouble(station)
    assert missing is not None and (missing.kind, missing.action) == ("no_queue", "call")
    assert "DRSE" in missing.fix


def test_sheets_refused_half_way_are_sent_again_with_their_folios(
        prepared_station: tuple[Station, str, list[str]], virtual_printer: VirtualPrinter,
        print_queue: CupsPrintQueue) -> None:
    station, cct, curps = prepared_station
    _use(station, virtual_printer)
    plan = preview.plan_print(station, cct, curps[:9])  # two sheets
    rejected: list[str] = []

    def progress(_fraction: float, message: str) -> None:
        # The first sheet is at CUPS: the queue stops taking jobs before the second.
        if message.startswith("Hoja 1 de 2:") and not rejected:
            virtual_printer.reject_jobs()
            rejected.append(message)

    outcome = print_tasks.print_batches(station, [print_tasks.Batch(plan)],
                                        on_progress=progress)
    assert rejected and len(outcome.produced) == 2
    first, second = (p.sheet_id for p in outcome.produced)
    assert (outcome.sent, outcome.not_sent) == ([first], [second])
    with station.db.read() as conn:
        waiting = sheet_records.get_sheet(conn, second)
        sheets_before = conn.execute("SELECT count(*) FROM sheets").fetchone()[0]
    assert waiting.state == "generated"

    told: list[object] = []
    print_tasks.resume_printer(station)
    again = print_tasks.send_again(station, outcome.not_sent, on_progress=lambda *_: None,
                                   on_trouble=told.append)
    assert [j.sheet_id for j in again.jobs] == [second] and again.not_sent == []
    with station.db.read() as conn:
        sent = sheet_records.get_sheet(conn, second)
        sheets_after = conn.execute("SELECT count(*) FROM sheets").fetchone()[0]
    assert sent.state == "sent" and sent.folios == waiting.folios  # same folios, sent once
    assert sheets_after == sheets_before
    assert told == []  # the printer had nothing to complain about
