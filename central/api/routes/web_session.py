"""Central's staff web pages on the shared foundation (:mod:`foundation.web`): its templates,
its cookie key (derived from ``CENTRAL_ADMIN_TOKEN``), its account table and its signed-in
person (:class:`StaffUser`, whose scope is a DRSE or the whole state).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from central.crud.staff import ROLE_LABELS_ES, StaffScope
from central.models import StaffAccount
from foundation.web.pages import Pages
from foundation.web.session import StaffWeb, derive_key

PAGES = Pages(Path(__file__).resolve().parents[2] / "templates", base_template="web_base.html",
              site={"brand": "Credenciales escolares · SEJ Jalisco", "suffix": "oficina central",
                    "home": "/staff", "office": "la oficina estatal de credenciales",
                    "setter": "La oficina estatal", "clock": "hora de Jalisco"})
templates = PAGES.templates
page = PAGES.page


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


def _user(account: StaffAccount, csrf: str) -> StaffUser:
    return StaffUser(account.id, account.username, account.display_name, account.role,
                     account.region, csrf, account.must_change)


def _key(request: Request) -> bytes:
    secret = request.app.state.ctx.settings.admin_token.get_secret_value()
    return derive_key(secret, b"central-staff-web-session-v1")



STAFF_WEB: StaffWeb[StaffUser] = StaffWeb(model=StaffAccount, key=_key,
                                          make_user=_user, pages=PAGES, cookie="sc")
WebRoute = STAFF_WEB.route_class
Staff = Annotated[StaffUser, Depends(STAFF_WEB.current_staff)]
CheckedForm = Annotated[FormData, Depends(STAFF_WEB.checked_form)]
