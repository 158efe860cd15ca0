"""The SCEJAL roster at central: import (one validator, shared with the station) and pulls."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from central.db import next_rev
from central.models import Region, School, Student, StudentMove
from station.core.model import School as SchoolRecord
from station.core.model import Student as StudentRecord

_SCHOOL_FIELDS = ("nombre", "nivel", "turno", "domicilio", "municipio", "telefono", "drse",
                  "matricula", "internet")
_STUDENT_FIELDS = ("nombre", "primer_apellido", "segundo_apellido", "cct", "grado", "grupo",
                   "ciclo", "estatus", "nuevo_ingreso")
_CHUNK = 2000


@dataclass(frozen=True, slots=True)
class ImportCounts:
    schools_added: int = 0
    schools_updated: int = 0
    students_added: int = 0
    students_updated: int = 0
    unchanged: int = 0
    rev: int = 0
    cancelled: int = 0
    """Students left out: their data was cancelled (ARCO) on central (issue 18)."""

    def to_json(self) -> dict[str, int]:
        return {"schools_added": self.schools_added, "schools_updated": self.schools_updated,
                "students_added": self.students_added,
                "students_updated": self.students_updated, "unchanged": self.unchanged,
                "rev": self.rev, "cancelled": self.cancelled}


def _school_values(s: SchoolRecord) -> dict[str, object]:
    return {"nombre": s.nombre, "nivel": s.nivel.value, "turno": s.turno.value,
            "domicilio": s.domicilio, "municipio": s.municipio, "telefono": s.telefono,
            "drse": s.drse, "matricula": s.matricula, "internet": s.internet}


def _student_values(s: StudentRecord) -> dict[str, object]:
    return {"nombre": s.nombre, "primer_apellido": s.primer_apellido,
            "segundo_apellido": s.segundo_apellido, "cct": s.cct, "grado": s.grado,
            "grupo": s.grupo, "ciclo": s.ciclo, "estatus": s.estatus.value,
            "nuevo_ingreso": s.nuevo_ingreso}


def import_roster(session: Session, *, schools: Sequence[SchoolRecord],
                  students: Sequence[StudentRecord], now: datetime,
                  privacy_key: bytes | None = None) -> ImportCounts:
    """Add and update schools and students; every changed row gets this import's ``rev``.

    Students missing from the export are left alone (an export may cover some schools only).
    With ``privacy_key``, a student whose data was cancelled by an ARCO request is left out:
    SCEJAL still lists them, but central must not take their data back.
    """
    cancelled = 0
    if privacy_key is not None:
        kept = _not_cancelled(session, privacy_key, students)
        cancelled, students = len(students) - len(kept), kept
    rev = next_rev(session, "roster")
    known_regions = set(session.scalars(select(Region.name)))
    for name in sorted({s.drse for s in schools} - known_regions):
        session.add(Region(name=name))
    session.flush()
    counts = dict.fromkeys(("sa", "su", "ta", "tu", "un"), 0)
    for i in range(0, len(schools), _CHUNK):
        chunk = schools[i:i + _CHUNK]
        old = {s.cct: s for s in session.scalars(
            select(School).where(School.cct.in_([s.cct for s in chunk])))}
        for record in chunk:
            values = _school_values(record)
            row = old.get(record.cct)
            if row is None:
                session.add(School(cct=record.cct, rev=rev, updated_at=now, **values))
                counts["sa"] += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                row.rev, row.updated_at = rev, now
                counts["su"] += 1
            else:
                counts["un"] += 1
    session.flush()
    for i in range(0, len(students), _CHUNK):
        chunk = students[i:i + _CHUNK]
        old_students = {s.curp: s for s in session.scalars(
            select(Student).where(Student.curp.in_([s.curp for s in chunk])))}
        for record in chunk:
            values = _student_values(record)
            row = old_students.get(record.curp)
            if row is None:
                session.add(Student(curp=record.curp, rev=rev, updated_at=now, photo_hash=None,
                                    **values))
                counts["ta"] += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                if row.cct != record.cct:  # stations of the old school must be told
                    session.add(StudentMove(curp=record.curp, from_cct=row.cct,
                                            to_cct=record.cct, rev=rev, moved_at=now))
                for k, v in values.items():
                    setattr(row, k, v)
                row.rev, row.updated_at = rev, now
                counts["tu"] += 1
            else:
                counts["un"] += 1
        session.flush()
    return ImportCounts(counts["sa"], counts["su"], counts["ta"], counts["tu"], counts["un"], rev,
                        cancelled)


def _not_cancelled(session: Session, key: bytes,
                   students: Sequence[StudentRecord]) -> list[StudentRecord]:
    from central.crud.privacy_digest import student_digest
    from central.models import PrivacyErasure

    digests = [student_digest(key, s.curp) for s in students]
    gone: set[str] = set()
    for i in range(0, len(digests), _CHUNK):
        gone |= set(session.scalars(select(PrivacyErasure.student).where(
            PrivacyErasure.student.in_(digests[i:i + _CHUNK]),
            PrivacyErasure.cause == "cancelacion")))
    return [s for s, d in zip(students, digests, strict=True) if d not in gone]


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a station's roster pull stands: (rev, curp) of the last student it got.

    The scope digest changes when the station's schools change; the pull then starts over.

    >>> Cursor.parse("12.TOIJ140603MJCRXSG7.ab12", "ab12")
    Cursor(rev=12, curp='TOIJ140603MJCRXSG7')
    >>> Cursor.parse("12.X.old", "new")
    Cursor(rev=0, curp='')
    """

    rev: int
    curp: str

    @classmethod
    def parse(cls, text: str | None, digest: str) -> Cursor:
        try:
            rev, curp, scope = (text or "").split(".")
            if scope == digest:
                return cls(int(rev), curp)
        except ValueError:
            pass
        return cls(0, "")

    def format(self, digest: str) -> str:
        return f"{self.rev}.{self.curp}.{digest}"


def scope_digest(ccts: Sequence[str]) -> str:
    return hashlib.sha256(",".join(sorted(ccts)).encode()).hexdigest()[:12]


def school_json(s: School) -> dict[str, object]:
    return {"cct": s.cct, **{k: getattr(s, k) for k in _SCHOOL_FIELDS}}


def student_json(s: Student) -> dict[str, object]:
    return {"curp": s.curp, **{k: getattr(s, k) for k in _STUDENT_FIELDS},
            "photo_hash": s.photo_hash}


def roster_page(session: Session, *, ccts: Sequence[str], cursor: Cursor,
                limit: int) -> tuple[list[School], list[Student], Cursor, bool]:
    """Changed schools and up to ``limit`` changed students of ``ccts`` after ``cursor``."""
    if not ccts:
        return [], [], cursor, False
    schools = list(session.scalars(select(School).where(School.cct.in_(ccts),
                                                        School.rev > cursor.rev)))
    students = list(session.scalars(
        select(Student).where(Student.cct.in_(ccts),
                              tuple_(Student.rev, Student.curp) > (cursor.rev, cursor.curp))
        .order_by(Student.rev, Student.curp).limit(limit + 1)))
    more = len(students) > limit
    students = students[:limit]
    if students:
        cursor = Cursor(students[-1].rev, students[-1].curp)
    elif schools:
        cursor = Cursor(max(s.rev for s in schools), "")
    return schools, students, cursor, more


_AFTER_EVERY_CURP = "Z" * 19
"""Sorts after any CURP (18 of [A-Z0-9]) in any collation: a cursor at (rev, this) has seen
every student of that rev."""


def departed_page(session: Session, *, ccts: Sequence[str], start: Cursor, end: Cursor,
                  more: bool) -> tuple[list[str], Cursor]:
    """CURPs of students who left ``ccts`` for a school outside them, in the page's rev
    window (start, end]; on the last page every later move too, and the cursor moves past them.

    A student who came back into ``ccts`` is not listed: the page already carries them.
    """
    if not ccts:
        return [], end
    query = (select(StudentMove.curp, StudentMove.rev)
             .join(Student, Student.curp == StudentMove.curp)
             .where(StudentMove.from_cct.in_(ccts), StudentMove.rev > start.rev,
                    Student.cct.not_in(ccts)))
    if more:
        query = query.where(StudentMove.rev <= end.rev)
    rows = session.execute(query.order_by(StudentMove.rev, StudentMove.curp)).all()
    curps = sorted({r.curp for r in rows})
    last = max((r.rev for r in rows), default=0)
    if not more and last > end.rev:
        end = Cursor(last, _AFTER_EVERY_CURP)
    return curps, end
