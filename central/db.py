"""Migrations and change counters of central's database (SQLite or PostgreSQL); engines and
sessions come from :mod:`foundation.sqldb`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import update
from sqlalchemy.orm import Session

from central.models import Counter

COUNTERS = ("roster", "trust", "revocations", "config", "station")


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).resolve().parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str) -> None:
    """Bring the database at ``url`` to the newest schema (``alembic upgrade head``)."""
    command.upgrade(alembic_config(url), "head")


def next_rev(session: Session, name: str) -> int:
    """Take the next change number of counter ``name`` inside the caller's transaction."""
    value = session.execute(
        update(Counter).where(Counter.name == name).values(value=Counter.value + 1)
        .returning(Counter.value)).scalar_one()
    return int(value)
