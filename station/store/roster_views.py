"""Read-only queries behind the touchscreen's lists (``station.services.lookup``): each
school's counts, a school's roster with its active cards, a student's cards, the card a
verified QR names.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from station.store.lifecycle_sql import ACTIVE_CARD_HERE


@dataclass(frozen=True, slots=True)
class RosterRow:
    curp: str
    nombre: str
    primer_apellido: str
    segundo_apellido: str | None
    grado: int
    grupo: str
    nuevo_ingreso: bool
    has_photo: bool
    folio: int | None
    """The student's active card of THIS school (one of a school they left is not theirs)."""


def school_counts(conn: sqlite3.Connection) -> dict[str, tuple[int, int, int]]:
    """Per CCT: (enrolled, with an active card of the school, without photo)."""
    return {r[0]: (int(r[1]), int(r[2] or 0), int(r[3] or 0)) for r in conn.execute(
        "SELECT s.cct, count(*),"
        f" sum({ACTIVE_CARD_HERE} IS NOT NULL),"  # a card of a former school does not count
        " sum(s.photo_hash IS NULL)"
        " FROM students s WHERE s.estatus = 'INSCRITO' GROUP BY s.cct")}


def roster_rows(conn: sqlite3.Connection, cct: str) -> list[RosterRow]:
    """The enrolled students of a school, by surname."""
    return [RosterRow(r[0], r[1], r[2], r[3], int(r[4]), str(r[5]), bool(r[6]), bool(r[7]),
                      r[8]) for r in conn.execute(
        "SELECT s.curp, s.nombre, s.primer_apellido, s.segundo_apellido, s.grado, s.grupo,"
        " s.nuevo_ingreso, s.photo_hash IS NOT NULL,"
        f" {ACTIVE_CARD_HERE}"
        " FROM students s WHERE s.cct = ? AND s.estatus = 'INSCRITO'"
        " ORDER BY s.primer_apellido, s.segundo_apellido, s.nombre, s.curp", (cct,))]


def student_cards(conn: sqlite3.Connection, curp: str) -> list[tuple[int, str, str, str | None]]:
    """(folio, status, issued_on, status reason) of every card of a student, newest first."""
    return [(int(r[0]), r[1], r[2], r[3]) for r in conn.execute(
        "SELECT folio, status, issued_on, status_reason FROM cards WHERE curp = ?"
        " ORDER BY folio DESC", (curp,))]


def issued_card(conn: sqlite3.Connection, folio: int, key_id: str
                ) -> tuple[str, str, str] | None:
    """(CURP, name on the card, CCT) of the card with this folio signed by ``key_id``."""
    row = conn.execute("SELECT curp, name_on_card, cct FROM cards WHERE folio = ?"
                       " AND key_id = ?", (folio, key_id)).fetchone()
    return (row[0], row[1], row[2]) if row else None


def count_schools(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM schools").fetchone()[0])


def roster_cycles(conn: sqlite3.Connection, cct: str) -> dict[str, int]:
    """Cycle → enrolled students of the school recorded with it (the roster's cycle)."""
    return {r[0]: int(r[1]) for r in conn.execute(
        "SELECT ciclo, count(*) FROM students WHERE cct = ? AND estatus = 'INSCRITO'"
        " GROUP BY ciclo", (cct,))}


def without_photo(conn: sqlite3.Connection, cct: str) -> set[str]:
    """CURPs of the school's enrolled students who have no photo."""
    return {r[0] for r in conn.execute(
        "SELECT curp FROM students WHERE cct = ? AND estatus = 'INSCRITO'"
        " AND photo_hash IS NULL", (cct,))}


def withdrawn_without_card(conn: sqlite3.Connection, cct: str) -> list[tuple[str, str]]:
    """(CURP, full name) of the school's withdrawn students (BAJA) who hold no active card:
    the ones a batch leaves out because they left, by surname."""
    return [(r[0], " ".join(p for p in r[1:] if p)) for r in conn.execute(
        "SELECT s.curp, s.nombre, s.primer_apellido, s.segundo_apellido FROM students s"
        " WHERE s.cct = ? AND s.estatus = 'BAJA' AND s.curp NOT LIKE '0000%'"  # not purged
        " AND NOT EXISTS (SELECT 1 FROM cards c"
        " WHERE c.curp = s.curp AND c.status = 'active')"
        " ORDER BY s.primer_apellido, s.segundo_apellido, s.nombre", (cct,))]
