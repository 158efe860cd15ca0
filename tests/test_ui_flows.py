"""The kiosk driven by touch through every flow, at 800×480 and 1280×800, on real parts.

One kiosk process per resolution (Kivy allows one window per process), both at once, each
with its own station data, its own private CUPS and virtual printer, and video files as the
camera. The autopilot (``kiosk_pilot.scenarios.tour``) touches its way through sign-in,
roster, photo, print/review/reprint, verify, settings, supplies, holograms, procedures,
sync, problem report, failsafe and idle sign-out, and saves a screenshot of every screen
into ``artifacts/screens/<size>/``. These tests then check what it reported against the
ledger, the printer and the files.
"""

from __future__ import annotations

import json
import sqlite3
import stat
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import require_part
from PIL import Image
from plugin_ui import SIZES, collect, launch_autopilot, prepare_kiosk_data

from station.printer.received import received_documents
from station.printer.virtual_printer import VirtualPrinter, missing_parts
from station.services.lookup import normalize
from station.ui.registry import SCREENS

# The tour is one fixture of two whole kiosk sessions: past the suite's 10 minutes when the
# machine is loaded (load 25 on two cores measured); the steps themselves wait on state.
pytestmark = [pytest.mark.cups, pytest.mark.timeout(1700)]


@pytest.fixture(scope="module")
def tours(kiosk_env: dict[str, str], screens_dir: Path,
          tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    require_part(not missing_parts(), "CUPS virtual printer: " + ", ".join(missing_parts()))
    base = tmp_path_factory.mktemp("kiosk")
    runs: dict[str, dict[str, Any]] = {}
    printers = []
    try:
        for size in SIZES:
            printer = VirtualPrinter(base / f"printer-{size}").start()
            printers.append(printer)
            data = base / f"station-{size}"
            config = prepare_kiosk_data(data, printer=printer)
            out = screens_dir / size
            # Not emptied first: test_ui_setup and test_ui_sync save into the same folder,
            # maybe at this moment on the other worker; each shot is overwritten and the
            # checks read only the paths this run's report names.
            before = len(received_documents(printer.documents_dir))
            runs[size] = {"data": data, "config": config, "printer": printer,
                          "before": before, "out": out,
                          "launched": launch_autopilot(data, size, out, "tour", kiosk_env)}
        for run in runs.values():
            # A watchdog for a hung kiosk, not a pace: two kiosks share two cores with the
            # rest of the suite, and at a load of 28 the tour took over 15 minutes.
            run["report"] = collect(*run.pop("launched"), timeout_s=1400)
            run["received"] = [d for d in received_documents(run["printer"].documents_dir)
                               [run["before"]:] if d.suffix != ".prn"]
    finally:
        for printer in printers:
            printer.stop()
    return runs


def _db(run: dict[str, Any]) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{run['data'] / 'ledger.sqlite3'}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


@pytest.fixture(params=SIZES)
def run(request: pytest.FixtureRequest, tours: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return tours[request.param]


def test_the_tour_completes(run: dict[str, Any]) -> None:
    report = run["report"]
    assert report["ok"], f"{report['error']}\n{report['steps'][-8:]}\n{report['stderr_tail']}"
    assert report["returncode"] == 0
    # The one failure is the one the failsafe flow injects on purpose.
    assert len(report["failures"]) == 1


def test_every_screen_is_shown_and_saved(run: dict[str, Any]) -> None:
    shots = run["report"]["shots"]
    shown = {shot["state"] for shot in shots.values()}
    assert {state.value for state in SCREENS} <= shown
    width, height = (int(v) for v in run["report"]["size"].split("x"))
    for name, shot in shots.items():
        path = Path(shot["path"])
        assert path.parent == run["out"] and path.name == f"{name}.png"
        with Image.open(path) as image:
            assert image.size == (width, height), name
            pixels = np.asarray(image.convert("L"), dtype=np.float32)
        assert pixels.std() > 10, f"{name} looks blank"


def test_no_text_overflows_and_every_target_is_9_mm(run: dict[str, Any]) -> None:
    assert run["report"]["overflow"] == []
    assert run["report"]["small_targets"] == []


def test_sign_in_and_roles(run: dict[str, Any]) -> None:
    data = run["report"]["data"]
    assert data["wrong_pin_message"].startswith("PIN equivocado. Le quedan 4 intentos")
    assert "tile_settings" not in data["operator_tiles"]
    assert {"tile_settings", "tile_roster", "tile_verify"} <= set(data["director_tiles"])
    assert data["idle_signed_out"] is True
    assert "nadie usó la pantalla en 2 segundos" in data["idle_greeting"]  # says why
    with _db(run) as conn:
        users = {r["name"]: r["last_sign_in"] for r in conn.execute(
            "SELECT name, last_sign_in FROM kiosk_users")}
    assert users["Ana Ramírez"] and users["Mtro. Luis Herrera"]


def test_search_typed_on_the_keyboard(run: dict[str, Any]) -> None:
    search = run["report"]["data"]["search"]
    assert search["shown"] and all(search["typed"] in normalize(n) for n in search["shown"])


def test_roster_filters_fit_and_pick_a_class(run: dict[str, Any]) -> None:
    """Every chip inside the window and none over another (they wrap on 800×480); a grade
    and a group show only their students, and one tap ticks all of them."""
    data = run["report"]["data"]
    bounds = data["filter_bounds"]
    assert len(bounds) == 10
    for box in bounds:
        width, height = box["window"]
        assert 0 <= box["x"] < box["right"] <= width and 0 <= box["y"] < box["top"] <= height, box
    for i, one in enumerate(bounds):
        for other in bounds[i + 1:]:
            apart = (one["right"] <= other["x"] or other["right"] <= one["x"]
                     or one["top"] <= other["y"] or other["top"] <= one["y"])
            assert apart, (one, other)
    by_class = data["by_class"]
    assert by_class["shown"] and set(map(tuple, by_class["shown"])) == {
        (by_class["grado"], by_class["grupo"])}
    assert by_class["selected"] == by_class["shown_curps"] == by_class["expected"]


def test_a_print_takes_the_ready_and_names_the_others(run: dict[str, Any]) -> None:
    data = run["report"]["data"]
    partial = data["partial"]
    assert partial["preview_curps"] == [partial["ready"]]  # the ready one goes on
    assert "Se imprimirá 1 alumno." in partial["message"]
    assert "no tiene fotografía" in partial["message"] and "Tomar foto" in partial["message"]
    assert "ninguno de los alumnos elegidos" in data["no_photo_message"]  # alone: nothing


def test_a_drse_station_keeps_the_school_chosen(run: dict[str, Any]) -> None:
    """Chosen once in the roster: holograms, trámites and the report do not ask again."""
    assert run["report"]["data"].get("school_asked_again", []) == []


def test_keyboard_has_small_letters_and_a_visible_accent_key(run: dict[str, Any]) -> None:
    keyboard = run["report"]["data"]["keyboard"]
    assert keyboard["before"] == ["abc", "A", "´ acento"]
    assert keyboard["after"] == ["ABC", "a", "á é í ó ú"]


def test_photo_taken_by_the_camera_is_stored(run: dict[str, Any]) -> None:
    curp = run["config"]["no_photo"]
    with _db(run) as conn:
        digest = conn.execute("SELECT photo_hash FROM students WHERE curp = ?",
                              (curp,)).fetchone()[0]
    assert digest
    stored = next((run["data"] / "photos").rglob(f"{digest}.*"))
    with Image.open(stored) as photo:
        assert photo.format == "JPEG" and photo.height > photo.width >= 240
    assert run["report"]["data"]["photo_hints"][0]


def test_printing_review_and_reprint_in_the_ledger(run: dict[str, Any]) -> None:
    data = run["report"]["data"]
    produced, spoiled = data["produced_sheets"], data["spoiled_sheet"]
    reprinted = data["reprinted_sheets"]
    assert data["preview"]["pages"] == len(produced) == 2
    assert data["review_numbers"] == ["Hoja 1 de 2", "Hoja 2 de 2"]  # as the preview said
    assert "se cancelarán" in data["preview"]["detail"]
    with _db(run) as conn:
        sheets = {r["id"]: r for r in conn.execute("SELECT * FROM sheets")}
        active = {r[0] for r in conn.execute("SELECT curp FROM cards WHERE status='active'")}
        audit_events = [r[0] for r in conn.execute("SELECT kind FROM events")]
    assert [sheets[i]["state"] for i in produced] == ["confirmed", "spoiled"]
    assert sheets[spoiled]["spoil_reason"] == "atasco de papel"
    assert len(reprinted) == 1 and sheets[reprinted[0]]["reprint_of"] == spoiled
    assert sheets[reprinted[0]]["state"] == "confirmed"
    lost = data["lost_curp"]
    assert all(c in active for c in data["printed_curps"] if c != lost)
    assert audit_events.count("sheet_confirmed") >= 3


def test_what_reached_the_printer(run: dict[str, Any]) -> None:
    received = run["received"]
    # two sheets, the reprint, the specimen, the resupply request, the holograms' list
    assert len(received) == 6, [d.name for d in received]
    names = " ".join(d.name.lower() for d in received)
    assert "hologramas" in names
    sheets = [*run["report"]["data"]["produced_sheets"], *run["report"]["data"]["reprinted_sheets"]]
    assert all(f"planilla_{i}." in names for i in sheets)
    assert "cimen" in names and "solicitud" in names


def test_verify_from_the_camera(run: dict[str, Any]) -> None:
    data = run["report"]["data"]
    assert data["verdict_valid"]["headline"] in ("CREDENCIAL VÁLIDA",
                                                 "VÁLIDA, SIN HOLOGRAMA DEL CICLO")
    assert f"Folio {run['config']['valid_folio']:07d}" in data["verdict_valid"]["facts"]
    assert data["verdict_revoked"]["headline"] == "NO VÁLIDA: CANCELADA"
    assert "dañada" in data["verdict_revoked"]["reason"]


def test_settings_specimen_and_calibration(run: dict[str, Any]) -> None:
    data = run["report"]["data"]
    assert "no usa folios" in data["specimen_message"]
    queue = run["printer"].queue
    with _db(run) as conn:
        cal = conn.execute("SELECT dx_mm, dy_mm, scale FROM printer_calibration WHERE "
                           "printer = ?", (queue,)).fetchone()
    assert tuple(cal) == (pytest.approx(1.1), pytest.approx(-0.1), 1.0)


def test_supplies_holograms_and_procedures(run: dict[str, Any]) -> None:
    data = run["report"]["data"]
    with _db(run) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        applied = conn.execute("SELECT count(*) FROM hologram_uses WHERE state='applied'"
                               ).fetchone()[0]
        lost = conn.execute("SELECT status FROM cards WHERE curp = ? ORDER BY folio",
                            (data["lost_curp"],)).fetchall()
        kinds = [r[0] for r in conn.execute("SELECT kind FROM events ORDER BY seq")]
        payloads = " ".join(r[0] for r in conn.execute("SELECT payload FROM events"))
    assert "hologram_uses" in tables
    assert applied == data["holograms_needed"] > 1
    assert "revoked" in [r[0] for r in lost]
    assert "A123456" in payloads and "REM 778" in payloads
    assert any("decline" in k for k in kinds) and any("withdraw" in k for k in kinds)
    assert "solicitud-material-0001.pdf" in data["request_message"]
    assert (run["data"] / "documents" / "solicitud-material-0001.pdf").is_file()


def test_receipt_date_moves_by_month(run: dict[str, Any]) -> None:
    """The receipt's date picker: one tap went back a whole month (then forward again)."""
    from datetime import date

    today = date.fromisoformat(run["report"]["data"]["today"])
    last = date.fromordinal(today.replace(day=1).toordinal() - 1)  # in the month before
    shown = run["report"]["data"]["receipt_month_before"]
    assert shown.endswith(f"/{last.month:02d}/{last.year}"), shown


def test_problem_report_and_log_have_no_curp(run: dict[str, Any]) -> None:
    data = run["report"]["data"]
    reports = sorted((run["data"] / "reports").glob("reporte-*.zip"))
    assert len(reports) == 1 and reports[0].name in data["report_message"]
    with zipfile.ZipFile(reports[0]) as bundle:
        body = json.loads(bundle.read("reporte.json"))
        text = "".join(bundle.read(n).decode("utf-8") for n in bundle.namelist())
    assert body["description"] == "NO JALA EL PAPEL" and body["category"] == "impresora"
    log = (run["data"] / "logs" / "kiosk.log").read_text("utf-8")
    reference = run["report"]["failures"][0]
    assert reference in data["failsafe_reference"] and f"FALLA {reference}" in log
    assert data["after_failsafe_user"] == "Mtro. Luis Herrera"
    with _db(run) as conn:
        curps = [r[0] for r in conn.execute("SELECT curp FROM students")]
    for content in (text, log):
        assert "GOXL150826HJCNXNC2" not in content and not any(c in content for c in curps)


def test_camera_unplugged_mid_session_says_so_and_comes_back(run: dict[str, Any]) -> None:
    lost = run["report"]["data"]["camera_lost"]
    for state, shot in (("verify", "17b-verificar-camara-desconectada"),
                        ("photo", "09e-foto-camara-desconectada")):
        seen = lost[state]
        assert seen["banner"] == "Cámara desconectada, reconectando…"
        assert "Se perdió la cámara" in seen["notice"]
        assert seen["resumed_frames"] > 5 and seen["state_after"] == state
        assert "La cámara volvió" in seen["notice_after"]
        assert run["report"]["shots"][shot]["state"] == state
        # The message is on the screenshot: a red-outlined white banner over a dimmed frame.
        with Image.open(run["report"]["shots"][shot]["path"]) as image:
            pixels = np.asarray(image.convert("RGB"), dtype=np.int16)
        reddish = (pixels[..., 0] > 90) & (pixels[..., 1] < 40) & (pixels[..., 2] < 40)
        assert reddish.sum() > 200, shot
    assert lost["photo"]["hint"] == "Esperando la cámara…"


def test_printer_chosen_from_the_list_with_states_in_words(run: dict[str, Any]) -> None:
    data = run["report"]["data"]
    queue = run["printer"].queue
    rows = data["printer_list"]
    assert rows[queue] == {"word": "lista", "selected": True}
    assert rows["Oficina"] == {"word": "en pausa", "selected": False}
    assert data["paused_choice"]["queue"] == "Oficina"
    assert "en pausa" in data["paused_choice"]["notice"]
    assert data["queue_after"] == queue
    with (run["data"] / "station.toml").open("rb") as handle:
        assert tomllib.load(handle)["printer"]["queue"] == queue


def test_users_added_given_a_new_pin_disabled_and_enabled(run: dict[str, Any]) -> None:
    from station.context import open_station
    from station.services import accounts

    data = run["report"]["data"]
    assert "JUAN LOPEZ ya puede iniciar sesión" in data["user_added_message"]
    assert "no son iguales" in data["pin_mismatch_message"]
    assert data["after_disable"]["active"] is False and "desactivado" in data["after_disable"][
        "words"]
    assert data["after_enable"]["active"] is True
    added, reset = data["user_added"], data["pin_reset"]
    assert added["role"] == "operator"
    station = open_station(run["data"])
    try:
        assert accounts.authenticate(station, added["id"], added["pin"]).name == "JUAN LOPEZ"
        assert accounts.authenticate(station, reset["id"], reset["pin"]).role == "operator"
        with pytest.raises(accounts.SignInRefused):
            accounts.authenticate(station, reset["id"], run["config"]["users"]["operator"]["pin"])
    finally:
        station.close()


def test_holograms_recorded_only_once_stuck(run: dict[str, Any]) -> None:
    """The list to stick them by (grado, grupo, name) records nothing; a torn one is spoiled
    and its student gets the next serial; each confirmation records just what it says."""
    plan = run["report"]["data"]["plan"]
    assert plan["order"] == sorted(plan["order"]) and len(plan["order"]) > 1
    applied_before = {s for s, state in plan["applied_before"] if state == "applied"}
    assert not applied_before & set(plan["serials"])
    assert plan["after_spoil"][0] == plan["serials"][1]  # the next one on the roll
    after_one = {s for s, state in plan["applied_after_one"] if state == "applied"}
    assert after_one - applied_before == {plan["serials"][1]}
    assert (plan["serials"][0], "spoiled") in map(tuple, plan["applied_after_one"])
    pdf = next((run["data"] / "documents").glob("hologramas-*.pdf"))
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600


def test_a_damaged_hologram_is_recorded(run: dict[str, Any]) -> None:
    spoiled = run["report"]["data"]["hologram_spoiled"]
    with _db(run) as conn:
        row = conn.execute("SELECT state, reason, taken_by FROM hologram_uses WHERE serial = ?",
                           (spoiled["serial"],)).fetchone()
        events = [r[0] for r in conn.execute("SELECT kind FROM events")]
    assert tuple(row) == ("spoiled", "se rompió al despegarlo", "Lic. Sofía Navarro (DRSE)")
    assert "hologram_spoiled" in events
    assert "H000190" in spoiled["message"] and "dañado" in spoiled["message"]


def test_school_report_on_screen_and_saved_as_pdf_and_xlsx(run: dict[str, Any]) -> None:
    from openpyxl import load_workbook
    from pypdf import PdfReader

    data = run["report"]["data"]
    counts = {k: int(v) for k, v in data["report_counts"].items()}
    assert counts["enrolled"] >= counts["with_card"] > 0
    exports = run["data"] / "exports"
    pdf = next(exports.glob("reporte-*.pdf"))
    xlsx = next(exports.glob("reporte-*.xlsx"))
    for path, kind in ((pdf, "pdf"), (xlsx, "xlsx")):
        saved = data["report_saved"][kind]  # the file by its name; no path on screen
        assert path.name in saved and str(path.parent) not in saved
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert run["config"]["cct"] in text and "Reporte de credencialización" in text
    book = load_workbook(xlsx)
    assert book[run["config"]["cct"]].max_row - 1 == counts["enrolled"]  # one row a student
    sheet = book["Resumen"]
    header = [c.value for c in sheet[1]]
    values = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert values["Inscritos"] == counts["enrolled"]
    assert values["Con credencial"] == counts["with_card"]
    assert values["Pendientes"] == counts["pending"]
