"""Hashing of short secrets: kiosk PINs at the station, staff passwords at central and conalep.

One scheme for both: scrypt (stdlib ``hashlib.scrypt``, memory-hard so a stolen ledger or
database does not give up 4-digit PINs in seconds) with a random 16-byte salt, stored as
``scrypt$n$r$p$salt$hash`` (Base64). The parameters travel with the hash, so raising them
later keeps old hashes checkable. Policies (PIN length, password strength) belong to the
caller; this module only hashes and compares.

>>> stored = hash_secret("4826")
>>> secret_matches("4826", stored), secret_matches("4827", stored)
(True, False)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_HASH_PREFIX = "scrypt"
_MAXMEM = 64 * 2**20


def hash_secret(secret: str, *, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt$hash`` (Base64) of ``secret``.

    >>> hash_secret("4826", salt=b"0" * 16).startswith("scrypt$16384$8$1$")
    True
    """
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, dklen=32, maxmem=_MAXMEM, **_SCRYPT)
    b64 = base64.b64encode
    return (f"{_HASH_PREFIX}${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}$"
            f"{b64(salt).decode()}${b64(digest).decode()}")


def secret_matches(secret: str, stored: str) -> bool:
    """Constant-time check of ``secret`` against a stored hash; False for a malformed one.

    >>> secret_matches("4826", "plain$4826"), secret_matches("4826", "scrypt$x$y")
    (False, False)
    """
    try:
        prefix, n, r, p, salt, digest = stored.split("$")
        if prefix != _HASH_PREFIX:
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(secret.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(expected), maxmem=_MAXMEM)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)
