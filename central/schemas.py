"""Request bodies central accepts. Strict: wrong types and unknown fields are refused (422).

The events stations push are typed in :mod:`foundation.contract.events`.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


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


class OfficeRequestIn(_Strict):
    """A school station's procedure-1 request (issue 13): the oficio's data, the students it
    asks for, and the signed oficio's scan (base64 of a PDF, JPEG or PNG)."""

    ref: int = Field(ge=1, le=2**31 - 1)
    """The request's number at the station (sending it again adds nothing)."""
    cct: str = Field(pattern=r"^\d{2}[A-Z]{3}\d{4}[A-Z]$")
    cycle: str = Field(pattern=r"^\d{4}-\d{4}$")
    oficio: str = Field(min_length=1, max_length=60)
    director: str = Field(min_length=1, max_length=120)
    notes: str = Field(default="", max_length=2000)
    curps: list[str] = Field(max_length=5000)
    scan: str = Field(min_length=4, max_length=15_000_000)
