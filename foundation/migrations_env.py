"""The body of a server's Alembic ``env.py`` (central, conalep): migrate on the caller's
connection when one is given (tests, ``upgrade`` inside a transaction), else on an engine for
the configured URL; offline mode writes SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData

from foundation.sqldb import make_engine


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
