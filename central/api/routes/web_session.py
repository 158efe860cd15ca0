"""Central's staff web pages on the shared foundation (:mod:`foundation.web`): its templates,
its cookie key (derived from ``CENTRAL_ADMIN_TOKEN``), its account table and its signed-in
person (:class:`StaffUser`, whose scope is a DRSE or the whole state).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends
from starlette.datastructures import FormData

from central.crud.staff import ROLE_LABELS_ES, StaffScope
from central.models import StaffAccount
from foundation.web.pages import Pages
from foundation.web.session import StaffWeb, settings_key
from foundation.web.signed_in import SignedInStaff

PAGES = Pages(Path(__file__).resolve().parents[2] / "templates", base_template="web_base.html",
              site={"brand": "Credenciales escolares · SEJ Jalisco", "suffix": "oficina central",
                    "home": "/staff", "office": "la oficina estatal de credenciales",
                    "setter": "La oficina estatal", "clock": "hora de Jalisco"})
templates = PAGES.templates
page = PAGES.page


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffUser(SignedInStaff[StaffScope]):
    """Who is signed in: state staff, or DRSE staff bound to ``region``."""

    region: str | None
    office: str | None = None
    """The DRSE office (``planeacion``, ``control_escolar``, ``tecnologias``) or None."""
    scope_column, role_labels, scope_type = "region", ROLE_LABELS_ES, StaffScope


STAFF_WEB = StaffWeb(model=StaffAccount, user=StaffUser, pages=PAGES, cookie="sc",
                     key=settings_key("admin_token", b"central-staff-web-session-v1"))
WebRoute = STAFF_WEB.route_class
Staff = Annotated[StaffUser, Depends(STAFF_WEB.current_staff)]
CheckedForm = Annotated[FormData, Depends(STAFF_WEB.checked_form)]
