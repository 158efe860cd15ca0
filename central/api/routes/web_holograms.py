"""Staff page «Hologramas»: rolls by serial range, handed state → DRSE → school (issue 13).

State staff register the rolls the state received and hand parts to DRSEs; DRSE staff see
only their DRSE's ranges (and what they handed to their schools) and hand parts to their
schools. A refusal (an overlap, a range outside the one held, another DRSE's range) shows the
page again with the reason; nothing is written. The ranges reach the stations with their
next sync (:func:`central.crud.holograms.station_ranges`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.api.deps import Db, RowId, utcnow
from central.api.routes.web_session import CheckedForm, Staff, StaffUser, WebRoute, page
from central.crud import holograms
from central.errors import ApiError
from central.models import Region, School
from foundation.web.pages import text

router = APIRouter(prefix="/staff/hologramas", route_class=WebRoute, include_in_schema=False)


def _render(request: Request, user: StaffUser, session: Session, *, status: int = 200,
            **extra: object) -> HTMLResponse:
    rows = holograms.visible_lots(session, user.scope)
    regions = list(session.scalars(select(Region.name).order_by(Region.name)))
    schools = [] if user.scope.everything else list(session.scalars(
        select(School).where(School.drse == user.region).order_by(School.cct)))
    out = page(request, "web_holograms.html", user, status=status, nav="hologramas",
               rows=rows, regions=regions, schools=schools,
               describe=holograms.describe, holder_words=holograms.holder_words, **extra)
    session.commit()
    return out


def _refused(request: Request, user: StaffUser, session: Session,
             exc: ApiError) -> HTMLResponse:
    session.rollback()
    if exc.status == 403:
        raise exc  # another DRSE's range: the error page, not this DRSE's listing
    return _render(request, user, session, status=exc.status, error=exc.message)


@router.get("", response_class=HTMLResponse)
def holograms_page(request: Request, user: Staff, session: Db) -> HTMLResponse:
    return _render(request, user, session)


@router.post("/rollos", response_class=HTMLResponse)
def register_roll(request: Request, user: Staff, form: CheckedForm,
                  session: Db) -> HTMLResponse:
    """A roll the state received (state staff only)."""
    user.scope.require_estatal("registrar rollos de hologramas")
    try:
        lot = holograms.register_roll(
            session, first=text(form, "primero", limit=40), last=text(form, "ultimo", limit=40),
            cycle=text(form, "ciclo", limit=9), reference=text(form, "referencia", limit=200),
            staff=user.username, now=utcnow())
    except ApiError as exc:
        return _refused(request, user, session, exc)
    session.commit()
    return _render(request, user, session, status=201,
                   done=f"Rollo {holograms.describe(lot)} del ciclo {lot.cycle} registrado: "
                        f"{lot.last_number - lot.first_number + 1} hologramas.")


@router.post("/{lot_id}/entregar", response_class=HTMLResponse)
def hand_out(request: Request, lot_id: RowId, user: Staff, form: CheckedForm,
             session: Db) -> HTMLResponse:
    """Part of a range to a DRSE (state) or to one of the DRSE's schools (DRSE)."""
    try:
        lot = holograms.hand_out(
            session, scope=user.scope, lot_id=lot_id, first=text(form, "primero", limit=40),
            last=text(form, "ultimo", limit=40), to=text(form, "para", limit=120),
            reference=text(form, "referencia", limit=200), staff=user.username, now=utcnow())
    except ApiError as exc:
        return _refused(request, user, session, exc)
    session.commit()
    return _render(request, user, session, status=201,
                   done=f"Hologramas {holograms.describe(lot)} entregados a "
                        f"{holograms.holder_words(lot)}. Sus estaciones los reciben en su "
                        "próxima sincronización.")
