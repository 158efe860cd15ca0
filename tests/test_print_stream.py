"""Sheets stream to the printer (issue 17): the first is at CUPS while the last is being made,
a printer failure stops the making, and ``--pdf`` grows one file as the sheets come."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from plugin_station import prepare_station
from pypdf import PdfReader
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from station.context import Station, open_station
from station.core.errors import PrinterError
from station.printer.cups_queue import CupsPrintQueue
from station.printer.pdf_output import PdfBook
from station.printer.virtual_printer import VirtualPrinter
from station.services.audit import audit_station
from station.services.issuance import ProducedSheet, select_students
from station.services.print_tasks import Destination, print_students
from station.services.sheet_flow import SheetStream
from station.store import ledger


@pytest.fixture(scope="module")
def three_sheet_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("stream") / "station"
    cct, curps = prepare_station(folder, students=60)
    assert 16 < len(curps) <= 24, len(curps)  # three sheets
    return folder, cct


@pytest.fixture
def three_sheets(three_sheet_template: tuple[Path, str], tmp_path: Path
                 ) -> Iterator[tuple[Station, str]]:
    template, cct = three_sheet_template
    shutil.copytree(template, tmp_path / "station")
    station = open_station(tmp_path / "station")
    yield station, cct
    station.close()


def _sheet_states(station: Station) -> dict[int, str]:
    with station.db.read() as conn:
        return {r[0]: r[1] for r in conn.execute("SELECT id, state FROM sheets")}


def test_the_first_sheet_is_at_the_printer_while_the_last_is_made(
        three_sheets: tuple[Station, str], virtual_printer: VirtualPrinter,
        print_queue: CupsPrintQueue) -> None:
    station, cct = three_sheets
    school, students = select_students(station, cct, None)
    seen_at_last: dict[int, str] = {}

    def on_sheet(sheet: ProducedSheet, index: int, total: int) -> None:
        if index < total:
            return
        # The last sheet is committed but not yet handed out: with streaming the first one
        # reaches CUPS meanwhile; made-all-then-send would wait here for ever.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            seen_at_last.update(_sheet_states(station))
            if "sent" in seen_at_last.values():
                return
            time.sleep(0.05)

    dest = Destination(virtual_printer.queue, queue=print_queue)
    outcome = print_students(station, school, students, dest, on_sheet=on_sheet)
    first = outcome.produced[0].sheet_id
    assert seen_at_last[first] == "sent", seen_at_last
    assert [j.state for j in outcome.jobs] == ["completed"] * 3
    assert [j.sheet_id for j in outcome.jobs] == [p.sheet_id for p in outcome.produced]
    assert set(_sheet_states(station).values()) == {"sent"}
    assert audit_station(station).ok


def test_a_printer_failure_stops_the_making_and_loses_nothing(
        three_sheets: tuple[Station, str], virtual_printer: VirtualPrinter,
        print_queue: CupsPrintQueue) -> None:
    station, cct = three_sheets
    school, students = select_students(station, cct, None)

    def on_sheet(sheet: ProducedSheet, index: int, _total: int) -> None:
        if index == 1:
            virtual_printer.pause_queue("Sin papel (prueba)")
        else:
            time.sleep(2)  # a slow sheet: the sender has long met the paused queue

    dest = Destination(virtual_printer.queue, queue=print_queue)
    outcome = print_students(station, school, students, dest, on_sheet=on_sheet)
    made = [p.sheet_id for p in outcome.produced]
    assert len(made) == 2  # the first, and the one being made when the printer failed
    assert [j.state for j in outcome.jobs] == ["not-sent", "not-sent"]
    assert "enviar otra vez" in outcome.jobs[1].message  # the kiosk's words (issue 16);
    assert "station send" not in outcome.jobs[1].message  # the command line adds the command
    assert _sheet_states(station) == dict.fromkeys(made, "generated")
    assert all((station.sheets_dir / f"planilla-{i:06d}.pdf").is_file() for i in made)
    with station.db.read() as conn:  # the third sheet's students were never given a folio
        assert len(ledger.pending_students(conn, cct)) == len(students) - 16
    assert audit_station(station).ok


def test_a_maker_error_comes_after_the_sheets_made_before_it() -> None:
    def made() -> Iterator[int]:
        yield 1
        yield 2
        raise PrinterError("La tercera hoja falló.")

    got = []
    with SheetStream(made()) as stream, pytest.raises(PrinterError, match="tercera"):
        for item in stream:
            got.append(item)
    assert got == [1, 2] and stream.made == [1, 2]


def test_closing_a_stream_stops_an_endless_maker() -> None:
    stopped = threading.Event()

    def endless() -> Iterator[int]:
        try:
            yield from itertools.count()
        finally:
            stopped.set()

    stream = SheetStream(endless())
    assert next(stream) == 0
    stream.close()
    # how far the maker got before close() is up to the scheduler; what it made is kept, in
    # order, and the source was closed
    assert stopped.is_set() and stream.made == list(range(len(stream.made)))


def _part(path: Path, *texts: str) -> Path:
    pdf = canvas.Canvas(str(path), pagesize=letter)
    for text in texts:
        pdf.drawString(72, 700, text)
        pdf.showPage()
    pdf.save()
    return path


def test_a_pdf_book_grows_as_parts_come_and_appears_whole(tmp_path: Path) -> None:
    parts = [_part(tmp_path / "a.pdf", "Planilla uno"),
             _part(tmp_path / "b.pdf", "Planilla dos", "Planilla tres")]
    out = tmp_path / "salida" / "todas.pdf"
    book = PdfBook(out)
    book.add(parts[0])
    size_after_one = book.tmp.stat().st_size
    assert size_after_one > 500 and not out.exists()  # written as it comes, not in place yet
    book.add(parts[1])
    assert book.finish() == out and not book.tmp.exists()
    assert out.stat().st_mode & 0o777 == 0o600

    reader = PdfReader(out, strict=True)
    assert len(reader.pages) == 3
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert [p.strip() for p in pages] == ["Planilla uno", "Planilla dos", "Planilla tres"]


def test_a_failed_pdf_book_leaves_the_old_file_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "todas.pdf"
    out.write_bytes(b"la version anterior")
    broken = tmp_path / "rota.pdf"
    broken.write_bytes(b"%PDF-1.4 esto no es un PDF")
    with PdfBook(out) as book:
        book.add(_part(tmp_path / "a.pdf", "Planilla uno"))
        with pytest.raises(PrinterError, match="No se pudo escribir el archivo"):
            book.add(broken)
    assert out.read_bytes() == b"la version anterior"
    assert not book.tmp.exists()
    assert shutil.which("pdftotext") is not None and os.access(out, os.R_OK)
