"""Request bodies central accepts. Strict: wrong types and unknown fields are refused (422)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_BATCH = 2000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class EventIn(_Strict):
    seq: int = Field(ge=1)
    prev_seq: int = Field(ge=0)
    at: str = Field(max_length=40)
    kind: str = Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")
    payload: dict[str, Any]


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
