"""The access record (issue 18): which staff member read which student's data on central's
pages, when and from where. One row per student per read (a page listing several students
writes one row for each); the student is the keyed digest, never the CURP.

Written by :func:`central.api.routes.access.seen`, the one call every page and download that
shows named students makes; read by the state office's «Registro de accesos»; pruned by
``central privacy purge`` after ``access_log_retention_days``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from central.crud.privacy_digest import is_digest, student_digest
from central.models import AccessRecord, Student
from foundation.web.pages import LOCAL_TZ

MAX_ROWS = 500


def record_reads(session: Session, *, key: bytes, staff: str, role: str, what: str, ip: str,
                 now: datetime, students: Iterable[tuple[str, str | None]]) -> int:
    """One row per distinct student of ``students`` ((CURP or digest, CCT) pairs)."""
    rows, seen = [], set()
    for curp, cct in students:
        digest = curp if is_digest(curp) else student_digest(key, curp)
        if digest in seen:
            continue
        seen.add(digest)
        rows.append({"at": now, "staff": staff, "role": role[:40], "student": digest,
                     "cct": cct, "what": what[:120], "ip": ip[:45]})
    if rows:
        session.execute(insert(AccessRecord), rows)
    return len(rows)


@dataclass(frozen=True, slots=True)
class Filters:
    curp: str = ""
    staff: str = ""
    since: date | None = None
    until: date | None = None


def _start_of(day: date) -> datetime:
    """Midnight of ``day`` in Jalisco, in UTC (as the records are stored)."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ).astimezone(UTC)


def find(session: Session, *, key: bytes, filters: Filters,
         limit: int = MAX_ROWS) -> Sequence[AccessRecord]:
    """Records matching ``filters``, newest first."""
    query = select(AccessRecord)
    if filters.curp:
        query = query.where(AccessRecord.student == student_digest(key, filters.curp))
    if filters.staff:
        query = query.where(AccessRecord.staff == filters.staff)
    if filters.since:
        query = query.where(AccessRecord.at >= _start_of(filters.since))
    if filters.until:
        query = query.where(AccessRecord.at < _start_of(filters.until + timedelta(days=1)))
    return list(session.scalars(query.order_by(AccessRecord.at.desc(), AccessRecord.id.desc())
                                .limit(limit)))


def names_for(session: Session, *, key: bytes,
              records: Sequence[AccessRecord]) -> dict[str, str]:
    """digest → the student's name, for the students still enrolled at the records' schools
    (the digest is one-way: the names come from hashing those schools' students again)."""
    wanted = {r.student for r in records if r.student}
    ccts = sorted({r.cct for r in records if r.cct})[:40]
    out: dict[str, str] = {}
    if not wanted or not ccts:
        return out
    for st in session.execute(select(Student.curp, Student.nombre, Student.primer_apellido,
                                     Student.segundo_apellido).where(Student.cct.in_(ccts))):
        digest = student_digest(key, st.curp)
        if digest in wanted:
            out[digest] = " ".join(x for x in (st.nombre, st.primer_apellido,
                                               st.segundo_apellido) if x)
    return out


def prune(session: Session, *, before: datetime, dry_run: bool) -> int:
    """Delete (or count) the records older than ``before``."""
    if dry_run:
        return int(session.scalar(select(func.count()).select_from(AccessRecord)
                                  .where(AccessRecord.at < before)) or 0)
    return int(session.execute(delete(AccessRecord).where(AccessRecord.at < before)).rowcount)
