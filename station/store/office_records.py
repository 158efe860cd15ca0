"""Ledger records of the DRSE procedures (issue 13): the oficios this school station sends
its DRSE (procedure 1), what central says of them and of the supply requests (procedure 2),
and, on a DRSE station, the validated batches to produce.

These are not outbox events: an oficio travels with its scan through its own signed route
at the next sync, and the news are central's answer, replaced at every sync.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date

from foundation.errors import NotFound, RuleViolation
from station.store.ledger import now_iso


@dataclass(frozen=True, slots=True)
class OficioRecord:
    id: int
    cct: str
    cycle: str
    oficio: str
    director: str
    curps: list[str]
    pdf_name: str
    scan_name: str | None
    sent_at: str | None
    central_number: int | None
    created_on: str

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "cct": self.cct, "cycle": self.cycle, "oficio": self.oficio,
                "director": self.director, "students": len(self.curps), "pdf": self.pdf_name,
                "scan": self.scan_name, "sent_at": self.sent_at,
                "central_number": self.central_number, "created_on": self.created_on}


_COLUMNS = ("id, cct, cycle, oficio, director, curps, pdf_name, scan_name, sent_at,"
            " central_number, created_on")


def _oficio(row: sqlite3.Row | tuple[object, ...]) -> OficioRecord:
    values = list(row)
    values[5] = json.loads(str(values[5]))
    return OficioRecord(*values)  # type: ignore[arg-type]


def next_oficio_id(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM office_requests").fetchone()[0])


def add_oficio(conn: sqlite3.Connection, *, cct: str, cycle: str, oficio: str, director: str,
               curps: list[str], pdf_name: str, on: date, taken_by: str) -> int:
    cur = conn.execute(
        "INSERT INTO office_requests (cct, cycle, oficio, director, curps, pdf_name,"
        " created_on, taken_by, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (cct, cycle, oficio, director, json.dumps(curps), pdf_name, on.isoformat(), taken_by,
         now_iso()))
    return int(cur.lastrowid or 0)


def get_oficio(conn: sqlite3.Connection, oid: int) -> OficioRecord:
    row = conn.execute(f"SELECT {_COLUMNS} FROM office_requests WHERE id = ?",
                       (oid,)).fetchone()
    if row is None:
        raise NotFound(f"No existe la solicitud (oficio) {oid}.",
                       way_out="Revise el número en la lista de solicitudes.",
                       command="station oficio list")
    return _oficio(row)


def list_oficios(conn: sqlite3.Connection) -> list[OficioRecord]:
    return [_oficio(r) for r in conn.execute(
        f"SELECT {_COLUMNS} FROM office_requests ORDER BY id")]


def attach_scan(conn: sqlite3.Connection, oid: int, scan_name: str) -> OficioRecord:
    record = get_oficio(conn, oid)
    if record.sent_at is not None:
        raise RuleViolation(f"La solicitud {oid} ya se envió a la DRSE el "
                            f"{record.sent_at[:10]}: no se cambia su oficio.",
                            way_out="Si la DRSE la devolvió, haga una solicitud nueva.")
    conn.execute("UPDATE office_requests SET scan_name = ? WHERE id = ?", (scan_name, oid))
    return get_oficio(conn, oid)


def has_requests(conn: sqlite3.Connection) -> bool:
    """Whether this station ever made a request central may answer (oficio or material)."""
    return conn.execute("SELECT EXISTS (SELECT 1 FROM office_requests) OR EXISTS"
                        " (SELECT 1 FROM supply_requests)").fetchone()[0] == 1


def unsent_oficios(conn: sqlite3.Connection) -> list[OficioRecord]:
    return [_oficio(r) for r in conn.execute(
        f"SELECT {_COLUMNS} FROM office_requests WHERE scan_name IS NOT NULL"
        " AND sent_at IS NULL ORDER BY id")]


def mark_sent(conn: sqlite3.Connection, oid: int, number: int) -> None:
    conn.execute("UPDATE office_requests SET sent_at = coalesce(sent_at, ?),"
                 " central_number = ? WHERE id = ?", (now_iso(), number, oid))


@dataclass(frozen=True, slots=True)
class News:
    procedure: str
    ref: int
    number: int
    state: str
    words: str
    reason: str | None
    detail: dict[str, object]
    updated_at: str

    def to_json(self) -> dict[str, object]:
        return {"procedure": self.procedure, "ref": self.ref, "number": self.number,
                "state": self.state, "words": self.words, "reason": self.reason,
                **self.detail}


def save_news(conn: sqlite3.Connection, items: list[dict[str, object]]) -> list[News]:
    """Store central's news; returns those whose state changed (to tell the operator)."""
    before = {(n.procedure, n.ref): n.state for n in list_news(conn)}
    changed = []
    for item in items:
        key = (str(item["procedure"]), int(item["ref"]))  # type: ignore[call-overload]
        detail = {k: item[k] for k in ("approved", "shipped_reference") if item.get(k)}
        conn.execute(
            "INSERT INTO office_news (procedure, ref, number, state, words, reason, detail,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (procedure, ref) DO"
            " UPDATE SET number = excluded.number, state = excluded.state,"
            " words = excluded.words, reason = excluded.reason, detail = excluded.detail,"
            " updated_at = excluded.updated_at",
            (*key, item["number"], item["state"], item["words"], item.get("reason"),
             json.dumps(detail, ensure_ascii=False, sort_keys=True), now_iso()))
        if before.get(key) != item["state"]:
            changed.append(key)
    return [n for n in list_news(conn) if (n.procedure, n.ref) in changed]


def list_news(conn: sqlite3.Connection, procedure: str | None = None) -> list[News]:
    return [News(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7])
            for r in conn.execute(
                "SELECT procedure, ref, number, state, words, reason, detail, updated_at"
                " FROM office_news WHERE (:p IS NULL OR procedure = :p) ORDER BY procedure,"
                " ref", {"p": procedure})]


@dataclass(frozen=True, slots=True)
class OfficeBatch:
    request: int
    cct: str
    cycle: str
    cards: list[str]
    holograms: list[str]

    def to_json(self) -> dict[str, object]:
        return {"request": self.request, "cct": self.cct, "cycle": self.cycle,
                "cards": len(self.cards), "holograms": len(self.holograms)}


def save_batches(conn: sqlite3.Connection, batches: list[OfficeBatch]) -> int:
    """Keep central's batches (new ones added; a batch is never changed once validated).
    Returns how many are new."""
    new = 0
    for b in batches:
        cur = conn.execute(
            "INSERT OR IGNORE INTO office_batches (request, cct, cycle, cards, holograms,"
            " received_at) VALUES (?, ?, ?, ?, ?, ?)",
            (b.request, b.cct, b.cycle, json.dumps(b.cards), json.dumps(b.holograms),
             now_iso()))
        new += cur.rowcount
    return new


def list_batches(conn: sqlite3.Connection) -> list[OfficeBatch]:
    return [OfficeBatch(r[0], r[1], r[2], json.loads(r[3]), json.loads(r[4]))
            for r in conn.execute("SELECT request, cct, cycle, cards, holograms FROM"
                                  " office_batches ORDER BY request")]


def get_batch(conn: sqlite3.Connection, request: int) -> OfficeBatch:
    for b in list_batches(conn):
        if b.request == request:
            return b
    raise NotFound(f"No hay lote de la solicitud {request} en esta estación.",
                   way_out="Sincronice la estación y revise la lista de lotes.",
                   command="station sync; station batch list")


def batch_for_school(conn: sqlite3.Connection, cct: str) -> int | None:
    """The oldest batch of the school no delivery named yet (the one a new delivery carries)."""
    named = {int(r[0]) for r in conn.execute(
        "SELECT json_extract(payload, '$.request') FROM events WHERE kind = 'delivery_created'"
        " AND json_extract(payload, '$.request') IS NOT NULL")}
    for b in list_batches(conn):
        if b.cct == cct and b.request not in named:
            return b.request
    return None
