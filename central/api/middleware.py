"""ASGI middleware around every route: body limits, the last-resort error answer, page headers.

- :class:`BodyLimit` counts the body as it arrives (with or without ``Content-Length``,
  chunked included) and answers 413 the moment it passes the limit; nothing buffers a body,
  so a route that refuses before reading (no session on a staff page) never reads it at all.
- :class:`CatchAll` turns an exception no route expected into a 500 in the request's own
  language (JSON for the API, a Spanish page for the staff pages) *without* re-raising: a
  re-raised exception makes uvicorn close the connection, and the client's next request on
  that keep-alive connection failed with it (issue 10, finding 7).
- :class:`PageHeaders` adds CSP, frame and sniffing headers to the staff pages.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import DataError, StatementError
from starlette.requests import ClientDisconnect

from central.errors import ApiError
from central.logs import describe_exception

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Refuse = Callable[[Send, int | None, int], Awaitable[None]]

LOGGER = logging.getLogger("central.errors")


async def _send_json(send: Send, status: int, body: dict[str, Any],
                     close: bool = False) -> None:
    data = json.dumps(body, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"),
               (b"content-length", str(len(data)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


async def refuse_json(send: Send, _size: int | None, limit: int) -> None:
    await _send_json(send, 413, ApiError(
        413, "body-too-large", f"La solicitud es demasiado grande (máximo {limit} bytes); "
                               "envíe menos eventos por solicitud.").body(), close=True)


class BodyLimit:
    """Refuse bodies over the limit with 413, counting while they stream in."""

    def __init__(self, app: Any, *, limit_for: Callable[[Scope], tuple[int, Refuse]]) -> None:
        self.app, self.limit_for = app, limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, refuse = self.limit_for(scope)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or len(length) > 18
                                   or int(length) > limit):
            await refuse(send, int(length) if length.isdigit() and len(length) <= 18 else None,
                         limit)
            return
        received, answered, started = 0, False, False

        async def counted() -> Message:
            nonlocal received, answered
            if answered:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    answered = True
                    if not started:
                        await refuse(send, None, limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if answered:
                return  # our 413 went out; whatever the route makes of the cut body is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counted, guarded)


class CatchAll:
    """The last resort: an unexpected exception becomes a complete 500 answer, logged without
    personal data, and the connection stays usable."""

    def __init__(self, app: Any, *, page: Callable[[str], bytes]) -> None:
        self.app, self.page = app, page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except ClientDisconnect:
            return  # the client left, or BodyLimit cut the body and answered 413 already
        except Exception as exc:  # the one place that must catch everything
            refused = _refused_value(exc)
            LOGGER.log(logging.WARNING if refused else logging.ERROR,
                       "%s en %s %s: %s", "dato rechazado por la base" if refused
                       else "error inesperado", scope.get("method"), scope.get("path"),
                       describe_exception(exc))
            if started:
                return  # half an answer went out; uvicorn closes this connection
            status = 422 if refused else 500
            if str(scope.get("path", "")).startswith("/staff"):
                data = self.page(_INVALID_ES if refused else _UNEXPECTED_ES)
                await send({"type": "http.response.start", "status": status,
                            "headers": [(b"content-type", b"text/html; charset=utf-8"),
                                        (b"content-length", str(len(data)).encode()),
                                        (b"cache-control", b"no-store")]})
                await send({"type": "http.response.body", "body": data})
                return
            error = ApiError(422, "invalid-value", _INVALID_ES) if refused else ApiError(
                500, "internal-error", "Error inesperado en el servicio central; no se guardó "
                                       "nada. Se reintentará.")
            await _send_json(send, status, error.body())


_INVALID_ES = ("Un dato de la solicitud no cabe en el servicio central (demasiado largo, un "
               "número demasiado grande o un carácter no permitido); no se guardó nada.")
_UNEXPECTED_ES = ("Ocurrió un error inesperado en el servicio central; no se guardó nada. "
                  "Intente de nuevo y, si se repite, avise a soporte con la hora.")


def _refused_value(exc: BaseException) -> bool:
    """The database refused a value (too long, out of range, NUL): bad input, not a fault.

    The safety net behind the validation of every field: the transaction wrote nothing.
    """
    if isinstance(exc, DataError | OverflowError):
        return True
    return isinstance(exc, StatementError) and isinstance(exc.orig, OverflowError | ValueError)


STAFF_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


class PageHeaders:
    """Security headers on every staff page answer (and nosniff on every answer)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        staff = str(scope.get("path", "")).startswith("/staff")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = STAFF_HEADERS if staff else STAFF_HEADERS[2:3]
                message = {**message, "headers": [*message.get("headers", []),
                                                  *(h for h in extra if h[0] not in present)]}
            await send(message)

        await self.app(scope, receive, with_headers)
