"""Printer trouble has a way out by touch (issue 16), on the real kiosk, CUPS and printer.

The kiosk runs ``kiosk_pilot.scenarios_printer`` at 800×480 (the tightest screen) signed in
as an operator, against a private cupsd and a virtual IPP printer owned by this process: the
scenario asks, through files (:class:`PrinterRemote`), for the printer to reject jobs, pause,
run out of paper, be switched off and on; this process does it and reads the queue back
through pycups after each button. Each trouble is checked on its screenshot: the headline
that names it in warning colours, the fix in words, and the button that resumes or retries;
then the ledger and the printer say the sheets were sent once, with the folios they had.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import require_part
from PIL import Image
from plugin_station import prepare_station
from plugin_ui import USERS, collect, launch_autopilot

from station.printer.cups_queue import CupsPrintQueue
from station.printer.received import received_documents
from station.printer.virtual_printer import VirtualPrinter, missing_parts
from station.ui.theme import Palette

pytestmark = pytest.mark.cups


class PrinterRemote:
    """Does to the virtual printer what the kiosk's scenario asks (``<n>.cmd`` files), and
    answers each in ``<n>.done`` with the queue as pycups reads it."""

    def __init__(self, printer: VirtualPrinter, folder: Path) -> None:
        self.printer = printer
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.done: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="printer-remote", daemon=True)

    def __enter__(self) -> PrinterRemote:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def queue_state(self) -> dict[str, Any]:
        status = CupsPrintQueue(self.printer.queue, server=self.printer.cups_server).status()
        return {"state": status.state, "accepting": status.accepting,
                "reasons": list(status.reasons)}

    def _do(self, command: str) -> Any:
        verb, _, arg = command.partition(" ")
        printer = self.printer
        actions = {"reject": printer.reject_jobs, "pause": printer.pause_queue,
                   "clear": printer.clear_fault, "kill": printer.kill_printer,
                   "restart": printer.restart_printer,
                   "fault": lambda: printer.set_fault(*arg.split(","))}
        if verb == "state":
            return self.queue_state()
        actions[verb]()
        return None

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            for request in sorted(self.folder.glob("*.cmd")):
                command = request.read_text("utf-8").strip()
                answer = self._do(command)
                self.done.append(command)
                temporary = request.with_suffix(".part")
                temporary.write_text(json.dumps(answer), "utf-8")
                temporary.replace(request.with_suffix(".done"))
                request.unlink()


def _prepare(folder: Path, printer: VirtualPrinter) -> dict[str, Any]:
    from station.context import open_station, update_settings
    from station.services import accounts

    cct, curps = prepare_station(folder, students=4)
    station = open_station(folder)
    try:
        name, role, pin = USERS["operator"]
        user = accounts.add_user(station, name, role, pin)
        update_settings(station, {"printer.queue": printer.queue,
                                  "printer.cups_server": printer.cups_server,
                                  "station.id": "ESC-PRUEBA-02"})
    finally:
        station.close()
    config = {"cct": cct, "print_curps": curps[:3], "printer_remote": str(folder / "remote"),
              "users": {"operator": {"id": user.id, "name": user.name, "pin": pin}}}
    (folder / "autopilot.json").write_text(json.dumps(config, ensure_ascii=False), "utf-8")
    return config


@pytest.fixture(scope="module")
def run(kiosk_env: dict[str, str], screens_dir: Path,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    require_part(not missing_parts(), "CUPS virtual printer: " + ", ".join(missing_parts()))
    base = tmp_path_factory.mktemp("printer-trouble")
    out = screens_dir / "impresora-800x480"
    with VirtualPrinter(base / "printer") as printer:
        data = base / "station"
        config = _prepare(data, printer)
        before = len(received_documents(printer.documents_dir))
        with PrinterRemote(printer, Path(config["printer_remote"])) as remote:
            report = collect(*launch_autopilot(data, "800x480", out, "printer_trouble",
                                               kiosk_env), timeout_s=240)
        received = [d for d in received_documents(printer.documents_dir)[before:]
                    if d.suffix != ".prn"]
        yield {"report": report, "data": data, "config": config, "received": received,
               "remote": remote.done, "queue_after": remote.queue_state()}


def test_the_scenario_completes(run: dict[str, Any]) -> None:
    report = run["report"]
    assert report["ok"], f"{report['error']}\n{report['steps'][-8:]}\n{report['stderr_tail']}"
    assert report["failures"] == [] and report["returncode"] == 0
    assert report["overflow"] == [] and report["small_targets"] == []


WARN = Palette.warn
CASES = {
    # case: (screenshot, headline, words of the fix, button)
    "rejecting": ("p1-impresora-no-recibe", "La impresora no está recibiendo trabajos",
                  "vuelva a recibir", "Reanudar"),
    "paused": ("p2-impresora-en-pausa", "La impresora está en pausa",
               "toque «Reanudar»", "Reanudar"),
    "no_paper": ("p3-impresora-sin-papel", "La impresora se quedó sin papel",
                 "Ponga hojas en la bandeja y toque «Reanudar».", "Reanudar"),
    "power_off": ("p4-impresora-apagada", "La impresora está apagada o desconectada",
                  "Enciéndala", "Intentar de nuevo"),
}


def _warn_pixels(shot: Path, rect: list[float], window: list[float]) -> tuple[int, int]:
    """(pixels of the warning colour in the headline's box, pixels of the soft warning
    background anywhere): the words are drawn in the warning tone, on a warning panel."""
    with Image.open(shot) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.int16)
    x, y, w, h = (round(v) for v in rect)
    top = round(window[1]) - (y + h)  # Kivy counts from the bottom, the PNG from the top
    box = pixels[max(top, 0):top + h, max(x, 0):x + w]
    strong = np.array([round(c * 255) for c in WARN[:3]])
    soft = np.array([round(c * 255) for c in Palette.warn_soft[:3]])
    near = (np.abs(box - strong).sum(axis=2) < 60).sum()
    panel = (np.abs(pixels - soft).sum(axis=2) < 12).sum()
    return int(near), int(panel)


@pytest.mark.parametrize("case", list(CASES))
def test_each_trouble_names_itself_in_warning_colours_with_its_fix_and_button(
        run: dict[str, Any], case: str) -> None:
    shot_name, headline, fix, button = CASES[case]
    seen = run["report"]["data"][case]
    assert seen["headline"] == headline
    assert seen["color"] == pytest.approx(list(WARN))
    assert fix in seen["fix"]
    assert seen["button"] == button
    _x, y, _w, h = seen["rect"]
    assert y + h <= seen["bar_bottom"] + 1 and y >= 0, f"{case}: the headline is off its room"
    assert seen["under_bar"] == [], f"{case}: texts pushed under the top bar"
    shot = run["report"]["shots"][shot_name]
    assert shot["state"] == seen["state"]
    near, panel = _warn_pixels(Path(shot["path"]), seen["rect"], seen["window"])
    assert near > 150, f"{case}: the headline is not drawn in the warning colour ({near})"
    assert panel > 5000, f"{case}: no warning panel on the screenshot ({panel})"


def test_the_calm_words_give_way_to_the_warning(run: dict[str, Any]) -> None:
    data = run["report"]["data"]
    for case in ("no_paper", "power_off"):  # while the sheet waits at the printer
        assert "Imprimiendo" not in data[case]["headline"]
    paused = data["paused"]  # refused before any sheet was made: said so, nothing to review
    assert "Preparando las hojas" not in paused["message"]
    assert "no se usó ningún folio" in paused["message"]
    assert paused["review_enabled"] is False
    assert data["rejecting"]["print_enabled"] is False
    # The operator's printer screen: the same words and button, not the director's buttons.
    screen = data["printer_screen"]
    assert (screen["state"], screen["headline"]) == ("printer", CASES["power_off"][1])
    assert screen["button"] == "Intentar de nuevo" and screen["buttons"] == ["printer_refresh"]
    assert screen["under_bar"] == []
    resumed = data["after_printer_screen"]  # paused meanwhile; its button resumed it
    assert resumed["state"] != "stopped" and "offline-report" in resumed["reasons"]
    assert screen["headline_after"] == CASES["power_off"][1]  # still off: still said
    # Off: the top bar's chip says it from any screen, and is gone once the job is done.
    assert data["chip"] == "apagada" and data["chip_after"] == ""


def test_the_buttons_really_resume_the_queue(run: dict[str, Any]) -> None:
    data = run["report"]["data"]
    assert data["after_accept"]["accepting"] is True
    for key in ("after_resume", "after_paper", "after_retry_off", "after_power"):
        assert data[key]["accepting"] is True and data[key]["state"] != "stopped", key
    assert "offline-report" in data["after_retry_off"]["reasons"]  # still off: still said
    assert data["no_paper"]["headline_after_resume"] == CASES["no_paper"][1]
    assert data["power_off"]["headline_after_retry"] == CASES["power_off"][1]
    assert run["queue_after"]["state"] == "idle"
    assert run["remote"].count("state") == 6


def test_each_sheet_was_issued_once_and_reached_the_printer(run: dict[str, Any]) -> None:
    conn = sqlite3.connect(f"file:{run['data'] / 'ledger.sqlite3'}?mode=ro", uri=True)
    try:
        sheets = conn.execute("SELECT id, state FROM sheets ORDER BY id").fetchall()
        issued = {r[0] for r in conn.execute(
            "SELECT curp FROM cards WHERE status = 'active'")}
    finally:
        conn.close()
    # The pause came before any folio: two prints, two sheets, none made twice.
    assert [state for _id, state in sheets] == ["sent", "sent"]
    assert set(run["config"]["print_curps"][:2]) <= issued
    names = " ".join(d.name.lower() for d in run["received"])
    assert len(run["received"]) == 2, names
    assert all(f"planilla_{sheet_id}." in names for sheet_id, _state in sheets)
