"""The servers' migrations (central, conalep): :func:`upgrade` a database with a program's
migrations folder, :func:`ready_engine` before serving, and :func:`run`, the body of each
program's Alembic ``env.py``: migrate on the caller's connection when one is given (tests,
``upgrade`` inside a transaction), else on an engine for the configured URL; offline mode
writes SQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, MetaData

from foundation.server_settings import ServerSettings
from foundation.sqldb import make_engine


def alembic_config(migrations: Path, url: str) -> Config:
    """The Alembic configuration of the migrations folder ``migrations`` on ``url``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(migrations: Path, url: str, target: str = "heads") -> None:
    """Bring the database at ``url`` to ``target`` (every branch's newest: ``heads``)."""
    command.upgrade(alembic_config(migrations, url), target)


def ready_engine(settings: ServerSettings,
                 upgrade_database: Callable[[str], None] | None) -> Engine:
    """An engine on the database of ``settings``, after making the data folder (0700) and,
    unless ``upgrade_database`` is None, bringing the database to the newest schema."""
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if upgrade_database is not None:
        upgrade_database(settings.database_url)
    return make_engine(settings.database_url)


def run(context: Any, metadata: MetaData) -> None:
    """Run the migrations of ``context`` (``alembic.context``) for ``metadata``."""
    config = context.config
    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url"),
                          target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        _online(context, connection, metadata)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _online(context, conn, metadata)
    engine.dispose()


def _online(context: Any, connection: Any, metadata: MetaData) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
