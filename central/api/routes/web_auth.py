"""Sign-in and sign-out of the staff web pages, and their style sheet."""

from __future__ import annotations

import hmac
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from central.api.deps import Ctx, Db, utcnow
from central.api.routes.web_session import (
    PRE_COOKIE,
    SESSION_COOKIE,
    CheckedForm,
    Staff,
    WebRoute,
    bad_form,
    csrf_token,
    local,
    new_pre_session,
    page,
    pre_session_secret,
    set_cookie,
    start_session,
    text,
)
from central.crud import staff as staff_ops
from central.errors import ApiError

router = APIRouter(prefix="/staff", route_class=WebRoute, include_in_schema=False)
_CSS = Path(__file__).resolve().parents[2] / "templates" / "staff.css"


@router.get("/estilo.css")
def style() -> FileResponse:
    return FileResponse(_CSS, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


def _sign_in_page(request: Request, ctx: Ctx, *, status: int = 200, error: str = "",
                  username: str = "") -> HTMLResponse:
    token, cookie = new_pre_session(ctx)
    response = page(request, "web_sign_in.html", None, status=status, error=error,
                    username=username, csrf=token)
    set_cookie(response, request, PRE_COOKIE, cookie, 3600)
    return response


@router.get("/ingresar", response_class=HTMLResponse)
def sign_in_form(request: Request, ctx: Ctx) -> HTMLResponse:
    return _sign_in_page(request, ctx)


@router.post("/ingresar", response_class=HTMLResponse)
async def sign_in(request: Request, ctx: Ctx, session: Db) -> Response:
    form = await request.form()
    secret = pre_session_secret(request, ctx)
    given = form.get("csrf")
    if secret is None or not isinstance(given, str) \
            or not hmac.compare_digest(given, csrf_token(ctx, secret)):
        raise bad_form()
    username = text(form, "usuario", limit=60)
    password = form.get("contrasena")
    try:
        account = staff_ops.sign_in(session, username=username,
                                    password=password if isinstance(password, str) else "",
                                    now=utcnow())
    except ApiError as exc:
        session.commit()  # keep the failure count and the lockout
        if exc.code == "account-locked":
            message = (f"La cuenta está bloqueada por {staff_ops.MAX_FAILURES} contraseñas "
                       f"incorrectas seguidas. Intente de nuevo después de las "
                       f"{local(exc.extra['until'])[-5:]} (hora de Jalisco).")
            return _sign_in_page(request, ctx, status=423, error=message, username=username)
        return _sign_in_page(request, ctx, status=401, error=exc.message, username=username)
    session.commit()
    response = RedirectResponse("/staff", status_code=303)
    start_session(response, request, ctx, account)
    return response


@router.post("/salir")
def sign_out(user: Staff, form: CheckedForm, session: Db) -> Response:
    """Ends every session of this account (the account gets a new session key)."""
    staff_ops.end_sessions(session, account_id=user.id)
    staff_ops.record(session, staff=user.username, action="sign-out", target=user.username,
                     reason="", now=utcnow())
    session.commit()
    response = RedirectResponse("/staff/ingresar", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/staff")
    return response
