"""What every wing's commands share: settings, a migrated database, Spanish errors."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

import click
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from conalep.settings import ConalepSettings, SettingsRefused, load_settings
from foundation.web.refusal import Refusal

P = ParamSpec("P")
R = TypeVar("R")


def friendly(func: Callable[P, R]) -> Callable[P, R]:
    """Refusals and unusable settings/databases as one Spanish line and exit status 1."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except SettingsRefused as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        except Refusal as exc:
            click.echo(f"Error: {exc.message}", err=True)
            sys.exit(1)
        except OperationalError as exc:
            click.echo(f"Error: no se puede usar la base de datos de conalep ({exc.orig}). "
                       "Revise CONALEP_DATABASE_URL y que el servidor esté encendido.", err=True)
            sys.exit(1)

    return wrapper


def open_sessions(settings: ConalepSettings | None = None) -> sessionmaker[Session]:
    """Sessions on the migrated database of ``settings`` (from the environment by default)."""
    from conalep.db import upgrade
    from foundation.sqldb import make_engine, make_sessionmaker

    settings = settings or load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    upgrade(settings.database_url)
    return make_sessionmaker(make_engine(settings.database_url))
