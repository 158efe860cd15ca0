"""Print files and the print lock: what the print service and the fleet updater share.

Sending sheets holds the print lock (:func:`print_lock`); the updater switches versions only
when it can take the lock exclusively (:func:`no_printing`) and, read-only, the ledger has no
sheet sent but unconfirmed (:func:`sent_sheet_times`). A crash while producing a print file
leaves a ``.pdf.tmp`` that :func:`recover_print_files` finishes or discards (see
``station/services/issuance.py`` for the protocol).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from foundation.atomic_files import fsync_dir
from station.store import sheet_records
from station.store.data_folder import DataFolder
from station.store.db import Database


@contextlib.contextmanager
def print_lock(folder: DataFolder) -> Iterator[None]:
    """Held by whoever sends sheets to the printer; the updater waits for it to be free.

    >>> import tempfile; folder = DataFolder(Path(tempfile.mkdtemp()))
    >>> with print_lock(folder):
    ...     printing_locked(folder)
    True
    >>> printing_locked(folder)
    False
    """
    fd = os.open(folder.print_lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def no_printing(folder: DataFolder) -> Iterator[bool]:
    """Hold printing off while the updater switches versions; yields False when a print runs.

    Printing waits for this lock (:func:`print_lock` blocks), so no sheet starts between the
    check and the restart. The lock file keeps the data folder's owner: the updater runs as
    root, the print service as the station's user.
    """
    fd = os.open(folder.print_lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        owner = os.stat(folder.root)
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


def printing_locked(folder: DataFolder) -> bool:
    if not folder.print_lock.exists():
        return False
    fd = os.open(folder.print_lock, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def sent_sheet_times(folder: DataFolder) -> list[datetime]:
    """When each sheet still 'sent' (not confirmed) was made, local time.

    The ledger is opened read-only with plain SQLite: the updater runs as root and must not
    create files in the data folder (no WAL side files, no migrations).
    """
    if not folder.ledger.exists():
        return []
    try:
        conn = sqlite3.connect(f"{folder.ledger.absolute().as_uri()}?mode=ro", uri=True)
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


def recover_print_files(db: Database, sheets_dir: Path) -> None:
    """Finish or discard print files a crash left half-way: a ``.tmp`` whose sheet was
    committed is renamed into place, any other is deleted."""
    with db.write() as conn:
        for tmp in sheets_dir.glob("*.pdf.tmp"):
            final = tmp.with_suffix("")
            if sheet_records.pdf_recorded(conn, final.name):
                os.replace(tmp, final)
            else:
                tmp.unlink()
    fsync_dir(sheets_dir)
