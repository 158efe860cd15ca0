"""What central handed this station at its last sync: the hologram ranges it may use, and
the notices central sent it (issue 13). Both arrive with ``GET /api/v1/sync/config``."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from station.core.holograms import HologramRange
from station.store.ledger import now_iso


def set_assigned_ranges(conn: sqlite3.Connection, ranges: Iterable[HologramRange]) -> None:
    """Replace the assigned ranges with central's current list."""
    conn.execute("DELETE FROM assigned_hologram_ranges")
    conn.executemany(
        "INSERT OR IGNORE INTO assigned_hologram_ranges (prefix, first_number, last_number,"
        " width, cycle) VALUES (?, ?, ?, ?, ?)",
        [(r.prefix, r.first, r.last, r.width, r.cycle) for r in ranges])


def assigned_ranges(conn: sqlite3.Connection) -> list[HologramRange]:
    return [HologramRange(*row) for row in conn.execute(
        "SELECT prefix, first_number, last_number, width, cycle FROM assigned_hologram_ranges"
        " ORDER BY prefix, width, first_number")]


@dataclass(frozen=True, slots=True)
class Notice:
    id: int
    kind: str
    message: str
    created_at: str

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "kind": self.kind, "message": self.message,
                "created_at": self.created_at}


def add_notices(conn: sqlite3.Connection, notices: Iterable[Notice]) -> int:
    """Keep central's notices (each once); returns how many were new."""
    stamp = now_iso()
    before = conn.total_changes
    conn.executemany(
        "INSERT OR IGNORE INTO central_notices (id, kind, message, created_at, received_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [(n.id, n.kind, n.message, n.created_at, stamp) for n in notices])
    return conn.total_changes - before


def notices(conn: sqlite3.Connection, *, limit: int = 50) -> list[Notice]:
    """The newest notices, oldest first."""
    rows = conn.execute("SELECT id, kind, message, created_at FROM central_notices"
                        " ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    return [Notice(*r) for r in reversed(rows)]


def last_notice_id(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT max(id) FROM central_notices").fetchone()
    return int(row[0] or 0)
