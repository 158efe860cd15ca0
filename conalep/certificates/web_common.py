"""What the certificate pages and API routes share: the actor, the issuer, refusals."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from fastapi import Request
from sqlalchemy.orm import Session

from conalep.certificates.actors import Actor, Refused
from conalep.certificates.release import Issuer
from conalep.web import ConalepUser
from foundation.web.refusal import Refusal

T = TypeVar("T")


def actor_of(user: ConalepUser) -> Actor:
    return Actor(user.username, user.role, user.clave_plantel)


def issuer_of(request: Request) -> Issuer:
    state = request.app.state
    issuer = getattr(state, "certificate_issuer", None)
    if issuer is None:
        issuer = state.certificate_issuer = Issuer.load_or_create(state.ctx.settings.data_dir)
    return issuer


def verify_url(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/certificados/verificar"


@contextmanager
def refusals() -> Iterator[None]:
    """A service refusal becomes the web foundation's Refusal (Spanish page or JSON error)."""
    try:
        yield
    except Refused as exc:
        raise Refusal(exc.status, exc.code, exc.message) from None


def step(session: Session, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one step in its own transaction: committed when it returns, rolled back (nothing
    written) when it refuses."""
    with refusals():
        try:
            result = fn(session, *args, **kwargs)
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return result
