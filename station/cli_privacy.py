"""``station privacy``: minors' personal data on this station (issue 18).

``station privacy purge`` erases the personal data of students who left or finished once the
retention period is over; ``--dry-run`` lists who would be purged (by internal id and folios,
never by name or CURP) and deletes nothing. The nightly ``station-privacy.timer`` runs it.
"""

from __future__ import annotations

import click

from station.cli_common import emit, station_command
from station.cli_common import open_ctx_station as _station


def register(main: click.Group) -> None:
    """Add this module's commands to the ``station`` group."""
    main.add_command(privacy_group)


@click.group("privacy")
def privacy_group() -> None:
    """Minors' personal data: retention and purge (docs/privacy-station.md)."""


@privacy_group.command("purge")
@click.option("--dry-run", is_flag=True,
              help="Only list who would be purged (by internal id and folios); delete nothing.")
@station_command
def privacy_purge(ctx: click.Context, dry_run: bool, as_json: bool) -> None:
    """Erase the personal data of students whose retention period is over."""
    from station.services.privacy import purge

    outcome = purge(_station(ctx), dry_run=dry_run)
    emit(as_json, outcome.to_json(), outcome.describe())
