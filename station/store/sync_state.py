"""Ledger side of the sync: acknowledged events, cursors, revocations, central's config.

Nothing here appends to ``events`` except changes to the station's own records (a card that
central revoked), so a sync never creates work for the next sync.

>>> import tempfile, pathlib
>>> from station.store.db import Database
>>> db = Database(pathlib.Path(tempfile.mkdtemp()) / "ledger.sqlite3")
>>> with db.write() as conn:
...     set_state(conn, "acked_through", 7)
...     get_int(conn, "acked_through")
7
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from foundation.contract.events import CardRevokedByCentral
from station.store.ledger import append_event, now_iso


def get_state(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def get_int(conn: sqlite3.Connection, key: str) -> int:
    return int(get_state(conn, key) or 0)


def states_with_prefix(conn: sqlite3.Connection, prefix: str) -> dict[str, str]:
    """Every state whose key starts with ``prefix``, by the rest of its key."""
    rows = conn.execute("SELECT key, value FROM sync_state WHERE key LIKE ?", (prefix + "%",))
    return {key.removeprefix(prefix): value for key, value in rows}


def set_state(conn: sqlite3.Connection, key: str, value: object) -> None:
    conn.execute("INSERT INTO sync_state (key, value, updated_at) VALUES (?, ?, ?)"
                 " ON CONFLICT(key) DO UPDATE SET value = excluded.value,"
                 " updated_at = excluded.updated_at", (key, str(value), now_iso()))


@dataclass(frozen=True, slots=True)
class OutgoingEvent:
    seq: int
    prev_seq: int
    at: str
    kind: str
    payload: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "prev_seq": self.prev_seq, "at": self.at, "kind": self.kind,
                "payload": self.payload}


def pending_events(conn: sqlite3.Connection, *, limit: int) -> list[OutgoingEvent]:
    """The next events central has not acknowledged, oldest first, each naming its predecessor.

    ``prev_seq`` chains the events so central applies them in order even when seqs have gaps.
    """
    acked = get_int(conn, "acked_through")
    rows = conn.execute(
        "SELECT seq, at, kind, payload FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
        (acked, limit)).fetchall()
    out, prev = [], acked
    for seq, at, kind, payload in rows:
        out.append(OutgoingEvent(seq, prev, at, kind, json.loads(payload)))
        prev = seq
    return out


def pending_count(conn: sqlite3.Connection) -> tuple[int, str | None]:
    """How many events wait to go up, and when the oldest of them happened."""
    acked = get_int(conn, "acked_through")
    row = conn.execute("SELECT count(*), min(at) FROM events WHERE seq > ?", (acked,)).fetchone()
    return int(row[0]), row[1]


def acknowledge(conn: sqlite3.Connection, acked_through: int) -> None:
    """Central holds every event up to ``acked_through``; never moves backwards."""
    if acked_through > get_int(conn, "acked_through"):
        last = conn.execute("SELECT max(seq) FROM events").fetchone()[0] or 0
        set_state(conn, "acked_through", min(acked_through, last))


# --- roster from central ---------------------------------------------------------------------

def set_photo_from_central(conn: sqlite3.Connection, curp: str, photo_hash: str | None) -> bool:
    """Link a photo central sent (no event: central already knows it)."""
    cur = conn.execute("UPDATE students SET photo_hash = ?, updated_at = ? WHERE curp = ?"
                       " AND photo_hash IS NOT ?", (photo_hash, now_iso(), curp, photo_hash))
    return bool(cur.rowcount)


def linked_photo_hashes(conn: sqlite3.Connection) -> list[str]:
    """Every photo hash a student is linked to (to find the ones not on disk)."""
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT photo_hash FROM students WHERE photo_hash IS NOT NULL"
        " ORDER BY photo_hash")]


def photo_hash_of(conn: sqlite3.Connection, curp: str) -> str | None:
    row = conn.execute("SELECT photo_hash FROM students WHERE curp = ?", (curp,)).fetchone()
    return row[0] if row else None


# --- revocations --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RevocationRow:
    key_id: str
    folio: int
    cause: str
    reason: str
    revoked_at: str


def add_revocations(conn: sqlite3.Connection, rows: Iterable[RevocationRow], *,
                    own_key_id: str) -> int:
    """Store revocations; a card of this station revoked by central is revoked here too.

    A card replaced by another station's newer card stays 'active' in this ledger so the
    student is not listed as pending again here; verification still says revoked.
    """
    changed = 0
    for r in rows:
        conn.execute("INSERT OR IGNORE INTO revocations (key_id, folio, cause, reason,"
                     " revoked_at) VALUES (?, ?, ?, ?, ?)",
                     (r.key_id, r.folio, r.cause, r.reason, r.revoked_at))
        if r.key_id == own_key_id and r.cause != "replaced":
            cur = conn.execute("UPDATE cards SET status = 'revoked', status_reason = ?"
                               " WHERE folio = ? AND status = 'active'", (r.reason, r.folio))
            if cur.rowcount:
                changed += 1
                append_event(conn, CardRevokedByCentral(folio=r.folio, cause=r.cause,
                                                        reason=r.reason))
    return changed


def revocation_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM revocations").fetchone()[0])


def revocation_of(conn: sqlite3.Connection, key_id: str, folio: int) -> str | None:
    row = conn.execute("SELECT reason FROM revocations WHERE key_id = ? AND folio = ?",
                       (key_id, folio)).fetchone()
    return row[0] if row else None


# --- configuration ------------------------------------------------------------------------

def save_config(conn: sqlite3.Connection, items: Mapping[str, Any], version: int) -> None:
    conn.execute("DELETE FROM central_config")
    for key, value in items.items():
        conn.execute("INSERT INTO central_config (key, value, version) VALUES (?, ?, ?)",
                     (key, json.dumps(value, ensure_ascii=False), version))
    set_state(conn, "config_version", version)


def central_config(conn: sqlite3.Connection) -> dict[str, Any]:
    return {k: json.loads(v) for k, v in conn.execute("SELECT key, value FROM central_config")}


def record_run(conn: sqlite3.Connection, *, started_at: str, ok: bool, pushed: int,
               pulled: int, error: str | None) -> None:
    conn.execute("INSERT INTO sync_runs (started_at, finished_at, ok, pushed, pulled, error)"
                 " VALUES (?, ?, ?, ?, ?, ?)",
                 (started_at, now_iso(), int(ok), pushed, pulled, error))
    set_state(conn, "last_attempt_at", now_iso())
    if ok:
        set_state(conn, "last_success_at", now_iso())
        set_state(conn, "last_error", "")
    else:
        set_state(conn, "last_error", error or "")


MAX_REFUSED_KEPT = 200


def add_event_refusals(conn: sqlite3.Connection, refused: list[dict[str, object]]) -> None:
    """Keep central's refusals of this station's events (newest last, the last 200): events
    central stored but did not apply because they reached beyond the station."""
    if not refused:
        return
    kept = event_refusals(conn)
    seen = {r["seq"] for r in kept}
    kept += [{"seq": int(str(r.get("seq", 0))), "kind": str(r.get("kind", "")),
              "code": str(r.get("code", "")), "message": str(r.get("message", ""))[:300]}
             for r in refused if r.get("seq") not in seen]
    set_state(conn, "events_refused", json.dumps(kept[-MAX_REFUSED_KEPT:], ensure_ascii=False))


def event_refusals(conn: sqlite3.Connection) -> list[dict[str, object]]:
    return list(json.loads(get_state(conn, "events_refused") or "[]"))
