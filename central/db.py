"""Engine, sessions and migrations for central's database (SQLite or PostgreSQL).

SQLite is the embedded default: WAL, a busy timeout, and every transaction ``BEGIN IMMEDIATE``
so two writers queue instead of failing on a lock upgrade. PostgreSQL is production.

>>> engine = make_engine("sqlite://")
>>> engine.dialect.name
'sqlite'
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from central.errors import ApiError
from central.models import Counter

T = TypeVar("T")
RETRIES = 6


def make_engine(url: str, *, pool_size: int = 20) -> Engine:
    """An engine for ``url`` with the settings central relies on."""
    if url.startswith("sqlite"):
        _private_file(url)
        # hide_parameters: an IntegrityError's message must never carry a student's CURP into
        # a log line (issue 10, finding 10).
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                               hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON",
                           "busy_timeout=30000"):
                cur.execute(f"PRAGMA {pragma}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True,
                         hide_parameters=True)


def _private_file(url: str) -> None:
    """Create the SQLite file 0600 before SQLite does: it holds minors' names and CURPs."""
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and not path.startswith(":") and not os.path.exists(path):
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=False)


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


def bulk_insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many rows inside the session's transaction, fast on both databases.

    PostgreSQL: ``COPY … FROM STDIN`` on the session's own connection (psycopg's executemany
    sends one protocol round per row and is several times slower:
    bench/bench_central_ingest.py). SQLite: executemany.
    """
    if not rows:
        return
    table = model.__table__
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    columns = [c.name for c in table.columns if c.name in rows[0]]
    raw = connection.connection.dbapi_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(
            f'COPY {table.name} ({", ".join(columns)}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work commits at the end of the block, or rolls back on any error."""
    with factory() as session, session.begin():
        yield session


def insert_ignore(session: Session, model: Any, values: dict[str, Any]) -> bool:
    """``INSERT … ON CONFLICT DO NOTHING``: True when the row is new.

    Race-free where get-then-insert is not: two transactions adding the same key (two stations
    revoking one card) both succeed, the second one adds nothing.
    """
    dialect = session.connection().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = session.execute(make(model.__table__).values(**values).on_conflict_do_nothing())
    return bool(getattr(result, "rowcount", 0))


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
