"""Checks the updater runs on a ledger without writing it (``station selftest``, health).

>>> import tempfile; folder = Path(tempfile.mkdtemp())
>>> Database(folder / "ledger.sqlite3").close()
>>> verdict, new = trial_migration(folder / "ledger.sqlite3")
>>> verdict, new
('ok', [])
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from foundation.errors import StorageError
from station.store.db import Database


def answers(path: Path) -> None:
    """Open the ledger as the kiosk does (this version's migrations apply) and read it."""
    db = Database(path)
    try:
        with db.read() as conn:
            conn.execute("SELECT count(*) FROM events").fetchone()
    finally:
        db.close()


def trial_migration(path: Path) -> tuple[str, list[str]]:
    """(SQLite's quick_check verdict, migrations this version would add), tried on a COPY.

    The copy is made with SQLite's backup API (a consistent snapshot even while the kiosk
    writes) in a temporary folder that is deleted; the ledger itself is opened read-only.
    Raises DomainError when the ledger cannot be opened or migrated.
    """
    try:
        return _trial_migration(path)
    except sqlite3.Error as exc:
        raise StorageError(str(exc)) from exc


def _trial_migration(path: Path) -> tuple[str, list[str]]:
    source = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    try:
        verdict = source.execute("PRAGMA quick_check").fetchone()[0]
        with tempfile.TemporaryDirectory(prefix="selftest-") as tmp:
            copy_path = Path(tmp) / "ledger-copy.sqlite3"
            copy = sqlite3.connect(copy_path)
            try:
                source.backup(copy)
            finally:
                copy.close()
            before = _migrations(copy_path)
            Database(copy_path).close()
            after = _migrations(copy_path)
    finally:
        source.close()
    return verdict, sorted(after - before)


def _migrations(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM schema_migrations")}
    except sqlite3.Error:
        return set()
    finally:
        conn.close()
