"""The station and central, one way for both front doors: enrol, sync now, keep syncing,
and what waits to go up. ``station enroll/sync/status`` and the kiosk's sync and setup
screens call these and only format what they return; each closes its connection.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from foundation.errors import InputError
from station.context import Station
from station.core.central_config import central_url_problem
from station.store import sync_state

# The sync stack (HTTP client, requests, urllib3, the contract's responses: ~15 MB of Python
# objects) is imported by the functions that talk to central, not by this module: the kiosk
# imports it with its setup screen, and syncs only when the operator asks (the appliance's
# timer syncs in its own process).
if TYPE_CHECKING:
    from station.sync.client import CentralClient
    from station.sync.engine import SyncReport
    from station.sync.enroll import Enrollment
    from station.sync.status import SyncStatus


def is_enrolled(station: Station) -> bool:
    with station.db.read() as conn:
        return bool(sync_state.get_state(conn, "station_id"))


def enrol(station: Station, *, central_url: str, code: str,
          attended: bool = False) -> Enrollment:
    """Join central with a one-time code. ``attended``: a person waits at the screen, so
    few, short attempts (``station enroll`` retries more)."""
    if (problem := central_url_problem(central_url)) is not None:
        raise InputError(problem, way_out="Copie la dirección exacta que le dio su DRSE.")
    from station.sync.client import CentralClient
    from station.sync.enroll import enroll

    options = {"timeout": 10, "attempts": 2, "max_delay_s": 10} if attended else {}
    client = CentralClient(central_url, key=station.key, **options)
    try:
        return enroll(station, central_url=central_url, code=code, client=client)
    finally:
        client.close()


def sync_now(station: Station) -> SyncReport:
    """One sync with central (every step; a failed step is in the report), then the
    machine's health for the fleet's operators (services/fleet_health.py)."""
    from station.sync.engine import client_for, run_sync

    client = client_for(station)
    try:
        report = run_sync(station, client)
        if not report.withdrawn:
            _send_health(station, client, report)
        return report
    finally:
        client.close()


def _send_health(station: Station, client: CentralClient, report: SyncReport) -> None:
    from station.services import fleet_health
    from station.sync.client import SyncError

    try:
        fleet_health.send(station, client)
    except SyncError as exc:
        if exc.status != 404:  # a central older than the health report: nothing to say
            report.errors.append(f"salud del equipo: {exc.user_message()}")
    except Exception:  # the health report must never cost the sync (found booted for real)
        logging.getLogger(__name__).exception("no se pudo reunir la salud del equipo")


def keep_syncing(station: Station, *, interval_s: float,
                 on_report: Callable[[SyncReport], None], max_runs: int | None = None) -> int:
    """Sync every ``interval_s`` (sooner after a failure) until ``max_runs``; runs made."""
    from station.sync.engine import client_for
    from station.sync.watch import watch_forever

    client = client_for(station)
    try:
        return watch_forever(station, client, interval_s=interval_s, on_report=on_report,
                             max_runs=max_runs)
    finally:
        client.close()


def link_status(station: Station) -> SyncStatus:
    """What waits to go up to central, when the last sync succeeded, what central refused."""
    from station.sync.status import sync_status

    return sync_status(station)
