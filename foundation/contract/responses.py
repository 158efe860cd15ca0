"""Every answer central gives a station, typed: central declares them as its routes'
``response_model`` (so ``/openapi.json`` describes them) and the station parses what it reads
through them instead of indexing dicts.

Unlike the events (where an unknown field is refused), an answer may carry fields this station
does not know: central is upgraded before the fleet, and a newer central adding a field must
not stop older stations from syncing. Types and bounds of the known fields are still checked.

>>> IngestAnswer.model_validate({"stored": 2, "duplicates": 0, "applied": 2,
...                              "acked_through": 2, "conflicts": 0}).acked_through
2
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from foundation.contract.types import (
    Cct,
    Count,
    Curp,
    DateText,
    Folio,
    Id,
    KeyIdHex,
    Kind,
    Name,
    Reason,
    Seq,
    Sha256,
    Short,
    Strict,
    Timestamp,
    Url,
)

_PAGE = 100_000
"""Most rows in one answer (central's page size is far below)."""


class Answer(Strict):
    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)


class ErrorBody(Answer):
    """Every refusal: a machine code, a Spanish sentence, and fields that depend on the code."""

    model_config = ConfigDict(extra="allow", strict=True, frozen=True)
    code: Short
    message: Reason


class ErrorAnswer(Answer):
    error: ErrorBody


class TrustEntryAnswer(Answer):
    """A station key central certified (``certificate`` signs the other fields)."""

    key_id: KeyIdHex
    public_key: Short
    station_id: Short
    school: Short
    valid_from: DateText
    valid_until: DateText | None
    certificate: Short
    rev: Seq


class EnrollAnswer(Answer):
    station_id: Short
    name: Name
    kind: Short
    school_cct: Cct | None
    drse: Name | None
    scope: list[Cct] = Field(max_length=_PAGE)
    central_public_key: Short
    trust_entry: TrustEntryAnswer


class HelloAnswer(Answer):
    station_id: Short
    kind: Short
    school_cct: Cct | None
    drse: Name | None
    scope: list[Cct] = Field(max_length=_PAGE)
    acked_through: Seq
    server_time: Timestamp


class EventRefused(Answer):
    """An event central stored but did not apply: it reached beyond what the station owns
    (``quarantined`` when the station is withdrawn: held for staff review)."""

    seq: Seq
    kind: Kind
    code: Short
    message: Reason
    quarantined: bool = False


class IngestAnswer(Answer):
    """What central did with a pushed batch; ``acked_through`` is the last event it applied.

    ``refused``: events of the batch (or applied with it) central did not apply, with why.
    """

    stored: Count
    duplicates: Count
    applied: Count
    acked_through: Seq
    conflicts: Count
    refused: list[EventRefused] = Field(default_factory=list, max_length=10_000)


class SchoolRow(Answer):
    cct: Cct
    nombre: Name
    nivel: Short
    turno: Short
    domicilio: Name
    municipio: Name
    telefono: Short
    drse: Name
    matricula: Count
    internet: bool


class StudentRow(Answer):
    curp: Curp
    nombre: Name
    primer_apellido: Name
    segundo_apellido: Name
    cct: Cct
    grado: Count
    grupo: Short
    ciclo: Short
    estatus: Short
    nuevo_ingreso: bool
    photo_hash: Sha256 | None


class RosterPage(Answer):
    scope: list[Cct] = Field(max_length=_PAGE)
    restarted: bool
    schools: list[SchoolRow] = Field(max_length=_PAGE)
    students: list[StudentRow] = Field(max_length=_PAGE)
    departed: list[Curp] = Field(max_length=_PAGE)
    cursor: Short
    more: bool


class WantedPhoto(Answer):
    hash: Sha256
    curp: Curp


class WantedPhotos(Answer):
    photos: list[WantedPhoto] = Field(max_length=_PAGE)


class PhotoStored(Answer):
    hash: Sha256
    curp: Curp


class TrustPage(Answer):
    central_public_key: Short
    entries: list[TrustEntryAnswer] = Field(max_length=_PAGE)
    cursor: Seq
    more: bool


class Revocation(Answer):
    key_id: KeyIdHex
    folio: Folio
    cause: Short
    reason: Reason
    revoked_at: Timestamp


class RevocationPage(Answer):
    revocations: list[Revocation] = Field(max_length=_PAGE)
    cursor: Seq
    more: bool


class HologramRangeAnswer(Answer):
    """A serial range of holograms central handed to this station's school or DRSE."""

    cycle: Short
    first: Short
    last: Short


class NoticeAnswer(Answer):
    """Something central tells this station (e.g. a hologram serial another station used)."""

    id: Id
    kind: Short
    message: Reason
    created_at: Timestamp


class ConfigAnswer(Answer):
    """The configuration central publishes: each value is checked by the settings table.

    ``hologram_ranges``: the serials this station may use (None from a central that does not
    hand out ranges; empty when it gave this station none). ``notices``: central's notices for
    this station after the ``notices_after`` cursor it sent."""

    version: Count
    items: dict[Short, Any] = Field(max_length=500)
    hologram_ranges: list[HologramRangeAnswer] | None = Field(default=None, max_length=10_000)
    notices: list[NoticeAnswer] = Field(default_factory=list, max_length=1_000)


class FolioBlockAnswer(Answer):
    ordinal: Id
    first: Folio
    last: Folio


class ProblemReportStored(Answer):
    id: Id
    sha256: Sha256
    duplicate: bool


class ReleaseOfferRow(Answer):
    version: Short
    sha256: Sha256
    size: Count
    min_upgrade_from: Short
    url: Url


class ReleaseOffer(Answer):
    release: ReleaseOfferRow | None


class ReleaseReportRecorded(Answer):
    recorded: bool


class SupportMessage(Answer):
    """Where a question or an escalated problem report stands (issue 13), newest state only.

    ``subject`` ``question`` (``ref``: the station's question number) or ``report``
    (``ref``: the report's file name at the station); ``status`` ``recibida``, ``turnada``
    (passed on to the state / DGTI) or ``respondida``.
    """

    rev: Seq
    subject: Short
    ref: Short
    status: Short
    note: Reason | None = None
    answer: Reason | None = None
    answered_by: Name | None = None
    answered_at: Timestamp | None = None


class SupportPage(Answer):
    messages: list[SupportMessage] = Field(max_length=_PAGE)
    cursor: Seq


class OfficeNewsItem(Answer):
    """How central and the DRSE handled one of the station's requests (issue 13):
    ``procedure`` ``oficio`` (procedure 1, ``ref`` the station's request number) or
    ``material`` (procedure 2, its resupply request number)."""

    procedure: Short
    ref: Id
    number: Id
    state: Short
    words: Reason
    reason: Reason | None = None
    approved: dict[Short, Count] | None = None
    shipped_reference: Reason | None = None


class OfficeBatch(Answer):
    """A validated procedure-1 list for a DRSE station to produce: new students' cards and
    continuing students' holograms."""

    request: Id
    cct: Cct
    cycle: Short
    cards: list[Curp] = Field(max_length=_PAGE)
    holograms: list[Curp] = Field(max_length=_PAGE)


class OfficeNews(Answer):
    requests: list[OfficeNewsItem] = Field(default_factory=list, max_length=_PAGE)
    batches: list[OfficeBatch] = Field(default_factory=list, max_length=_PAGE)


class OfficeRequestStored(Answer):
    number: Id
    state: Short
    duplicate: bool


class PrivacyOrder(Answer):
    """A data-protection order central passes to the stations that hold the student (issue 18).

    ``kind`` ``cancelacion``: erase the student's personal data and photo now (ARCO
    cancellation; the folio, dates and a one-way digest stay so the folio audit balances and the
    card still verifies). ``rectificacion``: replace the fields in ``fields`` (e.g. ``nombre``)
    with the values given. ``reason``: the legal basis the officer recorded.

    >>> PrivacyOrder.model_validate({"id": 1, "kind": "cancelacion", "curp": "GAPA100101HJCRRNA1",
    ...     "cct": "14DPR0001A", "reason": "Solicitud ARCO 12/2026", "ordered_at":
    ...     "2026-12-02T10:00:00Z"}).kind
    'cancelacion'
    """

    id: Id
    kind: Short
    curp: Curp
    cct: Cct
    fields: dict[Short, Reason] | None = None
    reason: Reason
    ordered_at: Timestamp


class PrivacyOrderPage(Answer):
    """``GET /api/v1/privacy-orders?after=<cursor>``: the orders for students in this station's
    scope after the cursor the station last applied."""

    orders: list[PrivacyOrder] = Field(max_length=_PAGE)
    cursor: Seq
    more: bool
