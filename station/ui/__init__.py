"""The touchscreen kiosk (Kivy): thin screens over the station's services.

Start it with ``station kiosk``. Layout of this package:

- ``machine``  the explicit state machine (pure Python): states, transitions, permissions,
  the FAILSAFE state;
- ``app``      the Kivy app: screens, failsafe handling, idle sign-out, background jobs;
- ``worker``   background work with progress, so the screen never freezes;
- ``theme``    sizes from the physical screen (touch targets ≥ 9 mm) and the palette;
- ``widgets``, ``icons``, ``keyboard``  the building blocks;
- ``screens/`` one module per task.

The autopilot that drives the real app by touch events (tests, benchmarks, screenshots)
lives with the tests: ``tests/kiosk_pilot``.

Nothing in this package decides a rule: it asks the services.
"""
