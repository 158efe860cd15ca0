"""Ledger records of holograms: rolls received by serial range, each serial applied or spoiled.

Receiving a range also writes its receipt in the supplies ledger, in the same transaction:
the audit checks the two records against each other.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from foundation.contract.events import HologramApplied, HologramRangeReceived, HologramSpoiled
from station.core.dates import show_day
from station.core.holograms import (
    HologramRange,
    HologramUse,
    Serial,
    check_apply,
    check_assigned,
    check_new_range,
    check_spoil,
    range_of,
)
from station.store.central_notices import assigned_ranges
from station.store.ledger import append_event, now_iso

_RANGE_COLUMNS = "prefix, first_number, last_number, width, cycle, id"


def ranges(conn: sqlite3.Connection) -> list[HologramRange]:
    return [HologramRange(*r) for r in conn.execute(
        f"SELECT {_RANGE_COLUMNS} FROM hologram_ranges ORDER BY prefix, first_number")]


def _range_holding(conn: sqlite3.Connection, serial: Serial) -> HologramRange:
    rows = [HologramRange(*r) for r in conn.execute(
        f"SELECT {_RANGE_COLUMNS} FROM hologram_ranges WHERE prefix = ? AND width = ?"
        " AND first_number <= ? AND last_number >= ?",
        (serial.prefix, serial.width, serial.number, serial.number))]
    return range_of(serial, rows)


def add_range(conn: sqlite3.Connection, new: HologramRange, *, cycle: str, reference: str,
              received_on: date, taken_by: str) -> HologramRange:
    """Record a roll received for ``cycle`` and its receipt in the supplies ledger."""
    check_assigned(new, assigned_ranges(conn))
    check_new_range(new, ranges(conn))
    stamp = now_iso()
    cur = conn.execute(
        "INSERT INTO hologram_ranges (cycle, prefix, first_number, last_number, width, reference,"
        " received_on, taken_by, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (cycle, new.prefix, new.first, new.last, new.width, reference, received_on.isoformat(),
         taken_by, stamp))
    rid = int(cur.lastrowid or 0)
    conn.execute(
        "INSERT INTO supply_movements (item, kind, quantity, reference, reason, hologram_range_id,"
        " on_date, taken_by, at) VALUES ('hologramas', 'receipt', ?, ?, '', ?, ?, ?, ?)",
        (new.size, reference or new.describe(), rid, received_on.isoformat(), taken_by, stamp))
    saved = HologramRange(new.prefix, new.first, new.last, new.width, cycle, rid)
    append_event(conn, HologramRangeReceived(
        range=rid, cycle=cycle, first=saved.serial(new.first), last=saved.serial(new.last),
        count=new.size, reference=reference, received_on=received_on.isoformat()))
    return saved


def earlier_use(conn: sqlite3.Connection, serial: str) -> str | None:
    """How a serial was used, in words, or None when it is unused."""
    row = conn.execute(
        "SELECT h.state, h.on_date, h.reason, h.folio, s.nombre, s.primer_apellido"
        " FROM hologram_uses h LEFT JOIN students s ON s.curp = h.curp WHERE h.serial = ?",
        (serial,)).fetchone()
    if row is None:
        return None
    if row[0] == "spoiled":
        return f"se marcó dañado el {show_day(row[1])} ({row[2]})"
    return f"se colocó el {show_day(row[1])} en la credencial {row[3]} de {row[4]} {row[5]}"


def hologram_on_card(conn: sqlite3.Connection, folio: int, cycle: str) -> str | None:
    row = conn.execute("SELECT serial FROM hologram_uses WHERE folio = ? AND cycle = ?"
                       " AND state = 'applied'", (folio, cycle)).fetchone()
    return row[0] if row else None


@dataclass(frozen=True, slots=True)
class Applied:
    serial: str
    curp: str
    name: str
    folio: int
    cycle: str

    def to_json(self) -> dict[str, object]:
        return {"serial": self.serial, "curp": self.curp, "name": self.name,
                "folio": self.folio, "cycle": self.cycle}


def apply(conn: sqlite3.Connection, serial: Serial, *, curp: str, name: str,
          folio: int | None, cycle: str, on: date, taken_by: str) -> Applied:
    """Record serial → student → cycle on the student's active card ``folio``."""
    text = str(serial)
    rng = _range_holding(conn, serial)
    check_assigned(HologramRange(serial.prefix, serial.number, serial.number, serial.width),
                   assigned_ranges(conn))
    check_apply(text, range_cycle=rng.cycle, cycle=cycle, earlier_use=earlier_use(conn, text),
                student=name, folio=folio,
                card_hologram=hologram_on_card(conn, folio, cycle) if folio else None)
    assert folio is not None
    conn.execute(
        "INSERT INTO hologram_uses (serial, range_id, state, cycle, curp, folio, reason, on_date,"
        " taken_by, at) VALUES (?, ?, 'applied', ?, ?, ?, '', ?, ?, ?)",
        (text, rng.id, cycle, curp, folio, on.isoformat(), taken_by, now_iso()))
    append_event(conn, HologramApplied(serial=text, curp=curp, folio=folio, cycle=cycle,
                                       on=on.isoformat()))
    return Applied(text, curp, name, folio, cycle)


def spoil(conn: sqlite3.Connection, serial: Serial, *, reason: str, on: date,
          taken_by: str) -> str:
    """Record a damaged or lost hologram; returns its cycle."""
    text = str(serial)
    rng = _range_holding(conn, serial)
    check_spoil(text, earlier_use=earlier_use(conn, text), reason=reason)
    conn.execute(
        "INSERT INTO hologram_uses (serial, range_id, state, cycle, reason, on_date, taken_by,"
        " at) VALUES (?, ?, 'spoiled', ?, ?, ?, ?, ?)",
        (text, rng.id, rng.cycle, reason.strip(), on.isoformat(), taken_by, now_iso()))
    append_event(conn, HologramSpoiled(serial=text, cycle=rng.cycle, reason=reason.strip(),
                                       on=on.isoformat()))
    return rng.cycle


def uses(conn: sqlite3.Connection) -> list[HologramUse]:
    return [HologramUse(*r) for r in conn.execute(
        "SELECT serial, range_id, state, cycle, folio, reason FROM hologram_uses")]


@dataclass(frozen=True, slots=True)
class CycleStock:
    cycle: str
    received: int
    applied: int
    spoiled: int
    next_free: str | None

    @property
    def stock(self) -> int:
        return self.received - self.applied - self.spoiled

    def to_json(self) -> dict[str, object]:
        return {"cycle": self.cycle, "received": self.received, "applied": self.applied,
                "spoiled": self.spoiled, "stock": self.stock, "next_free": self.next_free}


def stock_by_cycle(conn: sqlite3.Connection) -> list[CycleStock]:
    """Per cycle: received, applied, spoiled, and the lowest serial still unused."""
    used: dict[int, dict[str, int]] = {}
    for rid, state, n in conn.execute(
            "SELECT range_id, state, count(*) FROM hologram_uses GROUP BY range_id, state"):
        used.setdefault(rid, {})[state] = n
    totals: dict[str, CycleStock] = {}
    for r in ranges(conn):
        counts = used.get(r.id, {})
        old = totals.get(r.cycle, CycleStock(r.cycle, 0, 0, 0, None))
        free = old.next_free
        if free is None and sum(counts.values()) < r.size:
            free = _first_free(conn, r)
        totals[r.cycle] = CycleStock(r.cycle, old.received + r.size,
                                     old.applied + counts.get("applied", 0),
                                     old.spoiled + counts.get("spoiled", 0), free)
    return [totals[c] for c in sorted(totals)]


def _first_free(conn: sqlite3.Connection, r: HologramRange) -> str | None:
    taken = {row[0] for row in conn.execute("SELECT serial FROM hologram_uses WHERE range_id = ?",
                                            (r.id,))}
    for number in range(r.first, r.last + 1):
        if r.serial(number) not in taken:
            return r.serial(number)
    return None
