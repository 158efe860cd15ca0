"""Migrations and change counters of central's database (SQLite or PostgreSQL); engines and
sessions come from :mod:`foundation.sqldb`."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from central.errors import ApiError
from central.models import Counter
from foundation import migrations_env

T = TypeVar("T")
RETRIES = 6


MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def upgrade(url: str) -> None:
    """Bring the database at ``url`` to the newest schema (``alembic upgrade head``)."""
    migrations_env.upgrade(MIGRATIONS, url, "head")


def next_rev(session: Session, name: str) -> int:
    """Take the next change number of counter ``name`` inside the caller's transaction."""
    value = session.execute(
        update(Counter).where(Counter.name == name).values(value=Counter.value + 1)
        .returning(Counter.value)).scalar_one()
    return int(value)


_RETRY_PG_CODES = {"40001", "40P01"}  # serialization failure, deadlock detected


def is_retryable(exc: BaseException) -> bool:
    """A transaction that lost a race and will succeed when run again from the start.

    PostgreSQL serialization failures and deadlocks, a SQLite lock that outlasted the busy
    timeout, and a unique violation (another transaction inserted the same key first: run
    again, the idempotent path sees it).
    """
    if isinstance(exc, IntegrityError):
        return True
    if isinstance(exc, OperationalError):
        orig = exc.orig
        code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        return code in _RETRY_PG_CODES or "database is locked" in str(orig)
    if isinstance(exc, DBAPIError):
        orig = exc.orig
        return (getattr(orig, "sqlstate", None) or "") in _RETRY_PG_CODES
    return False


def retrying(session: Session, work: Callable[[], T]) -> T:
    """Run ``work`` (which commits) again from the start when its transaction lost a race.

    Rolled back between attempts with a growing, jittered pause. After the last attempt the
    caller gets 503 ``busy`` (a station retries that), never a 500.
    """
    for attempt in range(RETRIES):
        try:
            return work()
        except DBAPIError as exc:
            session.rollback()
            if not is_retryable(exc):
                raise
            time.sleep(random.uniform(0.005, 0.03) * (attempt + 1))
    raise ApiError(503, "busy", "El servicio central está muy ocupado; se reintentará.")
