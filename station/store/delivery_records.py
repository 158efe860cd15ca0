"""Ledger records of deliveries from a DRSE to a school (procedure 1).

A delivery takes every card of the school that came out right (its sheet confirmed) and is
still active, and every hologram applied for the cycle, that no earlier delivery carried. It
stays open until the school's signed acknowledgement of receipt is recorded.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date

from foundation.contract.events import DeliveryClosed, DeliveryCreated
from foundation.errors import NotFound, RuleViolation
from station.core.dates import show_day
from station.store.ledger import append_event, now_iso
from station.store.office_records import batch_for_school

_NAME = ("s.nombre || ' ' || s.primer_apellido || CASE WHEN s.segundo_apellido = '' THEN ''"
         " ELSE ' ' || s.segundo_apellido END")


@dataclass(frozen=True, slots=True)
class DeliveredCard:
    folio: int
    name: str
    grade: str


@dataclass(frozen=True, slots=True)
class DeliveredHologram:
    serial: str
    name: str
    folio: int
    grade: str


@dataclass(slots=True)
class Delivery:
    id: int
    cct: str
    cycle: str
    created_on: str
    state: str
    pdf_name: str
    received_by: str | None = None
    received_on: str | None = None
    scan_name: str | None = None
    cards: list[DeliveredCard] = field(default_factory=list)
    holograms: list[DeliveredHologram] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"delivery": self.id, "cct": self.cct, "cycle": self.cycle,
                "created_on": self.created_on, "state": self.state, "pdf": self.pdf_name,
                "received_by": self.received_by, "received_on": self.received_on,
                "scan": self.scan_name,
                "cards": [{"folio": c.folio, "name": c.name, "grade": c.grade}
                          for c in self.cards],
                "holograms": [{"serial": h.serial, "name": h.name, "folio": h.folio,
                               "grade": h.grade} for h in self.holograms]}


def undelivered(conn: sqlite3.Connection, cct: str,
                cycle: str) -> tuple[list[DeliveredCard], list[DeliveredHologram], int]:
    """(cards to deliver, holograms to deliver, cards waiting for their sheet's confirmation)."""
    cards, waiting = [], 0
    for folio, name, grade, state in conn.execute(
            "SELECT c.folio, c.name_on_card, s.grado || '° ' || s.grupo, sh.state"
            " FROM cards c JOIN students s ON s.curp = c.curp"
            " JOIN folio_uses u ON u.folio = c.folio JOIN sheets sh ON sh.id = u.sheet_id"
            " WHERE c.cct = ? AND c.status = 'active' AND NOT EXISTS (SELECT 1 FROM"
            " delivery_items d WHERE d.kind = 'card' AND d.item = CAST(c.folio AS TEXT))"
            " ORDER BY c.name_on_card, c.folio", (cct,)):
        if state == "confirmed":
            cards.append(DeliveredCard(folio, name, grade))
        else:
            waiting += 1
    holograms = [DeliveredHologram(*r) for r in conn.execute(
        f"SELECT h.serial, {_NAME}, h.folio, s.grado || '° ' || s.grupo FROM hologram_uses h"
        f" JOIN students s ON s.curp = h.curp WHERE s.cct = ? AND h.cycle = ?"
        f" AND h.state = 'applied' AND NOT EXISTS (SELECT 1 FROM delivery_items d"
        f" WHERE d.kind = 'hologram' AND d.item = h.serial) ORDER BY h.serial", (cct, cycle))]
    return cards, holograms, waiting


def create(conn: sqlite3.Connection, *, cct: str, cycle: str, on: date,
           taken_by: str) -> Delivery:
    cards, holograms, waiting = undelivered(conn, cct, cycle)
    if not cards and not holograms:
        hint = (f" Hay {waiting} credenciales cuyas planillas aún no se confirman como bien "
                "impresas." if waiting else "")
        raise RuleViolation(f"No hay credenciales ni hologramas pendientes de entregar a la "
                            f"escuela {cct}.{hint}",
                            way_out="Primero confirme cuáles planillas salieron bien."
                            if waiting else None,
                            command="station confirm --sheet N" if waiting else None)
    cur = conn.execute(
        "INSERT INTO deliveries (cct, cycle, created_on, state, pdf_name, taken_by, at)"
        " VALUES (?, ?, ?, 'open', '', ?, ?)", (cct, cycle, on.isoformat(), taken_by, now_iso()))
    did = int(cur.lastrowid or 0)
    pdf_name = f"acuse-{did:05d}.pdf"
    conn.execute("UPDATE deliveries SET pdf_name = ? WHERE id = ?", (pdf_name, did))
    student = {r[0]: r[1] for r in conn.execute(
        "SELECT c.folio, c.curp FROM cards c WHERE c.cct = ?", (cct,))}
    conn.executemany("INSERT INTO delivery_items (delivery_id, kind, item, curp)"
                     " VALUES (?, 'card', ?, ?)",
                     [(did, str(c.folio), student[c.folio]) for c in cards])
    conn.executemany("INSERT INTO delivery_items (delivery_id, kind, item, curp)"
                     " SELECT ?, 'hologram', serial, curp FROM hologram_uses WHERE serial = ?",
                     [(did, h.serial) for h in holograms])
    batch = batch_for_school(conn, cct)  # the procedure-1 request it delivers (issue 13)
    append_event(conn, DeliveryCreated(
        delivery=did, cct=cct, cycle=cycle, cards=[c.folio for c in cards],
        holograms=[h.serial for h in holograms],
        **({"request": batch} if batch is not None else {})))
    return get(conn, did)


def get(conn: sqlite3.Connection, did: int) -> Delivery:
    row = conn.execute("SELECT id, cct, cycle, created_on, state, pdf_name, received_by,"
                       " received_on, scan_name FROM deliveries WHERE id = ?", (did,)).fetchone()
    if row is None:
        raise NotFound(f"No existe la entrega {did}.",
                       way_out="Revise el número en la lista de entregas.",
                       command="station delivery list")
    d = Delivery(*row)
    d.cards = [DeliveredCard(*r) for r in conn.execute(
        "SELECT c.folio, c.name_on_card, s.grado || '° ' || s.grupo FROM delivery_items i"
        " JOIN cards c ON c.folio = CAST(i.item AS INTEGER) JOIN students s ON s.curp = c.curp"
        " WHERE i.delivery_id = ? AND i.kind = 'card' ORDER BY c.name_on_card, c.folio",
        (did,))]
    d.holograms = [DeliveredHologram(*r) for r in conn.execute(
        f"SELECT h.serial, {_NAME}, h.folio, s.grado || '° ' || s.grupo FROM delivery_items i"
        f" JOIN hologram_uses h ON h.serial = i.item JOIN students s ON s.curp = h.curp"
        f" WHERE i.delivery_id = ? AND i.kind = 'hologram' ORDER BY h.serial", (did,))]
    return d


def list_all(conn: sqlite3.Connection) -> list[Delivery]:
    return [get(conn, r[0]) for r in conn.execute("SELECT id FROM deliveries ORDER BY id")]


def close(conn: sqlite3.Connection, did: int, *, received_by: str, received_on: date,
          scan_name: str | None) -> Delivery:
    """Record the signed acknowledgement: the delivery is closed for good."""
    d = get(conn, did)
    if d.state == "closed":
        raise RuleViolation(f"La entrega {did} ya se cerró: la recibió {d.received_by} el "
                            f"{show_day(d.received_on or d.created_on)}.")
    if received_on < date.fromisoformat(d.created_on):
        raise RuleViolation(f"La fecha de recibido ({show_day(received_on)}) es anterior a la "
                            f"entrega ({show_day(d.created_on)}).", way_out="Revise la fecha.")
    conn.execute("UPDATE deliveries SET state = 'closed', received_by = ?, received_on = ?,"
                 " scan_name = ?, closed_at = ? WHERE id = ?",
                 (received_by, received_on.isoformat(), scan_name, now_iso(), did))
    append_event(conn, DeliveryClosed(delivery=did, received_by=received_by,
                                      received_on=received_on.isoformat(), scan=scan_name))
    return get(conn, did)
