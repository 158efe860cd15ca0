"""The services behind the kiosk's administration screens, on real parts: the one printer
readiness check (CLI and kiosk), the CUPS queue list with states in words (a private cupsd
with a second, paused queue), and where a school report is saved (a real tmpfs mounted as a
USB drive)."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import require_part
from openpyxl import load_workbook
from plugin_station import prepare_station
from plugin_ui import add_paused_queue
from pypdf import PdfReader

from station.context import open_station
from station.printer.cups_queue import QueueStopped, list_queues
from station.printer.virtual_printer import _binary
from station.services import kiosk_admin
from station.services.printer_check import ready_print_queue


@pytest.fixture
def second_queue(virtual_printer: object) -> Iterator[str]:
    name = add_paused_queue(virtual_printer, "Oficina")
    try:
        yield name
    finally:
        subprocess.run([_binary("lpadmin"), "-h", virtual_printer.cups_server,  # type: ignore[attr-defined]
                        "-x", name], capture_output=True, check=False, timeout=30)


@pytest.mark.cups
def test_queues_listed_with_their_state_in_words(virtual_printer: object, print_queue: object,
                                                 second_queue: str) -> None:
    server = virtual_printer.cups_server  # type: ignore[attr-defined]
    card = virtual_printer.queue  # type: ignore[attr-defined]
    queues = {q.name: q for q in list_queues(server)}
    assert set(queues) == {card, second_queue}
    assert (queues[card].state_word, queues[card].ready, queues[card].accepting) == (
        "lista", True, True)
    paused = queues[second_queue]
    assert (paused.state, paused.state_word, paused.ready) == ("stopped", "en pausa", False)
    assert paused.description == "Impresora de la oficina"
    assert "en pausa" in paused.message_es and "no acepta" not in paused.message_es
    # The one readiness check: the card queue passes, the paused one is refused in words.
    assert ready_print_queue(card, server=server).status().state == "idle"
    with pytest.raises(QueueStopped) as refused:
        ready_print_queue(second_queue, server=server)
    assert "«Oficina» está en pausa" in refused.value.message
    assert "cupsenable" not in (refused.value.way_out or "")  # the kiosk reads words
    assert refused.value.command == "cupsenable Oficina && cupsaccept Oficina"
    assert "no se usó ningún folio" in (refused.value.way_out or "").lower()


def test_school_report_goes_to_exports_without_a_usb_drive(tmp_path: Path) -> None:
    cct, _curps = prepare_station(tmp_path / "station", students=12)
    station = open_station(tmp_path / "station")
    try:
        report = kiosk_admin.school_report(station, cct)
        saved = kiosk_admin.save_school_report(station, cct, "xlsx",
                                               media_root=tmp_path / "media")
    finally:
        station.close()
    assert not saved.on_usb and saved.path.parent == tmp_path / "station" / "exports"
    assert stat.S_IMODE(saved.path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(saved.path.stat().st_mode) == 0o600
    assert saved.path.name in saved.where_es and str(saved.path) not in saved.where_es
    rows = list(load_workbook(saved.path)["Resumen"].values)
    assert rows[1][0] == cct and rows[1][3] == report.counts()["enrolled"] > 0


def test_school_report_goes_to_a_mounted_usb_drive(tmp_path: Path) -> None:
    drive = tmp_path / "media" / "operador" / "KINGSTON"
    drive.mkdir(parents=True)
    (tmp_path / "media" / "no-montada").mkdir()  # a plain folder is not a drive
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "usb", str(drive)],
        capture_output=True, check=False).returncode == 0
    require_part(mounted, "mounting a tmpfs as a USB drive (root, CAP_SYS_ADMIN)")
    try:
        assert kiosk_admin.usb_drives(tmp_path / "media") == [drive]
        cct, _curps = prepare_station(tmp_path / "station", students=12)
        station = open_station(tmp_path / "station")
        try:
            saved = kiosk_admin.save_school_report(station, cct, "pdf",
                                                   media_root=tmp_path / "media")
        finally:
            station.close()
        assert saved.on_usb and saved.path.parent == drive
        assert "memoria USB «KINGSTON»" in saved.where_es
        text = PdfReader(saved.path).pages[0].extract_text()
        assert cct in text and "Inscritos" in text
        assert not (tmp_path / "station" / "exports").exists()
    finally:
        subprocess.run(["umount", str(drive)], capture_output=True, check=False)
