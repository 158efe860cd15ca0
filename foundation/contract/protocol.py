"""The wire contract between a station and central: signed requests and error codes.

Both sides import this module, so the bytes a station signs are exactly the bytes central
checks. A request is signed with the station's Ed25519 key over::

    SC-SYNC-1 \\n METHOD \\n PATH?QUERY \\n SHA-256(body) hex \\n TIMESTAMP \\n NONCE \\n KEY-ID hex

Central refuses a timestamp more than :data:`MAX_SKEW_S` away from its clock and a nonce it
has already seen from that key (replay), so a captured request cannot be sent again, and a
changed method, path, body or header breaks the signature.

>>> msg = canonical_message("POST", "/api/v1/sync/events", b"{}", 1700000000, "ab" * 16,
...                         bytes(8))
>>> msg.split(b"\\n")[:3]
[b'SC-SYNC-1', b'POST', b'/api/v1/sync/events']
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable

VERSION = "SC-SYNC-1"
API = "/api/v1"
H_KEY = "X-Station-Key"
H_TIME = "X-Timestamp"
H_NONCE = "X-Nonce"
H_SIGNATURE = "X-Signature"
MAX_SKEW_S = 300
"""Seconds a request's timestamp may differ from central's clock."""
NONCE_HEX_LEN = 32

RETRYABLE_CODES = frozenset({"replayed-request", "clock-skew", "busy"})
"""4xx codes after which the same action may be tried again with a fresh signature."""

MAX_REPORT_BYTES = 1024 * 1024
"""Largest problem report (zip) central accepts; a usual one is a few dozen KiB."""
WITHDRAWN = "station-withdrawn"
"""Central's code for a withdrawn station asking for anything but pushing what it holds."""


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def canonical_message(method: str, path: str, body: bytes, timestamp: int, nonce: str,
                      key_id: bytes) -> bytes:
    """The bytes a request's signature covers (see the module docstring)."""
    parts = [VERSION, method.upper(), path, body_digest(body), str(timestamp), nonce,
             key_id.hex()]
    return "\n".join(parts).encode("utf-8")


def new_nonce() -> str:
    return secrets.token_hex(NONCE_HEX_LEN // 2)


def signed_headers(method: str, path: str, body: bytes, *, key_id: bytes,
                   sign: Callable[[bytes], bytes], timestamp: int) -> dict[str, str]:
    """Headers that authenticate one request; a fresh nonce every call.

    >>> h = signed_headers("GET", "/x", b"", key_id=bytes(8), sign=lambda m: b"s", timestamp=1)
    >>> sorted(h)
    ['X-Nonce', 'X-Signature', 'X-Station-Key', 'X-Timestamp']
    """
    nonce = new_nonce()
    signature = sign(canonical_message(method, path, body, timestamp, nonce, key_id))
    return {H_KEY: key_id.hex(), H_TIME: str(timestamp), H_NONCE: nonce,
            H_SIGNATURE: base64.b64encode(signature).decode("ascii")}


def trust_entry_message(*, key_id: str, public_key: bytes, station_id: str, school: str,
                        valid_from: str, valid_until: str | None) -> bytes:
    """The bytes central signs to certify a station key (its trust-list entry).

    >>> trust_entry_message(key_id="00", public_key=b"k", station_id="EST-00001",
    ...                     school="14DPR2207Z", valid_from="2026-08-01", valid_until=None)
    b'SC-TRUST-1\\n00\\naw==\\nEST-00001\\n14DPR2207Z\\n2026-08-01\\n'
    """
    parts = ["SC-TRUST-1", key_id, base64.b64encode(public_key).decode("ascii"), station_id,
             school, valid_from, valid_until or ""]
    return "\n".join(parts).encode("utf-8")
