"""The kiosk's autopilot and its scenarios: the real app driven by touch events.

Not shipped with the station: the UI tests (``tests/test_ui_*.py``), the kiosk benchmark
(``bench/bench_kiosk.py``) and the memory driver run it as ``python -m kiosk_pilot.autopilot``
with ``tests/`` on ``PYTHONPATH`` (``plugin_ui.kivy_env``).
"""
