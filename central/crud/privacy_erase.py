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
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Table, case, delete, exists, func, or_, select, update
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


def school_stations(session: Session, *ccts: str) -> list[str]:
    """The stations that may hold a student of ``ccts``: the schools' and their DRSEs'."""
    drses = set(session.scalars(select(School.drse).where(School.cct.in_(ccts))))
    return list(session.scalars(select(Station.id).where(
        or_(Station.school_cct.in_(ccts), Station.drse.in_(drses)))))


def erase_student(session: Session, *, key: bytes, curp: str, cause: str, by: str,
                  now: datetime, request_id: int | None = None) -> PrivacyErasure:
    """Erase one student (an ARCO cancellation): :func:`erase_students` with one CURP."""
    if session.get(Student, curp) is None:
        raise ApiError(404, "student-not-found", "Ese alumno ya no está en el servicio central "
                                                 "(sus datos ya se habían borrado).")
    return erase_students(session, key=key, curps=[curp], cause=cause, by=by, now=now,
                          request_id=request_id)[0]


def erase_students(session: Session, *, key: bytes, curps: Sequence[str], cause: str, by: str,
                   now: datetime, request_id: int | None = None) -> list[PrivacyErasure]:
    """Erase a batch of students inside the caller's transaction (which commits, then calls
    :func:`delete_pending_photos`): one statement per table for the whole batch, so the nightly
    purge of a school year's leavers costs a few scans per batch, not per child."""
    students = list(session.scalars(select(Student).where(Student.curp.in_(curps))
                                    .order_by(Student.curp).with_for_update()))
    if not students:
        return []
    digests = {st.curp: student_digest(key, st.curp) for st in students}
    summary: dict[str, dict[str, dict[str, int]]] = {c: {} for c in digests}

    def note(curp: str, table: str, what: str, n: int) -> None:
        if n:
            per = summary[curp].setdefault(table, {})
            per[what] = per.get(what, 0) + n

    _sweep(session, digests, school_stations(session, *{st.cct for st in students}), note)
    # A rectification's old and new names are the student's data too; its orders as well.
    session.execute(update(PrivacyRequest)
                    .where(PrivacyRequest.student.in_(list(digests.values())),
                           PrivacyRequest.kind == "rectificacion")
                    .values(detail=json.dumps({"borrado": now.date().isoformat()})))
    session.execute(delete(PrivacyOrderRecord).where(PrivacyOrderRecord.curp.in_(digests),
                                                     PrivacyOrderRecord.kind == "rectificacion"))
    photos = {st.curp: st.photo_hash for st in students}
    drse = {cct: name for cct, name in session.execute(select(School.cct, School.drse).where(
        School.cct.in_({st.cct for st in students})))}
    ccts = {st.curp: st.cct for st in students}
    for st in students:
        session.delete(st)
    session.flush()
    out = []
    for curp, digest in digests.items():
        note(curp, "students", "borradas", 1)
        photo, marker = photos[curp], None
        if photo and not session.scalar(select(exists().where(Student.photo_hash == photo))):
            session.execute(delete(WantedPhoto).where(WantedPhoto.hash == photo))
            if session.execute(delete(Photo).where(Photo.hash == photo)).rowcount:
                note(curp, "photos", "borradas", 1)
                marker = photo
        erasure = session.get(PrivacyErasure, digest)
        if erasure is None:  # a student erased before and listed again by SCEJAL: one row
            erasure = PrivacyErasure(student=digest)
            session.add(erasure)
        erasure.cct, erasure.drse, erasure.cause = ccts[curp], drse.get(ccts[curp]), cause
        erasure.erased_at, erasure.erased_by, erasure.request_id = now, by, request_id
        erasure.summary = json.dumps(summary[curp], sort_keys=True)
        erasure.photo_hash = marker or erasure.photo_hash
        out.append(erasure)
    progress_summary.mark(session, set(ccts.values()))
    session.flush()
    return out


def scrub_erased(session: Session, *, key: bytes, curps: Iterable[str],
                 stations: list[str]) -> int:
    """CURPs a station sent again after their student was erased (it pushed before it applied
    the order): replaced by the digest like the rest, in the caller's transaction. A student
    SCEJAL listed again since is not touched."""
    digests = {c: student_digest(key, c) for c in set(curps)}
    if not digests:
        return 0
    erased = set(session.scalars(select(PrivacyErasure.student).where(
        PrivacyErasure.student.in_(list(digests.values())))))
    hits = {c: d for c, d in digests.items() if d in erased}
    if hits:
        hits = {c: d for c, d in hits.items() if session.get(Student, c) is None}
        _sweep(session, hits, stations, lambda *_: None)
    return len(hits)


def _sweep(session: Session, digests: dict[str, str], stations: list[str],
           note: Callable[[str, str, str, int], None]) -> None:
    """The CURPs of ``digests`` out of every table but ``students`` and ``privacy_orders``:
    rows only about the person deleted, the rest kept under the digest."""
    for table, col in student_columns():
        if table.name in KEPT_IN_CLEAR:
            continue
        counted = session.execute(select(col, func.count()).where(col.in_(digests))
                                  .group_by(col)).all()
        if not counted:
            continue
        if table.name in DELETED_WITH_STUDENT:
            session.execute(delete(table).where(col.in_(digests)))
            what = "borradas"
        else:
            session.execute(update(table).where(col.in_(digests))
                            .values({col.name: case(digests, value=col)}))
            what = "con_huella"
        for curp, n in counted:
            note(curp, table.name, what, int(n))
    _scrub_texts(session, digests, stations, note)


def _scrub_texts(session: Session, digests: dict[str, str], stations: list[str],
                 note: Callable[[str, str, str, int], None]) -> None:
    """The CURP inside text: ledger payloads of ``stations`` and staff audit lines. Read
    once per batch (rows that name any of its CURPs), rewritten by key."""
    sources: list[tuple[Any, list[Any], list[Any]]] = []
    if stations:
        sources.append((StationEvent, [StationEvent.payload],
                        [StationEvent.station_id.in_(stations)]))
    sources.append((StaffAction, [StaffAction.target, StaffAction.reason], []))
    for model, columns, scope in sources:
        for part in _chunks(list(digests), 200):
            hit = or_(*[c.contains(curp, autoescape=True) for c in columns for curp in part])
            for row in session.scalars(select(model).where(*scope, hit)):
                for c in columns:
                    text = getattr(row, c.key)
                    for curp in part:
                        if text and curp in text:
                            text = text.replace(curp, digests[curp])
                            note(curp, model.__tablename__, "con_huella", 1)
                    setattr(row, c.key, text)
    session.flush()


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


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
