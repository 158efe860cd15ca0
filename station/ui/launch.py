"""Starting the kiosk: Kivy's configuration (before Kivy is imported), the station, the app.

>>> run_kiosk(Path("station-data"), width=800, height=480)   # doctest: +SKIP
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any


def configure_kivy(width: int | None, height: int | None, *, maxfps: int = 30) -> None:
    """Kivy settings for a kiosk; must run before ``kivy.app`` / ``kivy.core.window``.

    30 frames per second is plenty for people and keeps a Pi cool; the autopilot asks for
    more so tests wait less between touches.
    """
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    # SDL would turn SIGTERM into a window-close request, which the kiosk refuses; the
    # service manager's stop must stop it (see run_kiosk).
    os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")
    from kivy.config import Config

    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "keyboard_mode", "system")  # never Kivy's own virtual keyboard
    Config.set("kivy", "pause_on_minimize", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "maxfps", str(maxfps))
    # No multisample anti-aliasing (Kivy asks for 2 samples by default): the kiosk draws text
    # (already smoothed in its textures), rectangles and the camera picture, and under a
    # software renderer (llvmpipe) the 2 samples tripled the cost of every redraw of the
    # photo screen: 37.5 -> 11.1 ms a frame, the preview 28.2 -> 30 of 30 frames/s
    # (docs/PERFORMANCE.md, "Photo preview rate").
    Config.set("graphics", "multisamples", "0")
    if width and height:
        Config.set("graphics", "fullscreen", "0")
        Config.set("graphics", "width", str(width))
        Config.set("graphics", "height", str(height))
        Config.set("graphics", "position", "custom")
        Config.set("graphics", "left", "0")
        Config.set("graphics", "top", "0")
    else:
        Config.set("graphics", "fullscreen", "auto")
        Config.set("graphics", "show_cursor", "0")


def run_kiosk(data_dir: Path | None, *, width: int | None = None, height: int | None = None,
              autopilot: Any = None) -> int:
    """Open the station in ``data_dir`` and run the app until it is closed; exit status."""
    configure_kivy(width, height, maxfps=60 if autopilot is not None else 30)
    from station.ui.memory import limit_arenas

    limit_arenas()
    from station.context import open_station
    from station.ui.app import KioskApp
    from station.ui.logs import setup_logging

    station = open_station(data_dir)
    setup_logging(station.folder.kiosk_log)
    app = KioskApp(station)
    if autopilot is not None:
        autopilot.attach(app)

    def stop(_signum: int, _frame: Any) -> None:
        from kivy.clock import Clock

        app.allow_close = True  # type: ignore[attr-defined]
        Clock.schedule_once(lambda _dt: app.stop(), 0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        app.run()
    finally:
        station.close()
    return int(getattr(app, "exit_status", 0))
