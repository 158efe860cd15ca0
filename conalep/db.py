"""Conalep's database: migrations (Alembic, every wing's branch up to ``heads``); engines and
sessions come from :mod:`foundation.sqldb`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).resolve().parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str) -> None:
    """Bring the database at ``url`` to the newest schema of every wing (``upgrade heads``)."""
    command.upgrade(alembic_config(url), "heads")
