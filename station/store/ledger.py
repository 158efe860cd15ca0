"""The station's ledger: records of schools, students, folios, sheets and cards.

Functions that change state take the connection of an open write transaction
(:meth:`Database.write`), so a service can put several of them, and the creation of the print
file, into one atomic step. Every change also appends an event to the outbox that sync uploads.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from foundation.contract.events import (
    EventPayload,
    FolioBlockClosed,
    FolioBlockReceived,
    PhotoLinked,
    PrinterCalibrated,
    RosterImported,
)
from station.core.folios import CardRecord, FolioBlock, FolioUse, closed_at_use
from station.core.model import Calibration, Estatus, Nivel, School, Student, Turno
from station.store.lifecycle_sql import NEEDS_CARD


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def append_event(conn: sqlite3.Connection, event: EventPayload) -> int:
    """Append ``event`` to the outbox sync uploads (its model checked it when it was built)."""
    cur = conn.execute(
        "INSERT INTO events (at, kind, payload) VALUES (?, ?, ?)",
        (now_iso(), event.kind, json.dumps(event.wire(), ensure_ascii=False, sort_keys=True)),
    )
    return int(cur.lastrowid or 0)


# --- roster -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RosterChanges:
    schools_added: int
    schools_updated: int
    students_added: int
    students_updated: int
    students_withdrawn: int
    unchanged: int

    @property
    def changed(self) -> bool:
        return any((self.schools_added, self.schools_updated, self.students_added,
                    self.students_updated, self.students_withdrawn))


def _school_row(s: School) -> tuple[object, ...]:
    return (s.cct, s.nombre, s.nivel.value, s.turno.value, s.domicilio, s.municipio,
            s.telefono, s.drse, s.matricula, int(s.internet))


def _student_row(s: Student) -> tuple[object, ...]:
    return (s.curp, s.nombre, s.primer_apellido, s.segundo_apellido, s.cct, s.grado, s.grupo,
            s.ciclo, s.estatus.value, int(s.nuevo_ingreso))


def upsert_roster(
    conn: sqlite3.Connection, schools: Sequence[School], students: Sequence[Student]
) -> RosterChanges:
    """Apply an export: add new records, update changed ones, mark BAJA students withdrawn.

    Students missing from the export are left alone: an export may cover only some schools.
    """
    stamp = now_iso()
    s_added = s_updated = st_added = st_updated = withdrawn = unchanged = 0
    for school in schools:
        row = _school_row(school)
        old = conn.execute(
            "SELECT cct, nombre, nivel, turno, domicilio, municipio, telefono, drse, matricula,"
            " internet FROM schools WHERE cct = ?", (school.cct,)).fetchone()
        if old is None:
            conn.execute("INSERT INTO schools VALUES (?,?,?,?,?,?,?,?,?,?,?)", (*row, stamp))
            s_added += 1
        elif tuple(old) != row:
            conn.execute(
                "UPDATE schools SET nombre=?, nivel=?, turno=?, domicilio=?, municipio=?,"
                " telefono=?, drse=?, matricula=?, internet=?, updated_at=? WHERE cct=?",
                (*row[1:], stamp, school.cct))
            s_updated += 1
        else:
            unchanged += 1
    for student in students:
        row = _student_row(student)
        old = conn.execute(
            "SELECT curp, nombre, primer_apellido, segundo_apellido, cct, grado, grupo, ciclo,"
            " estatus, nuevo_ingreso FROM students WHERE curp = ?", (student.curp,)).fetchone()
        if old is None:
            conn.execute(
                "INSERT INTO students (curp, nombre, primer_apellido, segundo_apellido, cct,"
                " grado, grupo, ciclo, estatus, nuevo_ingreso, updated_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?)", (*row, stamp))
            st_added += 1
        elif tuple(old) != row:
            conn.execute(
                "UPDATE students SET nombre=?, primer_apellido=?, segundo_apellido=?, cct=?,"
                " grado=?, grupo=?, ciclo=?, estatus=?, nuevo_ingreso=?, updated_at=?"
                " WHERE curp=?", (*row[1:], stamp, student.curp))
            if student.estatus is Estatus.BAJA and old["estatus"] != Estatus.BAJA.value:
                withdrawn += 1
            else:
                st_updated += 1
        else:
            unchanged += 1
    changes = RosterChanges(s_added, s_updated, st_added, st_updated, withdrawn, unchanged)
    if changes.changed:
        append_event(conn, RosterImported(
            schools_added=s_added, schools_updated=s_updated, students_added=st_added,
            students_updated=st_updated, students_withdrawn=withdrawn))
    return changes


def _school(row: sqlite3.Row) -> School:
    return School(cct=row["cct"], nombre=row["nombre"], nivel=Nivel(row["nivel"]),
                  turno=Turno(row["turno"]), domicilio=row["domicilio"],
                  municipio=row["municipio"], telefono=row["telefono"], drse=row["drse"],
                  matricula=row["matricula"], internet=bool(row["internet"]))


def _student(row: sqlite3.Row) -> Student:
    return Student(curp=row["curp"], nombre=row["nombre"], primer_apellido=row["primer_apellido"],
                   segundo_apellido=row["segundo_apellido"], cct=row["cct"], grado=row["grado"],
                   grupo=row["grupo"], ciclo=row["ciclo"], estatus=Estatus(row["estatus"]),
                   nuevo_ingreso=bool(row["nuevo_ingreso"]))


def get_school(conn: sqlite3.Connection, cct: str) -> School | None:
    row = conn.execute("SELECT * FROM schools WHERE cct = ?", (cct,)).fetchone()
    return _school(row) if row else None


def list_schools(conn: sqlite3.Connection) -> list[School]:
    return [_school(r) for r in conn.execute("SELECT * FROM schools ORDER BY cct")]


def get_students(conn: sqlite3.Connection, curps: Iterable[str]) -> dict[str, Student]:
    found: dict[str, Student] = {}
    for curp in curps:
        row = conn.execute("SELECT * FROM students WHERE curp = ?", (curp,)).fetchone()
        if row:
            found[curp] = _student(row)
    return found


def pending_students(conn: sqlite3.Connection, cct: str) -> list[Student]:
    """Enrolled students of a school who need a card now, in name order.

    That is: no active card, or a paid replacement awaiting print; never a student whose
    decline stands, nor one whose card was reported lost and no replacement paid
    (``station.store.lifecycle_sql.NEEDS_CARD``).
    """
    rows = conn.execute(
        "SELECT * FROM students s WHERE s.cct = ? AND s.estatus = 'INSCRITO'"
        f" AND {NEEDS_CARD}"
        " ORDER BY primer_apellido, segundo_apellido, nombre, curp", (cct,))
    return [_student(r) for r in rows]


def active_card_folio(conn: sqlite3.Connection, curp: str) -> int | None:
    row = conn.execute(
        "SELECT folio FROM cards WHERE curp = ? AND status = 'active'", (curp,)).fetchone()
    return int(row[0]) if row else None


def photo_hashes(conn: sqlite3.Connection, curps: Iterable[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for curp in curps:
        row = conn.execute("SELECT photo_hash FROM students WHERE curp = ?", (curp,)).fetchone()
        if row and row[0]:
            out[curp] = row[0]
    return out


def set_photo(conn: sqlite3.Connection, curp: str, photo_hash: str) -> bool:
    """Link a stored photo to a student; False when the student is not in the roster."""
    cur = conn.execute(
        "UPDATE students SET photo_hash = ?, updated_at = ? WHERE curp = ?"
        " AND (photo_hash IS NULL OR photo_hash != ?)",
        (photo_hash, now_iso(), curp, photo_hash))
    if cur.rowcount:
        append_event(conn, PhotoLinked(curp=curp, photo_hash=photo_hash))
        return True
    return conn.execute("SELECT 1 FROM students WHERE curp = ?", (curp,)).fetchone() is not None


def counts(conn: sqlite3.Connection) -> dict[str, object]:
    """What the ledger holds, in numbers (for a problem report)."""
    def one(sql: str) -> int:
        return int(conn.execute(sql).fetchone()[0])

    return {
        "schools": one("SELECT count(*) FROM schools"),
        "students_enrolled": one("SELECT count(*) FROM students WHERE estatus='INSCRITO'"),
        "students_without_photo": one("SELECT count(*) FROM students WHERE "
                                      "estatus='INSCRITO' AND photo_hash IS NULL"),
        "cards_active": one("SELECT count(*) FROM cards WHERE status='active'"),
        "sheets": {r[0]: r[1] for r in conn.execute(
            "SELECT state, count(*) FROM sheets GROUP BY state")},
        "events": one("SELECT count(*) FROM events"),
    }


# --- folios -------------------------------------------------------------------------------

def folio_blocks(conn: sqlite3.Connection) -> list[FolioBlock]:
    return [FolioBlock(r[0], r[1], r[2]) for r in conn.execute(
        "SELECT id, first_folio, last_folio FROM folio_blocks ORDER BY first_folio")]


def add_folio_block(conn: sqlite3.Connection, first: int, last: int, source: str) -> int:
    cur = conn.execute(
        "INSERT INTO folio_blocks (first_folio, last_folio, source, received_at)"
        " VALUES (?, ?, ?, ?)", (first, last, source, now_iso()))
    append_event(conn, FolioBlockReceived(first=first, last=last, source=source))
    return int(cur.lastrowid or 0)


def close_local_blocks(conn: sqlite3.Connection) -> None:
    """Shrink local folio blocks to the folios used (drop unused ones): central numbers next."""
    used = used_per_block(conn)
    for row in conn.execute("SELECT id, first_folio, last_folio FROM folio_blocks"
                            " WHERE source = 'local'").fetchall():
        block = FolioBlock(row[0], row[1], row[2])
        count = used.get(block.id, 0)
        last = closed_at_use(block, count)
        if last is None:
            conn.execute("DELETE FROM folio_blocks WHERE id = ?", (block.id,))
        elif last < block.last:
            conn.execute("UPDATE folio_blocks SET last_folio = ? WHERE id = ?", (last, block.id))
        append_event(conn, FolioBlockClosed(first=block.first, last=block.last, used=count))


def central_block_count(conn: sqlite3.Connection) -> int:
    """How many folio blocks central gave this station (the next one asked has this + 1)."""
    return int(conn.execute("SELECT count(*) FROM folio_blocks WHERE source = 'central'"
                            ).fetchone()[0])


def enrolled_outside(conn: sqlite3.Connection, scope: Sequence[str]) -> list[str]:
    """CURPs of enrolled students of schools not in ``scope`` (every one when it is empty)."""
    marks = ",".join("?" * len(scope))
    return [r[0] for r in conn.execute(
        f"SELECT curp FROM students WHERE estatus = 'INSCRITO' AND cct NOT IN ({marks})",
        list(scope))]


def first_issue_date(conn: sqlite3.Connection) -> str | None:
    """The day the station issued its first card (ISO), None before any."""
    row = conn.execute("SELECT min(issued_on) FROM cards").fetchone()
    return str(row[0]) if row and row[0] else None


def used_per_block(conn: sqlite3.Connection) -> dict[int, int]:
    """Folios used in each block, from the blocks' own counters (migration 0010)."""
    return {r[0]: r[1] for r in conn.execute("SELECT id, used FROM folio_blocks WHERE used > 0")}


OPEN_BLOCKS = "used < last_folio - first_folio + 1"
"""The condition of the partial index ``folio_blocks_open``, repeated word for word so the
per-sheet query reads that index (tests/test_ledger_plans.py reads the plan)."""


def open_folio_blocks(conn: sqlite3.Connection) -> tuple[list[FolioBlock], dict[int, int]]:
    """The blocks with a folio left and the folios used in each: what taking a sheet's folios
    needs, read from the open-blocks index, whatever the size of the ledger."""
    rows = conn.execute(f"SELECT id, first_folio, last_folio, used FROM folio_blocks"
                        f" WHERE {OPEN_BLOCKS} ORDER BY first_folio").fetchall()
    return [FolioBlock(r[0], r[1], r[2]) for r in rows], {r[0]: r[3] for r in rows}


def count_folio_use(conn: sqlite3.Connection, block_id: int) -> None:
    """Keep the block's counter with the folio_uses row just inserted (same transaction)."""
    conn.execute("UPDATE folio_blocks SET used = used + 1 WHERE id = ?", (block_id,))


def counter_problems(conn: sqlite3.Connection) -> list[str]:
    """Blocks whose counter disagrees with folio_uses (``station audit`` reports them)."""
    counted = {r[0]: r[1] for r in conn.execute(
        "SELECT block_id, count(*) FROM folio_uses GROUP BY block_id")}
    return [f"El bloque de folios {bid} dice tener {used} folios usados y el registro tiene "
            f"{counted.get(bid, 0)}." for bid, used in conn.execute(
                "SELECT id, used FROM folio_blocks ORDER BY id") if used != counted.get(bid, 0)]


def folio_uses(conn: sqlite3.Connection) -> list[FolioUse]:
    return [FolioUse(r[0], r[1], r[2], r[3], r[4], r[5]) for r in conn.execute(
        "SELECT folio, block_id, state, sheet_id, position, reason FROM folio_uses")]


def card_records(conn: sqlite3.Connection) -> list[CardRecord]:
    return [CardRecord(r[0], r[1], r[2] == "prior") for r in conn.execute(
        "SELECT folio, status, origin FROM cards")]


def card_status(conn: sqlite3.Connection, folio: int) -> tuple[str, str | None, str] | None:
    """(status, reason, key id hex) of the card with this folio, or None."""
    row = conn.execute(
        "SELECT status, status_reason, key_id FROM cards WHERE folio = ?", (folio,)).fetchone()
    return (row[0], row[1], row[2]) if row else None


# --- calibration --------------------------------------------------------------------------

def get_calibration(conn: sqlite3.Connection, printer: str) -> Calibration:
    row = conn.execute(
        "SELECT dx_mm, dy_mm, scale FROM printer_calibration WHERE printer = ?",
        (printer,)).fetchone()
    return Calibration(row[0], row[1], row[2]) if row else Calibration()


def set_calibration(conn: sqlite3.Connection, printer: str, cal: Calibration) -> None:
    conn.execute(
        "INSERT INTO printer_calibration (printer, dx_mm, dy_mm, scale, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT(printer) DO UPDATE SET dx_mm=excluded.dx_mm,"
        " dy_mm=excluded.dy_mm, scale=excluded.scale, updated_at=excluded.updated_at",
        (printer, cal.dx_mm, cal.dy_mm, cal.scale, now_iso()))
    append_event(conn, PrinterCalibrated(
        printer=printer, dx_mm=cal.dx_mm, dy_mm=cal.dy_mm, scale=cal.scale))
