"""SQLite access for the station's ledger: one writer, read-only readers, WAL, named migrations.

Every write goes through :meth:`Database.write`, which opens ``BEGIN IMMEDIATE`` so the write
lock is taken up front (no deadlock upgrading a read to a write) and commits or rolls back as a
whole. ``synchronous=FULL`` makes a commit durable before it returns: anything the screen
confirms survives a power cut. Readers open the file ``mode=ro`` so a bug in a report can never
write.

>>> import tempfile, pathlib
>>> db = Database(pathlib.Path(tempfile.mkdtemp()) / "ledger.sqlite3")
>>> with db.write() as conn:
...     _ = conn.execute("INSERT INTO events (at, kind, payload) VALUES ('t', 'demo', '{}')")
>>> with db.read() as conn:
...     conn.execute("SELECT count(*) FROM events").fetchone()[0]
1
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from foundation.errors import StorageError

PRAGMAS = {
    "journal_mode": "WAL",
    "synchronous": "FULL",
    "foreign_keys": "ON",
    "busy_timeout": "10000",
}
"""Connection settings; each is documented in docs/ledger.md (a test checks that)."""


Connection = sqlite3.Connection
"""The connection of an open transaction, as services and sync pass it to store functions
(the only name of sqlite3 they need)."""


def _migrations() -> list[tuple[str, str]]:
    """(name, sql) of every migration shipped in ``station/store/migrations``, in name order."""
    folder = resources.files("station.store") / "migrations"
    found = [(p.name.removesuffix(".sql"), p.read_text("utf-8")) for p in folder.iterdir()
             if p.name.endswith(".sql")]
    return sorted(found)


class Database:
    """The ledger file. Creating it applies the migrations that are not applied yet."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        existed = path.exists()
        try:
            self._writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StorageError(
                f"No se pudo abrir el registro de la estación («{Path(path).name}»): "
                f"{exc}.") from exc
        if not existed:
            os.chmod(path, 0o600)  # the ledger holds minors' names and CURPs
        for key, value in PRAGMAS.items():
            self._writer.execute(f"PRAGMA {key}={value}")
        self._writer.row_factory = sqlite3.Row
        self._migrate()

    def _migrate(self) -> None:
        with self._lock:
            applied = {r[0] for r in self._writer.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name = 'schema_migrations'")}
            done = ({r[0] for r in self._writer.execute("SELECT name FROM schema_migrations")}
                    if applied else set())
        # A migration that rebuilds a referenced table (SQLite's 12-step schema change) says
        # "-- foreign_keys: off" on its first line: the pragma only changes outside a
        # transaction, and every key is checked again before the transaction commits.
        keys_off = any(sql.startswith("-- foreign_keys: off")
                       for name, sql in _migrations() if name not in done)
        if keys_off:
            self._writer.execute("PRAGMA foreign_keys=OFF")
        try:
            self._apply_migrations(check_keys=keys_off)
        finally:
            if keys_off:
                self._writer.execute("PRAGMA foreign_keys=ON")

    def _apply_migrations(self, *, check_keys: bool) -> None:
        with self.write() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations"
                " (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT (datetime('now')))"
            )
            done = {r[0] for r in conn.execute("SELECT name FROM schema_migrations")}
            for name, sql in _migrations():
                if name in done:
                    continue
                # executescript would COMMIT our IMMEDIATE transaction; run statement by statement.
                for statement in _split_sql(sql):
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_migrations (name) VALUES (?)", (name,))
            if check_keys and conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                raise StorageError(
                    "La actualización del registro de la estación dejó referencias rotas; no "
                    "se aplicó.", way_out="Reporte el problema a su DRSE; la estación sigue "
                    "con su registro anterior.")

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction on the single writer connection."""
        with self._lock:
            try:
                self._writer.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StorageError(
                    "El registro de la estación está ocupado por otro programa.",
                    way_out="Espere unos segundos e intente de nuevo.",
                ) from exc
            try:
                yield self._writer
            except BaseException:
                self._writer.execute("ROLLBACK")
                raise
            else:
                self._writer.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A read-only connection that sees the last committed state."""
        conn = sqlite3.connect(f"{self.path.absolute().as_uri()}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        try:
            yield conn
        finally:
            conn.close()

    def close(self) -> None:
        self._writer.close()


def _split_sql(sql: str) -> list[str]:
    """Split a migration into statements (our migrations use no triggers or string ';')."""
    return [s.strip() for s in sql.split(";") if s.strip() and not _only_comments(s)]


def _only_comments(statement: str) -> bool:
    return all(line.strip().startswith("--") or not line.strip() for line in statement.splitlines())
