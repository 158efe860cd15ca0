"""Helpers every ``station`` subcommand module shares: output, errors, the opened station."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from foundation.command_line import fail
from foundation.errors import DomainError

if TYPE_CHECKING:
    from station.context import Station

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
                click.echo(json.dumps({"error": exc.message, "way_out": exc.way_out,
                                       "command": exc.command}, ensure_ascii=False, indent=2))
                sys.exit(1)
            fail(exc.user_message() + (f"\nEn la terminal: {exc.command}"
                                       if exc.command else ""))
            raise  # unreachable: fail() exits

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
    from station.context import open_station

    ctx = ctx.find_root()
    station = ctx.obj.get("station")
    if station is None:
        station = ctx.obj["station"] = open_station(ctx.obj["data_dir"])
        ctx.call_on_close(station.close)
    return station


def writable_output(path: Path) -> Path:
    """``path`` (a PDF or XLSX the user asked for) made absolute, refused at once with a
    sentence when it cannot be written, before anything is printed or recorded."""
    import os

    from foundation.errors import InputError

    path = Path(os.path.abspath(path.expanduser()))
    folder = path.parent
    if path.is_dir():
        raise InputError(f"{path} es una carpeta.",
                         way_out="Indique un nombre de archivo, por ejemplo "
                         f"{path / 'planillas.pdf'}.")
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"No se puede escribir {path}: {existing} es un archivo, no una "
                         "carpeta.", way_out="Revise la ruta.")
    try:  # the folders the user named are made now, as the file will need them
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from foundation.command_line import explain

        raise InputError(f"No se puede crear la carpeta {folder}.",
                         way_out=explain(exc)) from None
    if not os.access(folder, os.W_OK | os.X_OK) or (
            path.exists() and not os.access(path, os.W_OK)):
        raise InputError(f"No hay permiso para escribir {path}.",
                         way_out="Elija una carpeta donde pueda escribir (por ejemplo, la "
                         "suya) o pida acceso al administrador.")
    return path
