"""Helpers every ``station`` subcommand module shares: output, errors, the opened station."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from foundation.errors import DomainError

if TYPE_CHECKING:
    from station.services.station import Station

P = ParamSpec("P")
R = TypeVar("R")


def emit(as_json: bool, data: Any, text: str) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(text)


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Show a DomainError as a message, never as a traceback."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except DomainError as exc:
            ctx = click.get_current_context()
            if ctx.params.get("as_json"):
                click.echo(json.dumps({"error": exc.message, "way_out": exc.way_out},
                                      ensure_ascii=False, indent=2))
            else:
                click.echo(f"Error: {exc.user_message()}", err=True)
            sys.exit(1)

    return wrapper


json_option = click.option("--json", "as_json", is_flag=True, help="Answer in JSON.")


def station_command(func: Callable[..., R]) -> Callable[..., R]:
    """What every station subcommand stacks: ``--json``, the click context, Spanish errors.

    Example::

        @group.command("list")
        @station_command
        def list_things(ctx: click.Context, as_json: bool) -> None: ...
    """
    return json_option(click.pass_context(friendly_errors(func)))


def open_ctx_station(ctx: click.Context) -> Station:
    """The station of this command line call, opened once (``--data`` / ``STATION_DATA``).

    Imported lazily so ``station --help`` stays fast.
    """
    from station.services.station import open_station

    ctx = ctx.find_root()
    station = ctx.obj.get("station")
    if station is None:
        station = ctx.obj["station"] = open_station(ctx.obj["data_dir"])
        ctx.call_on_close(station.close)
    return station
