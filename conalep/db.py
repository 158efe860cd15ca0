"""Conalep's database: migrations (Alembic, every wing's branch up to ``heads``); engines and
sessions come from :mod:`foundation.sqldb`."""

from __future__ import annotations

from pathlib import Path

from foundation import migrations_env

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def upgrade(url: str) -> None:
    """Bring the database at ``url`` to the newest schema of every wing (``upgrade heads``)."""
    migrations_env.upgrade(MIGRATIONS, url)
