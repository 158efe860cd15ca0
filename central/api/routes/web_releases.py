"""Staff page «Versiones» (state office only): station releases and their staged rollout.

Per release: channel, state, who it is offered to, and how many stations were offered it,
downloaded it, installed it, failed or rolled back (with the stations' reasons); buttons to
pause, resume and halt (CSRF-checked forms, recorded in ``staff_actions``). Publishing and
setting the percentage stay with ``central release`` (docs/fleet.md).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from central.api.deps import Db, utcnow
from central.api.routes.web_session import CheckedForm, Staff, StaffUser, WebRoute, page
from central.crud import releases as release_ops
from central.crud import staff as staff_ops
from central.errors import ApiError
from foundation.web.pages import text

router = APIRouter(prefix="/staff/versiones", route_class=WebRoute, include_in_schema=False)
ACTIONS = {"pausar": ("paused", "pausada"), "reanudar": ("active", "reanudada"),
           "detener": ("halted", "detenida para siempre")}


def _render(request: Request, user: StaffUser, session: Session, *, status: int = 200,
            **extra: object) -> HTMLResponse:
    out = page(request, "web_releases.html", user, status=status, nav="versiones",
               releases=release_ops.summaries(session),
               installed=release_ops.installed_versions(session), **extra)
    session.commit()
    return out


@router.get("", response_class=HTMLResponse)
def releases_page(request: Request, user: Staff, session: Db) -> HTMLResponse:
    user.scope.require_estatal("ver y controlar las versiones del programa de las estaciones")
    return _render(request, user, session)


@router.post("/{version}/{action}", response_class=HTMLResponse)
def change_state(request: Request, version: str, action: str, user: Staff, form: CheckedForm,
                 session: Db) -> HTMLResponse:
    user.scope.require_estatal("ver y controlar las versiones del programa de las estaciones")
    if action not in ACTIONS:
        raise ApiError(404, "unknown-action", "Esa acción no existe.")
    state, done = ACTIONS[action]
    reason = text(form, "motivo")
    if action == "detener" and len(reason) < 3:
        raise ApiError(422, "missing-reason", "Escriba por qué se detiene la versión (por "
                                              "ejemplo, «no imprime en Epson L805»).")
    now = utcnow()
    release_ops.set_rollout(session, version=version, state=state, now=now)
    staff_ops.record(session, staff=user.username, action=f"release-{state}", target=version,
                     reason=reason, now=now)
    session.commit()
    return _render(request, user, session, done=f"Versión {version} {done}.")
