"""Staff page «Configuración de estaciones» (state staff only).

Lists what central publishes to every station (``config_items``) next to the station
settings table (label, type, default), and sets or clears one key, plus a field for the card
template version. Values are checked with the stations' own rules
(:mod:`central.crud.station_config`): a wrong value is refused here, with the key and the
reason, and nothing is published.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from central.api.deps import Db, utcnow
from central.api.routes.web_session import CheckedForm, Staff, StaffUser, WebRoute, page
from central.crud import station_config
from central.errors import ApiError
from foundation.card_templates import shipped_templates
from foundation.web.pages import text

router = APIRouter(prefix="/staff/configuracion", route_class=WebRoute,
                   include_in_schema=False)
_WHAT = "cambiar la configuración de las estaciones"
TYPE_ES = {str: "texto", int: "número entero", float: "número", bool: "sí/no"}


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "sí" if value else "no"
    return str(value)


def _render(request: Request, user: StaffUser, session: Session, *, status: int = 200,
            done: str = "", error: str = "", error_key: str = "",
            typed: str = "") -> HTMLResponse:
    current = station_config.published(session)
    out = page(request, "web_config.html", user, status=status, nav="configuracion",
               settings=station_config.managed_settings(), current=current,
               version=max((p.rev for p in current.values()), default=0),
               templates=shipped_templates(),
               template_key=station_config.TEMPLATE_KEY, type_es=TYPE_ES, shown=_shown,
               done=done, error=error, error_key=error_key, typed=typed)
    session.commit()
    return out


@router.get("", response_class=HTMLResponse)
def config_page(request: Request, user: Staff, session: Db) -> HTMLResponse:
    user.scope.require_estatal(_WHAT)
    return _render(request, user, session)


@router.post("", response_class=HTMLResponse)
def change(request: Request, user: Staff, form: CheckedForm, session: Db) -> HTMLResponse:
    """``accion=publicar`` (with ``valor``) or ``accion=quitar`` for ``clave``."""
    user.scope.require_estatal(_WHAT)
    key, action = text(form, "clave", limit=80), text(form, "accion")
    raw = form.get("valor")
    typed = raw[:500] if isinstance(raw, str) else ""
    now = utcnow()
    try:
        if action == "publicar":
            value = station_config.parse_value(key, typed)
            done = station_config.publish(session, key=key, value=value, staff=user.username,
                                          now=now)
            message = (f"Publicado «{key}» = {_shown(done.value)} (versión {done.rev}). Las "
                       "estaciones lo aplican en su próxima sincronización.")
        elif action == "quitar":
            station_config.clear(session, key=key, staff=user.username, now=now)
            message = (f"Se dejó de publicar «{key}». Las estaciones conservan el último valor "
                       "que aplicaron.")
        else:
            raise ApiError(422, "bad-action", "Elija «Publicar» o «Dejar de publicar».")
    except ApiError as exc:
        if exc.code != "config-refused":
            raise
        session.rollback()
        return _render(request, user, session, status=422, error=exc.message, error_key=key,
                       typed=typed)
    session.commit()
    return _render(request, user, session, done=message)
