"""Ledger records of declines and requests of a card (normativo 4).

A request counts as attended when, on or after its day, the student got a card that was not
spoiled or a hologram applied: computed when read, so no step can forget to close it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from foundation.contract.events import CardDeclined, CardDeclineWithdrawn, CardRequested
from station.core.requests import (
    CardRequest,
    DeclaredBy,
    check_decline,
    check_request,
    check_withdraw,
)
from station.store.ledger import append_event, now_iso


@dataclass(frozen=True, slots=True)
class Decline:
    id: int
    curp: str
    name: str
    cct: str
    declined_on: str
    declared_by: str
    taken_by: str
    notes: str
    withdrawn_on: str | None
    withdrawn_by: str | None

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "curp": self.curp, "name": self.name, "cct": self.cct,
                "declined_on": self.declined_on, "declared_by": self.declared_by,
                "taken_by": self.taken_by, "notes": self.notes,
                "withdrawn_on": self.withdrawn_on, "withdrawn_by": self.withdrawn_by}


def open_decline_on(conn: sqlite3.Connection, curp: str) -> str | None:
    row = conn.execute("SELECT declined_on FROM declines WHERE curp = ? AND withdrawn_on IS NULL",
                       (curp,)).fetchone()
    return row[0] if row else None


def record_decline(conn: sqlite3.Connection, *, curp: str, name: str, on: date,
                   declared_by: DeclaredBy, taken_by: str, notes: str) -> int:
    check_decline(name, open_decline_on(conn, curp))
    cur = conn.execute(
        "INSERT INTO declines (curp, declined_on, declared_by, taken_by, notes, at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (curp, on.isoformat(), declared_by.value, taken_by, notes, now_iso()))
    append_event(conn, CardDeclined(curp=curp, declined_on=on.isoformat(),
                                    declared_by=declared_by.value, taken_by=taken_by))
    return int(cur.lastrowid or 0)


def withdraw_decline(conn: sqlite3.Connection, *, curp: str, name: str, on: date,
                     taken_by: str) -> None:
    check_withdraw(name, open_decline_on(conn, curp))
    conn.execute("UPDATE declines SET withdrawn_on = ?, withdrawn_by = ? WHERE curp = ?"
                 " AND withdrawn_on IS NULL", (on.isoformat(), taken_by, curp))
    append_event(conn, CardDeclineWithdrawn(curp=curp, withdrawn_on=on.isoformat(),
                                            taken_by=taken_by))


def list_declines(conn: sqlite3.Connection, cct: str | None = None,
                  *, standing_only: bool = False) -> list[Decline]:
    sql = ("SELECT d.id, d.curp, s.nombre || ' ' || s.primer_apellido || CASE WHEN"
           " s.segundo_apellido = '' THEN '' ELSE ' ' || s.segundo_apellido END, s.cct,"
           " d.declined_on, d.declared_by, d.taken_by, d.notes, d.withdrawn_on, d.withdrawn_by"
           " FROM declines d JOIN students s ON s.curp = d.curp WHERE (:cct IS NULL OR"
           " s.cct = :cct)" + (" AND d.withdrawn_on IS NULL" if standing_only else "")
           + " ORDER BY d.declined_on, d.id")
    return [Decline(*r) for r in conn.execute(sql, {"cct": cct})]


# --- requests -------------------------------------------------------------------------------

_ATTENDED = """
(SELECT min(day) FROM (
   SELECT c.issued_on AS day FROM cards c WHERE c.curp = q.curp AND c.status != 'spoiled'
     AND c.issued_on >= q.requested_on
   UNION ALL
   SELECT h.on_date FROM hologram_uses h WHERE h.curp = q.curp AND h.state = 'applied'
     AND h.on_date >= q.requested_on))
"""


def list_requests(conn: sqlite3.Connection, cct: str | None = None) -> list[CardRequest]:
    """Every request with the day it was attended (None while open), oldest first."""
    sql = (f"SELECT q.id, q.curp, s.nombre || ' ' || s.primer_apellido || CASE WHEN"
           f" s.segundo_apellido = '' THEN '' ELSE ' ' || s.segundo_apellido END, s.cct,"
           f" q.requested_on, {_ATTENDED} FROM card_requests q JOIN students s ON"
           f" s.curp = q.curp WHERE (:cct IS NULL OR s.cct = :cct)"
           f" ORDER BY q.requested_on, q.id")
    return [CardRequest(r[0], r[1], r[2], r[3], date.fromisoformat(r[4]),
                        date.fromisoformat(r[5]) if r[5] else None)
            for r in conn.execute(sql, {"cct": cct})]


def open_request_on(conn: sqlite3.Connection, curp: str) -> str | None:
    row = conn.execute(f"SELECT q.requested_on FROM card_requests q WHERE q.curp = ?"
                       f" AND {_ATTENDED} IS NULL ORDER BY q.id LIMIT 1", (curp,)).fetchone()
    return row[0] if row else None


def record_request(conn: sqlite3.Connection, *, curp: str, name: str, on: date,
                   requested_by: DeclaredBy, taken_by: str, notes: str) -> int:
    check_request(name, open_decline_on(conn, curp), open_request_on(conn, curp))
    cur = conn.execute(
        "INSERT INTO card_requests (curp, requested_on, requested_by, taken_by, notes, at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (curp, on.isoformat(), requested_by.value, taken_by, notes, now_iso()))
    append_event(conn, CardRequested(curp=curp, requested_on=on.isoformat(),
                                     requested_by=requested_by.value, taken_by=taken_by))
    return int(cur.lastrowid or 0)
