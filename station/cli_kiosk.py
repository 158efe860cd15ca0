"""``station`` subcommands for the touchscreen kiosk (issue 6): ``kiosk`` and ``users``.

A PIN is never an argument (it would show in the process list): it is asked twice without
echo, or read from the standard input with ``--pin-stdin`` for scripts.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from station.cli_common import emit, friendly_errors, json_option
from station.cli_common import open_ctx_station as _station

_ROLES = click.Choice(["operator", "director", "admin"], case_sensitive=False)


def _read_pin(pin_stdin: bool) -> str:
    if pin_stdin:
        return sys.stdin.readline().strip()
    return str(click.prompt("PIN (de 4 a 8 números)", hide_input=True,
                            confirmation_prompt="Repita el PIN")).strip()


def register(main: click.Group) -> None:
    """Add this module's commands to the ``station`` group."""
    main.add_command(kiosk_cmd)
    main.add_command(users)


@click.command("kiosk")
@click.option("--size", default=None, metavar="ANCHOxALTO",
              help="Window size, e.g. 800x480 (default: full screen).")
@click.pass_context
def kiosk_cmd(ctx: click.Context, size: str | None) -> None:
    """Start the touchscreen app (full screen unless --size is given)."""
    from station.ui.launch import run_kiosk

    data_dir: Path | None = ctx.find_root().obj.get("data_dir")
    width = height = None
    if size:
        try:
            width, height = (int(v) for v in size.lower().split("x"))
        except ValueError:
            raise click.BadParameter("use ANCHOxALTO, por ejemplo 800x480",
                                     param_hint="--size") from None
    sys.exit(run_kiosk(data_dir, width=width, height=height))


@click.group("users")
def users() -> None:
    """Kiosk users: who may sign in on the touchscreen, with which role."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=_ROLES, required=True,
              help="operator, director (school director) or admin (DRSE administrator).")
@click.option("--pin-stdin", is_flag=True, help="Read the PIN from standard input.")
@json_option
@click.pass_context
@friendly_errors
def users_add(ctx: click.Context, name: str, role: str, pin_stdin: bool, as_json: bool) -> None:
    """Add a user who signs in with a personal PIN."""
    from station.services.accounts import ROLE_LABELS_ES, Role, add_user

    user = add_user(_station(ctx), name, role.lower(), _read_pin(pin_stdin))
    emit(as_json, user.to_json(),
         f"Usuario {user.id} «{user.name}» agregado como {ROLE_LABELS_ES[Role(user.role)]}.")


@users.command("list")
@json_option
@click.pass_context
@friendly_errors
def users_list(ctx: click.Context, as_json: bool) -> None:
    """List the kiosk's users."""
    from station.services.accounts import ROLE_LABELS_ES, Role, list_users

    found = list_users(_station(ctx))
    lines = [f"{u.id:>4}  {u.name:<30} {ROLE_LABELS_ES[Role(u.role)]:<24} "
             f"{'activo' if u.active else 'DESACTIVADO'}" for u in found]
    emit(as_json, [u.to_json() for u in found],
         "\n".join(lines) or "No hay usuarios. Agregue uno con: station users add NOMBRE "
         "--role admin")


def _set_active(ctx: click.Context, who: str, active: bool, as_json: bool) -> None:
    from station.services.accounts import set_user_active

    user = set_user_active(_station(ctx), who, active)
    emit(as_json, user.to_json(),
         f"Usuario «{user.name}» {'activado' if user.active else 'desactivado'}.")


@users.command("disable")
@click.argument("who")
@json_option
@click.pass_context
@friendly_errors
def users_disable(ctx: click.Context, who: str, as_json: bool) -> None:
    """Stop a user from signing in (by number or name). The ledger keeps their record."""
    _set_active(ctx, who, False, as_json)


@users.command("enable")
@click.argument("who")
@json_option
@click.pass_context
@friendly_errors
def users_enable(ctx: click.Context, who: str, as_json: bool) -> None:
    """Let a disabled user sign in again."""
    _set_active(ctx, who, True, as_json)


@users.command("set-pin")
@click.argument("who")
@click.option("--pin-stdin", is_flag=True, help="Read the new PIN from standard input.")
@json_option
@click.pass_context
@friendly_errors
def users_set_pin(ctx: click.Context, who: str, pin_stdin: bool, as_json: bool) -> None:
    """Give a user a new PIN (also lifts a lockout)."""
    from station.services.accounts import change_pin

    user = change_pin(_station(ctx), who, _read_pin(pin_stdin))
    emit(as_json, user.to_json(), f"PIN de «{user.name}» cambiado.")
