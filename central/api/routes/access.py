"""The one call that leaves the access record of a staff read of students' data (issue 18):
every page or download that shows a named student calls :func:`seen` in its transaction."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import Request
from sqlalchemy.orm import Session

from central.api.deps import AppContext, utcnow
from central.api.routes.web_session import StaffUser
from central.crud import access_log
from central.crud.privacy_digest import privacy_key


def key_of(ctx: AppContext) -> bytes:
    assert ctx.settings.privacy_key_file is not None
    return privacy_key(ctx.settings.privacy_key_file)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "desconocida"


def seen(request: Request, user: StaffUser, session: Session, what: str,
         students: Iterable[tuple[str, str | None]]) -> int:
    """Record that ``user`` read ``students`` ((CURP, CCT) pairs) on ``what``; the caller
    commits."""
    ctx: AppContext = request.app.state.ctx
    role = user.role + (f"/{user.office}" if user.office else "")
    return access_log.record_reads(session, key=key_of(ctx), staff=user.username, role=role,
                                   what=what, ip=client_ip(request), now=utcnow(),
                                   students=students)
