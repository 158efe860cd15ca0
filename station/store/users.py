"""Ledger records of the kiosk's users: staff who sign in with a personal PIN.

Only the PIN's slow hash is stored (see :mod:`station.services.accounts`). Functions that change
state take the connection of an open write transaction and append an event to the outbox, so
the DRSE can see who was given access to a station; sign-in attempts are not events (noise),
but lockouts are.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from dataclasses import dataclass

from foundation.contract.events import (
    KioskUserAdded,
    KioskUserDisabled,
    KioskUserEnabled,
    KioskUserLocked,
    KioskUserPinChanged,
)
from foundation.errors import NotFound
from station.store.ledger import append_event, now_iso


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A kiosk user as stored, without the PIN hash."""

    id: int
    name: str
    role: str
    active: bool
    failed_attempts: int
    locked_until: float | None
    last_sign_in: str | None
    created_at: str

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "role": self.role, "active": self.active,
                "last_sign_in": self.last_sign_in, "created_at": self.created_at}


_COLUMNS = ("id, name, role, active, failed_attempts, locked_until, last_sign_in, created_at")


def _user(row: sqlite3.Row | tuple[object, ...]) -> UserRecord:
    return UserRecord(int(row[0]), str(row[1]), str(row[2]), bool(row[3]), int(row[4]),
                      None if row[5] is None else float(row[5]), row[6], str(row[7]))  # type: ignore[arg-type]


def name_key(name: str) -> str:
    """The name as compared: case-folded, accents kept, spaces collapsed.

    >>> name_key("  ana  RAMÍREZ ") == name_key("Ana Ramírez")
    True
    """
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def insert_user(conn: sqlite3.Connection, *, name: str, role: str, pin_hash: str) -> int:
    stamp = now_iso()
    cur = conn.execute(
        "INSERT INTO kiosk_users (name, name_key, role, pin_hash, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?)", (name, name_key(name), role, pin_hash, stamp, stamp))
    user_id = int(cur.lastrowid or 0)
    append_event(conn, KioskUserAdded(user=user_id, name=name, role=role))
    return user_id


def name_taken(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM kiosk_users WHERE name_key = ?",
                        (name_key(name),)).fetchone() is not None


def get_user(conn: sqlite3.Connection, user_id: int) -> UserRecord:
    row = conn.execute(f"SELECT {_COLUMNS} FROM kiosk_users WHERE id = ?", (user_id,)).fetchone()
    if row is None:
        raise NotFound(f"No existe el usuario número {user_id} en esta estación.",
                       way_out="Revise la lista de usuarios en Ajustes > Usuarios.",
                       command="station users list")
    return _user(row)


def find_user(conn: sqlite3.Connection, name_or_id: str) -> UserRecord:
    """A user by number or by name (case-insensitive)."""
    if name_or_id.strip().isdigit():
        return get_user(conn, int(name_or_id))
    row = conn.execute(f"SELECT {_COLUMNS} FROM kiosk_users WHERE name_key = ?",
                       (name_key(name_or_id),)).fetchone()
    if row is None:
        raise NotFound(f"No existe el usuario «{name_or_id.strip()}» en esta estación.",
                       way_out="Revise la lista de usuarios en Ajustes > Usuarios.",
                       command="station users list")
    return _user(row)


def pin_hash(conn: sqlite3.Connection, user_id: int) -> str:
    row = conn.execute("SELECT pin_hash FROM kiosk_users WHERE id = ?", (user_id,)).fetchone()
    if row is None:
        raise NotFound(f"No existe el usuario número {user_id} en esta estación.")
    return str(row[0])


def list_users(conn: sqlite3.Connection, *, active_only: bool = False) -> list[UserRecord]:
    where = " WHERE active = 1" if active_only else ""
    return [_user(r) for r in conn.execute(
        f"SELECT {_COLUMNS} FROM kiosk_users{where} ORDER BY name_key")]


def set_active(conn: sqlite3.Connection, user_id: int, active: bool) -> None:
    conn.execute("UPDATE kiosk_users SET active = ?, updated_at = ? WHERE id = ?",
                 (int(active), now_iso(), user_id))
    append_event(conn, KioskUserEnabled(user=user_id) if active
                 else KioskUserDisabled(user=user_id))


def set_pin(conn: sqlite3.Connection, user_id: int, new_hash: str) -> None:
    conn.execute("UPDATE kiosk_users SET pin_hash = ?, failed_attempts = 0, locked_until = NULL,"
                 " updated_at = ? WHERE id = ?", (new_hash, now_iso(), user_id))
    append_event(conn, KioskUserPinChanged(user=user_id))


def record_failure(conn: sqlite3.Connection, user_id: int, *, failed_attempts: int,
                   locked_until: float | None) -> None:
    conn.execute("UPDATE kiosk_users SET failed_attempts = ?, locked_until = ? WHERE id = ?",
                 (failed_attempts, locked_until, user_id))
    if locked_until is not None:
        append_event(conn, KioskUserLocked(user=user_id))


def record_success(conn: sqlite3.Connection, user_id: int) -> None:
    conn.execute("UPDATE kiosk_users SET failed_attempts = 0, locked_until = NULL,"
                 " last_sign_in = ? WHERE id = ?", (now_iso(), user_id))
