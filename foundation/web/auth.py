"""The pages every program's staff web has: sign in, sign out, change one's own password,
and the style sheet. :func:`auth_router` builds them for one program."""

# No ``from __future__ import annotations``: FastAPI must see the real ``Annotated`` objects
# of the dependencies, which are local to :func:`auth_router`.

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from foundation.web import accounts
from foundation.web.accounts import AccountBook
from foundation.web.pages import local, style_sheet, text
from foundation.web.refusal import Refusal
from foundation.web.session import StaffWeb


def password_pair(form: FormData, first: str, second: str) -> tuple[str, bool]:
    """(password, generated): typed twice and equal, or a random one when both are empty."""
    one, two = form.get(first), form.get(second)
    one, two = (one if isinstance(one, str) else ""), (two if isinstance(two, str) else "")
    if not one and not two:
        return accounts.new_password(), True
    if one != two:
        raise Refusal(422, "password-mismatch", "Las dos contraseñas no son iguales; "
                                                "escríbalas otra vez.")
    return one, False


def auth_router(web: StaffWeb[Any], book: AccountBook[Any], *,
                db: Callable[..., Any], now: Callable[[], datetime]) -> APIRouter:
    """Sign-in (with lockout message), sign-out (ends every session of the account), the
    person's own password change, and ``estilo.css``, under ``web.prefix``.

    ``db``: the program's FastAPI dependency that yields a database session.
    """
    router = APIRouter(prefix=web.prefix, route_class=web.route_class, include_in_schema=False)
    pages = web.pages
    user_dep = Annotated[Any, Depends(web.current_staff)]
    form_dep = Annotated[FormData, Depends(web.checked_form)]
    db_dep = Annotated[Session, Depends(db)]

    @router.get("/estilo.css")
    def style() -> FileResponse:
        return style_sheet()

    def sign_in_page(request: Request, *, status: int = 200, error: str = "",
                     username: str = "") -> HTMLResponse:
        token, cookie = web.new_pre_session(request)
        response = pages.page(request, "foundation/sign_in.html", None, status=status,
                              error=error, username=username, csrf=token)
        web.set_cookie(response, request, web.pre_cookie, cookie, 3600)
        return response

    @router.get("/ingresar", response_class=HTMLResponse)
    def sign_in_form(request: Request) -> HTMLResponse:
        return sign_in_page(request)

    @router.post("/ingresar", response_class=HTMLResponse)
    async def sign_in(request: Request, session: db_dep) -> Response:
        form = await request.form()
        web.check_sign_in_form(request, form)
        username = text(form, "usuario", limit=60)
        password = form.get("contrasena")
        try:
            account = book.sign_in(session, username=username,
                                   password=password if isinstance(password, str) else "",
                                   now=now())
        except Refusal as exc:
            session.commit()  # keep the failure count and the lockout
            if exc.code == "account-locked":
                message = (f"La cuenta está bloqueada por {accounts.MAX_FAILURES} contraseñas "
                           f"incorrectas seguidas. Intente de nuevo después de las "
                           f"{local(exc.extra['until'])[-5:]} ({pages.site['clock']}).")
                return sign_in_page(request, status=423, error=message, username=username)
            return sign_in_page(request, status=401, error=exc.message, username=username)
        session.commit()
        response = RedirectResponse(web.prefix, status_code=303)
        web.start_session(response, request, account)
        return response

    @router.post("/salir")
    def sign_out(user: user_dep,
                 form: form_dep,
                 session: db_dep) -> Response:
        """Ends every session of this account (the account gets a new session key)."""
        book.end_sessions(session, account_id=user.id)
        book.record(session, staff=user.username, action="sign-out", target=user.username,
                    reason="", now=now())
        session.commit()
        response = RedirectResponse(web.sign_in_path, status_code=303)
        web.end_session(response)
        return response

    @router.get("/contrasena", response_class=HTMLResponse)
    def change_form(request: Request, user: user_dep) -> HTMLResponse:
        return pages.page(request, "foundation/password.html", user, nav="contrasena",
                          min_password=accounts.MIN_PASSWORD)

    @router.post("/contrasena")
    def change(request: Request, user: user_dep,
               form: form_dep,
               session: db_dep) -> Response:
        """The person's own new password; this session goes on, every other one ends."""
        current = form.get("actual")
        new, generated = password_pair(form, "nueva", "nueva2")
        if generated:  # both fields empty: here the person chooses
            raise Refusal(422, "missing-password", "Escriba la contraseña nueva dos veces.")
        account = book.change_password(
            session, account_id=user.id, current=current if isinstance(current, str) else "",
            new=new, now=now())
        session.commit()
        session.refresh(account)
        response = RedirectResponse(web.prefix, status_code=303)
        web.start_session(response, request, account)
        return response

    return router
