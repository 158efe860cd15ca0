"""``station`` subcommands for the central sync: enroll, sync (once or --watch), status."""

from __future__ import annotations

import sys
import time
from typing import Any

import click

from station.cli_common import emit, friendly_errors, json_option, open_ctx_station


def register(main: click.Group) -> None:
    """Add this module's commands to the ``station`` group."""
    main.add_command(enroll_cmd)
    main.add_command(sync_cmd)
    main.add_command(status_cmd)


@click.command("enroll")
@click.option("--central", "central_url", required=True, help="Base URL of the central service.")
@click.option("--code", required=True, help="One-time enrollment code from central staff.")
@json_option
@click.pass_context
@friendly_errors
def enroll_cmd(ctx: click.Context, central_url: str, code: str, as_json: bool) -> None:
    """Join the central service with a one-time enrollment code."""
    from station.services.central_link import enrol

    result = enrol(open_ctx_station(ctx), central_url=central_url, code=code)
    emit(as_json, result.to_json(), result.describe())


@click.command("sync")
@click.option("--watch", is_flag=True, help="Keep syncing (sync.interval_s), with backoff.")
@click.option("--interval", type=float, help="Seconds between syncs (default sync.interval_s).")
@click.option("--max-runs", type=int, hidden=True, help="Stop after this many runs (tests).")
@json_option
@click.pass_context
@friendly_errors
def sync_cmd(ctx: click.Context, watch: bool, interval: float | None, max_runs: int | None,
             as_json: bool) -> None:
    """Sync with central once (or keep syncing with --watch)."""
    from station.services.central_link import keep_syncing, sync_now

    station = open_ctx_station(ctx)
    if not watch:
        report = sync_now(station)
        emit(as_json, report.to_json(), report.describe())
        if not report.ok:
            sys.exit(1)
        return
    every = interval if interval is not None else float(station.settings["sync.interval_s"])

    def show(report: Any) -> None:
        stamp = time.strftime("%H:%M:%S")
        emit(as_json, report.to_json(), f"[{stamp}] {report.describe()}")

    keep_syncing(station, interval_s=every, on_report=show, max_runs=max_runs)


@click.command("status")
@json_option
@click.pass_context
@friendly_errors
def status_cmd(ctx: click.Context, as_json: bool) -> None:
    """What waits to go up to central, and when the last sync succeeded."""
    from station.services.central_link import link_status

    info = link_status(open_ctx_station(ctx))
    emit(as_json, info.to_json(), info.describe())
