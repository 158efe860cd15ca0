"""Autopilot scenario for what the sync screen reports beyond events: problem reports sent
or refused, a withdrawn station, central's settings refused, the software version and its
update; and the health marker the kiosk writes after its first frame.

The test (``tests/test_ui_sync.py``) writes those states into a real station data folder
through the store and updater functions before the kiosk starts; this scenario only looks.
"""

from __future__ import annotations

from typing import Any

from kiosk_pilot.autopilot import Pilot, Step
from station.ui.machine import State


def _texts(pilot: Pilot) -> dict[str, str]:
    """Every labelled text on the sync screen, by kid (also the ones scrolled out of view)."""
    screen = pilot.app.screens[State.SYNC]
    out: dict[str, str] = {}
    for widget in screen.walk(restrict=True):
        kid = str(getattr(widget, "kid", "") or "")
        text = getattr(widget, "text", None) or getattr(widget, "message", None)
        if kid and isinstance(text, str) and text:
            out.setdefault(kid, text)
    return out


def sync_news_flow(pilot: Pilot) -> Step:
    """Home drawn (health checked), the DRSE admin opens the sync screen, top and bottom."""
    from kiosk_pilot.scenarios import go_home, sign_in

    yield from pilot.at("home")
    yield from pilot.until(lambda: pilot.app.health_checked, "confirmación de arranque", 20)
    data: dict[str, Any] = pilot.report.data
    data["health"] = {"marker": pilot.app.health, "first_frame_at": pilot.app.first_frame_at}
    yield from sign_in(pilot, "admin")
    yield from pilot.tap("tile_settings")
    yield from pilot.at("settings")
    yield from pilot.tap("settings_sync")
    yield from pilot.at("sync")
    yield from pilot.shot("50-sincronizacion-avisos")
    screen = pilot.app.screens[State.SYNC]
    data["sync_texts"] = _texts(pilot)
    data["sync_buttons"] = sorted(
        str(w.kid) for w in screen.walk(restrict=True)
        if getattr(w, "kid", "") and hasattr(w, "on_release"))
    screen.scroll.scroll_y = 0  # the Software block at the bottom, as a finger would scroll
    yield from pilot.frames(4)
    yield from pilot.shot("51-sincronizacion-software")
    yield from go_home(pilot)
    if pilot.config.get("moved"):
        yield from moved_student_flow(pilot)


def moved_student_flow(pilot: Pilot) -> Step:
    """A student who changed school: their roster row, their page and their trámites."""
    from kiosk_pilot.scenarios import go_home, pick_school

    curp, cct = pilot.config["moved"], pilot.config["new_cct"]
    yield from pilot.tap("tile_roster")
    yield from pick_school(pilot, "roster", cct)
    rows = [d for d in pilot.app.screens[State.ROSTER].list.data if d["curp"] == curp]
    yield from pilot.shot("52-alumno-cambio-de-escuela-lista")
    seen: dict[str, Any] = {"row": {"detail": rows[0]["detail"], "badge": list(rows[0]["badge"])}
                            if rows else None}
    yield from pilot.tap_payload("row_open", lambda p: p == curp, "alumno que cambió")
    yield from pilot.at("student")
    yield from pilot.shot("53-alumno-cambio-de-escuela")
    badge = pilot.find("student_moved")
    seen["student_badge"] = badge._label.text if badge is not None else ""
    seen["student_print"] = pilot.find("student_print") is not None
    yield from pilot.tap("student_lifecycle")
    yield from pilot.at("lifecycle")
    yield from pilot.shot("54-tramites-cambio-de-escuela")
    seen["life_status"] = pilot.text_of("life_status")
    pilot.report.data["moved"] = seen
    yield from go_home(pilot)
