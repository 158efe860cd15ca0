"""More autopilot scenarios: the camera unplugged mid-session, choosing the printer by touch,
and the administration screens (users, a damaged hologram, the school report).

Same rules as :mod:`kiosk_pilot.scenarios`: every flow is driven by touch, every screen gets a
screenshot (checked for overflowing text and small targets), and what was seen goes into
``pilot.report.data`` for ``tests/test_ui_flows.py`` to check against the ledger and files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kiosk_pilot.autopilot import Pilot, Step
from station.ui.machine import State


def go_home(pilot: Pilot) -> Step:
    from kiosk_pilot.scenarios import go_home as back_home

    yield from back_home(pilot)


def _data(pilot: Pilot) -> dict[str, Any]:
    return pilot.report.data


def _screen(pilot: Pilot, state: State) -> Any:
    return pilot.app.screens[state]


class CutCamera:
    """The video file standing in for the camera, cut to nothing and put back: as far as the
    station can tell, a USB camera pulled out and plugged in again."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self.content = self.path.read_bytes()

    def cut(self) -> None:
        with self.path.open("r+b") as video:
            video.truncate(0)

    def put_back(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_bytes(self.content)
        os.replace(tmp, self.path)  # whole at once: never half a file to open


def _unplug_and_back(pilot: Pilot, state: State, shot: str, notice_kid: str) -> Step:
    """On a screen with a live camera: cut it, see the message, put it back, see it resume."""
    from station.ui.camera_feed import LOST_TEXT

    screen = _screen(pilot, state)
    yield from pilot.until(lambda: screen.feed is not None and screen.feed.frames_shown > 3,
                           "cámara encendida", 20)
    camera = CutCamera(pilot.config["camera_desk"])
    camera.cut()
    try:
        yield from pilot.until(lambda: pilot.text_of("camera_lost") == LOST_TEXT,
                               "aviso de cámara desconectada", 20)
        shown_before = screen.feed.frames_shown
        yield from pilot.shot(shot)
        seen = {"banner": pilot.text_of("camera_lost"), "notice": pilot.text_of(notice_kid),
                "hint": pilot.text_of("photo_hint") if state is State.PHOTO else ""}
    finally:
        camera.put_back()
    yield from pilot.until(lambda: pilot.text_of("camera_lost") == "" and screen.feed is not None
                           and screen.feed.frames_shown > shown_before + 5,
                           "la cámara volvió", 20)
    seen.update({"resumed_frames": screen.feed.frames_shown - shown_before,
                 "notice_after": pilot.text_of(notice_kid), "state_after": pilot.state})
    _data(pilot).setdefault("camera_lost", {})[state.value] = seen


def camera_lost_flow(pilot: Pilot) -> Step:
    """The camera unplugged and plugged back in while verifying and while taking a photo."""
    from kiosk_pilot.scenarios import all_students

    pilot.use_camera("desk")  # nobody and no card in sight: both screens stay put
    yield from pilot.tap("tile_verify")
    yield from pilot.at("verify")
    yield from _unplug_and_back(pilot, State.VERIFY, "17b-verificar-camara-desconectada",
                                "verify_notice")
    yield from pilot.tap("verify_done")
    yield from pilot.at("home")
    yield from all_students(pilot)
    yield from pilot.tap("row_open")
    yield from pilot.at("student")
    yield from pilot.tap("student_photo_take")
    yield from pilot.at("photo")
    yield from _unplug_and_back(pilot, State.PHOTO, "09e-foto-camara-desconectada",
                                "photo_notice")
    yield from pilot.tap("photo_cancel")
    yield from pilot.at("student")
    yield from go_home(pilot)


def printer_list_flow(pilot: Pilot) -> Step:
    """As the director: the CUPS queues with their state in words; choose the paused one (its
    state is said), then the card printer again."""
    yield from pilot.tap("tile_settings")
    yield from pilot.at("settings")
    yield from pilot.tap("settings_printer")
    yield from pilot.at("printer")
    yield from pilot.until(lambda: pilot.find("printer_notice") is not None, "estado", 30)
    yield from pilot.tap("printer_change")
    yield from pilot.until(lambda: len(pilot.find_all("queue_choice")) >= 2, "impresoras", 30)
    yield from pilot.shot("21b-elegir-impresora")
    rows = {}
    for item in pilot.find_all("queue_choice"):
        badge = next(w for w in item.walk(restrict=True) if getattr(w, "kid", "") ==
                     "queue_state")
        rows[item.payload] = {"word": badge._label.text, "selected": item.selected}
    _data(pilot)["printer_list"] = rows
    yield from pilot.tap_payload("queue_choice", lambda p: p == "Oficina", "cola Oficina")
    # A paused queue is said as printer trouble: its headline, the fix and «Reanudar».
    yield from pilot.until(lambda: "Oficina" in pilot.text_of("printer_queue")
                           and pilot.find("trouble_headline") is not None,
                           "estado de Oficina", 30)
    yield from pilot.shot("21c-impresora-en-pausa")
    _data(pilot)["paused_choice"] = {
        "queue": pilot.app.station.settings["printer.queue"],
        "notice": pilot.text_of("trouble_headline")}
    yield from pilot.tap("printer_change")
    card_queue = pilot.config["printer_queue"]
    yield from pilot.tap_payload("queue_choice", lambda p: p == card_queue, "cola de credenciales",
                                 timeout_s=30)
    yield from pilot.until(lambda: card_queue in pilot.text_of("printer_notice"), "estado", 30)
    _data(pilot)["queue_after"] = pilot.app.station.settings["printer.queue"]
    yield from go_home(pilot)


def _sign_in(pilot: Pilot, who: str) -> Step:
    from kiosk_pilot.scenarios import sign_in

    yield from sign_in(pilot, who)


def users_flow(pilot: Pilot) -> Step:
    """As the DRSE administrator: add a user with a role and a PIN, give another user a new
    PIN, disable a user and enable them again."""
    from station.services import accounts

    pilot.app.station.settings["kiosk.idle_timeout_s"] = 120.0  # idle_flow shortened it
    yield from _sign_in(pilot, "admin")
    yield from pilot.tap("tile_settings")
    yield from pilot.at("settings")
    yield from pilot.tap("settings_users")
    yield from pilot.at("users")
    yield from pilot.shot("39-usuarios")
    yield from pilot.tap("users_add")
    yield from pilot.type_text("JUAN LOPEZ")
    yield from pilot.shot("40-nuevo-usuario")
    yield from pilot.tap("new_user_save")
    yield from pilot.until(lambda: pilot.find("role_operator") is not None, "roles")
    yield from pilot.shot("41-rol-del-usuario")
    yield from pilot.tap("role_operator")
    yield from pilot.type_text("2580", prefix="pin")
    yield from pilot.tap("pin_enter")
    yield from pilot.until(lambda: "otra vez" in pilot.text_of("new_pin_message"), "confirmar")
    yield from pilot.shot("42-pin-del-usuario")
    yield from pilot.type_text("2580", prefix="pin")
    yield from pilot.tap("pin_enter")
    yield from pilot.until(lambda: pilot.find("user_done_ok") is not None, "usuario agregado")
    data = _data(pilot)
    data["user_added_message"] = pilot.text_of("user_done_message")
    yield from pilot.tap("user_done_ok")
    users = {u.name: u for u in accounts.list_users(pilot.app.station)}
    added = users["JUAN LOPEZ"]
    data["user_added"] = {"id": added.id, "role": added.role, "pin": "2580"}
    operator = pilot.config["users"]["operator"]
    yield from pilot.tap_payload("user_pin", lambda p: p == operator["id"], "nuevo PIN")
    yield from pilot.type_text("9137", prefix="pin")
    yield from pilot.tap("pin_enter")
    yield from pilot.type_text("9173", prefix="pin")  # a typo: the two do not match
    yield from pilot.tap("pin_enter")
    yield from pilot.until(lambda: "no son iguales" in pilot.text_of("new_pin_message"),
                           "PIN distintos")
    data["pin_mismatch_message"] = pilot.text_of("new_pin_message")
    for _ in range(2):
        yield from pilot.type_text("9137", prefix="pin")
        yield from pilot.tap("pin_enter")
    yield from pilot.until(lambda: pilot.find("user_done_ok") is not None, "PIN cambiado")
    data["pin_reset"] = {"id": operator["id"], "pin": "9137"}
    yield from pilot.tap("user_done_ok")
    yield from pilot.tap_payload("user_toggle", lambda p: p == added.id, "desactivar")
    yield from pilot.tap("confirm_disable_yes")
    yield from pilot.until(lambda: not _active(pilot, added.id) and any(
        "desactivado" in w.lower() for w in _badges(pilot)), "desactivado")
    yield from pilot.shot("43-usuario-desactivado")
    data["after_disable"] = {"active": _active(pilot, added.id), "words": _badges(pilot)}
    yield from pilot.tap_payload("user_toggle", lambda p: p == added.id, "activar")
    yield from pilot.until(lambda: _active(pilot, added.id), "activado")
    data["after_enable"] = {"active": _active(pilot, added.id)}
    yield from go_home(pilot)


def _active(pilot: Pilot, user_id: int) -> bool:
    from station.services import accounts

    return next(u.active for u in accounts.list_users(pilot.app.station) if u.id == user_id)


def _badges(pilot: Pilot) -> list[str]:
    from station.ui.widgets import Badge

    screen = pilot.app.manager.current_screen
    return [w._label.text for w in screen.walk(restrict=True) if isinstance(w, Badge)]


def hologram_spoiled_flow(pilot: Pilot) -> Step:
    """A hologram that tore when peeled off: its serial typed, a reason tapped."""
    from kiosk_pilot.scenarios import pick_school

    yield from pilot.tap("tile_holograms")
    yield from pick_school(pilot, "holograms")
    yield from pilot.tap("holo_spoil")
    yield from pilot.type_text("H000190")
    yield from pilot.shot("44-holograma-danado")
    yield from pilot.tap("spoil_serial_save")
    yield from pilot.until(lambda: pilot.find("spoil_reason_0") is not None, "motivos")
    yield from pilot.shot("45-motivo-del-dano")
    yield from pilot.tap("spoil_reason_0")
    yield from pilot.until(lambda: pilot.find("holo_spoiled_ok") is not None, "registrado")
    _data(pilot)["hologram_spoiled"] = {"serial": "H000190",
                                        "message": pilot.text_of("holo_spoiled_message")}
    yield from pilot.tap("holo_spoiled_ok")
    yield from go_home(pilot)


def school_report_flow(pilot: Pilot) -> Step:
    """The school's counts for the cycle, saved as PDF and as XLSX."""
    from kiosk_pilot.scenarios import pick_school
    from station.services.reports import COUNT_LABELS

    yield from pilot.tap("tile_school_report")
    yield from pick_school(pilot, "school_report")
    yield from pilot.shot("46-reporte-de-la-escuela")
    data = _data(pilot)
    data["report_counts"] = {key: pilot.text_of(f"count_{key}_value")
                             for key, _label in COUNT_LABELS}
    data["report_saved"] = {}
    for kind in ("pdf", "xlsx"):
        yield from pilot.tap(f"report_save_{kind}")
        yield from pilot.until(lambda: pilot.find("report_saved_ok") is not None,
                               f"reporte {kind}", 60)
        if kind == "pdf":
            yield from pilot.shot("47-reporte-guardado")
        data["report_saved"][kind] = pilot.text_of("report_saved_message")
        yield from pilot.tap("report_saved_ok")
    yield from go_home(pilot)


def admin_tour(pilot: Pilot) -> Step:
    """The administration screens, one after the other (the end of the kiosk tour)."""
    for part in (users_flow, hologram_spoiled_flow, school_report_flow):
        pilot.report.steps.append(f"== {part.__name__}")
        yield from part(pilot)
