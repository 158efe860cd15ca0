"""The services the kiosk calls: preview without folios, roster views, the diagnostic bundle,
settings from the screen, printing with progress (virtual CUPS printer)."""

from __future__ import annotations

import io
import json
import os
import stat
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from foundation.errors import InputError
from station.camera.qr_reader import read_qr_texts
from station.context import Station, update_settings
from station.printer.received import rasterize, received_documents
from station.services import diagnostics, lookup, preview, print_tasks
from station.services.issuance import Issuer, select_students
from station.store import ledger
from station.store.settings_file import load_settings


def _ledger_counts(station: Station) -> tuple[int, int, int, int]:
    with station.db.read() as conn:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore
                     for t in ("folio_uses", "cards", "sheets", "events"))


def _qr_texts(png: bytes) -> list[str]:
    return [qr.text for qr in read_qr_texts(Image.open(io.BytesIO(png)))]


def test_preview_uses_no_folio_and_carries_no_credential(
        prepared_station: tuple[Station, str, list[str]]) -> None:
    station, cct, curps = prepared_station
    before = _ledger_counts(station)
    plan = preview.plan_print(station, cct, curps[:3])
    assert (plan.cards, len(plan.sheets), plan.cancelled) == (3, 1, 5)
    png = preview.render_preview(station, plan, 0, printer="pdf", dpi=110)
    assert _ledger_counts(station) == before  # nothing written: no folio, no card, no event
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (935, 1210)  # letter page at 110 dpi
    assert _qr_texts(png) == [preview.PREVIEW_QR_TEXT] * 3  # one per card, none a credential
    with pytest.raises(InputError):
        preview.render_preview(station, plan, 1, printer="pdf")


def test_preview_refuses_like_printing(prepared_station: tuple[Station, str, list[str]]) -> None:
    station, cct, curps = prepared_station
    with station.db.write() as conn:
        conn.execute("UPDATE students SET photo_hash = NULL WHERE curp = ?", (curps[0],))
    before = _ledger_counts(station)
    with pytest.raises(InputError, match="1 alumno no tiene fotografía"):
        preview.plan_print(station, cct, curps[:2])
    assert _ledger_counts(station) == before


def test_picture_of_a_produced_sheet_has_its_credentials(
        prepared_station: tuple[Station, str, list[str]]) -> None:
    station, cct, curps = prepared_station
    school, students = select_students(station, cct, curps[:2])
    sheet = Issuer(station, printer="pdf").produce(school, students)[0]
    texts = _qr_texts(preview.render_sheet_file(station, sheet.sheet_id, dpi=150))
    assert len(texts) == 2 and all(t.startswith("SC1:") for t in texts)


def test_reprint_plan_takes_the_students_of_a_spoiled_sheet(
        prepared_station: tuple[Station, str, list[str]]) -> None:
    station, cct, curps = prepared_station
    school, students = select_students(station, cct, curps[:3])
    sheet = Issuer(station, printer="pdf").produce(school, students)[0]
    with pytest.raises(Exception, match="no está marcada como dañada"):
        preview.plan_reprint(station, sheet.sheet_id)
    print_tasks.spoil_sheet(station, sheet.sheet_id, "atasco de papel")
    plan = preview.plan_reprint(station, sheet.sheet_id)
    assert [s.curp for s in plan.sheets[0].students] == curps[:3]


def test_roster_view_search_and_filters(prepared_station: tuple[Station, str, list[str]]) -> None:
    station, cct, curps = prepared_station
    entries = lookup.roster(station, cct)
    assert {e.curp for e in entries} == set(curps) and all(e.needs_card for e in entries)
    school, students = select_students(station, cct, curps[:1])
    Issuer(station, printer="pdf").produce(school, students)
    entries = lookup.roster(station, cct)
    issued = lookup.filter_roster(entries, status="issued")
    assert [e.curp for e in issued] == curps[:1] and issued[0].folio is not None
    assert len(lookup.filter_roster(entries, status="pending")) == len(curps) - 1
    target = next(e for e in entries if any(c in e.list_name for c in "ÁÉÍÓÚÑ"))
    plain = lookup.normalize(target.list_name).split()
    found = lookup.filter_roster(entries, query=f"{plain[-1][:3].lower()} {plain[0]}")
    assert target in found and len(found) < len(entries)
    summary = next(s for s in lookup.schools(station) if s.school.cct == cct)
    assert (summary.enrolled, summary.issued, summary.pending) == (len(curps), 1, len(curps) - 1)


def test_diagnostic_bundle_has_no_student_data(
        prepared_station: tuple[Station, str, list[str]]) -> None:
    station, _cct, curps = prepared_station
    log = station.data_dir / "logs" / "kiosk.log"
    log.parent.mkdir(exist_ok=True)
    # An old, unscrubbed log line (as an older release wrote it): made by this test, so it
    # is removed at the end — the suite's log-privacy check reads every log the run leaves.
    log.write_text(f"2026 ERROR FALLA 1 en pantalla roster: ValueError: {curps[0]} roto\n",
                   "utf-8")
    try:
        report = diagnostics.build_bundle(station, category="impresora",
                                          description=f"no imprime a {curps[1]}", printer=None,
                                          failures=["AB12CD34"])
        assert report.path.parent == station.data_dir / "reports" and report.audit_ok
        assert stat.S_IMODE(os.stat(report.path).st_mode) == 0o600
        with zipfile.ZipFile(report.path) as bundle:
            names = set(bundle.namelist())
            body = json.loads(bundle.read("reporte.json"))
            everything = b"".join(bundle.read(n) for n in names).decode("utf-8")
        assert names == {"reporte.json", "kiosk.log"}
        with station.db.read() as conn:
            everyone = [r[0] for r in conn.execute("SELECT curp FROM students")]
            students = ledger.get_students(conn, everyone).values()
        assert body["counts"]["students_enrolled"] == len(everyone) >= len(curps)
        assert body["counts"]["audit"]["ok"]
        assert body["settings"]["station.id"] == station.settings["station.id"]
        assert body["versions"]["kivy"] and body["recent_failures"] == ["AB12CD34"]
        assert not any(s.curp in everything for s in students)
        assert not any(s.full_name in everything for s in students)
        assert "[CURP]" in everything  # the log line and the description were scrubbed
        assert station.folder.problem_reports() == [report.path]
    finally:
        log.unlink()


def test_settings_from_the_screen(prepared_station: tuple[Station, str, list[str]]) -> None:
    station = prepared_station[0]
    update_settings(station, {"printer.queue": 'Cola "A"', "kiosk.lockout_s": 60})
    path = station.data_dir / "station.toml"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert station.settings["printer.queue"] == 'Cola "A"'
    reread = load_settings(path)
    assert reread["printer.queue"] == 'Cola "A"' and reread["kiosk.lockout_s"] == 60.0
    before = path.read_bytes()
    with pytest.raises(InputError, match="no existe"):
        update_settings(station, {"printer.color": "sí"})
    with pytest.raises(InputError, match="número"):
        update_settings(station, {"kiosk.lockout_s": "mucho"})
    assert path.read_bytes() == before and station.settings["printer.queue"] == 'Cola "A"'


def _use_printer(station: Station, printer: object) -> None:
    """Point the station's settings at the private virtual printer (as the printer screen)."""
    update_settings(station, {
        "printer.queue": printer.queue,  # type: ignore[attr-defined]
        "printer.cups_server": printer.cups_server})  # type: ignore[attr-defined]


@pytest.mark.cups
def test_print_batches_reports_progress_and_reaches_the_printer(
        prepared_station: tuple[Station, str, list[str]], virtual_printer: object,
        print_queue: object) -> None:
    station, cct, curps = prepared_station
    _use_printer(station, virtual_printer)
    docs = virtual_printer.documents_dir  # type: ignore[attr-defined]
    before = len(received_documents(docs))
    plan = preview.plan_print(station, cct, curps[:10])
    steps: list[tuple[float, str]] = []
    outcome = print_tasks.print_batches(station, [print_tasks.Batch(plan)],
                                        on_progress=lambda f, m: steps.append((f, m)))
    assert [p.folios for p in outcome.produced] and len(outcome.produced) == 2
    assert [j.state for j in outcome.jobs] == ["completed", "completed"]
    fractions = [f for f, _m in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("Hoja 2 de 2 preparada" in m for _f, m in steps)
    new = received_documents(docs)[before:]
    assert len([d for d in new if d.suffix != ".prn"]) == 2
    pages = rasterize(new[-1])
    assert len(read_qr_texts(pages[0])) == 2  # the second sheet: 2 cards, 6 void marks
    with station.db.read() as conn:
        states = [r[0] for r in conn.execute("SELECT state FROM sheets ORDER BY id")]
    assert states == ["sent", "sent"]
    print_tasks.confirm_sheets(station, [outcome.produced[0].sheet_id])
    spoiled = print_tasks.spoil_sheet(station, outcome.produced[1].sheet_id, "atasco de papel")
    assert spoiled.state == "spoiled" and spoiled.spoil_reason == "atasco de papel"


def test_unconfigured_printer_is_named_in_words(
        prepared_station: tuple[Station, str, list[str]]) -> None:
    station = prepared_station[0]
    with pytest.raises(Exception, match="No hay impresora de credenciales configurada"):
        print_tasks.open_queue(station)


def test_log_file_is_private_and_scrubbed(tmp_path: Path) -> None:
    from station.ui.logs import LOGGER, log_failure, setup_logging

    path = setup_logging(tmp_path / "logs" / "kiosk.log")
    try:
        raise ValueError("GOXL150826HJCNXNC2 nació 2015-08-26")
    except ValueError as exc:
        reference = log_failure(exc, screen="roster")
    for handler in LOGGER.handlers:
        handler.flush()
    text = path.read_text("utf-8")
    assert reference in text and "ValueError" in text and "test_ui_services.py" in text
    assert "GOXL150826HJCNXNC2" not in text and "2015-08-26" not in text
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


@pytest.mark.cups
def test_paused_printer_is_said_in_words_and_uses_no_folio(
        prepared_station: tuple[Station, str, list[str]], virtual_printer: object,
        print_queue: object) -> None:
    station, cct, curps = prepared_station
    _use_printer(station, virtual_printer)
    virtual_printer.pause_queue()  # type: ignore[attr-defined]
    status = print_tasks.printer_status(station)
    assert status.state == "stopped" and "pausa" in status.message_es
    plan = preview.plan_print(station, cct, curps[:2])
    before = _ledger_counts(station)
    with pytest.raises(Exception, match="en pausa") as refused:
        print_tasks.print_batches(station, [print_tasks.Batch(plan)],
                                  on_progress=lambda _f, _m: None)
    said = refused.value.user_message()  # type: ignore[attr-defined]
    assert "«Reanudar»" in said and "Ajustes" not in said  # a button every user has
    assert _ledger_counts(station) == before
