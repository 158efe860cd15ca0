"""Read-only views the touchscreen shows: schools with their counts, a school's roster with
each student's card status, one student, the holder of a verified card, sheets to review.

Nothing here writes. Searches ignore accents and case and match every word typed, in any
order ("PEREZ JUAN" finds "JUAN PÉREZ LÓPEZ").

>>> matches("JOSÉ PÉREZ", normalize("perez jo"))
True
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from foundation.errors import NotFound
from station.core.cycles import Need
from station.core.model import School, Student
from station.services.lifecycle import school_lists
from station.services.station import Station
from station.store import ledger
from station.store.lifecycle_sql import ACTIVE_CARD_HERE
from station.store.sheet_records import SheetRecord, get_sheet

FILTERS = ("all", "pending", "issued", "no_photo", "declined", "hologram_missing")
"""Roster filters. ``declined`` and ``hologram_missing`` come from the cycle's lists
(:func:`station.services.lifecycle.school_lists`)."""


def normalize(text: str) -> str:
    """Upper case without accents (Ñ kept as N: people type either)."""
    decomposed = unicodedata.normalize("NFKD", text.upper())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def matches(name: str, normalized_query: str) -> bool:
    words = normalized_query.split()
    target = normalize(name)
    return all(w in target for w in words)


@dataclass(frozen=True, slots=True)
class SchoolSummary:
    school: School
    enrolled: int
    issued: int
    pending: int
    without_photo: int


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One enrolled student as the roster list shows them (the CURP is the row's key only)."""

    curp: str
    list_name: str
    grado: int
    grupo: str
    nuevo_ingreso: bool
    has_photo: bool
    folio: int | None
    need: Need | None = None
    """What the student needs this cycle (card, hologram, receipt, declined, complete)."""
    card_other_school: bool = False
    """Holds an active card of the school they left (normativo 7: it names that school)."""

    @property
    def issued(self) -> bool:
        return self.folio is not None

    @property
    def needs_card(self) -> bool:
        """Needs a card this cycle (not one who declined, nor a lost card without receipt)."""
        return self.need is Need.CARD if self.need is not None else not self.issued


def schools(station: Station) -> list[SchoolSummary]:
    """Every school in the station with its counts of enrolled, issued, pending, no photo."""
    with station.db.read() as conn:
        found = ledger.list_schools(conn)
        counts = {r[0]: r[1:] for r in conn.execute(
            "SELECT s.cct, count(*),"
            f" sum({ACTIVE_CARD_HERE} IS NOT NULL),"  # a card of a former school does not count
            " sum(s.photo_hash IS NULL)"
            " FROM students s WHERE s.estatus = 'INSCRITO' GROUP BY s.cct")}
    out = []
    for school in found:
        enrolled, issued, no_photo = counts.get(school.cct, (0, 0, 0))
        out.append(SchoolSummary(school, int(enrolled), int(issued or 0),
                                 int(enrolled) - int(issued or 0), int(no_photo or 0)))
    return out


def school(station: Station, cct: str) -> School:
    with station.db.read() as conn:
        found = ledger.get_school(conn, cct)
    if found is None:
        raise NotFound(f"La escuela con CCT {cct} no está en esta estación.",
                       way_out="Importe la plantilla de SCEJAL de esa escuela.")
    return found


def roster(station: Station, cct: str) -> list[RosterEntry]:
    """The enrolled students of a school, by surname, with their active card's folio and
    what each needs in the current cycle."""
    lines = {line.curp: line for line in school_lists(station, cct).students}
    with station.db.read() as conn:
        rows = conn.execute(
            "SELECT s.curp, s.nombre, s.primer_apellido, s.segundo_apellido, s.grado, s.grupo,"
            " s.nuevo_ingreso, s.photo_hash IS NOT NULL,"
            f" {ACTIVE_CARD_HERE}"  # a card of a school the student left is not theirs here
            " FROM students s WHERE s.cct = ? AND s.estatus = 'INSCRITO'"
            " ORDER BY s.primer_apellido, s.segundo_apellido, s.nombre, s.curp", (cct,))
        return [RosterEntry(curp=r[0], list_name=" ".join(p for p in (r[2], r[3], r[1]) if p),
                            grado=int(r[4]), grupo=str(r[5]), nuevo_ingreso=bool(r[6]),
                            has_photo=bool(r[7]), folio=r[8],
                            need=lines[r[0]].need if r[0] in lines else None,
                            card_other_school=r[0] in lines and lines[r[0]].card_other_school)
                for r in rows]


def filter_roster(entries: list[RosterEntry], *, query: str = "",
                  status: str = "all") -> list[RosterEntry]:
    """Entries whose name has every word of ``query`` and that pass the ``status`` filter."""
    wanted = normalize(query)
    keep = {
        "all": lambda e: True,
        "pending": lambda e: e.needs_card,
        "issued": lambda e: e.issued,
        "no_photo": lambda e: not e.has_photo,
        "declined": lambda e: e.need is Need.DECLINED,
        "hologram_missing": lambda e: e.need is Need.HOLOGRAM,
    }[status]
    return [e for e in entries if keep(e) and (not wanted or matches(e.list_name, wanted))]


@dataclass(frozen=True, slots=True)
class CardLine:
    folio: int
    status: str
    issued_on: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class StudentDetail:
    student: Student
    school: School
    photo: Path | None
    cards: list[CardLine]

    @property
    def active_folio(self) -> int | None:
        return next((c.folio for c in self.cards if c.status == "active"), None)


def student(station: Station, curp: str) -> StudentDetail:
    with station.db.read() as conn:
        found = ledger.get_students(conn, [curp]).get(curp)
        if found is None:
            raise NotFound("Ese alumno ya no está en la plantilla de esta estación.",
                           way_out="Vuelva a la lista y búsquelo de nuevo.")
        sch = ledger.get_school(conn, found.cct)
        photo = ledger.photo_hashes(conn, [curp]).get(curp)
        cards = [CardLine(int(r[0]), r[1], r[2], r[3]) for r in conn.execute(
            "SELECT folio, status, issued_on, status_reason FROM cards WHERE curp = ?"
            " ORDER BY folio DESC", (curp,))]
    assert sch is not None
    return StudentDetail(found, sch, station.photos.path(photo) if photo else None, cards)


@dataclass(frozen=True, slots=True)
class CardHolder:
    """What this station knows of a verified card it issued: name, school, photo."""

    name: str
    school: School | None
    photo: Path | None
    curp: str


def card_holder(station: Station, folio: int, key_id: str | None) -> CardHolder | None:
    """The student of a card issued by this station (same key), or None."""
    if key_id is None:
        return None
    with station.db.read() as conn:
        row = conn.execute("SELECT curp, name_on_card, cct FROM cards WHERE folio = ?"
                           " AND key_id = ?", (folio, key_id)).fetchone()
        if row is None:
            return None
        photo = ledger.photo_hashes(conn, [row[0]]).get(row[0])
        sch = ledger.get_school(conn, row[2])
    return CardHolder(row[1], sch, station.photos.path(photo) if photo else None, row[0])


def sheets_to_review(station: Station, *, limit: int = 50) -> list[SheetRecord]:
    """Sheets produced or sent but not yet confirmed or spoiled, oldest first."""
    with station.db.read() as conn:
        ids = [r[0] for r in conn.execute(
            "SELECT id FROM sheets WHERE state IN ('generated', 'sent') ORDER BY id LIMIT ?",
            (limit,))]
        return [get_sheet(conn, i) for i in ids]


def sheet(station: Station, sheet_id: int) -> SheetRecord:
    with station.db.read() as conn:
        return get_sheet(conn, sheet_id)


def count_schools(station: Station) -> int:
    with station.db.read() as conn:
        return int(conn.execute("SELECT count(*) FROM schools").fetchone()[0])
