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
from foundation.web.refusal import Refusal
from foundation.web.session import NeedsNewPassword, NeedsSignIn, StaffWeb, settings_key
from foundation.web.signed_in import SignedInStaff

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


@dataclass(frozen=True, slots=True, kw_only=True)
class ConalepUser(SignedInStaff[Scope]):
    """Who is signed in: DG staff (state-wide) or a campus's, bound to ``clave_plantel``."""

    clave_plantel: str | None
    scope_column, role_labels, scope_type = "clave_plantel", ROLE_LABELS_ES, Scope

    def may(self, action: str) -> bool:
        return self.scope.may(action)


STAFF_WEB = StaffWeb(model=StaffAccount, user=ConalepUser, pages=PAGES, cookie="cnl",
                     key=settings_key("secret_key", b"conalep-staff-web-session-v1"))
WebRoute = STAFF_WEB.route_class
Staff = Annotated[ConalepUser, Depends(STAFF_WEB.current_staff)]
CheckedForm = Annotated[FormData, Depends(STAFF_WEB.checked_form)]


def api_staff(request: Request) -> ConalepUser:
    """The signed-in person for the JSON API: a missing session is a JSON 401, not the
    sign-in page's redirect."""
    try:
        return STAFF_WEB.current_staff(request)
    except (NeedsSignIn, NeedsNewPassword):
        raise Refusal(401, "signed-out", "Inicie sesión en /staff/ingresar.") from None


ApiStaff = Annotated[ConalepUser, Depends(api_staff)]
