"""Bounded field types of the station–central contract (events and answers).

Every number has a range and every text a length, so a malformed or hostile batch is refused
at the door with the field and the reason, before anything reads it. Text never holds NUL or
a lone surrogate (neither survives PostgreSQL nor UTF-8). Dates travel as ISO text
(``AAAA-MM-DD``) and stay text in the models, so a payload re-serialized is byte for byte the
payload the station signed and stored.

>>> from pydantic import TypeAdapter, ValidationError
>>> TypeAdapter(Curp).validate_python("GOXL150826HJCNXNC2")
'GOXL150826HJCNXNC2'
>>> try:
...     TypeAdapter(DateText).validate_python("2026-02-30")
... except ValidationError as exc:
...     print(exc.errors()[0]["msg"])
Value error, no es una fecha del calendario
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

MAX_SIGNED_64 = 2**63 - 1
"""Largest integer PostgreSQL's BIGINT holds: seqs, folios and ids stay within it."""


def _real_date(value: str) -> str:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError("no es una fecha del calendario") from None
    return value


Seq = Annotated[int, Field(ge=0, le=MAX_SIGNED_64)]
Id = Annotated[int, Field(ge=1, le=MAX_SIGNED_64)]
Folio = Annotated[int, Field(ge=1, le=MAX_SIGNED_64)]
Count = Annotated[int, Field(ge=0, le=MAX_SIGNED_64)]
Delta = Annotated[int, Field(ge=-MAX_SIGNED_64, le=MAX_SIGNED_64)]
Number = Annotated[int | float, Field(ge=-1e9, le=1e9, allow_inf_nan=False)]
"""A measure (millimetres, a scale): an int stays an int, so the JSON text is unchanged."""
Curp = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{18}$")]
Cct = Annotated[str, StringConstraints(pattern=r"^\d{2}[A-Z]{3}\d{4}[A-Z]$")]
DateText = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$"),
                     AfterValidator(_real_date)]
Timestamp = Annotated[str, StringConstraints(
    max_length=40, pattern=r"^\d{4}-\d{2}-\d{2}([T ][0-9:.+\-Z]{1,30})?$")]
"""An ISO date or date and time, as text."""
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
KeyIdHex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]
Cycle = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{4}$")]
# No NUL (valid Unicode, but PostgreSQL text refuses it); a pattern, not a Python validator,
# so the check runs in pydantic-core (ingest speed: docs/PERFORMANCE.md). Lone surrogates
# pydantic refuses by itself (``string_unicode``).
_NO_NUL = r"^[^\x00]*$"
Short = Annotated[str, StringConstraints(max_length=200, pattern=_NO_NUL)]
Name = Annotated[str, StringConstraints(max_length=500, pattern=_NO_NUL)]
Reason = Annotated[str, StringConstraints(max_length=10_000, pattern=_NO_NUL)]
Url = Annotated[str, StringConstraints(max_length=500, pattern=_NO_NUL)]
Kind = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,59}$")]


class Strict(BaseModel):
    """Base of every contract model: unknown fields refused, no silent type coercion."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
