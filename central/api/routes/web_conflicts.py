"""Staff page «Conflictos»: two cards for one student, a hologram serial or fee receipt used
at two stations (issue 13), open or reviewed; «marcar revisado».

Reviewing goes through :func:`central.crud.cards.review_conflict`, the same function as the
staff API (``POST /api/v1/admin/conflicts/{id}/review``). A DRSE sees and reviews only the
conflicts whose kept card is of one of its schools.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.api.deps import MAX_BIGINT, Db, RowId, utcnow
from central.api.routes.access import seen
from central.api.routes.web_session import CheckedForm, Staff, StaffUser, WebRoute, page
from central.crud import cards as card_ops
from central.crud import double_use, quarantine
from central.errors import ApiError
from central.models import Card, Conflict, Student
from foundation.web.pages import text

router = APIRouter(prefix="/staff/conflictos", route_class=WebRoute, include_in_schema=False)
FILTERS = {"abiertos": False, "revisados": True, "todos": None}
_GONE = "(alumno que ya no está en la plantilla)"


@dataclass(frozen=True, slots=True)
class ConflictRow:
    id: int
    curp: str
    student: str
    detected_at: datetime
    kept: Card
    replaced: Card
    reviewed_at: datetime | None
    reviewed_by: str | None
    note: str | None


def conflict_rows(session: Session, user: StaffUser, reviewed: bool | None) -> list[ConflictRow]:
    found = card_ops.conflicts_with_cards(session, reviewed=reviewed,
                                          ccts=user.scope.ccts(session))
    students = {s.curp: s for s in session.scalars(select(Student).where(
        Student.curp.in_({c.curp for c, _, _ in found})))}
    out = []
    for c, kept, replaced in found:
        st = students.get(c.curp)
        name = " ".join(x for x in (st.nombre, st.primer_apellido, st.segundo_apellido) if x) \
            if st else _GONE
        out.append(ConflictRow(c.id, c.curp, name, c.detected_at, kept, replaced,
                               c.resolved_at, c.reviewed_by, c.note))
    return out


def _render(request: Request, user: StaffUser, session: Session, estado: str, *,
            done: str = "") -> HTMLResponse:
    if estado not in FILTERS:
        raise ApiError(404, "bad-filter", "Ese filtro no existe; use abiertos, revisados o "
                                          "todos.")
    held = quarantine.quarantined(session, reviewed=FILTERS[estado],
                                  ccts=user.scope.ccts(session), region=user.region)
    doubled = double_use.double_uses(session, reviewed=FILTERS[estado],
                                     region=user.scope.region_code)
    rows = conflict_rows(session, user, FILTERS[estado])
    seen(request, user, session, "conflictos",
         [(r.curp, r.kept.cct) for r in rows if r.student != _GONE]
         + [(side.curp, None) for d in doubled for side in (d.first, d.second)
            if side.student != _GONE])
    out = page(request, "web_conflicts.html", user, nav="conflictos", estado=estado,
               conflicts=rows, done=done,
               quarantine=held, double_uses=doubled)
    session.commit()
    return out


@router.get("", response_class=HTMLResponse)
def conflicts_page(request: Request, user: Staff, session: Db,
                   estado: str = "abiertos") -> HTMLResponse:
    return _render(request, user, session, estado)


@router.post("/{conflict_id}/revisar", response_class=HTMLResponse)
def review(request: Request, conflict_id: RowId, user: Staff, form: CheckedForm,
           session: Db) -> HTMLResponse:
    conflict = session.get(Conflict, conflict_id)
    if conflict is None:
        raise ApiError(404, "conflict-not-found", f"No existe el conflicto {conflict_id}.")
    kept = session.get(Card, conflict.kept_card_id)
    if kept is None or (not user.scope.everything and
                        user.scope.school_drse(session, kept.cct) != user.region):
        raise ApiError(403, "outside-region",
                       f"Su cuenta es de la DRSE «{user.region}»: el conflicto {conflict_id} "
                       "no le corresponde. Pida a la oficina estatal que lo haga.")
    card_ops.review_conflict(session, conflict_id=conflict_id, staff=user.username,
                             note=text(form, "nota", limit=1000), now=utcnow())
    session.commit()
    return _render(request, user, session, "abiertos",
                   done=f"El conflicto {conflict_id} quedó revisado; está en «revisados».")


@router.post("/cuarentena/{station_id}/{seq}/revisar", response_class=HTMLResponse)
def review_quarantined(request: Request, station_id: Annotated[str, PathParam(max_length=20)],
                       seq: Annotated[int, PathParam(ge=1, le=MAX_BIGINT)], user: Staff,
                       form: CheckedForm, session: Db) -> HTMLResponse:
    """Mark a withdrawn station's quarantined event reviewed (it stays unapplied)."""
    held = quarantine.quarantined(session, reviewed=None, ccts=user.scope.ccts(session),
                                  region=user.region)
    if not any(r.station_id == station_id and r.seq == seq for r, _, _ in held):
        raise ApiError(404, "quarantine-not-found",
                       "Ese evento no está en cuarentena para su cuenta.")
    quarantine.review(session, station_id=station_id, seq=seq, staff=user.username,
                      note=text(form, "nota", limit=1000), now=utcnow())
    session.commit()
    return _render(request, user, session, "abiertos",
                   done=f"El evento {seq} de {station_id} quedó revisado.")


@router.post("/uso-doble/{double_use_id}/revisar", response_class=HTMLResponse)
def review_double_use(request: Request, double_use_id: RowId, user: Staff, form: CheckedForm,
                      session: Db) -> HTMLResponse:
    """Mark a hologram serial or receipt used at two stations reviewed (cards unchanged)."""
    row = double_use.review(session, double_use_id=double_use_id,
                            region=user.scope.region_code, staff=user.username,
                            note=text(form, "nota", limit=1000), now=utcnow())
    session.commit()
    return _render(request, user, session, "abiertos",
                   done=f"El uso doble de {row.key} quedó revisado; está en «revisados».")
