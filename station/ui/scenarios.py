"""Scenarios the autopilot plays on the real kiosk (see :mod:`station.ui.autopilot`).

Each drives a whole flow by touch, takes a screenshot of every screen it passes, and puts
what it saw in ``pilot.report.data`` for the test to check against the ledger and the printer.
``pilot.config`` holds the test's facts: ``users`` (name, id, pin), ``cct``...
"""

from __future__ import annotations

from typing import Any

from station.ui.autopilot import Pilot, Scenario, Step


def sign_in(pilot: Pilot, who: str = "operator") -> Step:
    user: dict[str, Any] = pilot.config["users"][who]
    if pilot.app.machine.user is not None:
        yield from pilot.tap("bar_sign_out")
        yield from pilot.at("home")
    yield from pilot.tap("tile_sign_in")
    yield from pilot.at("sign_in")
    yield from pilot.tap(f"user_{user['id']}")
    for digit in user["pin"]:
        yield from pilot.tap(f"pin_{digit}")
    yield from pilot.tap("pin_enter")
    yield from pilot.until(lambda: pilot.app.machine.user is not None, "sesión iniciada")
    yield from pilot.at("home")


def smoke(pilot: Pilot) -> Step:
    yield from pilot.at("home")
    yield from pilot.shot("01-inicio")
    yield from pilot.tap("tile_sign_in")
    yield from pilot.at("sign_in")
    yield from pilot.shot("02-usuarios")
    user = pilot.config["users"]["operator"]
    yield from pilot.tap(f"user_{user['id']}")
    yield from pilot.tap("pin_1")
    yield from pilot.tap("pin_enter")
    yield from pilot.until(lambda: "PIN equivocado" in pilot.text_of("pin_message"),
                           "aviso de PIN equivocado")
    yield from pilot.shot("03-pin-equivocado")
    for digit in user["pin"]:
        yield from pilot.tap(f"pin_{digit}")
    yield from pilot.tap("pin_enter")
    yield from pilot.until(lambda: pilot.app.machine.user is not None, "sesión iniciada")
    yield from pilot.at("home")
    yield from pilot.shot("04-inicio-con-sesion")


SCENARIOS: dict[str, Scenario] = {"smoke": smoke}
