"""The health marker: the new release says "I started fine" after a switch.

``station update confirm-health`` (run by the units' ``ExecStartPost`` after the kiosk or a
sync started, or by the updater itself without systemd) and the kiosk itself once its first
screen is drawn (:func:`confirm_if_release`) opens the station with THIS version
— settings, key, ledger and its migrations, exactly what the kiosk does first — optionally
waits ``settle`` seconds and checks the service's main process is still alive, then writes
``<data>/updates/health/<version>.ok``. The updater switches back when no marker newer than
the switch appears within ``update.health_timeout_s``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from foundation.atomic_files import write_atomic
from station import __version__
from station.update.layout import Layout


def marker(layout: Layout, version: str) -> Path:
    return layout.health_dir / f"{version}.ok"


def confirm_health(data_dir: Path, *, by: str, pid: int | None = None,
                   settle_s: float = 0.0) -> dict[str, object]:
    """Open the station with this version and write the marker; raises when it cannot.

    Settings, key and ledger (with this version's migrations, as the kiosk applies them at
    start) — not the whole ``open_station``, whose print-file recovery must stay with the
    programs that print.
    """
    from foundation.credential.keys import StationKey
    from station.services.station import load_settings
    from station.store.db import Database

    load_settings(data_dir / "station.toml")
    key_path = data_dir / "keys" / "station.key"
    if key_path.exists():
        StationKey.load(key_path)
    db = Database(data_dir / "ledger.sqlite3")
    try:
        with db.read() as conn:
            conn.execute("SELECT count(*) FROM events").fetchone()
    finally:
        db.close()
    if pid is not None:
        deadline = time.monotonic() + settle_s
        while time.monotonic() < deadline:
            if not Path(f"/proc/{pid}").exists():
                raise RuntimeError(f"el proceso {pid} ({by}) terminó antes de {settle_s:.0f} s")
            time.sleep(0.5)
    layout = Layout.of(data_dir)
    layout.health_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    info = {"version": __version__, "by": by, "at": time.time()}
    write_atomic(marker(layout, __version__), json.dumps(info).encode(), mode=0o600)
    return info


def running_release(layout: Layout) -> bool:
    """True when ``current`` points at a complete-looking slot of THIS program's version: the
    appliance runs it (a dev checkout or a test without a releases root has no ``current``).

    >>> running_release(Layout(Path("/nonexistent-root"), Path("/nonexistent-data")))
    False
    """
    return (layout.link_version(layout.current) == __version__
            and layout.slot(__version__).is_dir())


def confirm_if_release(data_dir: Path, *, by: str, root: Path | None = None
                       ) -> dict[str, object] | None:
    """:func:`confirm_health` when running as the installed release (the kiosk calls it once
    its first screen is drawn); None, writing nothing, anywhere else. The releases root is
    the updater's (``STATION_RELEASES_ROOT`` or /opt/station) unless ``root`` is given."""
    if not running_release(Layout.of(data_dir, root)):
        return None
    return confirm_health(data_dir, by=by)


def wait_for_health(layout: Layout, version: str, *, since: float, timeout_s: float,
                    sleep: Callable[[float], None] = time.sleep) -> bool:
    """Whether a marker of ``version`` written after ``since`` appears within the timeout."""
    deadline = time.monotonic() + timeout_s
    path = marker(layout, version)
    while True:
        try:
            info = json.loads(path.read_text("utf-8"))
            if float(info.get("at", 0)) >= since and info.get("version") == version:
                return True
        except (OSError, ValueError):
            pass
        if time.monotonic() >= deadline:
            return False
        sleep(0.2)


def clear(layout: Layout, version: str) -> None:
    marker(layout, version).unlink(missing_ok=True)
