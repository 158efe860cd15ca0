"""Sign-in sessions and CSRF for the staff web pages; HTML answers for every refusal.

The session cookie is ``base64url(JSON) "." base64url(HMAC-SHA256)`` with a key derived from
the service secret (``CENTRAL_ADMIN_TOKEN``): no server-side session table. It names the
account, the account's current ``session_key`` (a new key — sign-out, disable — ends every
session of that account), a random CSRF secret and an expiry 8 hours after sign-in. It is
HttpOnly, SameSite=Strict, and Secure when the request came over HTTPS.

Every POST form carries ``csrf`` = HMAC(key, CSRF secret); the sign-in form uses the same
scheme with a short-lived pre-session cookie.

>>> key = b"k" * 32
>>> decode(encode({"a": 1}, key), key)
{'a': 1}
>>> decode(encode({"a": 1}, key)[:-2] + "xx", key) is None
True
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from central.api.deps import AppContext, get_ctx
from central.crud.staff import ROLE_LABELS_ES, StaffScope
from central.errors import ApiError
from central.models import StaffAccount

SESSION_COOKIE = "sc_sesion"
PRE_COOKIE = "sc_previo"
SESSION_HOURS = 8
SIGN_IN_PATH = "/staff/ingresar"
LOCAL_TZ = ZoneInfo("America/Mexico_City")
"""Jalisco's clock (no daylight saving time since 2022): every time on the pages."""

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parents[2] / "templates"))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(payload: dict[str, Any], key: bytes) -> str:
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    return body + "." + _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


def decode(cookie: str, key: bytes) -> dict[str, Any] | None:
    """The payload when the signature matches, else None (tampered, truncated, other key)."""
    try:
        body, mac = cookie.split(".")
        good = hmac.compare_digest(_unb64(mac),
                                   hmac.new(key, body.encode(), hashlib.sha256).digest())
        payload = json.loads(_unb64(body)) if good else None
    except (ValueError, UnicodeDecodeError):
        return None
    return payload if isinstance(payload, dict) else None


def session_key(ctx: AppContext) -> bytes:
    secret = ctx.settings.admin_token.get_secret_value().encode()
    return hmac.new(secret, b"central-staff-web-session-v1", hashlib.sha256).digest()


def csrf_token(ctx: AppContext, secret: str) -> str:
    return hmac.new(session_key(ctx), b"csrf|" + secret.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class StaffUser:
    """Who is signed in (read again from the database on every request)."""

    id: int
    username: str
    display_name: str
    role: str
    region: str | None
    csrf: str
    must_change: bool = False

    @property
    def scope(self) -> StaffScope:
        return StaffScope(self.username, self.role, self.region)

    @property
    def role_label(self) -> str:
        label = ROLE_LABELS_ES.get(self.role, self.role)
        return f"{label} ({self.region})" if self.region else label


class NeedsSignIn(Exception):
    """No valid session: the page sends the browser to the sign-in form."""


class NeedsNewPassword(Exception):
    """The password was set by the state office: every page but the change form sends the
    browser there until the person chooses their own."""


CHANGE_PASSWORD_PATH = "/staff/contrasena"
_OPEN_WITH_OLD_PASSWORD = (CHANGE_PASSWORD_PATH, "/staff/salir")


def _secure(request: Request) -> bool:
    return (request.url.scheme == "https"
            or request.headers.get("x-forwarded-proto", "").lower() == "https")


def set_cookie(response: Response, request: Request, name: str, value: str,
               max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/staff", httponly=True,
                        samesite="strict", secure=_secure(request))


def start_session(response: Response, request: Request, ctx: AppContext,
                  account: StaffAccount) -> None:
    payload = {"a": account.id, "k": account.session_key, "c": secrets.token_hex(16),
               "e": int(time.time()) + SESSION_HOURS * 3600}
    set_cookie(response, request, SESSION_COOKIE, encode(payload, session_key(ctx)),
               SESSION_HOURS * 3600)
    response.delete_cookie(PRE_COOKIE, path="/staff")


def current_staff(request: Request, ctx: Annotated[AppContext, Depends(get_ctx)]) -> StaffUser:
    """The signed-in person, or :class:`NeedsSignIn`."""
    payload = decode(request.cookies.get(SESSION_COOKIE, ""), session_key(ctx))
    if payload is None or not isinstance(payload.get("e"), int) or payload["e"] < time.time():
        raise NeedsSignIn
    with ctx.sessions() as session:
        account = session.get(StaffAccount, payload.get("a"))
    if account is None or account.disabled or account.session_key != payload.get("k"):
        raise NeedsSignIn
    if account.must_change and request.url.path not in _OPEN_WITH_OLD_PASSWORD:
        raise NeedsNewPassword
    return StaffUser(account.id, account.username, account.display_name, account.role,
                     account.region, csrf_token(ctx, str(payload.get("c"))),
                     account.must_change)


def pre_session_secret(request: Request, ctx: AppContext) -> str | None:
    payload = decode(request.cookies.get(PRE_COOKIE, ""), session_key(ctx))
    if payload is None or payload.get("e", 0) < time.time():
        return None
    return str(payload.get("c"))


def new_pre_session(ctx: AppContext) -> tuple[str, str]:
    """A fresh pre-session for the sign-in form: (its CSRF token, the cookie's value)."""
    secret = secrets.token_hex(16)
    cookie = encode({"c": secret, "e": int(time.time()) + 3600}, session_key(ctx))
    return csrf_token(ctx, secret), cookie


def bad_form() -> ApiError:
    return ApiError(403, "bad-csrf", "El formulario venció o no salió de estas páginas; "
                                     "vuelva a abrir la página e intente de nuevo.")


async def checked_form(request: Request, user: Annotated[StaffUser, Depends(current_staff)]
                       ) -> FormData:
    """The POSTed form of a signed-in person, after its CSRF token was checked."""
    form = await request.form()
    given = form.get("csrf")
    if not isinstance(given, str) or not hmac.compare_digest(given, user.csrf):
        raise bad_form()
    return form


def text(form: FormData, name: str, *, limit: int = 500) -> str:
    value = form.get(name)
    return " ".join(value.split())[:limit] if isinstance(value, str) else ""


def local(moment: datetime | None) -> str:
    """``21/11/2026 12:31`` in Jalisco's time; ``—`` for none."""
    if moment is None:
        return "—"
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """``hace 5 min``, ``hace 3 h``, ``hace 2 días``; ``nunca`` for none.

    >>> from datetime import timedelta
    >>> t = datetime(2026, 1, 1, tzinfo=UTC)
    >>> ago(t, t + timedelta(hours=3)), ago(t, t + timedelta(days=2, hours=1))
    ('hace 3 h', 'hace 2 días')
    """
    if moment is None:
        return "nunca"
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    seconds = ((now or datetime.now(UTC)) - aware).total_seconds()
    if seconds < 90:
        return "hace un momento"
    if seconds < 3600:
        return f"hace {int(seconds // 60)} min"
    if seconds < 48 * 3600:
        return f"hace {int(seconds // 3600)} h"
    return f"hace {int(seconds // 86400)} días"


templates.env.filters["local"] = local
templates.env.filters["ago"] = ago


def page(request: Request, name: str, user: StaffUser | None, *, status: int = 200,
         **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"user": user, **context},
                                      status_code=status,
                                      headers={"Cache-Control": "no-store"})


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return page(request, "web_error.html", None, status=status, message=message)


class WebRoute(APIRoute):
    """Routes of the staff pages: refusals become HTML pages, never JSON or a traceback."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except NeedsSignIn:
                return RedirectResponse(SIGN_IN_PATH, status_code=303)
            except NeedsNewPassword:
                return RedirectResponse(CHANGE_PASSWORD_PATH, status_code=303)
            except ApiError as exc:
                return error_page(request, exc.status, exc.message)
            except RequestValidationError:
                return error_page(request, 422, "Un dato de la dirección no es válido; "
                                                "vuelva a la página anterior.")

        return handler


Staff = Annotated[StaffUser, Depends(current_staff)]
CheckedForm = Annotated[FormData, Depends(checked_form)]
