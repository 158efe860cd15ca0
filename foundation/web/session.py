"""Sign-in sessions and CSRF for the staff web pages; HTML answers for every refusal.

The session cookie is ``base64url(JSON) "." base64url(HMAC-SHA256)`` with a key derived from
the program's secret: no server-side session table. It names the account, the account's
current ``session_key`` (a new key — sign-out, disable — ends every session of that account),
a random CSRF secret and an expiry ``SESSION_HOURS`` after sign-in. It is HttpOnly,
SameSite=Strict, path-limited to the pages' prefix, and Secure when the request came over
HTTPS.

Every POST form carries ``csrf`` = HMAC(key, CSRF secret); the sign-in form uses the same
scheme with a short-lived pre-session cookie.

The role/scope hook: :class:`StaffWeb` reads the account again on every request and hands it
to the program's ``user`` class (a :class:`~foundation.web.signed_in.SignedInStaff`), the
program's own signed-in person (role label, scope checks). Pages depend on
:attr:`StaffWeb.current_staff` and :attr:`StaffWeb.checked_form`.

>>> key = b"k" * 32
>>> decode(encode({"a": 1}, key), key)
{'a': 1}
>>> decode(encode({"a": 1}, key)[:-2] + "xx", key) is None
True
"""

# No ``from __future__ import annotations``: FastAPI must see the real ``Annotated`` object
# of :meth:`StaffWeb.checked_form`, which is local to the instance.

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Coroutine
from contextlib import AbstractContextManager
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from foundation.web.accounts import StaffAccountMixin
from foundation.web.pages import Pages
from foundation.web.refusal import Refusal
from foundation.web.signed_in import SignedInStaff

SESSION_HOURS = 8
PRE_SESSION_S = 3600


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


def derive_key(secret: str, label: bytes) -> bytes:
    """The cookie key: HMAC of a fixed label under the program's secret (never the secret)."""
    return hmac.new(secret.encode(), label, hashlib.sha256).digest()


def settings_key(secret_setting: str, label: bytes) -> Callable[[Request], bytes]:
    """A ``key`` for :class:`StaffWeb`: :func:`derive_key` of ``label`` under the secret
    setting ``secret_setting`` of the app context's settings (``request.app.state.ctx``)."""

    def key(request: Request) -> bytes:
        secret = getattr(request.app.state.ctx.settings, secret_setting)
        return derive_key(secret.get_secret_value(), label)

    return key


class NeedsSignIn(Exception):
    """No valid session: the page sends the browser to the sign-in form."""


class NeedsNewPassword(Exception):
    """The password was set by someone else: every page but the change form sends the
    browser there until the person chooses their own."""


U = TypeVar("U", bound=SignedInStaff[Any])


def bad_form() -> Refusal:
    return Refusal(403, "bad-csrf", "El formulario venció o no salió de estas páginas; "
                                    "vuelva a abrir la página e intente de nuevo.")


def _secure(request: Request) -> bool:
    return (request.url.scheme == "https"
            or request.headers.get("x-forwarded-proto", "").lower() == "https")


class StaffWeb(Generic[U]):
    """Sessions, CSRF and the signed-in dependency of one program's staff pages.

    ``key(request)``: the cookie key (:func:`derive_key`); ``sessions(request)``: a database
    session (default: ``request.app.state.ctx.sessions()``, the programs' app context);
    ``model``: the program's account table; ``user``: the program's signed-in person
    (built by its ``from_account``); ``cookie``: the cookie names' prefix (``sc`` gives
    ``sc_sesion`` and ``sc_previo``).
    """

    def __init__(self, *, model: type[StaffAccountMixin], key: Callable[[Request], bytes],
                 user: type[U], pages: Pages, prefix: str = "/staff", cookie: str = "sc",
                 sessions: Callable[[Request], AbstractContextManager[Session]] | None = None,
                 ) -> None:
        self.model, self.key, self.user = model, key, user
        self.sessions = sessions or (lambda request: request.app.state.ctx.sessions())
        self.pages, self.prefix = pages, prefix
        self.session_cookie, self.pre_cookie = f"{cookie}_sesion", f"{cookie}_previo"
        self.sign_in_path = f"{prefix}/ingresar"
        self.change_password_path = f"{prefix}/contrasena"
        self.sign_out_path = f"{prefix}/salir"
        self.route_class = self._route_class()

        signed_in = Annotated[Any, Depends(self.current_staff)]

        async def checked_form(request: Request, user: signed_in) -> FormData:
            """The POSTed form of a signed-in person, after its CSRF token was checked."""
            form = await request.form()
            given = form.get("csrf")
            if not isinstance(given, str) or not hmac.compare_digest(given, user.csrf):
                raise bad_form()
            return form

        self.checked_form = checked_form

    def csrf_token(self, request: Request, secret: str) -> str:
        return hmac.new(self.key(request), b"csrf|" + secret.encode(),
                        hashlib.sha256).hexdigest()

    def set_cookie(self, response: Response, request: Request, name: str, value: str,
                   max_age: int) -> None:
        response.set_cookie(name, value, max_age=max_age, path=self.prefix, httponly=True,
                            samesite="strict", secure=_secure(request))

    def start_session(self, response: Response, request: Request,
                      account: StaffAccountMixin) -> None:
        payload = {"a": account.id, "k": account.session_key, "c": secrets.token_hex(16),
                   "e": int(time.time()) + SESSION_HOURS * 3600}
        self.set_cookie(response, request, self.session_cookie,
                        encode(payload, self.key(request)), SESSION_HOURS * 3600)
        response.delete_cookie(self.pre_cookie, path=self.prefix)

    def end_session(self, response: Response) -> None:
        response.delete_cookie(self.session_cookie, path=self.prefix)

    def current_staff(self, request: Request) -> U:
        """The signed-in person, or :class:`NeedsSignIn` (read again on every request)."""
        payload = decode(request.cookies.get(self.session_cookie, ""), self.key(request))
        if payload is None or not isinstance(payload.get("e"), int) \
                or payload["e"] < time.time():
            raise NeedsSignIn
        with self.sessions(request) as session:
            account = session.get(self.model, payload.get("a"))
            if account is None or account.disabled \
                    or account.session_key != payload.get("k"):
                raise NeedsSignIn
            if account.must_change and request.url.path not in (self.change_password_path,
                                                                 self.sign_out_path):
                raise NeedsNewPassword
            return self.user.from_account(account, self.csrf_token(request, str(payload.get("c"))))

    def new_pre_session(self, request: Request) -> tuple[str, str]:
        """A fresh pre-session for the sign-in form: (its CSRF token, the cookie's value)."""
        secret = secrets.token_hex(16)
        cookie = encode({"c": secret, "e": int(time.time()) + PRE_SESSION_S}, self.key(request))
        return self.csrf_token(request, secret), cookie

    def check_sign_in_form(self, request: Request, form: FormData) -> None:
        """Refuses a sign-in form that did not come from this program's sign-in page."""
        payload = decode(request.cookies.get(self.pre_cookie, ""), self.key(request))
        given = form.get("csrf")
        if payload is None or payload.get("e", 0) < time.time() or not isinstance(given, str) \
                or not hmac.compare_digest(given,
                                           self.csrf_token(request, str(payload.get("c")))):
            raise bad_form()

    def _route_class(self) -> type[APIRoute]:
        web = self

        class WebRoute(APIRoute):
            """Routes of the staff pages: refusals become HTML pages, never JSON or a
            traceback."""

            def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
                original = super().get_route_handler()

                async def handler(request: Request) -> Response:
                    try:
                        return await original(request)
                    except NeedsSignIn:
                        return RedirectResponse(web.sign_in_path, status_code=303)
                    except NeedsNewPassword:
                        return RedirectResponse(web.change_password_path, status_code=303)
                    except Refusal as exc:
                        return web.pages.error_page(request, exc.status, exc.message)
                    except RequestValidationError:
                        return web.pages.error_page(
                            request, 422, "Un dato de la dirección no es válido; vuelva a la "
                                          "página anterior.")

                return handler

        return WebRoute
