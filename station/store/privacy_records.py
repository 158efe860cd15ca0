"""Ledger side of the privacy rules (issue 18): the retention clock, the purge of one student,
tombstones, ARCO rectifications. See ``station/services/privacy.py`` for the crash protocol.

A purge runs inside the caller's write transaction and touches rows only; the files it frees
(photos, print files) are listed in ``purge_pending_files`` in the same transaction and
deleted after the commit by ``station.store.privacy_files.finish_pending``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from foundation.contract.events import StudentDataPurged
from station.core.privacy import PSEUDONYM_PREFIX, RETENTION, pseudonym
from station.store import privacy_key
from station.store.ledger import append_event, now_iso
from station.store.sync_state import get_int

NOT_PURGED = f"curp NOT LIKE '{PSEUDONYM_PREFIX}%'"

CURP_COLUMNS: tuple[str, ...] = ("cards", "hologram_uses", "card_reports", "replacements",
                                 "declines", "card_requests", "delivery_items",
                                 "school_changes")
"""Every table with a ``curp`` column besides ``students`` (a test compares this with the
schema, so a new table with a CURP cannot be forgotten by the purge)."""

CURP_IN_TEXT: tuple[tuple[str, str], ...] = (
    ("events", "payload"), ("office_requests", "curps"), ("office_batches", "cards"),
    ("office_batches", "holograms"), ("central_notices", "message"), ("office_news", "words"),
    ("office_news", "reason"), ("office_news", "detail"), ("sync_state", "value"))
"""Text columns (JSON lists, event payloads, central's words) that may quote a CURP: the
quoted CURP is replaced by the quoted pseudonym, which has the same shape."""

PERSONAL_TEXT: tuple[tuple[str, str], ...] = (
    ("cards", "name_on_card"), ("declines", "notes"), ("card_requests", "notes"))
"""Free text about the student kept beside their CURP: emptied by the purge."""


# --- the retention clock ---------------------------------------------------------------------

def mark_inactivity(conn: sqlite3.Connection, *, cycle: str, today: date) -> tuple[int, int]:
    """Start the clock of students who left (BAJA) or are missing from their school's roster
    of ``cycle`` once that roster is here; stop it for those enrolled again. (started,
    stopped). A school whose roster of the cycle was not imported yet keeps every clock as it
    is: its students are not known to have left."""
    current = ("SELECT cct FROM students WHERE ciclo = :cycle AND estatus = 'INSCRITO'")
    started = conn.execute(
        f"UPDATE students SET inactive_since = :today WHERE inactive_since IS NULL"
        f" AND {NOT_PURGED} AND (estatus = 'BAJA' OR (ciclo != :cycle AND cct IN ({current})))",
        {"cycle": cycle, "today": today.isoformat()}).rowcount
    stopped = conn.execute(
        f"UPDATE students SET inactive_since = NULL WHERE inactive_since IS NOT NULL"
        f" AND {NOT_PURGED} AND estatus = 'INSCRITO'"
        f" AND (ciclo = :cycle OR cct NOT IN ({current}))", {"cycle": cycle}).rowcount
    return started, stopped


@dataclass(frozen=True, slots=True)
class DueStudent:
    """A student whose retention period is over. ``curp`` never leaves the station's memory:
    reports name the student by ``internal_id`` (the row id) and folios."""

    curp: str
    internal_id: int
    cct: str
    inactive_since: str
    withdrawn: bool
    folios: tuple[int, ...]
    has_photo: bool


def due_students(conn: sqlite3.Connection, *, until: date) -> list[DueStudent]:
    """Students inactive since ``until`` or before, not purged yet, by school and date."""
    rows = conn.execute(
        f"SELECT rowid, curp, cct, inactive_since, estatus, photo_hash FROM students"
        f" WHERE inactive_since IS NOT NULL AND inactive_since <= ? AND {NOT_PURGED}"
        f" ORDER BY cct, inactive_since, rowid", (until.isoformat(),)).fetchall()
    return [DueStudent(r[1], r[0], r[2], r[3], r[4] == "BAJA", folios_of(conn, r[1]),
                       r[5] is not None) for r in rows]


def still_due(conn: sqlite3.Connection, curp: str, *, until: date) -> bool:
    """Whether the student is still here, not purged, and inactive since ``until`` or
    before (read again inside the purge's transaction)."""
    row = conn.execute("SELECT inactive_since FROM students WHERE curp = ?",
                       (curp,)).fetchone()
    return row is not None and row[0] is not None and row[0] <= until.isoformat()


def folios_of(conn: sqlite3.Connection, curp: str) -> tuple[int, ...]:
    return tuple(r[0] for r in conn.execute(
        "SELECT folio FROM cards WHERE curp = ? ORDER BY folio", (curp,)))


def unsent_mentions(conn: sqlite3.Connection, curp: str) -> bool:
    """Whether an event central has not acknowledged yet names the student: purging now
    would send central a pseudonym in place of a card's or hologram's student."""
    return conn.execute(
        "SELECT 1 FROM events WHERE seq > ? AND instr(payload, ?) > 0 LIMIT 1",
        (get_int(conn, "acked_through"), f'"{curp}"')).fetchone() is not None


# --- the purge -------------------------------------------------------------------------------

@dataclass(slots=True)
class Purged:
    """What one purge changed (no personal data)."""

    pseudonym: str
    cct: str
    folios: tuple[int, ...] = ()
    photos: list[str] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    present: bool = True
    """False: the student was not in the ledger (only the tombstone was recorded)."""


def purge_student(conn: sqlite3.Connection, *, curp: str, digest: str, reason: str,
                  cct: str | None = None, order_id: int | None = None,
                  today: date) -> Purged:
    """Replace the student's personal data by the pseudonym of ``digest`` in every row, keep
    folios, dates and card states, record the tombstone and the files to delete, and append
    a ``student_data_purged`` event. Inside the caller's write transaction."""
    alias = pseudonym(digest)
    row = conn.execute("SELECT cct, photo_hash FROM students WHERE curp = ?",
                       (curp,)).fetchone()
    if row is None:
        done = Purged(alias, cct or "", present=False)
    else:
        done = Purged(alias, row[0], folios_of(conn, curp))
        _replace_student(conn, curp, alias, today)
        if row[1] and conn.execute("SELECT 1 FROM students WHERE photo_hash = ?",
                                   (row[1],)).fetchone() is None:
            done.photos.append(row[1])
        done.sheets = [r[0] for r in conn.execute(
            "SELECT DISTINCT s.pdf_name FROM cards c JOIN folio_uses u ON u.folio = c.folio"
            " JOIN sheets s ON s.id = u.sheet_id WHERE c.curp = ?"
            " AND s.state IN ('confirmed', 'spoiled')", (alias,))]
    stamp = now_iso()
    for kind, names in (("photo", done.photos), ("sheet", done.sheets)):
        conn.executemany("INSERT OR IGNORE INTO purge_pending_files (kind, name, added_at)"
                         " VALUES (?, ?, ?)", [(kind, n, stamp) for n in names])
    conn.execute("INSERT INTO purged_students (digest, pseudonym, cct, reason, order_id,"
                 " purged_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(digest) DO UPDATE SET"
                 " reason = excluded.reason, order_id = excluded.order_id,"
                 " purged_at = excluded.purged_at",
                 (digest, alias, done.cct or "-", reason, order_id, stamp))
    append_event(conn, StudentDataPurged(
        reason=reason, cct=done.cct or None, digest=digest, folios=list(done.folios),
        photos=len(done.photos), print_files=len(done.sheets), order=order_id,
        on=today.isoformat()))
    return done


def _replace_student(conn: sqlite3.Connection, curp: str, alias: str, today: date) -> None:
    # The new row first, then the references, then the old row: every foreign key holds
    # at each statement, so no pragma has to defer the checks.
    conn.execute(
        "INSERT INTO students (curp, nombre, primer_apellido, segundo_apellido, cct, grado,"
        " grupo, ciclo, estatus, nuevo_ingreso, photo_hash, updated_at, inactive_since)"
        " SELECT ?, '', '', '', cct, grado, grupo, ciclo, 'BAJA', nuevo_ingreso, NULL, ?,"
        " coalesce(inactive_since, ?) FROM students WHERE curp = ?",
        (alias, now_iso(), today.isoformat(), curp))
    for table in CURP_COLUMNS:
        conn.execute(f"UPDATE {table} SET curp = ? WHERE curp = ?", (alias, curp))
    for table, column in PERSONAL_TEXT:
        conn.execute(f"UPDATE {table} SET {column} = '' WHERE curp = ?", (alias,))
    quoted, alias_quoted = f'"{curp}"', f'"{alias}"'
    for table, column in CURP_IN_TEXT:
        conn.execute(f"UPDATE {table} SET {column} = replace({column}, ?, ?)"
                     f" WHERE instr({column}, ?) > 0", (quoted, alias_quoted, quoted))
    conn.execute("DELETE FROM students WHERE curp = ?", (curp,))


# --- tombstones ------------------------------------------------------------------------------

def tombstones(conn: sqlite3.Connection, digests: Iterable[str]) -> dict[str, str]:
    """digest → reason of the given digests that have a tombstone."""
    wanted = sorted(set(digests))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found.update(conn.execute(
            f"SELECT digest, reason FROM purged_students WHERE digest IN"
            f" ({','.join('?' * len(chunk))})", chunk).fetchall())
    return found


def lift_tombstone(conn: sqlite3.Connection, digest: str) -> None:
    """A student purged by retention came back (enrolled in the current cycle): their new
    record is a new fact, and the old tombstone must not hide their next BAJA."""
    conn.execute("DELETE FROM purged_students WHERE digest = ? AND reason = 'retention'",
                 (digest,))


@dataclass(frozen=True, slots=True)
class Screen:
    """Which incoming roster rows stand for a purged student: ``skip`` (CURPs never to be
    written again) and ``lift`` (digests of retention tombstones whose student came back)."""

    skip: frozenset[str] = frozenset()
    lift: tuple[str, ...] = ()


def screen_roster(conn: sqlite3.Connection, key_path: Path,
                  rows: Iterable[tuple[str, str, str]], *, cycle: str) -> Screen:
    """Screen incoming roster rows ``(curp, estatus, ciclo)`` against the tombstones.

    A cancelled student is never written again (ARCO cancellation). A student purged by
    retention is written again only when enrolled (INSCRITO) in the current ``cycle``: they
    came back to school, and their new record is a new fact; any other row of theirs (the old
    BAJA central still lists) would bring back what the purge erased."""
    if conn.execute("SELECT 1 FROM purged_students LIMIT 1").fetchone() is None:
        return Screen()  # nothing purged here yet: no key needed, no digest computed
    key = privacy_key.load_or_create(key_path)
    by_digest = {privacy_key.digest(key, curp): (curp, estatus, ciclo)
                 for curp, estatus, ciclo in rows}
    found = tombstones(conn, by_digest)
    skip, lift = set(), []
    for digest, reason in found.items():
        curp, estatus, ciclo = by_digest[digest]
        if reason == RETENTION and estatus == "INSCRITO" and ciclo == cycle:
            lift.append(digest)
        else:
            skip.add(curp)
    return Screen(frozenset(skip), tuple(sorted(lift)))


def pending_files(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT kind, name FROM purge_pending_files ORDER BY kind, name")]


def photo_in_use(conn: sqlite3.Connection, photo_hash: str) -> bool:
    return conn.execute("SELECT 1 FROM students WHERE photo_hash = ?",
                        (photo_hash,)).fetchone() is not None


def file_deleted(conn: sqlite3.Connection, kind: str, name: str) -> None:
    conn.execute("DELETE FROM purge_pending_files WHERE kind = ? AND name = ?", (kind, name))


# --- rectification ---------------------------------------------------------------------------

def rectify(conn: sqlite3.Connection, curp: str, changes: dict[str, str]) -> bool:
    """Apply an ARCO rectification's columns (checked by ``core.privacy.rectification``) to
    the student; False when the student is not here. No event: central ordered it."""
    if not changes:
        return conn.execute("SELECT 1 FROM students WHERE curp = ?",
                            (curp,)).fetchone() is not None
    sets = ", ".join(f"{column} = ?" for column in changes)
    cur = conn.execute(f"UPDATE students SET {sets}, updated_at = ? WHERE curp = ?",
                       (*changes.values(), now_iso(), curp))
    return bool(cur.rowcount)


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Tombstones by reason and files still to delete (``station privacy purge --json``)."""
    out = {f"purged_{r[0]}": int(r[1]) for r in conn.execute(
        "SELECT reason, count(*) FROM purged_students GROUP BY reason")}
    out["pending_files"] = int(conn.execute(
        "SELECT count(*) FROM purge_pending_files").fetchone()[0])
    return out

