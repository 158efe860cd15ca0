"""What every route needs: the app context (settings, database sessions) and a session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from conalep.settings import ConalepSettings


@dataclass
class AppContext:
    settings: ConalepSettings
    sessions: sessionmaker[Session]


def get_ctx(request: Request) -> AppContext:
    return request.app.state.ctx


async def get_db(ctx: Annotated[AppContext, Depends(get_ctx)]) -> AsyncIterator[Session]:
    """A session for the route, created and closed on the event loop (as central's: a sync
    generator dependency can deadlock the thread pool against the connection pool)."""
    session = ctx.sessions()
    try:
        yield session
    finally:
        session.close()


def utcnow() -> datetime:
    return datetime.now(UTC)


Ctx = Annotated[AppContext, Depends(get_ctx)]
Db = Annotated[Session, Depends(get_db)]
