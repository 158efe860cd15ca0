"""Ledger records of lost or stolen cards and of paid replacements (normativos 8, 9).

A loss report revokes the card in the same transaction. A replacement records the receipt
(reference accepted once: the column is UNIQUE, and the rule says so in words before the
database would); its new card is linked when a sheet issues it
(:func:`station.store.lifecycle_records.on_cards_issued`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from foundation.contract.events import CardReportedLost, CardRevoked, ReplacementPaid
from foundation.errors import NotFound
from station.core.replacement import (
    Reason,
    check_loss_date,
    check_receipt,
    check_replaceable,
    check_reportable,
    lost_reason,
)
from station.store.ledger import append_event, now_iso


@dataclass(frozen=True, slots=True)
class CardRow:
    folio: int
    curp: str
    cct: str
    name: str
    issued_on: str
    status: str
    status_reason: str | None


def find_card(conn: sqlite3.Connection, *, folio: int | None = None,
              curp: str | None = None) -> CardRow:
    """The card with ``folio``, or the student's latest card that was not spoiled."""
    sql = "SELECT folio, curp, cct, name_on_card, issued_on, status, status_reason FROM cards"
    if folio is not None:
        row = conn.execute(f"{sql} WHERE folio = ?", (folio,)).fetchone()
        if row is None:
            raise NotFound(f"No hay credencial con folio {folio} en esta estación.",
                           way_out="Revise el folio impreso en la credencial.")
        return CardRow(*row)
    row = conn.execute(f"{sql} WHERE curp = ? AND status != 'spoiled' ORDER BY"
                       " status = 'active' DESC, folio DESC LIMIT 1", (curp,)).fetchone()
    if row is None:
        raise NotFound(f"El alumno {curp} no tiene credencial expedida en esta estación.",
                       way_out="Si nunca la tuvo, imprímala como pendiente.",
                       command="station print")
    return CardRow(*row)


def report_loss(conn: sqlite3.Connection, card: CardRow, *, reason: Reason, on: date,
                taken_by: str) -> str:
    """Revoke the card at once (normativo 8); returns the words verification will show."""
    check_reportable(card.folio, card.status, card.status_reason)
    check_loss_date(card.folio, on, date.fromisoformat(card.issued_on[:10]))
    words = lost_reason(reason, on)
    conn.execute("INSERT INTO card_reports (folio, curp, kind, reported_on, taken_by, at)"
                 " VALUES (?, ?, ?, ?, ?, ?)",
                 (card.folio, card.curp, reason.value, on.isoformat(), taken_by, now_iso()))
    conn.execute("UPDATE cards SET status = 'revoked', status_reason = ? WHERE folio = ?",
                 (words, card.folio))
    append_event(conn, CardReportedLost(folio=card.folio, curp=card.curp, kind=reason.value,
                                        on=on.isoformat(), taken_by=taken_by))
    if not _prior(conn, card.folio):  # central knows a prior card by its loss report only
        append_event(conn, CardRevoked(folio=card.folio, reason=words))
    return words


def _prior(conn: sqlite3.Connection, folio: int) -> bool:
    row = conn.execute("SELECT origin FROM cards WHERE folio = ?", (folio,)).fetchone()
    return bool(row) and row[0] == "prior"


def receipt_used_on(conn: sqlite3.Connection, reference: str) -> str | None:
    row = conn.execute("SELECT at FROM replacements WHERE receipt_ref = ?",
                       (reference,)).fetchone()
    return row[0] if row else None


@dataclass(frozen=True, slots=True)
class Replacement:
    id: int
    curp: str
    name: str
    cct: str
    old_folio: int
    reason: str
    receipt_ref: str
    receipt_date: str
    fee_mxn: int
    new_folio: int | None
    new_status: str | None

    @property
    def awaiting(self) -> bool:
        return self.new_folio is None or self.new_status == "spoiled"

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "curp": self.curp, "name": self.name, "cct": self.cct,
                "old_folio": self.old_folio, "reason": self.reason,
                "receipt": self.receipt_ref, "receipt_date": self.receipt_date,
                "fee_mxn": self.fee_mxn, "new_folio": self.new_folio,
                "awaiting_print": self.awaiting}


def record_replacement(conn: sqlite3.Connection, card: CardRow, *, reason: Reason,
                       receipt: str, receipt_date: date, fee_mxn: int, on: date,
                       taken_by: str) -> Replacement:
    """Record a paid replacement; a lost or stolen card not yet reported is revoked now."""
    report = conn.execute("SELECT kind FROM card_reports WHERE folio = ?",
                          (card.folio,)).fetchone()
    done = conn.execute("SELECT receipt_ref FROM replacements WHERE old_folio = ?",
                        (card.folio,)).fetchone()
    reason = check_replaceable(folio=card.folio, status=card.status,
                               status_reason=card.status_reason,
                               report=Reason(report[0]) if report else None,
                               replaced_with_receipt=done[0] if done else None, reason=reason)
    check_receipt(receipt_date, card_issued_on=date.fromisoformat(card.issued_on),
                  already_used_on=receipt_used_on(conn, receipt), reference=receipt)
    if reason.revokes_at_once and report is None:
        report_loss(conn, card, reason=reason, on=on, taken_by=taken_by)
    cur = conn.execute(
        "INSERT INTO replacements (curp, old_folio, reason, receipt_ref, receipt_date, fee_mxn,"
        " taken_by, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (card.curp, card.folio, reason.value, receipt, receipt_date.isoformat(), fee_mxn,
         taken_by, now_iso()))
    append_event(conn, ReplacementPaid(
        curp=card.curp, old_folio=card.folio, reason=reason.value, receipt=receipt,
        receipt_date=receipt_date.isoformat(), fee_mxn=fee_mxn, taken_by=taken_by))
    return list_replacements(conn, rid=int(cur.lastrowid or 0))[0]


def list_replacements(conn: sqlite3.Connection, *, cct: str | None = None,
                      rid: int | None = None) -> list[Replacement]:
    sql = ("SELECT r.id, r.curp, s.nombre || ' ' || s.primer_apellido || CASE WHEN"
           " s.segundo_apellido = '' THEN '' ELSE ' ' || s.segundo_apellido END, s.cct,"
           " r.old_folio, r.reason, r.receipt_ref, r.receipt_date, r.fee_mxn, r.new_folio,"
           " n.status FROM replacements r JOIN students s ON s.curp = r.curp"
           " LEFT JOIN cards n ON n.folio = r.new_folio"
           " WHERE (:cct IS NULL OR s.cct = :cct) AND (:rid IS NULL OR r.id = :rid)"
           " ORDER BY r.id")
    return [Replacement(*r) for r in conn.execute(sql, {"cct": cct, "rid": rid})]


def receipts(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT receipt_ref FROM replacements")]


def loss_report(conn: sqlite3.Connection, folio: int) -> tuple[str, str] | None:
    """(kind, reported_on) of a card reported lost or stolen, else None."""
    row = conn.execute("SELECT kind, reported_on FROM card_reports WHERE folio = ?",
                       (folio,)).fetchone()
    return (row[0], row[1]) if row else None


def replaced_by(conn: sqlite3.Connection, old_folio: int) -> int | None:
    """The folio printed to replace ``old_folio`` (a paid replacement), if printed."""
    row = conn.execute("SELECT new_folio FROM replacements WHERE old_folio = ?"
                       " AND new_folio IS NOT NULL", (old_folio,)).fetchone()
    return int(row[0]) if row else None


# --- school changes (normativo 7) ------------------------------------------------------------

SCHOOL_CHANGE_REASON = "reemplazada por cambio de escuela: folio {new_folio}"
"""The revocation reason of a card of the school a student left, once the new one is issued."""


def revoke_for_school_change(conn: sqlite3.Connection, new_folios: list[int]) -> list[int]:
    """Inside a sheet's transaction: revoke each active card of another school held by the
    students of ``new_folios`` (just issued) as replaced; returns the folios revoked.

    No fee and no receipt: a new school is not a loss (normativo 9). The ``card_revoked``
    event carries ``cause: replaced``, the same cause central gives a superseded card, so
    central revokes the old card whichever of the two it applies first. When a new card's
    sheet was spoiled, the student's earlier school change moves to the reprint.
    """
    if not new_folios:
        return []
    marks = ",".join("?" * len(new_folios))
    relink = conn.execute(
        f"SELECT x.old_folio, n.folio FROM school_changes x JOIN cards s ON s.folio ="
        f" x.new_folio AND s.status = 'spoiled' JOIN cards n ON n.curp = x.curp AND n.cct ="
        f" x.new_cct WHERE n.folio IN ({marks})", new_folios).fetchall()
    for old_folio, new_folio in relink:
        conn.execute("UPDATE school_changes SET new_folio = ? WHERE old_folio = ?",
                     (new_folio, old_folio))
        conn.execute("UPDATE cards SET status_reason = ? WHERE folio = ?",
                     (SCHOOL_CHANGE_REASON.format(new_folio=new_folio), old_folio))
    found = conn.execute(
        f"SELECT o.folio, o.curp, o.cct, o.key_id, n.folio, n.cct, o.origin FROM cards n"
        f" JOIN cards o"
        f" ON o.curp = n.curp AND o.status = 'active' AND o.cct != n.cct"
        f" WHERE n.folio IN ({marks}) ORDER BY o.folio", new_folios).fetchall()
    for old_folio, curp, old_cct, key_id, new_folio, new_cct, origin in found:
        reason = SCHOOL_CHANGE_REASON.format(new_folio=new_folio)
        conn.execute("UPDATE cards SET status = 'revoked', status_reason = ? WHERE folio = ?",
                     (reason, old_folio))
        conn.execute("INSERT INTO school_changes (old_folio, curp, old_cct, new_cct, new_folio,"
                     " at) VALUES (?, ?, ?, ?, ?, ?)",
                     (old_folio, curp, old_cct, new_cct, new_folio, now_iso()))
        if origin == "prior":
            continue  # made before the system: no key, and central never saw its folio
        append_event(conn, CardRevoked(
            folio=old_folio, key_id=key_id, cause="replaced", reason=reason,
            replaced_by=new_folio, old_cct=old_cct, new_cct=new_cct))
    return [r[0] for r in found]


def school_change(conn: sqlite3.Connection, old_folio: int) -> tuple[int, str, str] | None:
    """(new folio, old CCT, new CCT) of a card revoked because its student changed school."""
    row = conn.execute("SELECT new_folio, old_cct, new_cct FROM school_changes WHERE"
                       " old_folio = ?", (old_folio,)).fetchone()
    return (row[0], row[1], row[2]) if row else None
