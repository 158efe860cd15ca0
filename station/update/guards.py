"""When a release may be installed: inside the maintenance window, never while printing.

Printing is "in progress" when the print lock is held (``print_lock``, for the print service)
or the ledger has sheets sent to the printer in the last 2 hours that nobody confirmed yet
(``station.core.releases.printing_in_progress``). The ledger is opened read-only with plain
SQLite: the updater runs as root and must not create files in the data folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from station.core.releases import in_window, parse_window, printing_in_progress

LOCK_NAME = "printing.lock"


@contextlib.contextmanager
def print_lock(data_dir: Path) -> Iterator[None]:
    """Held by whoever sends sheets to the printer; the updater waits for it to be free.

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> with print_lock(folder):
    ...     printing_locked(folder)
    True
    >>> printing_locked(folder)
    False
    """
    fd = os.open(data_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def no_printing(data_dir: Path) -> Iterator[bool]:
    """Hold printing off while the updater switches versions; yields False when a print runs.

    Printing waits for this lock (:func:`print_lock` blocks), so no sheet starts between the
    check and the restart. The lock file keeps the data folder's owner: the updater runs as
    root, the print service as the station's user.
    """
    path = data_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        owner = os.stat(data_dir)
        if os.fstat(fd).st_uid != owner.st_uid and os.geteuid() == 0:
            os.fchown(fd, owner.st_uid, owner.st_gid)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def printing_locked(data_dir: Path) -> bool:
    path = data_dir / LOCK_NAME
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _sent_sheets(data_dir: Path) -> list[datetime]:
    path = data_dir / "ledger.sqlite3"
    if not path.exists():
        return []
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT created_at FROM sheets WHERE state = 'sent'").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return []
    out = []
    for (text,) in rows:
        with contextlib.suppress(ValueError, TypeError):
            moment = datetime.fromisoformat(text)
            out.append(moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment)
    return out


def why_not_now(data_dir: Path, window: str, now: datetime) -> str | None:
    """Why the install must wait (Spanish), or None when it may go ahead."""
    if not in_window(parse_window(window), now.time()):
        return (f"fuera del horario de mantenimiento ({window}); se instalará dentro de ese "
                "horario")
    if printing_locked(data_dir):
        return "se está imprimiendo; se instalará cuando termine la impresión"
    busy = printing_in_progress(_sent_sheets(data_dir), now)
    if busy:
        return (f"hay {busy} planilla(s) enviadas a la impresora sin confirmar; confirme o "
                "marque las planillas y se instalará después")
    return None
