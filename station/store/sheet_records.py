"""Ledger records of printed sheets (planillas): folios per position, job state, spoilage."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from foundation.contract.events import (
    SheetConfirmationUndone,
    SheetConfirmed,
    SheetSent,
    SheetSpoiled,
)
from foundation.errors import NotFound, RuleViolation
from station.core.model import Student
from station.store.ledger import append_event, count_folio_use, now_iso


@dataclass(frozen=True, slots=True)
class SheetPosition:
    position: int
    folio: int
    state: str
    curp: str | None
    name_on_card: str | None


@dataclass(frozen=True, slots=True)
class SheetRecord:
    id: int
    cct: str
    created_at: str
    state: str
    pdf_name: str
    printer: str | None
    cups_job_id: int | None
    reprint_of: int | None
    spoil_reason: str | None
    positions: tuple[SheetPosition, ...]

    @property
    def students(self) -> list[str]:
        return [p.curp for p in self.positions if p.curp]

    @property
    def folios(self) -> tuple[int, ...]:
        """The folios of the sheet's cards (issued or spoiled), by position."""
        return tuple(p.folio for p in self.positions if p.state != "cancelled")

    @property
    def cancelled(self) -> tuple[int, ...]:
        """The folios of its blank positions, cancelled before printing (técnico 7)."""
        return tuple(p.folio for p in self.positions if p.state == "cancelled")

    def to_json(self) -> dict[str, object]:
        return {
            "sheet": self.id, "cct": self.cct, "state": self.state, "pdf": self.pdf_name,
            "printer": self.printer, "job": self.cups_job_id, "reprint_of": self.reprint_of,
            "folios": list(self.folios), "cancelled": list(self.cancelled),
        }


def insert_sheet(
    conn: sqlite3.Connection, *, cct: str, template: str, reprint_of: int | None = None
) -> tuple[int, str]:
    """A new sheet in state ``generated``; returns (id, print file name)."""
    cur = conn.execute(
        "INSERT INTO sheets (cct, created_at, state, pdf_name, template, reprint_of)"
        " VALUES (?, ?, 'generated', '', ?, ?)", (cct, now_iso(), template, reprint_of))
    sheet_id = int(cur.lastrowid or 0)
    pdf_name = f"planilla-{sheet_id:06d}.pdf"
    conn.execute("UPDATE sheets SET pdf_name = ? WHERE id = ?", (pdf_name, sheet_id))
    return sheet_id, pdf_name


def record_issued(
    conn: sqlite3.Connection, *, sheet_id: int, position: int, block_id: int, folio: int,
    student: Student, issued_on: str, key_id: str,
) -> None:
    stamp = now_iso()
    conn.execute(
        "INSERT INTO folio_uses (folio, block_id, state, sheet_id, position, at)"
        " VALUES (?, ?, 'issued', ?, ?, ?)", (folio, block_id, sheet_id, position, stamp))
    count_folio_use(conn, block_id)
    conn.execute(
        "INSERT INTO cards (folio, curp, cct, name_on_card, issued_on, key_id, status)"
        " VALUES (?, ?, ?, ?, ?, ?, 'active')",
        (folio, student.curp, student.cct, student.full_name, issued_on, key_id))


def record_cancelled(
    conn: sqlite3.Connection, *, sheet_id: int, position: int, block_id: int, folio: int
) -> None:
    conn.execute(
        "INSERT INTO folio_uses (folio, block_id, state, sheet_id, position, reason, at)"
        " VALUES (?, ?, 'cancelled', ?, ?, 'posición en blanco', ?)",
        (folio, block_id, sheet_id, position, now_iso()))
    count_folio_use(conn, block_id)


def get_sheet(conn: sqlite3.Connection, sheet_id: int) -> SheetRecord:
    row = conn.execute("SELECT * FROM sheets WHERE id = ?", (sheet_id,)).fetchone()
    if row is None:
        raise NotFound(f"No existe la planilla {sheet_id} en esta estación.",
                       way_out="Revise el número de la hoja.", command="station sheets")
    positions = tuple(
        SheetPosition(r[0], r[1], r[2], r[3], r[4]) for r in conn.execute(
            "SELECT u.position, u.folio, u.state, c.curp, c.name_on_card FROM folio_uses u"
            " LEFT JOIN cards c ON c.folio = u.folio WHERE u.sheet_id = ? ORDER BY u.position",
            (sheet_id,)))
    return SheetRecord(row["id"], row["cct"], row["created_at"], row["state"], row["pdf_name"],
                       row["printer"], row["cups_job_id"], row["reprint_of"],
                       row["spoil_reason"], positions)


def list_sheets(conn: sqlite3.Connection, *, limit: int = 50) -> list[SheetRecord]:
    ids = [r[0] for r in conn.execute("SELECT id FROM sheets ORDER BY id DESC LIMIT ?", (limit,))]
    return [get_sheet(conn, i) for i in ids]


def unreviewed_sheet_ids(conn: sqlite3.Connection, *, limit: int) -> list[int]:
    """Sheets produced or sent but not yet confirmed or spoiled, oldest first."""
    return [r[0] for r in conn.execute(
        "SELECT id FROM sheets WHERE state IN ('generated', 'sent') ORDER BY id LIMIT ?",
        (limit,))]


def pdf_recorded(conn: sqlite3.Connection, pdf_name: str) -> bool:
    """Whether a committed sheet owns the print file ``pdf_name``."""
    return conn.execute("SELECT 1 FROM sheets WHERE pdf_name = ?",
                        (pdf_name,)).fetchone() is not None


def mark_sent(conn: sqlite3.Connection, sheet_id: int, *, printer: str, job_id: int | None) -> None:
    conn.execute("UPDATE sheets SET state = 'sent', printer = ?, cups_job_id = ? WHERE id = ?"
                 " AND state = 'generated'", (printer, job_id, sheet_id))
    append_event(conn, SheetSent(sheet=sheet_id, printer=printer, job=job_id))


def confirm(conn: sqlite3.Connection, sheet_id: int) -> None:
    """The operator saw the sheet come out right."""
    sheet = get_sheet(conn, sheet_id)
    if sheet.state == "spoiled":
        raise RuleViolation(f"La planilla {sheet_id} ya está marcada como dañada; no se puede "
                            "confirmar.", way_out="Reimprima a sus alumnos con folios nuevos.",
                            command="station reprint")
    if sheet.state == "confirmed":
        return
    conn.execute("UPDATE sheets SET state = 'confirmed' WHERE id = ?", (sheet_id,))
    append_event(conn, SheetConfirmed(sheet=sheet_id))


def unconfirm(conn: sqlite3.Connection, sheet_id: int) -> SheetRecord:
    """Take back the confirmation of a sheet (the operator tapped "salió bien" by mistake):
    it waits for review again, ``sent`` if it went to a printer, else ``generated``. Folios,
    cards and the audit do not change: a confirmation only says the paper came out right.
    Refused once a delivery to the school carries one of its cards."""
    sheet = get_sheet(conn, sheet_id)
    if sheet.state != "confirmed":
        raise RuleViolation(f"La hoja {sheet_id} no está marcada como bien impresa; no hay "
                            "nada que deshacer.")
    delivered = conn.execute(
        "SELECT 1 FROM delivery_items d JOIN folio_uses u ON d.kind = 'card'"
        " AND d.item = CAST(u.folio AS TEXT) WHERE u.sheet_id = ? LIMIT 1",
        (sheet_id,)).fetchone()
    if delivered is not None:
        raise RuleViolation(f"Las credenciales de la hoja {sheet_id} ya van en una entrega a "
                            "la escuela; ya no se puede deshacer su revisión.")
    back = "sent" if sheet.printer is not None else "generated"
    conn.execute("UPDATE sheets SET state = ? WHERE id = ? AND state = 'confirmed'",
                 (back, sheet_id))
    append_event(conn, SheetConfirmationUndone(sheet=sheet_id))
    return get_sheet(conn, sheet_id)


def spoil(conn: sqlite3.Connection, sheet_id: int, *, reason: str) -> SheetRecord:
    """Mark a misprinted sheet: its cards' folios become spoiled, its students pending again."""
    reason = reason.strip()
    if not reason:
        raise RuleViolation("Para marcar una planilla como dañada hay que escribir el motivo.")
    sheet = get_sheet(conn, sheet_id)
    if sheet.state == "spoiled":
        raise RuleViolation(f"La planilla {sheet_id} ya estaba marcada como dañada "
                            f"({sheet.spoil_reason}).")
    if sheet.state == "confirmed":
        raise RuleViolation(
            f"La planilla {sheet_id} ya fue confirmada como bien impresa.",
            way_out="Si una credencial se dañó después, tramite su reposición.")
    conn.execute("UPDATE sheets SET state = 'spoiled', spoil_reason = ? WHERE id = ?",
                 (reason, sheet_id))
    conn.execute("UPDATE folio_uses SET state = 'spoiled', reason = ? WHERE sheet_id = ?"
                 " AND state = 'issued'", (reason, sheet_id))
    conn.execute("UPDATE cards SET status = 'spoiled', status_reason = ? WHERE folio IN"
                 " (SELECT folio FROM folio_uses WHERE sheet_id = ? AND state = 'spoiled')",
                 (reason, sheet_id))
    append_event(conn, SheetSpoiled(sheet=sheet_id, reason=reason))
    return get_sheet(conn, sheet_id)
