"""What every route needs: the app context, a database session, and who is asking.

Stations authenticate every request with their key (see :mod:`foundation.contract.protocol`); staff
with the admin token. A refused request writes nothing: the nonce is recorded in the same
transaction as the request's work.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import Depends, Query, Request
from fastapi import Path as PathParam
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from central.crud.stations import now_utc
from central.db import retrying
from central.errors import ApiError
from central.models import RequestNonce, Station
from central.settings import CentralSettings
from foundation.contract import protocol
from foundation.credential.keys import StationKey
from foundation.photostore import PhotoStore
from station.core.routing import Thresholds


@dataclass
class AppContext:
    settings: CentralSettings
    sessions: sessionmaker[Session]
    central_key: StationKey
    photos: PhotoStore
    reads: sessionmaker[Session] | None = None
    """Read-only sessions (SQLite: deferred BEGIN, no write lock); ``sessions`` when None."""

    @property
    def routing(self) -> Thresholds:
        return Thresholds(self.settings.routing_primaria_min_students,
                          self.settings.routing_secundaria_min_students)


def get_ctx(request: Request) -> AppContext:
    return request.app.state.ctx


async def get_db(ctx: Annotated[AppContext, Depends(get_ctx)]) -> AsyncIterator[Session]:
    """A session for the route. Async on purpose: created and closed on the event loop, so a
    connection is only ever held inside the one worker-thread call that uses and commits it
    (a sync generator dependency can deadlock the thread pool against the connection pool
    under load: bench/bench_central_load.py)."""
    session = ctx.sessions()
    try:
        yield session
    finally:
        session.close()


async def get_read_db(ctx: Annotated[AppContext, Depends(get_ctx)]) -> AsyncIterator[Session]:
    """A read-only session (see :func:`foundation.sqldb.make_sessionmaker`): for the routes
    that only read (a station's pulls), so on SQLite they do not queue on the write lock
    behind other stations' pushes. Created and closed on the event loop like :func:`get_db`."""
    session = (ctx.reads or ctx.sessions)()
    try:
        yield session
    finally:
        session.close()


async def raw_body(request: Request) -> bytes:
    return await request.body()


@dataclass(frozen=True, slots=True)
class SignedRequest:
    key_id: bytes
    timestamp: int
    nonce: str
    signature: bytes


def _unauthorized(code: str, message: str, **extra: object) -> ApiError:
    return ApiError(401, code, message, **extra)


def read_signature(request: Request) -> SignedRequest:
    h = request.headers
    missing = [n for n in (protocol.H_KEY, protocol.H_TIME, protocol.H_NONCE,
                           protocol.H_SIGNATURE) if not h.get(n)]
    if missing:
        raise _unauthorized("unsigned-request", "La solicitud no viene firmada por una estación "
                                                f"(faltan {', '.join(missing)}).")
    try:
        key_id = bytes.fromhex(h[protocol.H_KEY])
        timestamp = int(h[protocol.H_TIME])
        signature = base64.b64decode(h[protocol.H_SIGNATURE], validate=True)
    except (ValueError, binascii.Error):
        raise _unauthorized("bad-signature-headers",
                            "Los encabezados de firma de la solicitud no son válidos.") from None
    nonce = h[protocol.H_NONCE]
    if len(key_id) != 8 or len(nonce) != protocol.NONCE_HEX_LEN or len(signature) != 64:
        raise _unauthorized("bad-signature-headers",
                            "Los encabezados de firma de la solicitud no son válidos.")
    return SignedRequest(key_id, timestamp, nonce, signature)


def check_signed(request: Request, body: bytes, signed: SignedRequest, public_key: bytes,
                 session: Session) -> None:
    """Signature, clock and replay checks; records the nonce in the caller's transaction."""
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    message = protocol.canonical_message(request.method, path, body, signed.timestamp,
                                         signed.nonce, signed.key_id)
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signed.signature, message)
    except (InvalidSignature, ValueError):
        raise _unauthorized("bad-signature",
                            "La firma de la solicitud no corresponde a la llave de la estación: "
                            "la solicitud fue alterada o firmada con otra llave.") from None
    now = int(time.time())
    if abs(now - signed.timestamp) > protocol.MAX_SKEW_S:
        raise _unauthorized("clock-skew",
                            f"El reloj de la estación difiere {abs(now - signed.timestamp)} s "
                            "del servicio central; se corrige solo y se reintenta.",
                            server_time=now)
    session.add(RequestNonce(key_id=signed.key_id.hex(), nonce=signed.nonce,
                             seen_at=signed.timestamp))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ApiError(409, "replayed-request",
                       "Esta solicitud ya se había recibido (repetida); no se aplicó otra vez.") \
            from None
    if random.random() < 0.01:  # keep the table to the replay window
        session.execute(delete(RequestNonce).where(
            RequestNonce.seen_at < now - 2 * protocol.MAX_SKEW_S))


def authenticate_station(request: Request, body: bytes, ctx: AppContext, *,
                         allow_withdrawn: bool) -> Station:
    """The enrolled station that signed this request (401 otherwise): the one implementation
    of the signed-request check (signature, clock, replay).

    Its own short transaction records the nonce: a signed request is spent once it was
    authenticated, even if its body is then refused. A withdrawn station answers 403
    ``station-withdrawn`` unless ``allow_withdrawn`` (the sync routes let it push what it
    holds and decide the rest themselves).
    """
    signed = read_signature(request)
    with ctx.sessions() as session:

        def spend_nonce() -> Station:
            found = session.scalar(select(Station).where(Station.key_id == signed.key_id.hex()))
            if found is None:
                raise _unauthorized("unknown-station",
                                    "La llave que firma no es de ninguna estación inscrita; "
                                    "inscriba la estación con un código de la oficina central.")
            check_signed(request, body, signed, found.public_key, session)
            session.commit()
            return found

        # Under load the nonce's write waits for other stations' pushes (SQLite writes one at
        # a time): a lock that outlasted the busy timeout is tried again, not a 500.
        station = retrying(session, spend_nonce)
    if station.withdrawn_at is not None and not allow_withdrawn:
        raise ApiError(403, "station-withdrawn",
                       f"La estación {station.id} fue retirada del servicio "
                       f"({station.withdrawn_reason}); sus credenciales siguen válidas.")
    return station


def current_station(request: Request, body: Annotated[bytes, Depends(raw_body)],
                    ctx: Annotated[AppContext, Depends(get_ctx)]) -> Station:
    """An enrolled station that is not withdrawn (401/403 otherwise)."""
    return authenticate_station(request, body, ctx, allow_withdrawn=False)


def any_station(request: Request, body: Annotated[bytes, Depends(raw_body)],
                ctx: Annotated[AppContext, Depends(get_ctx)]) -> Station:
    """An enrolled station, withdrawn or not (401 otherwise)."""
    return authenticate_station(request, body, ctx, allow_withdrawn=True)


def staff(request: Request, ctx: Annotated[AppContext, Depends(get_ctx)]) -> None:
    """Staff API: ``Authorization: Bearer <CENTRAL_ADMIN_TOKEN>``."""
    given = request.headers.get("authorization", "")
    expected = "Bearer " + ctx.settings.admin_token.get_secret_value()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise ApiError(401, "staff-token", "Falta la clave de personal de la oficina central o "
                                           "no es correcta.")


def utcnow() -> datetime:
    return now_utc()


MAX_ROW_ID = 2**31 - 1
MAX_BIGINT = 2**63 - 1
RowId = Annotated[int, PathParam(ge=1, le=MAX_ROW_ID)]
"""A table's id in a path: beyond INTEGER it can only be a bad address (422, not a 500)."""
Seq = Annotated[int, Query(ge=0, le=MAX_BIGINT)]
Folio = Annotated[int, Query(ge=1, le=MAX_BIGINT)]

Db = Annotated[Session, Depends(get_db)]
ReadDb = Annotated[Session, Depends(get_read_db)]
Ctx = Annotated[AppContext, Depends(get_ctx)]
AuthStation = Annotated[Station, Depends(current_station)]
AnyStation = Annotated[Station, Depends(any_station)]
RawBody = Annotated[bytes, Depends(raw_body)]
Staff = Annotated[None, Depends(staff)]
