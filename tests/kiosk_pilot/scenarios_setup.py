"""Autopilot scenarios for a station out of the box (no user): the first-run setup by touch.

``setup_enroll``: the setup with central — a wrong code (the reason said, nothing written), a
good one — then the first DRSE administrator, who signs in with the PIN.
``setup_offline``: "Sin conexión por ahora", the first administrator, then the sync screen's
"Inscribir estación" with a good code.

Both end by checking the setup is no longer offered. ``tests/test_ui_setup.py`` starts a
real central (uvicorn on loopback) and checks ``pilot.report.data`` against the station.
"""

from __future__ import annotations

from typing import Any

from kiosk_pilot.autopilot import Pilot, Step


def _data(pilot: Pilot) -> dict[str, Any]:
    return pilot.report.data


def _enrolled(pilot: Pilot) -> str | None:
    from station.store import sync_state

    with pilot.app.station.db.read() as conn:
        return sync_state.get_state(conn, "station_id")


def _enroll(pilot: Pilot, prefix: str, *, bad_code: str | None) -> Step:
    """From the enrollment step's intro: address, (a wrong code first), the good code."""
    config = pilot.config
    yield from pilot.tap("enroll_start")
    yield from pilot.until(lambda: pilot.find("enroll_url_field") is not None, "dirección")
    yield from pilot.type_text(config["central"])
    yield from pilot.shot(f"{prefix}-direccion-central")
    yield from pilot.tap("enroll_url_save")
    if bad_code:
        yield from pilot.type_text(bad_code)
        yield from pilot.tap("enroll_code_save")
        yield from pilot.until(lambda: pilot.find("enroll_retry") is not None,
                               "código rechazado", 40)
        yield from pilot.shot(f"{prefix}-codigo-equivocado")
        _data(pilot)["bad_code"] = {"message": pilot.text_of("enroll_error_message"),
                                    "enrolled": _enrolled(pilot)}
        yield from pilot.tap("enroll_retry")
        yield from pilot.until(lambda: pilot.find("enroll_url_field") is not None, "dirección")
        _data(pilot)["url_kept"] = pilot.find("enroll_url_field").text  # type: ignore[union-attr]
        yield from pilot.tap("enroll_url_save")
    yield from pilot.until(lambda: pilot.find("enroll_code_field") is not None, "código")
    yield from pilot.type_text(config["good_code"])
    yield from pilot.tap("enroll_code_save")
    yield from pilot.until(lambda: pilot.find("enroll_done_ok") is not None, "inscrita", 40)
    yield from pilot.shot(f"{prefix}-estacion-inscrita")
    _data(pilot)["enrolled"] = {"message": pilot.text_of("enroll_done_message"),
                                "station_id": _enrolled(pilot)}
    yield from pilot.tap("enroll_done_ok")


def _first_admin(pilot: Pilot, prefix: str) -> Step:
    admin = pilot.config["admin"]
    yield from pilot.until(lambda: pilot.find("setup_name_field") is not None, "nombre")
    yield from pilot.type_text(admin["name"])
    yield from pilot.shot(f"{prefix}-primer-administrador")
    yield from pilot.tap("setup_name_save")
    yield from pilot.type_text(admin["pin"], prefix="pin")
    yield from pilot.tap("pin_enter")
    yield from pilot.until(lambda: "otra vez" in pilot.text_of("setup_pin_message"), "confirmar")
    yield from pilot.shot(f"{prefix}-pin-del-administrador")
    yield from pilot.type_text(admin["pin"], prefix="pin")
    yield from pilot.tap("pin_enter")
    yield from pilot.until(lambda: pilot.find("setup_done_ok") is not None, "configurada")
    _data(pilot)["admin_message"] = pilot.text_of("setup_done_message")
    yield from pilot.tap("setup_done_ok")


def _sign_in_as_admin(pilot: Pilot) -> Step:
    from station.services import accounts

    admin = pilot.config["admin"]
    yield from pilot.at("sign_in")
    users = accounts.list_users(pilot.app.station)
    _data(pilot)["users"] = [{"id": u.id, "name": u.name, "role": u.role} for u in users]
    yield from pilot.until(lambda: pilot.find(f"user_{users[0].id}") is not None, "usuarios")
    _data(pilot)["offered_after"] = pilot.find("setup_start") is not None
    yield from pilot.tap(f"user_{users[0].id}")
    yield from pilot.type_text(admin["pin"], prefix="pin")
    yield from pilot.tap("pin_enter")
    yield from pilot.until(lambda: pilot.app.machine.user is not None, "sesión iniciada")
    user = pilot.app.machine.user
    _data(pilot)["signed_in"] = {"name": user.name, "role": user.role.value}  # type: ignore[union-attr]
    yield from pilot.at("home")


def _offer(pilot: Pilot, prefix: str) -> Step:
    yield from pilot.at("home")
    yield from pilot.tap("tile_sign_in")
    yield from pilot.at("sign_in")
    yield from pilot.until(lambda: pilot.find("setup_start") is not None, "configurar")
    yield from pilot.shot(f"{prefix}-configurar-estacion")
    _data(pilot)["offer"] = pilot.text_of("setup_offer")
    yield from pilot.tap("setup_start")
    yield from pilot.until(lambda: pilot.find("enroll_start") is not None, "inscribir")
    yield from pilot.shot(f"{prefix}-inscribir-estacion")


def setup_enroll_flow(pilot: Pilot) -> Step:
    """Out of the box, with central: wrong code, good code, first admin, sign in."""
    yield from _offer(pilot, "60")
    yield from _enroll(pilot, "61", bad_code=pilot.config["bad_code"])
    yield from _first_admin(pilot, "62")
    yield from _sign_in_as_admin(pilot)


def setup_offline_flow(pilot: Pilot) -> Step:
    """Out of the box, offline for now; later the admin enrolls from the sync screen."""
    from kiosk_pilot.scenarios import go_home

    yield from _offer(pilot, "60")
    _data(pilot)["offline_enrolled"] = _enrolled(pilot)
    yield from pilot.tap("enroll_skip")
    yield from _first_admin(pilot, "62")
    yield from _sign_in_as_admin(pilot)
    yield from pilot.tap("tile_settings")
    yield from pilot.at("settings")
    yield from pilot.tap("settings_sync")
    yield from pilot.at("sync")
    yield from pilot.until(lambda: pilot.find("sync_enroll") is not None, "inscribir")
    yield from pilot.shot("63-sincronizacion-inscribir")
    yield from pilot.tap("sync_enroll")
    yield from pilot.until(lambda: pilot.find("enroll_start") is not None, "inscribir")
    yield from _enroll(pilot, "64", bad_code=None)
    yield from pilot.at("sync")
    yield from pilot.until(lambda: pilot.find("sync_enroll") is None, "ya inscrita")
    _data(pilot)["sync_notice"] = pilot.text_of("sync_notice")
    yield from go_home(pilot)
