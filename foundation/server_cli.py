"""What a server's commands (``central``, ``conalep``) share: a refusal is one Spanish line on
standard error and exit status 1, never a traceback; the staff accounts are listed alike."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from functools import wraps
from typing import ParamSpec, TypeVar

import click
from sqlalchemy.exc import OperationalError

from foundation.command_line import fail
from foundation.errors import DomainError
from foundation.web.accounts import StaffAccountMixin
from foundation.web.refusal import Refusal

P = ParamSpec("P")
R = TypeVar("R")


def friendly(program: str, database_variable: str,
             settings_refused: type[Exception]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A decorator for ``program``'s commands: refused settings, domain errors, refusals and
    an unusable database become ``Error: …`` and exit 1."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return func(*args, **kwargs)
            except settings_refused as exc:
                message = str(exc)
            except DomainError as exc:
                message = exc.user_message()
            except Refusal as exc:
                message = exc.message
            except OperationalError as exc:
                message = (f"no se puede usar la base de datos de {program} ({exc.orig}). "
                           f"Revise {database_variable} y que el servidor esté encendido.")
            fail(message)
            raise  # unreachable: fail() exits

        return wrapper

    return decorate


def echo_accounts(accounts: Iterable[StaffAccountMixin], scope_column: str, *, as_json: bool,
                  first_account: str) -> None:
    """The staff accounts (never their passwords) as JSON or one tab-separated line each;
    with none, how to create the first (``first_account``: the command)."""
    rows = [{"username": a.username, "name": a.display_name, "role": a.role,
             scope_column: getattr(a, scope_column), "disabled": a.disabled,
             "last_sign_in_at": a.last_sign_in_at.isoformat() if a.last_sign_in_at else None}
            for a in accounts]
    if as_json:
        click.echo(json.dumps({"accounts": rows}, ensure_ascii=False, indent=2))
        return
    for r in rows:
        state = "deshabilitada" if r["disabled"] else "activa"
        click.echo(f"{r['username']}\t{r['role']}\t{r[scope_column] or '-'}\t{state}\t{r['name']}")
    if not rows:
        click.echo(f"No hay cuentas. Cree la primera con: {first_account}")


def read_password(from_stdin: bool) -> str:
    """A new account's password: one line of standard input, or typed twice, hidden."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Contraseña", hide_input=True, confirmation_prompt=True))
