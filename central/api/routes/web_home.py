"""Staff page «Inicio»: stations per DRSE, open conflicts and new problem reports."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from central.api.deps import Db
from central.api.routes.web_session import Staff, WebRoute, page
from central.crud import cards as card_ops
from central.crud.report_attention import pending_count
from central.crud.staff import StaffScope
from central.models import Card, FolioBlock, School, Station, StationEvent

router = APIRouter(prefix="/staff", route_class=WebRoute, include_in_schema=False)


@dataclass(frozen=True, slots=True)
class StationRow:
    id: str
    name: str
    kind: str
    where: str
    """School CCT and name, or «DRSE …»."""
    drse: str
    last_seen_at: datetime | None
    applied_through: int
    waiting: int
    """Events central received but cannot apply yet (an earlier one has not arrived)."""
    folios_left: int | None
    withdrawn_at: datetime | None
    withdrawn_reason: str | None


def stations_in_scope(session: Session, scope: StaffScope) -> list[Station]:
    query = select(Station).order_by(Station.id)
    if not scope.everything:
        query = query.outerjoin(School, School.cct == Station.school_cct).where(
            or_(Station.drse == scope.region, School.drse == scope.region))
    return list(session.scalars(query))


def _folios_left(blocks: list[FolioBlock], highest: int | None) -> int | None:
    """Folios above the highest one the station reported, in the blocks central gave it."""
    if not blocks:
        return None
    used = highest or 0
    return sum(b.last_folio - max(b.first_folio - 1, min(b.last_folio, used)) for b in blocks)


def station_rows(session: Session, scope: StaffScope) -> list[StationRow]:
    stations = stations_in_scope(session, scope)
    ids = [s.id for s in stations]
    schools = {s.cct: s for s in session.scalars(select(School).where(
        School.cct.in_([s.school_cct for s in stations if s.school_cct])))}
    blocks: dict[str, list[FolioBlock]] = defaultdict(list)
    for b in session.scalars(select(FolioBlock).where(FolioBlock.station_id.in_(ids))):
        blocks[b.station_id].append(b)
    highest = {sid: folio for sid, folio in session.execute(
        select(Card.station_id, func.max(Card.folio)).where(Card.station_id.in_(ids))
        .group_by(Card.station_id))}
    waiting = {sid: n for sid, n in session.execute(
        select(StationEvent.station_id, func.count()).join(
            Station, Station.id == StationEvent.station_id)
        .where(StationEvent.station_id.in_(ids), StationEvent.seq > Station.applied_through)
        .group_by(StationEvent.station_id))}
    rows = []
    for s in stations:
        school = schools.get(s.school_cct or "")
        where = f"{school.cct} {school.nombre}" if school else f"DRSE {s.drse}"
        rows.append(StationRow(
            s.id, s.name, s.kind, where, s.drse or (school.drse if school else ""),
            s.last_seen_at, s.applied_through, int(waiting.get(s.id, 0)),
            _folios_left(blocks[s.id], highest.get(s.id)), s.withdrawn_at, s.withdrawn_reason))
    return rows


@router.get("", response_class=HTMLResponse)
def home(request: Request, user: Staff, session: Db) -> HTMLResponse:
    rows = station_rows(session, user.scope)
    by_drse: dict[str, list[StationRow]] = defaultdict(list)
    for row in rows:
        by_drse[row.drse].append(row)
    conflicts = len(card_ops.conflicts_with_cards(session, reviewed=False,
                                                  ccts=user.scope.ccts(session)))
    reports = pending_count(session, region_code=user.scope.region_code)
    session.commit()
    return page(request, "web_home.html", user, by_drse=dict(sorted(by_drse.items())),
                conflicts=conflicts, reports=reports, nav="inicio")
