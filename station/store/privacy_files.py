"""Deleting the files a committed purge freed: photos and print files (issue 18).

Each file is listed in ``purge_pending_files`` by the purge's own transaction; this deletes
it (and makes the deletion durable: fsync of its folder) and only then removes its row. A
crash between the two leaves the row, and the next run deletes a file already gone without
complaint. See ``station/services/privacy.py`` for the whole protocol.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from foundation.atomic_files import fsync_dir
from station.store import privacy_records
from station.store.data_folder import DataFolder
from station.store.db import Database

PHOTO_EXTENSIONS = ("jpg", "png")


def _photo_files(folder: DataFolder, photo_hash: str) -> list[Path]:
    if len(photo_hash) != 64 or not all(c in "0123456789abcdef" for c in photo_hash):
        return []  # never build a path from a malformed name
    base = folder.photos / photo_hash[:2]
    return [base / f"{photo_hash}.{ext}" for ext in PHOTO_EXTENSIONS]


def _sheet_files(folder: DataFolder, name: str) -> list[Path]:
    path = folder.sheets / name
    return [path] if path.parent == folder.sheets and name.endswith(".pdf") else []


def _delete(paths: list[Path]) -> int:
    """Unlink the paths that exist and make it durable; how many were there."""
    touched = set()
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            touched.add(path.parent)
    for parent in touched:
        fsync_dir(parent)
    return len(touched)


@dataclass(slots=True)
class Settled:
    rows: int = 0
    photos: int = 0
    """Photo files really deleted (a file an earlier run deleted is not counted again)."""
    print_files: int = 0


def finish_pending(db: Database, folder: DataFolder) -> Settled:
    """Delete every file a committed purge listed, then its row.

    A photo another (not purged) student links again since is kept: content-addressed
    photos are shared by equal bytes."""
    out = Settled()
    with db.read() as conn:
        pending = privacy_records.pending_files(conn)
    for kind, name in pending:
        if kind == "photo":
            with db.read() as conn:
                in_use = privacy_records.photo_in_use(conn, name)
            if not in_use:
                out.photos += bool(_delete(_photo_files(folder, name)))
        else:
            out.print_files += bool(_delete(_sheet_files(folder, name)))
        with db.write() as conn:
            privacy_records.file_deleted(conn, kind, name)
        out.rows += 1
    return out
