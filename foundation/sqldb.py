"""Engines and sessions for the servers' databases (central, conalep): SQLite or PostgreSQL.

SQLite is the embedded default: WAL, a busy timeout, and every transaction ``BEGIN IMMEDIATE``
so two writers queue instead of failing on a lock upgrade; the file is created 0600 (it holds
minors' names and CURPs). PostgreSQL is production.

Read-only work (a station pulling its roster or photos) takes sessions from
``make_sessionmaker(engine, read_only=True)``: on SQLite those begin with a deferred ``BEGIN``
under ``PRAGMA query_only``, so they read a WAL snapshot without queueing on the write lock
(and a write slipped into them fails at once instead of upgrading the lock); writers keep
``BEGIN IMMEDIATE``. On PostgreSQL they are ``READ ONLY`` transactions (MVCC readers never
waited for writers there).

>>> engine = make_engine("sqlite://")
>>> engine.dialect.name
'sqlite'
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, create_engine, event, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, *, pool_size: int = 20) -> Engine:
    """An engine for ``url`` with the settings the servers rely on."""
    if url.startswith("sqlite"):
        _private_file(url)
        # hide_parameters: an IntegrityError's message must never carry a student's CURP into
        # a log line.
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
            read_only = bool(conn.get_execution_options().get(READ_ONLY))
            info = conn.connection.info  # per DBAPI connection: the pragma's current value
            if info.get(READ_ONLY, False) != read_only:
                conn.exec_driver_sql(f"PRAGMA query_only={int(read_only)}")
                info[READ_ONLY] = read_only
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size,
                           pool_pre_ping=True, hide_parameters=True)

    @event.listens_for(engine, "begin")
    def _on_begin_pg(conn: Any) -> None:
        # Same contract as SQLite's query_only: a write slipped into a read route fails in
        # the tests of both databases, not only in production on one.
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")

    return engine


def _private_file(url: str) -> None:
    """Create the SQLite file 0600 before SQLite does: it holds minors' names and CURPs."""
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and not path.startswith(":") and not os.path.exists(path):
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


READ_ONLY = "sc_read_only"
"""Execution option of the engine behind read-only sessions (see the module docstring)."""


def make_sessionmaker(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Sessions on ``engine``; ``read_only`` ones never take SQLite's write lock."""
    bind = engine.execution_options(**{READ_ONLY: True}) if read_only else engine
    return sessionmaker(bind, expire_on_commit=False, autoflush=False)


def bulk_insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many rows inside the session's transaction, fast on both databases.

    PostgreSQL: ``COPY … FROM STDIN`` on the session's own connection (psycopg's executemany
    sends one protocol round per row and is several times slower:
    bench/bench_central_ingest.py). SQLite: the driver's executemany with each column's own
    bind processor (SQLAlchemy's per-row parameter handling was half the time of a state's
    grade sheet: bench/bench_conalep.py).
    """
    if not rows:
        return
    table = model.__table__
    connection = session.connection()
    columns = [c.name for c in table.columns if c.name in rows[0]]
    if connection.dialect.name == "sqlite":
        processors = [table.c[c].type.bind_processor(connection.dialect) for c in columns]
        # Column by column, each distinct value converted once (a grade sheet repeats a few
        # hundred dates, grades and one timestamp over a million rows).
        values = list(zip(*(_sqlite_values([row[c] for row in rows], p)
                            for c, p in zip(columns, processors, strict=True)), strict=True))
        marks = ", ".join("?" * len(columns))
        connection.exec_driver_sql(
            f'INSERT INTO {table.name} ({", ".join(columns)}) VALUES ({marks})', values)
        return
    if connection.dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    raw = connection.connection.dbapi_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(
            f'COPY {table.name} ({", ".join(columns)}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def _sqlite_values(values: list[Any], processor: Any) -> list[Any]:
    """``values`` as the driver stores them: through the column's bind processor, else dates
    as sqlite3's own default adapters write them (ISO text), memoised per distinct value."""
    first = next((v for v in values if v is not None), None)
    if processor is None:
        if isinstance(first, datetime):
            processor = _iso_space
        elif isinstance(first, date):
            processor = date.isoformat
        else:
            return values
    memo: dict[Any, Any] = {None: None}
    try:
        return [memo[v] if v in memo else memo.setdefault(v, processor(v)) for v in values]
    except TypeError:  # an unhashable value: convert each
        return [None if v is None else processor(v) for v in values]


def _iso_space(value: datetime) -> str:
    return value.isoformat(" ")


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
