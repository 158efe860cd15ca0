"""Request bodies central accepts. Strict: wrong types and unknown fields are refused (422)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_BATCH = 2000
MAX_SEQ = 2**62
"""Far beyond any station's ledger, and inside BIGINT on both databases."""
MAX_DEPTH = 6


def clean_json(value: Any, depth: int = 0) -> Any:
    """Refuse what no database column takes: NUL characters, lone surrogates (not UTF-8),
    nesting deeper than a station ever writes, integers beyond BIGINT.

    >>> clean_json({"a": ["ok", 1]})
    {'a': ['ok', 1]}
    >>> clean_json({"a": "\\x00"})
    Traceback (most recent call last):
    ...
    ValueError: contiene un carácter nulo
    """
    if depth > MAX_DEPTH:
        raise ValueError("está anidado demasiado hondo")
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("contiene un carácter nulo")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("contiene un carácter que no es UTF-8 válido") from None
    elif isinstance(value, bool):
        pass
    elif isinstance(value, int) and not -2**63 <= value < 2**63:
        raise ValueError("tiene un número demasiado grande")
    elif isinstance(value, dict):
        for key, item in value.items():
            clean_json(key, depth + 1)
            clean_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            clean_json(item, depth + 1)
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class EventIn(_Strict):
    seq: int = Field(ge=1, le=MAX_SEQ)
    prev_seq: int = Field(ge=0, le=MAX_SEQ)
    at: str = Field(max_length=40)
    kind: str = Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")
    payload: dict[str, Any]

    @field_validator("at", "payload")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return clean_json(value)


class EventBatch(_Strict):
    events: list[EventIn] = Field(max_length=MAX_BATCH)


class EnrollIn(_Strict):
    code: str = Field(min_length=8, max_length=40)
    public_key: str = Field(min_length=40, max_length=64)
    """Base64 of the raw 32-byte Ed25519 public key."""
    issuing_since: date | None = Field(default=None, strict=False)
    """Day of the first card the station issued before enrolling (standalone), if any."""


class FolioBlockIn(_Strict):
    ordinal: int = Field(ge=1, le=1_000_000)


class EnrollmentCodeIn(_Strict):
    kind: Literal["escuela", "drse"]
    school_cct: str | None = Field(default=None, pattern=r"^\d{2}[A-Z]{3}\d{4}[A-Z]$")
    drse: str | None = Field(default=None, max_length=120)
    station_name: str = Field(min_length=1, max_length=120)
    staff: str = Field(min_length=1, max_length=120)
    hours: int | None = Field(default=None, ge=1, le=24 * 90)


class StaffName(_Strict):
    staff: str = Field(min_length=1, max_length=120)


class StaffReason(_Strict):
    staff: str = Field(min_length=1, max_length=120)
    reason: str = Field(min_length=3, max_length=500)


class ConfigIn(_Strict):
    staff: str = Field(min_length=1, max_length=120)
    value: Any
