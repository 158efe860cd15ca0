"""Conalep's staff pages on the shared foundation (:mod:`foundation.web`): templates under
``conalep/templates`` (a folder per wing), the cookie key derived from
``CONALEP_SECRET_KEY``, the account table, and the signed-in person :class:`ConalepUser`
whose :class:`~conalep.roles.Scope` every page checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from conalep.models import StaffAccount, StaffAction
from conalep.navigation import nav_items
from conalep.roles import ROLE_LABELS_ES, Scope
from foundation.web.accounts import AccountBook
from foundation.web.pages import Pages
from foundation.web.session import StaffWeb, derive_key

PAGES = Pages(Path(__file__).resolve().parent / "templates", base_template="base.html",
              site={"brand": "CONALEP Veracruz · Servicios Escolares",
                    "suffix": "seguimiento académico", "home": "/staff",
                    "office": "Servicios Escolares de la Dirección General",
                    "setter": "Servicios Escolares", "clock": "hora del centro de México",
                    "body_class": "conalep"})
PAGES.templates.env.globals["nav_items"] = nav_items
page = PAGES.page


def record(session: Session, *, staff: str, action: str, target: str, reason: str,
           now: datetime) -> None:
    """One line of the audit trail (``staff_actions``)."""
    session.add(StaffAction(at=now, staff=staff, action=action, target=target[:120],
                            reason=reason))


BOOK: AccountBook[StaffAccount] = AccountBook(StaffAccount, record)


@dataclass(frozen=True, slots=True)
class ConalepUser:
    """Who is signed in (read again from the database on every request)."""

    id: int
    username: str
    display_name: str
    role: str
    clave_plantel: str | None
    csrf: str
    must_change: bool = False

    @property
    def scope(self) -> Scope:
        return Scope(self.username, self.role, self.clave_plantel)

    @property
    def role_label(self) -> str:
        label = ROLE_LABELS_ES.get(self.role, self.role)
        return f"{label} ({self.clave_plantel})" if self.clave_plantel else label

    def may(self, action: str) -> bool:
        return self.scope.may(action)


def _user(account: StaffAccount, csrf: str) -> ConalepUser:
    return ConalepUser(account.id, account.username, account.display_name, account.role,
                       account.clave_plantel, csrf, account.must_change)


def _key(request: Request) -> bytes:
    secret = request.app.state.ctx.settings.secret_key.get_secret_value()
    return derive_key(secret, b"conalep-staff-web-session-v1")



STAFF_WEB: StaffWeb[ConalepUser] = StaffWeb(model=StaffAccount, key=_key,
                                            make_user=_user, pages=PAGES, cookie="cnl")
WebRoute = STAFF_WEB.route_class
Staff = Annotated[ConalepUser, Depends(STAFF_WEB.current_staff)]
CheckedForm = Annotated[FormData, Depends(STAFF_WEB.checked_form)]
