"""The access record: every staff read of a student's data leaves one row per student
(``privacy_access``): who (account and role), which student (matrícula only), what, when,
from which address.

Pages call :func:`record_reads` once they have the data in hand and before answering; a
refused request (scope, not found) records nothing because nothing was shown. The rows are
written in the route's own session and committed at once: on SQLite every transaction is
``BEGIN IMMEDIATE``, so a second session would wait for the route's own lock.

>>> sorted(_distinct(["2", "1", "2", ""]))
['1', '2']
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from conalep.context import utcnow
from conalep.models.privacy import AccessRecord
from foundation.sqldb import bulk_insert
from foundation.web.signed_in import SignedInStaff

WHAT_LIMIT, DETAIL_LIMIT = 60, 200


def _distinct(matriculas: Iterable[str]) -> list[str]:
    return sorted({m for m in matriculas if m})


def client_ip(request: Request | None) -> str:
    if request is None or request.client is None:
        return ""
    return request.client.host[:45]


def record_reads(session: Session, request: Request | None, *, staff: str, role: str,
                 what: str, matriculas: Iterable[str], detail: str | None = None,
                 now: datetime | None = None) -> int:
    """Record that ``staff`` read the data of each student in ``matriculas``; commits.

    ``detail`` defaults to the request's path and query (the filters of a list or a
    download), which never carry a CURP. Returns the number of rows written."""
    students = _distinct(matriculas)
    if not students:
        return 0
    if detail is None and request is not None:
        detail = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    at, ip = now or utcnow(), client_ip(request)
    bulk_insert(session, AccessRecord, [
        {"at": at, "staff": staff, "role": role, "matricula": m, "what": what[:WHAT_LIMIT],
         "detail": (detail or "")[:DETAIL_LIMIT], "ip": ip} for m in students])
    session.commit()
    return len(students)


def reads(session: Session, request: Request, user: SignedInStaff[Any], what: str,
          matriculas: Iterable[str]) -> int:
    """:func:`record_reads` for a signed-in page user (a :class:`conalep.web.ConalepUser`)."""
    return record_reads(session, request, staff=user.username, role=user.role, what=what,
                        matriculas=matriculas)
