"""Cards issued before the station (normativo 6) in the ledger: the facts a file of them is
checked against, and their registration (``cards.origin = 'prior'``, no folio use, no key)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date

from foundation.contract.events import PriorCardRegistered
from station.core.folios import FolioBlock
from station.core.prior_cards import LedgerFacts, PriorCard
from station.store.ledger import append_event, now_iso


def ledger_facts(conn: sqlite3.Connection, today: date) -> LedgerFacts:
    enrolled = {r[0]: r[1] for r in conn.execute(
        "SELECT curp, cct FROM students WHERE estatus = 'INSCRITO'")}
    blocks = [(int(r[0]), int(r[1])) for r in conn.execute(
        "SELECT first_folio, last_folio FROM folio_blocks")]
    cards = {int(r[0]): (r[1], r[2]) for r in conn.execute(
        "SELECT folio, curp, origin FROM cards")}
    active = {r[0]: int(r[1]) for r in conn.execute(
        "SELECT curp, max(folio) FROM cards WHERE status = 'active' GROUP BY curp")}
    return LedgerFacts(today=today, enrolled=enrolled, blocks=blocks, cards=cards,
                       active=active)


def register(conn: sqlite3.Connection, cards: Sequence[PriorCard], *, file_name: str,
             taken_by: str) -> int:
    """Record the cards as active cards of their holder's current school; returns how many."""
    for card in cards:
        row = conn.execute("SELECT cct, nombre, primer_apellido, segundo_apellido FROM students"
                           " WHERE curp = ?", (card.curp,)).fetchone()
        name = " ".join(p for p in (row[1], row[2], row[3]) if p)
        conn.execute(
            "INSERT INTO cards (folio, curp, cct, name_on_card, issued_on, key_id, status,"
            " status_reason, origin) VALUES (?, ?, ?, ?, ?, '', 'active', NULL, 'prior')",
            (card.folio, card.curp, row[0], name, card.issued_on.isoformat()))
        append_event(conn, PriorCardRegistered(
            folio=card.folio, curp=card.curp, cct=row[0],
            issued_on=card.issued_on.isoformat(), taken_by=taken_by))
    conn.execute("INSERT INTO prior_card_imports (at, file_name, cards, taken_by)"
                 " VALUES (?, ?, ?, ?)", (now_iso(), file_name, len(cards), taken_by))
    return len(cards)


def prior_folios(conn: sqlite3.Connection) -> list[int]:
    return [int(r[0]) for r in conn.execute(
        "SELECT folio FROM cards WHERE origin = 'prior' ORDER BY folio")]


def as_blocks(conn: sqlite3.Connection) -> list[FolioBlock]:
    """The prior cards' folios as one-folio blocks (id 0): what a new local block must start
    above. Only the highest matters; one row keeps the query cheap."""
    row = conn.execute("SELECT max(folio) FROM cards WHERE origin = 'prior'").fetchone()
    return [FolioBlock(0, int(row[0]), int(row[0]))] if row and row[0] is not None else []
