"""What central's staff API answers (``/api/v1/admin/…``), declared as the routes'
``response_model`` so ``/openapi.json`` describes them. The answers stations read are the
contract's (:mod:`foundation.contract.responses`).

An unknown field is refused: a route returning a field its model does not list fails its
tests instead of the field being dropped without a word.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EnrollmentCodeAnswer(_Answer):
    code: str
    kind: str
    school_cct: str | None
    drse: str | None
    expires_at: str


class StationAnswer(_Answer):
    id: str
    name: str
    kind: str
    school_cct: str | None
    drse: str | None
    key_id: str
    enrolled_at: str
    withdrawn_at: str | None
    applied_through: int
    last_seen_at: str | None


class StationList(_Answer):
    stations: list[StationAnswer]


class StoredEvent(_Answer):
    seq: int
    prev_seq: int
    at: str
    kind: str
    payload: dict[str, Any]


class StationEvents(_Answer):
    events: list[StoredEvent]


class CardAnswer(_Answer):
    id: int
    station_id: str
    key_id: str
    folio: int
    curp: str
    cct: str
    issued_on: str
    sheet: int
    status: str
    status_reason: str | None
    superseded_by: int | None


class CardList(_Answer):
    cards: list[CardAnswer]


class ConflictAnswer(_Answer):
    id: int
    curp: str
    detected_at: str
    resolved_at: str | None
    reviewed_by: str | None
    note: str | None
    kept: CardAnswer
    replaced: CardAnswer


class ConflictList(_Answer):
    conflicts: list[ConflictAnswer]


class ConfigPublished(_Answer):
    key: str
    value: Any
    version: int


class ConfigCleared(_Answer):
    key: str
    version: int


class ProblemReportAnswer(_Answer):
    id: int
    station_id: str
    school_cct: str | None
    drse: str | None
    report_name: str
    sha256: str
    size: int
    category: str
    description: str
    created_at: str
    received_at: str
    attended_at: str | None
    attended_by: str | None
    attended_note: str | None


class ProblemReportList(_Answer):
    problem_reports: list[ProblemReportAnswer]


class RolloutTargets(_Answer):
    percent: int
    drse: list[str]
    stations: list[str]


class ReleaseFailure(_Answer):
    station: str
    stage: str
    detail: str


class ReleaseSummary(_Answer):
    version: str
    channel: str
    state: str
    targets: RolloutTargets
    sha256: str
    size: int
    published_at: str
    published_by: str
    counts: dict[str, int]
    failures: list[ReleaseFailure]


class ReleaseList(_Answer):
    releases: list[ReleaseSummary]
    installed: dict[str, int]


class RolloutAnswer(_Answer):
    version: str
    state: str
    channel: str
    targets: str
    """The targets as stored (JSON text)."""
