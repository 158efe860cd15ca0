"""Printer trouble fixed by touch, as an operator meets it (issue 16).

Four troubles, each shown, photographed and fixed by its button: a queue that rejects jobs
(on the print preview), a queue paused just before printing, no paper while a sheet waits at
the printer, and the printer switched off while printing (on the progress screen). The
printer is the test's virtual one; the scenario asks the test to break and mend it (pause,
reject, take the paper out, pull the plug…) through :func:`ask`, and to read the queue back
through pycups after each button, so the test process is the witness, not the kiosk.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from kiosk_pilot.autopilot import Pilot, Step
from kiosk_pilot.scenarios import all_students, go_home, sign_in
from station.ui.machine import State


def _data(pilot: Pilot) -> dict[str, Any]:
    return pilot.report.data


def ask(pilot: Pilot, command: str, into: str | None = None) -> Step:
    """Have the test do ``command`` to the virtual printer and wait until it is done; with
    ``into``, keep its answer (the queue as pycups reads it) in the report."""
    folder = Path(pilot.config["printer_remote"])
    name = f"{time.monotonic_ns()}"
    done = folder / f"{name}.done"
    (folder / f"{name}.tmp").write_text(command, "utf-8")
    (folder / f"{name}.tmp").replace(folder / f"{name}.cmd")
    yield from pilot.until(done.exists, f"la impresora virtual: {command}", 40)
    answer = json.loads(done.read_text("utf-8") or "null")
    if into is not None:
        _data(pilot)[into] = answer


def open_preview(pilot: Pilot, curp: str) -> Step:
    """Home → Alumnos → tick one student → Imprimir selección → the preview."""
    yield from go_home(pilot)
    yield from all_students(pilot)
    yield from pilot.tap_payload("row_check", lambda p: p == curp, "alumno a imprimir")
    yield from pilot.tap("print_selected")
    yield from pilot.at("print_preview")


def _seen(pilot: Pilot, case: str, headline_kid: str, button_kid: str) -> None:
    """What the screen shows of a trouble: texts, the headline's colour and where it is."""
    from kivy.core.window import Window

    headline = pilot.find(headline_kid)
    assert headline is not None
    x, y = headline.to_window(headline.x, headline.y)
    bar = pilot.app.manager.current_screen.topbar
    _data(pilot)[case] = {
        "state": pilot.state, "headline": headline.text, "color": list(headline.color),
        "rect": [x, y, headline.width, headline.height], "window": [Window.width,
                                                                   Window.height],
        "fix": pilot.text_of("trouble_fix"), "button": pilot.text_of(button_kid),
        "message": pilot.text_of("progress_message"),
        "bar_bottom": bar.to_window(bar.x, bar.y)[1], "under_bar": _under_bar(pilot)}


def _under_bar(pilot: Pilot) -> list[str]:
    """Texts of the screen's body pushed up under the top bar (a layout too tall for it)."""
    from kivy.uix.label import Label

    screen = pilot.app.manager.current_screen
    bottom = screen.topbar.to_window(screen.topbar.x, screen.topbar.y)[1]
    return [w.text[:40] for w in screen.body.walk(restrict=True)
            if isinstance(w, Label) and w.text and w.opacity > 0
            and w.to_window(w.x, w.top)[1] > bottom + 1]


def _print_now(pilot: Pilot) -> Step:
    yield from pilot.tap("preview_print", timeout_s=60)
    yield from pilot.tap("confirm_print_yes")
    yield from pilot.at("print_progress")


def _headline_is(pilot: Pilot, words: str) -> bool:
    return pilot.state == "print_progress" and words in pilot.text_of("progress_headline") \
        and pilot.find("trouble_action") is not None


def printer_trouble_flow(pilot: Pilot) -> Step:
    started = time.monotonic()
    for part in (_rejecting_paused_no_paper, _power_off):
        yield from part(pilot)
        pilot.report.timings[part.__name__] = round(time.monotonic() - started, 2)
        started = time.monotonic()


def _rejecting_paused_no_paper(pilot: Pilot) -> Step:
    """One sheet meets three troubles in a row, each fixed by its button."""
    first = pilot.config["print_curps"][0]
    yield from sign_in(pilot, "operator")

    # 1. The queue rejects jobs: said on the preview, «Reanudar» makes it accept them again.
    yield from ask(pilot, "reject")
    yield from open_preview(pilot, first)
    yield from pilot.until(lambda: "recibiendo" in pilot.text_of("trouble_headline"),
                           "aviso: no recibe trabajos", 30)
    _seen(pilot, "rejecting", "trouble_headline", "preview_retry")
    _data(pilot)["rejecting"]["print_enabled"] = not pilot.find("preview_print").disabled
    yield from pilot.shot("p1-impresora-no-recibe")
    yield from pilot.tap("preview_retry")
    yield from pilot.until(lambda: pilot.find("trouble_headline") is None
                           and not pilot.find("preview_print").disabled, "impresora lista", 30)
    yield from ask(pilot, "state", into="after_accept")

    # 2. Paused just before «Imprimir» (and the tray empty): nothing is made; «Reanudar»
    # resumes the queue and prints.
    yield from ask(pilot, "pause")
    yield from ask(pilot, "fault media-empty-error")
    yield from _print_now(pilot)
    yield from pilot.until(lambda: _headline_is(pilot, "en pausa"), "aviso: en pausa", 30)
    _seen(pilot, "paused", "progress_headline", "trouble_action")
    _data(pilot)["paused"]["review_enabled"] = not pilot.find("progress_review").disabled
    yield from pilot.shot("p2-impresora-en-pausa")
    yield from pilot.tap("trouble_action")

    # 3. No paper while the sheet waits at the printer: the headline turns to the warning.
    yield from pilot.until(lambda: _headline_is(pilot, "sin papel"), "aviso: sin papel", 60)
    yield from ask(pilot, "state", into="after_resume")
    _seen(pilot, "no_paper", "progress_headline", "trouble_action")
    yield from pilot.shot("p3-impresora-sin-papel")
    # «Reanudar» before the paper is in: the queue is made ready, the warning stays (resuming
    # does not make paper appear); with paper in the tray the sheet goes on by itself.
    yield from pilot.tap("trouble_action")
    yield from pilot.until(lambda: not pilot.find("trouble_action").disabled, "reanudar", 30)
    _data(pilot)["no_paper"]["headline_after_resume"] = pilot.text_of("progress_headline")
    yield from ask(pilot, "state", into="after_paper")
    yield from ask(pilot, "clear")  # the operator puts sheets in the tray
    yield from pilot.at("print_review", timeout_s=90)


def _power_off(pilot: Pilot) -> Step:
    """4. Switched off while printing: the warning, the chip on other screens, on again."""
    second = pilot.config["print_curps"][1]
    yield from ask(pilot, "kill")
    yield from open_preview(pilot, second)
    yield from _print_now(pilot)
    yield from pilot.until(lambda: _headline_is(pilot, "apagada"), "aviso: apagada", 60)
    _seen(pilot, "power_off", "progress_headline", "trouble_action")
    yield from pilot.shot("p4-impresora-apagada")
    # The operator may open the printer screen too: the same trouble, its button, and none
    # of the director's buttons (test sheet, another printer).
    yield from pilot.tap("progress_printer")
    yield from pilot.at("printer")
    yield from pilot.until(lambda: "apagada" in pilot.text_of("trouble_headline"),
                           "la impresora dice que está apagada", 30)
    _seen(pilot, "printer_screen", "trouble_headline", "trouble_action")
    _data(pilot)["printer_screen"]["buttons"] = sorted(
        kid for kid in ("printer_refresh", "printer_specimen", "printer_change")
        if pilot.find(kid) is not None)
    yield from pilot.shot("p6-pantalla-impresora-operador")
    # Its button works for the operator too: the queue is resumed, the printer asked again.
    yield from ask(pilot, "pause")  # (as CUPS may stop a queue whose printer went away)
    yield from pilot.tap("trouble_action")
    yield from pilot.until(lambda: pilot.find("trouble_action") is not None
                           and not pilot.find("trouble_action").disabled, "revisada", 30)
    yield from ask(pilot, "state", into="after_printer_screen")
    _data(pilot)["printer_screen"]["headline_after"] = pilot.text_of("trouble_headline")
    yield from pilot.tap("bar_back")
    yield from pilot.at("print_progress")
    yield from pilot.tap("progress_leave")
    yield from pilot.at("home")
    yield from pilot.until(lambda: pilot.find("bar_job") is not None, "ficha de la impresión")
    _data(pilot)["chip"] = pilot.text_of("bar_job")
    yield from pilot.shot("p5-inicio-con-aviso-de-impresora")
    yield from pilot.tap("bar_job")
    yield from pilot.at("print_progress")
    # «Intentar de nuevo» while it is still off: the queue is made ready (CUPS may have
    # stopped it), the warning stays until the printer answers; the sheet then goes on alone.
    yield from pilot.tap("trouble_action")
    yield from pilot.until(lambda: not pilot.find("trouble_action").disabled, "reintento", 30)
    _data(pilot)["power_off"]["headline_after_retry"] = pilot.text_of("progress_headline")
    yield from ask(pilot, "state", into="after_retry_off")
    yield from ask(pilot, "restart")  # someone switches it on again
    yield from pilot.at("print_review", timeout_s=90)
    yield from ask(pilot, "state", into="after_power")
    progress = pilot.app.session.print_job
    _data(pilot)["last_job_state"] = getattr(progress, "state", None)
    yield from go_home(pilot)
    _data(pilot)["chip_after"] = pilot.text_of("bar_job") if pilot.find("bar_job") else ""
    _data(pilot)["review_state"] = str(State.PRINT_REVIEW)
