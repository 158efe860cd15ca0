"""``station update check|apply|status|rollback|confirm-health`` and ``station selftest``.

The nightly ``station-update.timer`` runs ``station update apply`` (as root: it writes
``/opt/station``); ``station-sync.service`` runs ``station update check --download`` after each
sync so a slow link has all day to fetch the bundle. See docs/fleet.md.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from station.cli_common import emit, station_command

_ROOT = click.option("--root", type=click.Path(file_okay=False, path_type=Path),
                     envvar="STATION_RELEASES_ROOT",
                     help="Releases root (default /opt/station or STATION_RELEASES_ROOT).")


def register(main: click.Group) -> None:
    """Add this module's commands to the ``station`` group."""
    main.add_command(update)
    main.add_command(selftest_cmd)


def _data_dir(ctx: click.Context) -> Path:
    import os

    from station.services.station import DEFAULT_DATA_DIR

    given = ctx.find_root().obj.get("data_dir")
    return Path(given or os.environ.get("STATION_DATA") or DEFAULT_DATA_DIR)


def _context(ctx: click.Context, root: Path | None) -> Any:
    from station.update.engine import context_for

    return context_for(_data_dir(ctx), root=root)


@click.group("update")
def update() -> None:
    """Software updates signed by the state office (docs/fleet.md)."""


@update.command("check")
@click.option("--download", "fetch", is_flag=True, help="Also download the offered release.")
@_ROOT
@station_command
def check_cmd(ctx: click.Context, fetch: bool, root: Path | None, as_json: bool) -> None:
    """Ask central which release is offered to this station."""
    from station.update.engine import check

    outcome, _ = check(_context(ctx, root), fetch=fetch)
    emit(as_json, outcome.to_json(), outcome.describe())
    if not outcome.ok:
        sys.exit(1)


@update.command("apply")
@click.option("--bundle", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Install this bundle file (e.g. from a USB stick) instead of asking central.")
@click.option("--now", "ignore_window", is_flag=True,
              help="Ignore the maintenance window (still never while printing).")
@_ROOT
@station_command
def apply_cmd(ctx: click.Context, bundle: Path | None, ignore_window: bool, root: Path | None,
              as_json: bool) -> None:
    """Download, verify, self-check and switch to the offered release; roll back if it does
    not start fine."""
    from station.update.engine import apply

    outcome = apply(_context(ctx, root), bundle=bundle, ignore_window=ignore_window)
    emit(as_json, outcome.to_json(), outcome.describe())
    if not outcome.ok:
        sys.exit(1)


@update.command("status")
@_ROOT
@station_command
def status_cmd(ctx: click.Context, root: Path | None, as_json: bool) -> None:
    """Installed version, previous one, last check and last attempt with its reason."""
    from station.update.engine import update_status

    info = update_status(_context(ctx, root))
    last = info["last"] or {}
    text = [f"Versión en uso: {info['installed']} (anterior: {info['previous'] or '—'}).",
            f"Canal {info['channel']}; horario de instalación {info['window'] or 'cualquiera'}.",
            f"Última consulta al servicio central: {info['last_check'] or 'nunca'}."]
    if last:
        text.append(f"Último intento ({last.get('at')}): {last.get('result')} "
                    f"{last.get('version') or ''} {last.get('reason') or ''}".rstrip())
    text += [f"Versión {v} rechazada: {r}." for v, r in info["refused"].items()]
    emit(as_json, info, "\n".join(text))


@update.command("rollback")
@click.option("--reason", default="a mano", help="Why (reported to central).")
@_ROOT
@station_command
def rollback_cmd(ctx: click.Context, reason: str, root: Path | None, as_json: bool) -> None:
    """Switch back to the previous release and restart the services."""
    from station.update.engine import rollback

    outcome = rollback(_context(ctx, root), reason=reason)
    emit(as_json, outcome.to_json(), outcome.describe())
    if outcome.result != "rolled_back":
        sys.exit(1)


@update.command("confirm-health")
@click.option("--by", default="servicio", help="Who started (kiosk, sync, updater).")
@click.option("--pid", type=int, help="Main process to watch while settling.")
@click.option("--settle", type=float, default=0.0, help="Seconds the process must stay up.")
@station_command
def confirm_health_cmd(ctx: click.Context, by: str, pid: int | None, settle: float,
                       as_json: bool) -> None:
    """Write this version's health marker after the station opened fine (units' ExecStartPost)."""
    from station.update.health import confirm_health

    try:
        info = confirm_health(_data_dir(ctx), by=by, pid=pid, settle_s=settle)
    except RuntimeError as exc:  # the watched process died (DomainError: friendly_errors)
        emit(as_json, {"ok": False, "error": str(exc)}, f"Error: {exc}.")
        sys.exit(1)
    emit(as_json, {"ok": True, **info}, f"Versión {info['version']} funcionando ({by}).")


@click.command("selftest")
@station_command
def selftest_cmd(ctx: click.Context, as_json: bool) -> None:
    """Check that this version can run on this station's data (changes nothing)."""
    from station.update.selftest import selftest

    result = selftest(_data_dir(ctx))
    emit(as_json, result.to_json(), result.describe())
    if not result.ok:
        sys.exit(1)
