"""What every wing's commands share: settings, a migrated database, Spanish errors."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from conalep.settings import ConalepSettings
from foundation import server_cli
from foundation.server_settings import SettingsRefused

friendly = server_cli.friendly("conalep", "CONALEP_DATABASE_URL", SettingsRefused)
"""Refusals and unusable settings/databases as one Spanish line and exit status 1."""


def open_sessions(settings: ConalepSettings | None = None) -> sessionmaker[Session]:
    """Sessions on the migrated database of ``settings`` (from the environment by default)."""
    from conalep.db import upgrade
    from foundation.migrations_env import ready_engine
    from foundation.sqldb import make_sessionmaker

    return make_sessionmaker(ready_engine(settings or ConalepSettings.load(), upgrade))
