"""What a server's commands (``central``, ``conalep``) do with a refusal: one Spanish line on
standard error and exit status 1, never a traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

import click
from sqlalchemy.exc import OperationalError

from foundation.errors import DomainError
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
            click.echo(f"Error: {message}", err=True)
            sys.exit(1)

        return wrapper

    return decorate
