"""`station print` through a real private cupsd and a virtual IPP Everywhere printer."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from station.camera.qr_reader import read_qr_texts
from station.context import open_station
from station.printer.received import rasterize, received_documents
from station.printer.virtual_printer import VirtualPrinter
from station.services.verification import verify_texts
from station.store.sheet_records import get_sheet


def configure(data: Path, printer: VirtualPrinter, *, timeout_s: float = 60) -> None:
    (data / "station.toml").write_text(
        f'[printer]\nqueue = "{printer.queue}"\ncups_server = "{printer.cups_server}"\n'
        f"job_timeout_s = {timeout_s}\n", "utf-8")


def station_cli(data: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "station.cli", "--data", str(data), *args],
                          capture_output=True, text=True, timeout=timeout)


def test_batch_reaches_the_printer_and_its_qr_verifies(prepared_station, virtual_printer):
    station, cct, _curps = prepared_station
    data = station.data_dir
    station.close()
    configure(data, virtual_printer)
    before = set(received_documents(virtual_printer.documents_dir))
    done = station_cli(data, "print", "--school", cct, "--all-pending", "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    sheets = answer["sheets"]
    assert [j["state"] for j in answer["jobs"]] == ["completed"] * len(sheets)

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        new = [p for p in received_documents(virtual_printer.documents_dir) if p not in before]
        if len(new) == len(sheets):
            break
        time.sleep(0.2)
    pages = [page for doc in new for page in rasterize(doc, dpi=300)]
    assert len(pages) == len(sheets)

    station = open_station(data)
    try:
        # Each received page carries the QRs of its sheet, readable and valid.
        for page, sheet in zip(pages, sheets, strict=True):
            texts = [qr.text for qr in read_qr_texts(page)]
            results = verify_texts(station, texts)
            assert [r.verdict.value for r in results] == ["valid"] * len(sheet["folios"])
            assert [r.claims.folio for r in results if r.claims] == sheet["folios"]
        with station.db.read() as conn:
            states = {get_sheet(conn, s["sheet"]).state for s in sheets}
        assert states == {"sent"}  # only the operator can say the paper came out right
    finally:
        station.close()


def test_printer_dying_mid_job_is_reported_and_recoverable(prepared_station, tmp_path):
    station, cct, curps = prepared_station
    data = station.data_dir
    station.close()
    with VirtualPrinter(tmp_path / "slow", slow=True) as printer:
        configure(data, printer, timeout_s=6)
        proc = subprocess.Popen(
            [sys.executable, "-m", "station.cli", "--data", str(data), "print", "--school", cct,
             "--curp", curps[0], "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        # Wait until the job is at the printer, then pull the plug.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            station = open_station(data)
            with station.db.read() as conn:
                sent = conn.execute("SELECT count(*) FROM sheets WHERE state = 'sent'").fetchone()
            station.close()
            if sent[0]:
                break
            time.sleep(0.1)
        time.sleep(0.5)
        printer.kill_printer()
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    answer = json.loads(out)
    job = answer["jobs"][0]
    # CUPS cannot see paper: the station must not claim success, and says what it saw.
    assert job["state"] != "completed" or "Confirme" in job["message"]
    assert job["message"]
    sheet_id = answer["sheets"][0]["sheet"]
    station = open_station(data)
    try:
        with station.db.read() as conn:
            sheet = get_sheet(conn, sheet_id)
        assert sheet.state == "sent" and sheet.cups_job_id == job["job"]
    finally:
        station.close()
    # The operator saw nothing come out: spoil and reprint on new folios; the audit holds.
    spoiled = station_cli(data, "spoil", "--sheet", str(sheet_id), "--reason",
                          "la impresora se apagó")
    assert spoiled.returncode == 0, spoiled.stderr
    reprint = station_cli(data, "reprint", "--sheet", str(sheet_id), "--pdf",
                          str(tmp_path / "re.pdf"), "--json")
    assert reprint.returncode == 0, reprint.stderr
    audit = json.loads(station_cli(data, "audit", "--json").stdout)
    assert audit["ok"] and audit["spoiled"] == 1 and audit["issued"] == 1


def test_unreachable_cups_is_said_in_words_and_nothing_is_lost(prepared_station, tmp_path):
    station, cct, curps = prepared_station
    data = station.data_dir
    station.close()
    (data / "station.toml").write_text(
        '[printer]\nqueue = "Credenciales"\ncups_server = "127.0.0.1:9"\n', "utf-8")
    done = station_cli(data, "print", "--school", cct, "--curp", curps[0])
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "CUPS" in done.stderr or "impresi" in done.stderr
    # The printer is checked before any folio is used: nothing was issued.
    audit = json.loads(station_cli(data, "audit", "--json").stdout)
    assert audit["ok"] and audit["issued"] == 0 and audit["cancelled"] == 0


def test_paused_queue_is_refused_before_any_folio(prepared_station, virtual_printer):
    station, cct, curps = prepared_station
    data = station.data_dir
    station.close()
    configure(data, virtual_printer)
    virtual_printer.pause_queue()
    try:
        done = station_cli(data, "print", "--school", cct, "--curp", curps[0])
    finally:
        virtual_printer.resume_queue()
    assert done.returncode == 1
    assert "en pausa" in done.stderr and "no se usó ningún folio" in done.stderr.lower()
    audit = json.loads(station_cli(data, "audit", "--json").stdout)
    assert audit["ok"] and audit["issued"] == 0 and audit["cancelled"] == 0
