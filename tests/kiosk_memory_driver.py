"""Run the kiosk's autopilot with one extra scenario, ``verify_released``, for
``tests/test_ui_memory.py``: search the roster, verify a card, go home the way a person
does, and report whether the verify screen object was collected (a weak reference), which
kiosk screens are still alive and how many roster rows. Run as
``python tests/kiosk_memory_driver.py <autopilot arguments>``.
"""

from __future__ import annotations

import gc
import sys
import time
import weakref
from typing import Any

from kiosk_pilot import scenarios
from kiosk_pilot.autopilot import Pilot, Step, main

from station.ui.machine import State


def verify_released(pilot: Pilot) -> Step:
    yield from scenarios.sign_in(pilot, "operator")
    yield from pilot.tap("tile_roster")
    yield from scenarios.pick_school(pilot, "roster")
    yield from pilot.tap("filter_all")
    yield from pilot.tap("search")
    yield from pilot.type_text("GAR")  # new rows for the results: the old ones are recycled
    yield from pilot.tap("key_done")
    yield from scenarios.go_home(pilot)
    yield from pilot.tap("tile_verify")
    yield from pilot.at("verify")
    # Only a weak reference: a local of this generator would keep the screen alive itself.
    ref: weakref.ref[Any] = weakref.ref(pilot.app.screens[State.VERIFY])
    yield from pilot.at("verify_result", timeout_s=30)
    yield from scenarios.go_home(pilot)  # back to verify, then home: verify is left last
    t0 = time.monotonic()
    yield from pilot.until(lambda: time.monotonic() - t0 > 1.0, "un segundo en inicio", 5)
    from station.ui.screens.base import KioskScreen
    from station.ui.screens.roster import RosterRow

    gc.collect()
    proxies = ("WeakProxy", "weakproxy", "ProxyType", "CallableProxyType")  # pass isinstance
    alive = sorted(type(o).__name__ for o in gc.get_objects()
                   if type(o).__name__ not in proxies and isinstance(o, KioskScreen))
    data = scenarios._data(pilot)
    data["verify_collected"] = ref() is None
    data["screens_alive"] = alive
    data["roster_rows_alive"] = sum(1 for o in gc.get_objects()
                                    if type(o).__name__ not in proxies
                                    and isinstance(o, RosterRow))


scenarios.SCENARIOS["verify_released"] = verify_released

if __name__ == "__main__":
    sys.exit(main())
