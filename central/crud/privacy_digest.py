"""The keyed one-way digest that stands for a student where the CURP must not (issue 18).

An erased student's CURP is replaced by ``#`` and 17 hex digits of HMAC-SHA256(secret, CURP):
18 characters, so it fits every ``curp`` column, can never be a CURP (``#``), cannot be
reversed without the secret, and the same CURP always gives the same digest (the access record
and the ARCO requests find their student; the folio audit still counts the card).

>>> d = student_digest(b"k" * 32, "GAPA100101HJCRRNA1")
>>> len(d), d[0], d == student_digest(b"k" * 32, "GAPA100101HJCRRNA1")
(18, '#', True)
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

DIGEST_PREFIX = "#"


def student_digest(key: bytes, curp: str) -> str:
    mac = hmac.new(key, curp.strip().upper().encode(), hashlib.sha256).hexdigest()
    return DIGEST_PREFIX + mac[:17]


def is_digest(value: str) -> bool:
    return value.startswith(DIGEST_PREFIX)


@lru_cache(maxsize=8)
def privacy_key(path: Path) -> bytes:
    """The secret at ``path``, created once (0600, written whole then linked: several workers
    starting together all read the same one)."""
    try:
        return bytes.fromhex(path.read_text("ascii").strip())
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_hex(32) + "\n")
        out.flush()
        os.fsync(out.fileno())
    try:
        os.link(tmp, path)  # fails if another process won the race: read theirs
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return bytes.fromhex(path.read_text("ascii").strip())


_CURP = re.compile(r"[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d")


def curps_in(payload: BaseModel) -> set[str]:
    """The CURPs anywhere in a pushed batch (ledger events name students by CURP)."""
    return set(_CURP.findall(payload.model_dump_json()))


def privacy_key_of(ctx: Any) -> bytes:
    """The digest secret of an app context (its settings' ``privacy_key_file``)."""
    path = ctx.settings.privacy_key_file
    assert path is not None
    return privacy_key(path)
