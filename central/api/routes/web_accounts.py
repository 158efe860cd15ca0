"""Staff pages «Cuentas» (state staff only) and «Cambiar contraseña» (everyone).

The state office lists accounts, creates one (role, DRSE, a password typed twice or a random
one shown once), disables or enables it, and sets a new password. A password chosen by
someone else must be changed by its owner at the next sign-in (``must_change``: every page
sends them to «Cambiar contraseña» until then). Every action is a row of ``staff_actions``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from central.api.deps import Ctx, Db, utcnow
from central.api.routes.web_session import (
    CheckedForm,
    Staff,
    StaffUser,
    WebRoute,
    page,
    start_session,
    text,
)
from central.crud import staff as staff_ops
from central.errors import ApiError
from central.models import Region

router = APIRouter(prefix="/staff", route_class=WebRoute, include_in_schema=False)
_WHAT = "administrar las cuentas del personal"


def _password(form: FormData, first: str, second: str) -> tuple[str, bool]:
    """(password, generated): typed twice and equal, or a random one when both are empty."""
    one, two = form.get(first), form.get(second)
    one = one if isinstance(one, str) else ""
    two = two if isinstance(two, str) else ""
    if not one and not two:
        return staff_ops.new_password(), True
    if one != two:
        raise ApiError(422, "password-mismatch", "Las dos contraseñas no son iguales; "
                                                 "escríbala igual dos veces.")
    return one, False


def _render(request: Request, user: StaffUser, session: Session, *, status: int = 200,
            done: str = "", shown: str = "", shown_for: str = "") -> HTMLResponse:
    regions = list(session.scalars(select(Region.name).order_by(Region.name)))
    accounts, now = staff_ops.list_accounts(session), utcnow()
    locked = {a.username for a in accounts if a.locked_until is not None
              and staff_ops.aware(a.locked_until) > now}
    out = page(request, "web_accounts.html", user, status=status, nav="cuentas",
               accounts=accounts, locked=locked, regions=regions, done=done,
               shown=shown, shown_for=shown_for, labels=staff_ops.ROLE_LABELS_ES,
               min_password=staff_ops.MIN_PASSWORD)
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
    password, generated = _password(form, "contrasena", "contrasena2")
    now = utcnow()
    account = staff_ops.create_account(
        session, username=text(form, "usuario", limit=60), password=password,
        role=text(form, "rol"), region=text(form, "drse", limit=120) or None,
        display_name=text(form, "nombre", limit=120), now=now, must_change=True)
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
    target = staff_ops.find_account(session, username)
    now = utcnow()
    shown = ""
    if action == "deshabilitar":
        if target.id == user.id:
            raise ApiError(409, "own-account", "No puede deshabilitar su propia cuenta; pida "
                                               "a otra persona de la oficina estatal que lo "
                                               "haga.")
        staff_ops.disable_account(session, username=target.username)
        done, audit = f"La cuenta «{target.username}» quedó deshabilitada.", "disable-account"
    elif action == "habilitar":
        staff_ops.enable_account(session, username=target.username)
        done, audit = f"La cuenta «{target.username}» quedó habilitada.", "enable-account"
    elif action == "contrasena":
        password, generated = _password(form, "contrasena", "contrasena2")
        staff_ops.reset_password(session, username=target.username, password=password)
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


@router.get("/contrasena", response_class=HTMLResponse)
def change_form(request: Request, user: Staff) -> HTMLResponse:
    return page(request, "web_password.html", user, nav="contrasena",
                min_password=staff_ops.MIN_PASSWORD)


@router.post("/contrasena")
def change(request: Request, user: Staff, form: CheckedForm, session: Db,
           ctx: Ctx) -> Response:
    """The person's own new password; this session goes on, every other one ends."""
    current = form.get("actual")
    new, generated = _password(form, "nueva", "nueva2")
    if generated:  # both fields empty: here the person chooses
        raise ApiError(422, "missing-password", "Escriba la contraseña nueva dos veces.")
    account = staff_ops.change_password(
        session, account_id=user.id, current=current if isinstance(current, str) else "",
        new=new, now=utcnow())
    session.commit()
    session.refresh(account)
    response = RedirectResponse("/staff", status_code=303)
    start_session(response, request, ctx, account)
    return response
