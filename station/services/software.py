"""The station's software as the kiosk sees it: the updater's status and the health check.

The kiosk calls these instead of the updater (:mod:`station.update`) directly, as it calls
every other adapter through a service.
"""

from __future__ import annotations

from typing import Any

from station.context import Station


def software_status(station: Station) -> dict[str, Any]:
    """``station update status`` for this station (read-only: the updater's status file and
    the release links; no central, no key)."""
    from station.update.engine import UpdateContext, update_status
    from station.update.layout import Layout

    return update_status(UpdateContext(Layout.of(station.data_dir), station.settings))


def confirm_started(station: Station, *, by: str) -> dict[str, object] | None:
    """Tell the updater this release started fine (its health marker); None, writing
    nothing, when the station does not run from a release slot."""
    from station.update.health import confirm_if_release

    return confirm_if_release(station.data_dir, by=by)
