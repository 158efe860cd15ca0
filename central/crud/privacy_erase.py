"""Erasing a student's personal data on central (issue 18): one function for an ARCO
cancellation and for the retention purge.

What goes: the roster row (names, CURP, school, grade), the photo (row now, file right after
the commit), the photos a station was asked for and the school moves. What stays under the
keyed digest (:mod:`central.crud.privacy_digest`) instead of the CURP: the cards (folio, dates,
status: the folio audit balances and a card still verifies by key and folio), holograms,
receipts, card requests and wishes, conflicts, double uses, the office requests' lists, the
ledger events' payloads and the staff audit lines that named the CURP. A
:class:`~central.models.PrivacyErasure` row records what was done; its ``photo_hash`` is the
marker of a photo file still to delete, so a run killed between the commit and the file
deletion finishes it next time (:func:`delete_pending_photos`).

Which tables name a student is read from the models (:func:`student_columns`): a new table with
a ``curp`` column is erased (and exported) without touching this module.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Column, Table, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from central.crud import progress_summary
from central.crud.privacy_digest import student_digest
from central.errors import ApiError
from central.models import (
    Base,
    Photo,
    PrivacyErasure,
    PrivacyOrderRecord,
    PrivacyRequest,
    School,
    StaffAction,
    Station,
    StationEvent,
    Student,
    WantedPhoto,
)
from foundation.photostore import PhotoStore

DELETED_WITH_STUDENT = frozenset({"wanted_photos", "student_moves"})
"""Rows only about the person (no count or folio depends on them): deleted, not kept."""
KEPT_IN_CLEAR = frozenset({"students", "privacy_orders"})
"""``students`` is deleted whole; ``privacy_orders`` keeps the CURP the stations need until
``privacy_order_days`` (:func:`central.crud.privacy_purge.purge`)."""


def student_columns() -> Iterator[tuple[Table, Column[str]]]:
    """Every (table, column) of central's schema that holds a student's CURP: a foreign key to
    ``students.curp`` or a column named ``curp`` / ``…_curp``."""
    for table in Base.metadata.sorted_tables:
        for col in table.columns:
            to_student = any(fk.column.table.name == "students" for fk in col.foreign_keys)
            if to_student or col.name == "curp" or col.name.endswith("_curp"):
                yield table, col


def school_stations(session: Session, cct: str) -> list[str]:
    """The stations that may hold a student of ``cct``: the school's and its DRSE's."""
    drse = session.scalar(select(School.drse).where(School.cct == cct))
    return list(session.scalars(select(Station.id).where(
        or_(Station.school_cct == cct, Station.drse == drse))))


def erase_student(session: Session, *, key: bytes, curp: str, cause: str, by: str,
                  now: datetime, request_id: int | None = None) -> PrivacyErasure:
    """Erase one student inside the caller's transaction (which commits, then calls
    :func:`delete_pending_photos`)."""
    student = session.get(Student, curp, with_for_update=True)
    if student is None:
        raise ApiError(404, "student-not-found", "Ese alumno ya no está en el servicio central "
                                                 "(sus datos ya se habían borrado).")
    digest, cct = student_digest(key, curp), student.cct
    drse = session.scalar(select(School.drse).where(School.cct == cct))
    summary: dict[str, dict[str, int]] = {}

    def note(table: str, what: str, n: int) -> None:
        if n:
            summary.setdefault(table, {})[what] = summary.get(table, {}).get(what, 0) + n

    for table, col in student_columns():
        if table.name in KEPT_IN_CLEAR:
            continue
        if table.name in DELETED_WITH_STUDENT:
            note(table.name, "borradas", session.execute(
                delete(table).where(col == curp)).rowcount)
        else:
            note(table.name, "con_huella", session.execute(
                update(table).where(col == curp).values({col.name: digest})).rowcount)
    stations = school_stations(session, cct)
    if stations:
        note("station_events", "con_huella", session.execute(
            update(StationEvent).where(StationEvent.station_id.in_(stations),
                                       StationEvent.payload.contains(curp, autoescape=True))
            .values(payload=func.replace(StationEvent.payload, curp, digest))).rowcount)
    for col in (StaffAction.target, StaffAction.reason):
        note("staff_actions", "con_huella", session.execute(
            update(StaffAction).where(col.contains(curp, autoescape=True))
            .values({col.key: func.replace(col, curp, digest)})).rowcount)
    # A rectification's old and new names are the student's data too; its orders as well.
    session.execute(update(PrivacyRequest).where(PrivacyRequest.student == digest,
                                                 PrivacyRequest.kind == "rectificacion")
                    .values(detail=json.dumps({"borrado": now.date().isoformat()})))
    session.execute(delete(PrivacyOrderRecord).where(PrivacyOrderRecord.curp == curp,
                                                     PrivacyOrderRecord.kind == "rectificacion"))
    photo = student.photo_hash
    session.delete(student)
    session.flush()
    note("students", "borradas", 1)
    marker = None
    if photo and not session.scalar(select(exists().where(Student.photo_hash == photo))):
        session.execute(delete(WantedPhoto).where(WantedPhoto.hash == photo))
        session.execute(delete(Photo).where(Photo.hash == photo))
        note("photos", "borradas", 1)
        marker = photo
    progress_summary.mark(session, [cct])
    erasure = session.get(PrivacyErasure, digest)
    if erasure is None:  # a student erased before and listed again by SCEJAL: one audit row
        erasure = PrivacyErasure(student=digest)
        session.add(erasure)
    erasure.cct, erasure.drse, erasure.cause, erasure.erased_at = cct, drse, cause, now
    erasure.erased_by, erasure.request_id = by, request_id
    erasure.summary = json.dumps(summary, sort_keys=True)
    erasure.photo_hash = marker or erasure.photo_hash
    session.flush()
    return erasure


def delete_pending_photos(session: Session, store: PhotoStore) -> int:
    """Delete the photo files of committed erasures (the markers), each marker cleared in its
    own commit after its file is gone; safe to run again at any point."""
    done = 0
    for erasure in list(session.scalars(select(PrivacyErasure)
                                        .where(PrivacyErasure.photo_hash.is_not(None)))):
        photo = erasure.photo_hash
        assert photo is not None
        # Uploaded again since (another student with the very same photo): keep the file.
        if session.get(Photo, photo) is None and store.has(photo):
            store.path(photo).unlink(missing_ok=True)
            done += 1
        erasure.photo_hash = None
        session.commit()
    return done
