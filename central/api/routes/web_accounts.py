"""Staff page «Cuentas» (state staff only; «Cambiar contraseña» is :mod:`foundation.web.auth`).

The state office lists accounts, creates one (role, DRSE, a password typed twice or a random
one shown once), disables or enables it, and sets a new password. A password chosen by
someone else must be changed by its owner at the next sign-in (``must_change``: every page
sends them to «Cambiar contraseña» until then). Every action is a row of ``staff_actions``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.api.deps import Db, utcnow
from central.api.routes.web_session import CheckedForm, Staff, StaffUser, WebRoute, page
from central.crud import staff as staff_ops
from central.errors import ApiError
from central.models import Region
from foundation.web.accounts import MIN_PASSWORD, aware
from foundation.web.auth import password_pair
from foundation.web.pages import text

router = APIRouter(prefix="/staff", route_class=WebRoute, include_in_schema=False)
_WHAT = "administrar las cuentas del personal"


def _render(request: Request, user: StaffUser, session: Session, *, status: int = 200,
            done: str = "", shown: str = "", shown_for: str = "") -> HTMLResponse:
    regions = list(session.scalars(select(Region.name).order_by(Region.name)))
    accounts, now = staff_ops.BOOK.list(session), utcnow()
    locked = {a.username for a in accounts if a.locked_until is not None
              and aware(a.locked_until) > now}
    out = page(request, "web_accounts.html", user, status=status, nav="cuentas",
               accounts=accounts, locked=locked, regions=regions, done=done,
               shown=shown, shown_for=shown_for, labels=staff_ops.ROLE_LABELS_ES,
               min_password=MIN_PASSWORD, offices=staff_ops.DRSE_OFFICES)
    session.commit()
    return out


@router.get("/cuentas", response_class=HTMLResponse)
def accounts_page(request: Request, user: Staff, session: Db) -> HTMLResponse:
    user.scope.require_estatal(_WHAT)
    return _render(request, user, session)


@router.post("/cuentas", response_class=HTMLResponse)
def create(request: Request, user: Staff, form: CheckedForm, session: Db) -> HTMLResponse:
    user.scope.require_estatal(_WHAT)
    if text(form, "rol") == "drse" and not text(form, "drse"):
        raise ApiError(422, "missing-drse", "Elija la DRSE de la cuenta de personal de DRSE.")
    password, generated = password_pair(form, "contrasena", "contrasena2")
    now = utcnow()
    account = staff_ops.create_account(
        session, username=text(form, "usuario", limit=60), password=password,
        role=text(form, "rol"), region=text(form, "drse", limit=120) or None,
        display_name=text(form, "nombre", limit=120), now=now, must_change=True,
        office=text(form, "oficina", limit=20) or None)
    staff_ops.record(session, staff=user.username, action="create-account",
                     target=account.username,
                     reason=f"{account.role} {account.region or ''}".strip(), now=now)
    session.commit()
    return _render(request, user, session, status=201,
                   done=f"Se creó la cuenta «{account.username}». Al entrar por primera vez "
                        "deberá cambiar su contraseña.",
                   shown=password if generated else "", shown_for=account.username)


@router.post("/cuentas/{username}/{action}", response_class=HTMLResponse)
def account_action(request: Request, username: str, action: str, user: Staff,
                   form: CheckedForm, session: Db) -> HTMLResponse:
    """«deshabilitar», «habilitar» or «contrasena» (a new password set by the office)."""
    user.scope.require_estatal(_WHAT)
    target = staff_ops.BOOK.find(session, username)
    now = utcnow()
    shown = ""
    if action == "deshabilitar":
        if target.id == user.id:
            raise ApiError(409, "own-account", "No puede deshabilitar su propia cuenta; pida "
                                               "a otra persona de la oficina estatal que lo "
                                               "haga.")
        staff_ops.BOOK.disable(session, username=target.username)
        done, audit = f"La cuenta «{target.username}» quedó deshabilitada.", "disable-account"
    elif action == "habilitar":
        staff_ops.BOOK.enable(session, username=target.username)
        done, audit = f"La cuenta «{target.username}» quedó habilitada.", "enable-account"
    elif action == "contrasena":
        password, generated = password_pair(form, "contrasena", "contrasena2")
        staff_ops.BOOK.reset_password(session, username=target.username, password=password)
        shown = password if generated else ""
        done = (f"La cuenta «{target.username}» tiene contraseña nueva; sus sesiones abiertas "
                "se cerraron y al entrar deberá cambiarla.")
        audit = "reset-password"
    else:
        raise ApiError(404, "not-found", "No existe esa acción.")
    staff_ops.record(session, staff=user.username, action=audit, target=target.username,
                     reason="", now=now)
    session.commit()
    return _render(request, user, session, done=done, shown=shown, shown_for=target.username)
