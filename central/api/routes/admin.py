"""Central staff (``Authorization: Bearer``): enrollment codes, stations, cards, conflicts."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from sqlalchemy import select

from central.answers import (
    CardAnswer,
    CardList,
    ConfigCleared,
    ConfigPublished,
    ConflictAnswer,
    ConflictList,
    EnrollmentCodeAnswer,
    ProblemReportAnswer,
    ProblemReportList,
    StationAnswer,
    StationEvents,
    StationList,
)
from central.api.deps import Ctx, Db, Folio, RowId, Seq, Staff, utcnow
from central.crud import cards as card_ops
from central.crud import problem_reports, report_attention, station_config, stations
from central.errors import ApiError
from central.models import (
    Card,
    Conflict,
    ProblemReport,
    StaffAction,
    Station,
    StationEvent,
)
from central.schemas import ConfigIn, EnrollmentCodeIn, StaffName, StaffReason

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


@router.post("/enrollment-codes", status_code=201, response_model=EnrollmentCodeAnswer)
def create_code(body: EnrollmentCodeIn, _: Staff, session: Db, ctx: Ctx) -> dict[str, object]:
    """A one-time code for a new station; give it to whoever installs the station."""
    now = utcnow()
    hours = body.hours or ctx.settings.enrollment_code_hours
    code, row = stations.create_enrollment_code(
        session, kind=body.kind, school_cct=body.school_cct, drse=body.drse,
        station_name=body.station_name, staff=body.staff, hours=hours, now=now)
    session.add(StaffAction(at=now, staff=body.staff, action="enrollment-code",
                            target=body.school_cct or body.drse or "", reason=body.station_name))
    session.commit()
    return {"code": code, "kind": row.kind, "school_cct": row.school_cct, "drse": row.drse,
            "expires_at": (now + timedelta(hours=hours)).isoformat()}


def station_json(s: Station) -> dict[str, object]:
    return {"id": s.id, "name": s.name, "kind": s.kind, "school_cct": s.school_cct,
            "drse": s.drse, "key_id": s.key_id, "enrolled_at": s.enrolled_at.isoformat(),
            "withdrawn_at": s.withdrawn_at.isoformat() if s.withdrawn_at else None,
            "applied_through": s.applied_through,
            "last_seen_at": s.last_seen_at.isoformat() if s.last_seen_at else None}


@router.get("/stations", response_model=StationList)
def list_stations(_: Staff, session: Db) -> dict[str, object]:
    rows = session.scalars(select(Station).order_by(Station.id))
    return {"stations": [station_json(s) for s in rows]}


@router.post("/stations/{station_id}/withdraw", response_model=StationAnswer)
def withdraw(station_id: str, body: StaffReason, _: Staff, session: Db,
             ctx: Ctx) -> dict[str, object]:
    """Its key leaves the trust list from today; the cards it issued stay valid."""
    now = utcnow()
    station = stations.withdraw(session, station_id=station_id, reason=body.reason,
                                central_key=ctx.central_key, now=now)
    session.add(StaffAction(at=now, staff=body.staff, action="withdraw-station",
                            target=station_id, reason=body.reason))
    session.commit()
    return station_json(station)


@router.get("/stations/{station_id}/events", response_model=StationEvents)
def station_events(station_id: str, _: Staff, session: Db,
                   after: Seq = 0,
                   limit: Annotated[int, Query(ge=1, le=10_000)] = 1000) -> dict[str, object]:
    """The events central holds for a station, in seq order (audit, tests)."""
    rows = session.scalars(select(StationEvent).where(
        StationEvent.station_id == station_id, StationEvent.seq > after)
        .order_by(StationEvent.seq).limit(limit))
    return {"events": [{"seq": e.seq, "prev_seq": e.prev_seq, "at": e.at, "kind": e.kind,
                        "payload": json.loads(e.payload)} for e in rows]}


@router.get("/cards", response_model=CardList)
def find_cards(_: Staff, session: Db,
               curp: Annotated[str | None, Query(pattern=r"^[A-Z0-9]{18}$")] = None,
               folio: Folio | None = None) -> dict[str, object]:
    if curp is None and folio is None:
        raise ApiError(422, "missing-filter", "Indique la CURP o el folio de la credencial.")
    query = select(Card).order_by(Card.id)
    if curp is not None:
        query = query.where(Card.curp == curp)
    if folio is not None:
        query = query.where(Card.folio == folio)
    return {"cards": [card_ops.card_json(c) for c in session.scalars(query.limit(500))]}


@router.post("/cards/{card_id}/revoke", response_model=CardAnswer)
def revoke_card(card_id: RowId, body: StaffReason, _: Staff, session: Db) -> dict[str, object]:
    card = card_ops.staff_revoke(session, card_id=card_id, staff=body.staff,
                                 reason=body.reason, undo=False, now=utcnow())
    session.commit()
    return card_ops.card_json(card)


@router.post("/cards/{card_id}/undo-issued", response_model=CardAnswer)
def undo_issued(card_id: RowId, body: StaffReason, _: Staff, session: Db) -> dict[str, object]:
    """Seed 004, técnico 9: a card marked issued by mistake; the student is pending again."""
    card = card_ops.staff_revoke(session, card_id=card_id, staff=body.staff,
                                 reason=body.reason, undo=True, now=utcnow())
    session.commit()
    return card_ops.card_json(card)


def conflict_json(c: Conflict, kept: Card, replaced: Card) -> dict[str, object]:
    return {"id": c.id, "curp": c.curp, "detected_at": c.detected_at.isoformat(),
            "resolved_at": c.resolved_at.isoformat() if c.resolved_at else None,
            "reviewed_by": c.reviewed_by, "note": c.note,
            "kept": card_ops.card_json(kept), "replaced": card_ops.card_json(replaced)}


_CONFLICT_STATUS = {"open": False, "reviewed": True, "all": None}


@router.get("/conflicts", response_model=ConflictList)
def list_conflicts(_: Staff, session: Db,
                   status: Annotated[Literal["open", "reviewed", "all"], Query()] = "all"
                   ) -> dict[str, object]:
    """Students for whom two stations issued a card while offline (``status`` filters)."""
    rows = card_ops.conflicts_with_cards(session, reviewed=_CONFLICT_STATUS[status])
    return {"conflicts": [conflict_json(c, k, r) for c, k, r in rows]}


@router.post("/conflicts/{conflict_id}/review", response_model=ConflictAnswer)
def review_conflict(conflict_id: RowId, body: StaffReason, _: Staff,
                    session: Db) -> dict[str, object]:
    """Mark a conflict reviewed with a note (``reason``); 409 when it already was."""
    conflict = card_ops.review_conflict(session, conflict_id=conflict_id, staff=body.staff,
                                        note=body.reason, now=utcnow())
    kept, replaced = session.get(Card, conflict.kept_card_id), \
        session.get(Card, conflict.replaced_card_id)
    assert kept is not None and replaced is not None
    out = conflict_json(conflict, kept, replaced)
    session.commit()
    return out


@router.put("/config/{key}", response_model=ConfigPublished)
def set_config(key: str, body: ConfigIn, _: Staff, session: Db) -> dict[str, object]:
    """Publish a configuration value to every station (e.g. ``card.template``).

    Checked with the stations' own rules first: a wrong value is a 422, never sent.
    """
    done = station_config.publish(session, key=key, value=body.value, staff=body.staff,
                                  now=utcnow())
    session.commit()
    return {"key": key, "value": done.value, "version": done.rev}


@router.delete("/config/{key}", response_model=ConfigCleared)
def clear_config(key: str, body: StaffName, _: Staff, session: Db) -> dict[str, object]:
    """Stop publishing ``key``: stations put it back to its factory value."""
    rev = station_config.clear(session, key=key, staff=body.staff, now=utcnow())
    session.commit()
    return {"key": key, "version": rev}


@router.get("/problem-reports", response_model=ProblemReportList)
def list_problem_reports(_: Staff, session: Db,
                         drse: Annotated[str | None, Query(max_length=120)] = None
                         ) -> dict[str, object]:
    """Problem reports stations sent, newest first (only one DRSE's with ``drse``)."""
    rows = problem_reports.list_problem_reports(session, region_code=drse)
    return {"problem_reports": [_report_json(r) for r in rows]}


def _report_json(row: ProblemReport) -> dict[str, object]:
    return {**problem_reports.problem_report_json(row),
            "attended_at": row.attended_at.isoformat() if row.attended_at else None,
            "attended_by": row.attended_by, "attended_note": row.attended_note}


@router.post("/problem-reports/{report_id}/attend", response_model=ProblemReportAnswer)
def attend_problem_report(report_id: RowId, body: StaffReason, _: Staff,
                          session: Db) -> dict[str, object]:
    """Mark a report «atendido» with a note (``reason``); 409 when it already was."""
    row = report_attention.attend_problem_report(session, report_id=report_id,
                                                 staff=body.staff, note=body.reason,
                                                 now=utcnow())
    out = _report_json(row)
    session.commit()
    return out


@router.get("/problem-reports/{report_id}/download")
def download_problem_report(report_id: RowId, _: Staff, session: Db, ctx: Ctx) -> FileResponse:
    """The report's zip as the station wrote it."""
    row = problem_reports.read_problem_report(session, report_id=report_id)
    path = problem_reports.report_file(ctx.settings.data_dir, row)
    if not path.exists():
        raise ApiError(410, "problem-report-file-missing",
                       f"El archivo del reporte {report_id} ya no está en el servicio central.")
    return FileResponse(path, media_type="application/zip",
                        filename=f"{row.station_id}-{row.report_name}")
