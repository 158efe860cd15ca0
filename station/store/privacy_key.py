"""The station's privacy key: the secret of the digests that stand for purged students.

A CURP is not a secret: 4 letters of names, a birth date, a sex, a state and 2 check
characters, so every CURP of a school's children fits in a few million guesses. A plain
SHA-256 of it would be undone by brute force in seconds; a keyed digest (HMAC-SHA256) can
only be computed by whoever holds this key, kept 0600 in the data folder's ``keys/``. Losing
it (a new data folder) only means a purged student's tombstone no longer recognises them.

>>> import tempfile; from pathlib import Path
>>> key = load_or_create(Path(tempfile.mkdtemp()) / "keys" / "privacy.key")
>>> len(digest(key, "GOXL150826HJCNXNC2")), digest(key, "A") == digest(key, "A")
(64, True)
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from foundation.atomic_files import create_atomic
from foundation.errors import StorageError

KEY_BYTES = 32


def load_or_create(path: Path) -> bytes:
    """The key at ``path``, created (random, 0600, atomically) the first time."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(FileExistsError):  # another process created it first
            create_atomic(path, secrets.token_bytes(KEY_BYTES), mode=0o600)
    data = path.read_bytes()
    if len(data) != KEY_BYTES:
        raise StorageError("La llave de privacidad de la estación está dañada.",
                           way_out="Pida ayuda a soporte de su DRSE; no se borró ningún dato.")
    if os.stat(path).st_mode & 0o077:
        os.chmod(path, 0o600)
    return data


def digest(key: bytes, curp: str) -> str:
    """HMAC-SHA256 of the CURP (upper case, no spaces), hex."""
    return hmac.new(key, curp.strip().upper().encode("ascii", "replace"),
                    hashlib.sha256).hexdigest()
