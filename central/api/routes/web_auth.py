"""Sign-in, sign-out, the person's own password change and the style sheet: the shared
pages of :mod:`foundation.web.auth` on central's accounts."""

from __future__ import annotations

from central.api.deps import get_db, utcnow
from central.api.routes.web_session import STAFF_WEB
from central.crud.staff import BOOK
from foundation.web.auth import auth_router

router = auth_router(STAFF_WEB, BOOK, db=get_db, now=utcnow)
