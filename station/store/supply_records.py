"""Ledger records of supplies: receipts, adjustments, use computed from the ledger, requests.

Use is never stored: one Teslin sheet per row of ``sheets``, one pouch per card that is not
spoiled, one hologram per row of ``hologram_uses`` (see :mod:`station.core.supplies`).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date

from foundation.contract.events import SuppliesAdjusted, SuppliesReceived, SuppliesRequested
from foundation.errors import NotFound
from station.core.supplies import Item, StockLine, Usage, check_adjustment, check_receipt
from station.store.ledger import append_event, now_iso

_USED_SQL = {
    Item.TESLIN: "SELECT count(*) FROM sheets",
    Item.MICAS: "SELECT count(*) FROM cards WHERE status != 'spoiled'",
    Item.HOLOGRAMAS: "SELECT count(*) FROM hologram_uses",
}


def stock_lines(conn: sqlite3.Connection) -> dict[Item, StockLine]:
    moved: dict[tuple[str, str], int] = {
        (r[0], r[1]): r[2] for r in conn.execute(
            "SELECT item, kind, sum(quantity) FROM supply_movements GROUP BY item, kind")}
    out = {}
    for item in Item:
        sql = _USED_SQL.get(item)
        used = conn.execute(sql).fetchone()[0] if sql else 0
        out[item] = StockLine(item, moved.get((item.value, "receipt"), 0),
                              moved.get((item.value, "adjustment"), 0), used)
    return out


def add_receipt(conn: sqlite3.Connection, item: Item, quantity: int, *, reference: str,
                on: date, taken_by: str, request: int | None = None) -> StockLine:
    """Material received; ``request``: the resupply request it answers (central counts it
    there and closes the request when everything approved arrived)."""
    check_receipt(item, quantity)
    if request is not None and conn.execute("SELECT 1 FROM supply_requests WHERE id = ?",
                                            (request,)).fetchone() is None:
        raise NotFound(f"No existe la solicitud de material {request} en esta estación.",
                       way_out="Revise el número en la lista de solicitudes de material.",
                       command="station supplies requests")
    conn.execute(
        "INSERT INTO supply_movements (item, kind, quantity, reference, reason, on_date,"
        " taken_by, at) VALUES (?, 'receipt', ?, ?, '', ?, ?, ?)",
        (item.value, quantity, reference, on.isoformat(), taken_by, now_iso()))
    append_event(conn, SuppliesReceived(item=item.value, quantity=quantity,
                                        reference=reference, on=on.isoformat(),
                                        **({"request": request} if request else {})))
    return stock_lines(conn)[item]


def add_adjustment(conn: sqlite3.Connection, item: Item, delta: int, *, reason: str,
                   on: date, taken_by: str) -> StockLine:
    check_adjustment(stock_lines(conn)[item], delta, reason)
    conn.execute(
        "INSERT INTO supply_movements (item, kind, quantity, reference, reason, on_date,"
        " taken_by, at) VALUES (?, 'adjustment', ?, '', ?, ?, ?, ?)",
        (item.value, delta, reason.strip(), on.isoformat(), taken_by, now_iso()))
    append_event(conn, SuppliesAdjusted(item=item.value, quantity=delta,
                                        reason=reason.strip(), on=on.isoformat()))
    return stock_lines(conn)[item]


def hologram_receipts(conn: sqlite3.Connection) -> tuple[dict[int, int], int]:
    """(range id → quantity received, sum of hologram movements tied to no range)."""
    by_range: dict[int, int] = {}
    other = 0
    for rid, qty in conn.execute("SELECT hologram_range_id, quantity FROM supply_movements"
                                 " WHERE item = 'hologramas'"):
        if rid is None:
            other += qty
        else:
            by_range[rid] = by_range.get(rid, 0) + qty
    return by_range, other


def usage(conn: sqlite3.Connection, *, since: str | None, until: str) -> Usage:
    """Use in (``since``, ``until``], both UTC ISO moments; ``since`` None is the beginning."""
    lo = since or ""
    span = {"lo": lo, "hi": until}

    def count(sql: str) -> int:
        return int(conn.execute(sql, span).fetchone()[0])

    u = Usage(since, until)
    u.sheets_printed = count("SELECT count(*) FROM sheets WHERE created_at > :lo"
                             " AND created_at <= :hi")
    u.sheets_spoiled = count("SELECT count(*) FROM sheets WHERE state = 'spoiled'"
                             " AND created_at > :lo AND created_at <= :hi")
    states = {r[0]: r[1] for r in conn.execute(
        "SELECT state, count(*) FROM folio_uses WHERE at > :lo AND at <= :hi GROUP BY state",
        span)}
    u.cards_issued = states.get("issued", 0)
    u.blanks_cancelled = states.get("cancelled", 0)
    u.cards_spoiled = states.get("spoiled", 0)
    u.replacements = count("SELECT count(*) FROM replacements WHERE issued_at > :lo"
                           " AND issued_at <= :hi")
    holo = {r[0]: r[1] for r in conn.execute(
        "SELECT state, count(*) FROM hologram_uses WHERE at > :lo AND at <= :hi GROUP BY state",
        span)}
    u.holograms_applied = holo.get("applied", 0)
    u.holograms_spoiled = holo.get("spoiled", 0)
    u.adjustments = [(r[0], r[1], r[2]) for r in conn.execute(
        "SELECT item, quantity, reason FROM supply_movements WHERE kind = 'adjustment'"
        " AND at > :lo AND at <= :hi ORDER BY id", span)]
    return u


def last_request_at(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT period_to FROM supply_requests ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else None


def record_request(conn: sqlite3.Connection, *, payload: dict[str, object], on: date,
                   period_from: str | None, period_to: str, pdf_name: str) -> int:
    cur = conn.execute(
        "INSERT INTO supply_requests (created_on, period_from, period_to, payload, pdf_name, at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (on.isoformat(), period_from, period_to,
         json.dumps(payload, ensure_ascii=False, sort_keys=True), pdf_name, now_iso()))
    rid = int(cur.lastrowid or 0)
    append_event(conn, SuppliesRequested.model_validate({"request": rid, **payload}))
    return rid


def next_request_id(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM supply_requests").fetchone()[0])
