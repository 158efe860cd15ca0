"""Staff follow-up of station problem reports: «atendido» with a note, and counts.

The report itself (zip and row) is :mod:`central.crud.problem_reports`; this module only
records that someone took care of it (who, when, what was done).

>>> from datetime import UTC, datetime
>>> attend_problem_report(session, report_id=1, staff="ana", note="se cambió el cable",
...                       now=datetime.now(UTC))  # doctest: +SKIP
ProblemReport(...)
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from central.crud.problem_reports import read_problem_report
from central.crud.staff import record
from central.errors import ApiError
from central.models import ProblemReport


def attend_problem_report(session: Session, *, report_id: int, staff: str, note: str,
                          now: datetime) -> ProblemReport:
    """Mark a report attended and record ``attend-problem-report`` (409 if it already was)."""
    row = read_problem_report(session, report_id=report_id)
    note = " ".join(note.split())
    if len(note) < 3:
        raise ApiError(422, "missing-note", "Escriba una nota de lo que se hizo (al menos 3 "
                                            "letras), por ejemplo «se cambió el cable USB».")
    if row.attended_at is not None:
        raise ApiError(409, "report-attended",
                       f"El reporte {report_id} ya fue atendido por {row.attended_by}.")
    row.attended_at, row.attended_by, row.attended_note = now, staff, note[:1000]
    record(session, staff=staff, action="attend-problem-report",
           target=f"reporte {report_id} ({row.station_id})", reason=note[:1000], now=now)
    session.flush()
    return row


def pending_count(session: Session, *, region_code: str | None) -> int:
    """Reports nobody has attended yet (of one DRSE when ``region_code``)."""
    query = select(func.count()).select_from(ProblemReport).where(
        ProblemReport.attended_at.is_(None))
    if region_code is not None:
        query = query.where(ProblemReport.drse == region_code)
    return int(session.scalar(query) or 0)
