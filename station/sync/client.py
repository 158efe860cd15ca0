"""HTTP client for central (requests): every request signed, retried with backoff (tenacity).

A retry signs the request again (new timestamp and nonce), so central never mistakes it for
a replay; central's "replayed-request" answer (the first copy did arrive) and "clock-skew"
(the station's clock is off: the offset is learned from central's answer) are retried too.
Actions are idempotent on central's side, so a retry after a lost answer is harmless.

>>> CentralClient("http://127.0.0.1:9", key=None).url("/api/v1/sync/hello")  # doctest: +SKIP
'http://127.0.0.1:9/api/v1/sync/hello'
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

import requests
from pydantic import BaseModel, ValidationError
from tenacity import (
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential_jitter,
)

from foundation.contract import protocol
from foundation.credential.sign import Signer
from foundation.errors import DomainError


def refusal_words(status: int) -> str:
    """What an HTTP refusal without central's own words means, for a secretary (the status
    number stays in the error's ``code`` for the logs and the command line).

    >>> refusal_words(413)
    'El servicio central no aceptó el envío porque es demasiado grande.'
    """
    if status == 413:
        return "El servicio central no aceptó el envío porque es demasiado grande."
    if status in (401, 403):
        return "El servicio central no reconoció a esta estación."
    if status >= 500:
        return "El servicio central tuvo una falla y no pudo responder."
    return "El servicio central no aceptó la solicitud."


class SyncError(DomainError):
    """Central refused, or could not be reached. ``code`` is central's machine code."""

    def __init__(self, message: str, *, code: str, status: int | None = None,
                 way_out: str | None = None, command: str | None = None) -> None:
        super().__init__(message, way_out=way_out, command=command)
        self.code, self.status = code, status


A = TypeVar("A", bound=BaseModel)


def read_answer(answer: type[A], response: requests.Response, path: str) -> A:
    """The response's JSON as the contract's ``answer`` model; SyncError if it does not fit."""
    try:
        return answer.model_validate_json(response.content)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "respuesta"
        raise SyncError(f"El servicio central respondió con datos que esta estación no "
                        f"entiende («{where}»: {first.get('msg', '')}).", code="bad-answer",
                        way_out="Actualice la estación o avise a soporte de su DRSE.") from None


class _Transient(Exception):
    """An attempt that may succeed if tried again."""

    def __init__(self, error: SyncError) -> None:
        super().__init__(error.message)
        self.error = error


_OFFLINE = "Revise la conexión a internet de la estación; la estación sigue trabajando " \
           "sin conexión y enviará todo en la próxima sincronización."


def _framed(response: requests.Response) -> bool:
    """Central said how long its answer is, and all of it arrived (a cut can leave a
    ``Content-Length:`` line with no number, which http.client ignores)."""
    length = response.headers.get("content-length")
    if length is not None:
        return length.strip().isdigit() and int(length) == len(response.content)
    return "chunked" in response.headers.get("transfer-encoding", "").lower()


class CentralClient:
    """Signed JSON/bytes requests to one central service."""

    def __init__(self, base_url: str, *, key: Signer, timeout: float = 30.0,
                 attempts: int = 6, max_delay_s: float = 60.0,
                 session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._prefix = urlsplit(self.base_url).path.rstrip("/")
        self.key, self.timeout = key, timeout
        self.attempts, self.max_delay_s = attempts, max_delay_s
        self.http = session or requests.Session()
        self.clock_offset = 0.0
        """Seconds to add to this machine's clock to get central's (learned on clock-skew)."""

    def url(self, path: str) -> str:
        return self.base_url + path

    def close(self) -> None:
        self.http.close()

    def call(self, method: str, path: str, *, params: Mapping[str, object] | None = None,
             json_body: object = None, data: bytes | None = None,
             content_type: str | None = None, stream: bool = False) -> requests.Response:
        """Send until central answers (2xx) or refuses for good; raises :class:`SyncError`.

        ``stream``: return as soon as a 2xx answer's headers arrive; the caller reads the body
        (``iter_content``), checks its framing itself and closes the response. Only the
        request and the headers are retried then: a body cut later is the caller's to handle.
        """
        if params:
            path = f"{path}?{urlencode(params)}"
        if json_body is not None:
            data = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode()
            content_type = "application/json"
        body = data or b""
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts) | stop_after_delay(self.max_delay_s),
            wait=wait_exponential_jitter(multiplier=0.1, max=5.0, jitter=0.25),
            retry=retry_if_exception_type(_Transient), reraise=True)
        try:
            for attempt in retrying:
                with attempt:
                    return self._once(method, path, body, content_type, stream=stream)
        except _Transient as exc:
            raise exc.error from None
        raise AssertionError("unreachable")

    def get_json(self, path: str, **params: object) -> dict[str, Any]:
        return self.call("GET", path, params=params or None).json()

    def post_json(self, path: str, body: object) -> dict[str, Any]:
        return self.call("POST", path, json_body=body).json()

    def get_answer(self, answer: type[A], path: str, **params: object) -> A:
        """GET ``path`` and read the answer as ``answer`` (see :func:`read_answer`)."""
        return read_answer(answer, self.call("GET", path, params=params or None), path)

    def post_answer(self, answer: type[A], path: str, body: object) -> A:
        return read_answer(answer, self.call("POST", path, json_body=body), path)

    def _once(self, method: str, path: str, body: bytes, content_type: str | None, *,
              stream: bool = False) -> requests.Response:
        headers = protocol.signed_headers(method, self._prefix + path, body,
                                          key_id=self.key.key_id, sign=self.key.sign,
                                          timestamp=int(time.time() + self.clock_offset))
        if content_type:
            headers["Content-Type"] = content_type
        try:
            response = self.http.request(method, self.url(path), data=body or None,
                                         headers=headers, timeout=self.timeout, stream=stream)
            if stream and not response.ok:
                response.content  # noqa: B018  (read the refusal whole, then close)
                response.close()
        except requests.RequestException as exc:
            raise _Transient(SyncError(
                f"No se pudo comunicar con el servicio central ({type(exc).__name__}).",
                code="offline", way_out=_OFFLINE)) from exc
        if stream and response.ok:
            return response
        if response.ok and not _framed(response):
            # http.client takes the end of the stream inside the headers for their end: a
            # response cut there arrives as a 200 with no body. Central always says how long
            # its answer is (Content-Length or chunked), so an answer without either was cut.
            raise _Transient(SyncError(
                "La respuesta del servicio central llegó cortada.", code="cut-response",
                way_out=_OFFLINE))
        if response.ok:
            return response
        error = self._error(response)
        if error.code == "clock-skew":
            self._learn_clock(response)
        if response.status_code >= 500 or response.status_code == 429 \
                or error.code in protocol.RETRYABLE_CODES:
            raise _Transient(error)
        raise error

    def _error(self, response: requests.Response) -> SyncError:
        try:
            info = response.json()["error"]
            code, message = str(info["code"]), str(info["message"])
        except (ValueError, KeyError, TypeError):
            code = f"http-{response.status_code}"
            message = refusal_words(response.status_code)
        way_out = _OFFLINE if response.status_code >= 500 else None
        return SyncError(message, code=code, status=response.status_code, way_out=way_out)

    def _learn_clock(self, response: requests.Response) -> None:
        try:
            server = float(response.json()["error"]["server_time"])
        except (ValueError, KeyError, TypeError):
            return
        self.clock_offset = server - time.time()
