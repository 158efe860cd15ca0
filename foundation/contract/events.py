"""Every event a station's ledger emits, as a typed payload: the outbox's contract.

The station builds each event through its model here (``station.store.ledger.append_event``
takes a model, never a dict), stores ``payload.wire()`` in its outbox, and pushes batches of
:class:`PushedEvent` to central, which parses the batch into the same models (a union
discriminated by ``kind``) before it stores or projects anything.

Compatibility: stations in the field hold queued events written before these models existed.
The models are written to accept those payloads as they are: every field any released
station wrote is here, and fields central always read with a default are optional. A change
to a payload is a new optional field (never a rename, never a narrower type), so an old queued
row keeps parsing.

>>> e = SheetSpoiled(sheet=12, reason="atasco")
>>> e.kind, e.wire()
('sheet_spoiled', {'reason': 'atasco', 'sheet': 12})
>>> parse_payload("sheet_spoiled", {"sheet": 12, "reason": "atasco"}) == e
True
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import (
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidatorFunctionWrapHandler,
    create_model,
    model_validator,
)

from foundation.contract.types import (
    Cct,
    Count,
    Curp,
    Cycle,
    DateText,
    Delta,
    Folio,
    Id,
    KeyIdHex,
    Name,
    Number,
    Reason,
    Seq,
    Sha256,
    Short,
    Strict,
    Timestamp,
    Url,
)
from foundation.credential.card import SHEET_SIZE

MAX_BATCH = 2000
"""Most events in one push."""


class EventPayload(Strict):
    """Base of every payload; ``kind`` names it in the outbox and on the wire."""

    kind: ClassVar[str]

    def wire(self) -> dict[str, Any]:
        """The JSON object stored in the outbox and pushed: the fields set, sorted."""
        data = self.model_dump(mode="json", exclude_unset=True, by_alias=True)
        return dict(sorted(data.items()))


# --- sheets and cards -------------------------------------------------------------------------

class IssuedCard(Strict):
    folio: Folio
    curp: Curp


class SheetIssued(EventPayload):
    kind: ClassVar[str] = "sheet_issued"
    sheet: Id
    cct: Cct
    issued_on: DateText
    key_id: KeyIdHex | None = None
    """Absent in the oldest rows: central then takes the station's current key."""
    reprint_of: Id | None = None
    cards: list[IssuedCard] = Field(default_factory=list, max_length=SHEET_SIZE)
    cancelled: list[Folio | None] = Field(default_factory=list, max_length=SHEET_SIZE)


class SheetSent(EventPayload):
    kind: ClassVar[str] = "sheet_sent"
    sheet: Id
    printer: Short
    job: Count | None = None


class SheetConfirmed(EventPayload):
    kind: ClassVar[str] = "sheet_confirmed"
    sheet: Id


class SheetSpoiled(EventPayload):
    kind: ClassVar[str] = "sheet_spoiled"
    sheet: Id
    reason: Reason = ""


class SheetConfirmationUndone(EventPayload):
    """The operator took back a "salió bien" moments after tapping it (the kiosk's
    «Deshacer»): the sheet is waiting for review again; no folio changes state."""

    kind: ClassVar[str] = "sheet_confirmation_undone"
    sheet: Id


class CardRevoked(EventPayload):
    """A card the station revoked: reported lost (folio and reason) or replaced because the
    student changed school (also key, cause, the new folio and both schools)."""

    kind: ClassVar[str] = "card_revoked"
    folio: Folio
    reason: Reason = "cancelada por la estación"
    key_id: KeyIdHex | None = None
    cause: Short = "revoked"
    replaced_by: Folio | None = None
    old_cct: Cct | None = None
    new_cct: Cct | None = None


class CardRevokedByCentral(EventPayload):
    kind: ClassVar[str] = "card_revoked_by_central"
    folio: Folio
    cause: Short
    reason: Reason


class CardReportedLost(EventPayload):
    kind: ClassVar[str] = "card_reported_lost"
    folio: Folio
    curp: Curp
    kind_: Short = Field(alias="kind")
    on: DateText
    taken_by: Name


class PhotoLinked(EventPayload):
    kind: ClassVar[str] = "photo_linked"
    curp: Curp
    photo_hash: Sha256


class PrinterCalibrated(EventPayload):
    kind: ClassVar[str] = "printer_calibrated"
    printer: Short
    dx_mm: Number
    dy_mm: Number
    scale: Number


# --- folios, roster, station ------------------------------------------------------------------

class FolioBlockReceived(EventPayload):
    kind: ClassVar[str] = "folio_block_received"
    first: Folio
    last: Folio
    source: Short


class FolioBlockClosed(EventPayload):
    kind: ClassVar[str] = "folio_block_closed"
    first: Folio
    last: Folio
    used: Count


class RosterImported(EventPayload):
    kind: ClassVar[str] = "roster_imported"
    schools_added: Count
    schools_updated: Count
    students_added: Count
    students_updated: Count
    students_withdrawn: Count


class StudentsOutOfScope(EventPayload):
    kind: ClassVar[str] = "students_out_of_scope"
    why: Reason
    count: Count
    curps: list[Curp] = Field(max_length=1_000_000)


class StationEnrolled(EventPayload):
    kind: ClassVar[str] = "station_enrolled"
    station_id: Short
    central: Url


class ConfigApplied(EventPayload):
    kind: ClassVar[str] = "config_applied"
    version: Count
    changed: list[Short] = Field(max_length=500)
    reset: list[Short] = Field(max_length=500)
    refused: list[Short] = Field(max_length=500)


class CycleAdvanced(EventPayload):
    kind: ClassVar[str] = "cycle_advanced"
    cycle: Cycle
    previous: Cycle | None
    taken_by: Name


# --- kiosk users (no PIN, no hash: only who and what) -----------------------------------------

class KioskUserAdded(EventPayload):
    kind: ClassVar[str] = "kiosk_user_added"
    user: Id
    name: Name
    role: Short


class KioskUserEnabled(EventPayload):
    kind: ClassVar[str] = "kiosk_user_enabled"
    user: Id


class KioskUserDisabled(EventPayload):
    kind: ClassVar[str] = "kiosk_user_disabled"
    user: Id


class KioskUserPinChanged(EventPayload):
    kind: ClassVar[str] = "kiosk_user_pin_changed"
    user: Id


class KioskUserLocked(EventPayload):
    kind: ClassVar[str] = "kiosk_user_locked"
    user: Id


# --- requests, declines, replacements ---------------------------------------------------------

class CardRequested(EventPayload):
    kind: ClassVar[str] = "card_requested"
    curp: Curp
    requested_on: DateText
    requested_by: Short
    taken_by: Name


class CardDeclined(EventPayload):
    kind: ClassVar[str] = "card_declined"
    curp: Curp
    declined_on: DateText
    declared_by: Short
    taken_by: Name


class CardDeclineWithdrawn(EventPayload):
    kind: ClassVar[str] = "card_decline_withdrawn"
    curp: Curp
    withdrawn_on: DateText
    taken_by: Name


class ReplacementPaid(EventPayload):
    kind: ClassVar[str] = "replacement_paid"
    curp: Curp
    old_folio: Folio
    reason: Short
    receipt: Short
    receipt_date: DateText
    fee_mxn: Count = 0
    taken_by: Name


class ReplacementIssued(EventPayload):
    kind: ClassVar[str] = "replacement_issued"
    curp: Curp
    old_folio: Folio
    new_folio: Folio
    reason: Short
    receipt: Short | None
    issued_on: DateText


# --- holograms, deliveries, supplies ----------------------------------------------------------

class HologramRangeReceived(EventPayload):
    kind: ClassVar[str] = "hologram_range_received"
    range: Id
    cycle: Cycle
    first: Short
    last: Short
    count: Count
    reference: Reason
    received_on: DateText


class HologramApplied(EventPayload):
    kind: ClassVar[str] = "hologram_applied"
    serial: Short
    curp: Curp
    folio: Folio | None = None
    cycle: Cycle
    on: DateText | None = None
    """Absent in the oldest rows: central then takes the event's time."""


class HologramSpoiled(EventPayload):
    kind: ClassVar[str] = "hologram_spoiled"
    serial: Short
    cycle: Cycle
    reason: Reason
    on: DateText


class DeliveryCreated(EventPayload):
    kind: ClassVar[str] = "delivery_created"
    delivery: Id
    cct: Cct
    cycle: Cycle
    cards: list[Folio] = Field(max_length=100_000)
    holograms: list[Short] = Field(max_length=100_000)
    request: Id | None = None
    """Central's procedure-1 request whose batch this delivers (absent before issue 13)."""


class DeliveryClosed(EventPayload):
    kind: ClassVar[str] = "delivery_closed"
    delivery: Id
    received_by: Name
    received_on: DateText
    scan: Short | None


class SuppliesReceived(EventPayload):
    kind: ClassVar[str] = "supplies_received"
    item: Short
    quantity: Count
    reference: Reason
    on: DateText
    request: Id | None = None
    """The station's resupply request this receipt answers (absent before issue 13)."""


class SuppliesAdjusted(EventPayload):
    kind: ClassVar[str] = "supplies_adjusted"
    item: Short
    quantity: Delta
    reason: Reason
    on: DateText


class Adjustment(Strict):
    item: Short
    quantity: Delta
    reason: Reason


class SupplyUsage(Strict):
    from_: Timestamp | None = Field(alias="from")
    to: Timestamp
    sheets_printed: Count
    cards_issued: Count
    replacements: Count
    blanks_cancelled: Count
    sheets_spoiled: Count
    cards_spoiled: Count
    holograms_applied: Count
    holograms_spoiled: Count
    adjustments: list[Adjustment] = Field(max_length=10_000)


class PendingWork(Strict):
    cards: Count
    holograms: Count


class InkLevel(Strict):
    name: Short
    level: Count | None
    """Percent as the printer reports it (None: unknown)."""


class SuppliesRequested(EventPayload):
    """A resupply request (its PDF stays at the station): what was used, held and asked."""

    kind: ClassVar[str] = "supplies_requested"
    request: Id
    date: DateText
    station: Short
    station_kind: Short
    requested_by: Name
    cycle: Cycle
    usage: SupplyUsage
    stock: dict[Short, Delta] = Field(max_length=20)
    pending: PendingWork
    requested: dict[Short, Delta] = Field(max_length=20)
    warnings: list[Reason] = Field(max_length=100)
    director: Name
    ink: list[InkLevel] | None = Field(max_length=20)


class PriorCardRegistered(EventPayload):
    """A card issued before the station existed (normativo 6), registered from a file: its
    folio is outside every block, and its holder needs only the cycle's hologram."""

    kind: ClassVar[str] = "prior_card_registered"
    folio: Folio
    curp: Curp
    cct: Cct
    issued_on: DateText
    taken_by: Name

# --- support (técnico 12) ---------------------------------------------------------------------

class SupportQuestionAsked(EventPayload):
    """A question the school sends to its DRSE's Control Escolar (``station question ask``);
    ``question`` is the station's own number of it."""

    kind: ClassVar[str] = "support_question_asked"
    question: Id
    text: Reason
    asked_by: Name
    on: DateText


# --- minors' personal data (issue 18) ---------------------------------------------------------

class StudentDataPurged(EventPayload):
    """A student's personal data (names, CURP, photo, notes) erased at the station: by
    retention (``reason`` ``retention``) or by central's ARCO cancellation (``cancelacion``,
    ``order`` its id). No personal data: ``digest`` is the station's keyed one-way digest of
    the CURP (HMAC, the key never leaves the station), the folios and counts what was kept
    and what was deleted."""

    kind: ClassVar[str] = "student_data_purged"
    reason: Short
    cct: Cct | None = None
    digest: Sha256
    folios: list[Folio] = Field(default_factory=list, max_length=10_000)
    photos: Count = 0
    print_files: Count = 0
    order: Id | None = None
    on: DateText

PAYLOADS: tuple[type[EventPayload], ...] = tuple(EventPayload.__subclasses__())
"""Every payload model; one per kind."""
BY_KIND: dict[str, type[EventPayload]] = {p.kind: p for p in PAYLOADS}
assert len(BY_KIND) == len(PAYLOADS), "two payload models share a kind"


class EventEnvelope(Strict):
    """One outbox row as pushed: its place in the station's chain and its payload."""

    seq: Annotated[Seq, Field(ge=1)]
    prev_seq: Seq
    at: Timestamp
    kind: str
    payload: EventPayload
    _received: dict[str, Any] | None = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_received(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        event = handler(data)
        if isinstance(data, dict) and isinstance(data.get("payload"), dict):
            event._received = data["payload"]
        return event

    def payload_wire(self) -> dict[str, Any]:
        """The payload as the station sent it. Validation is strict and refuses unknown
        fields, so it equals ``payload.wire()``; keeping it saves central re-serializing
        every event of a batch (docs/PERFORMANCE.md, ingest). Read from the private dict:
        pydantic's ``self._received`` raises and catches an AttributeError first (~100× slower,
        measured 6.5 µs per read)."""
        received = (self.__pydantic_private__ or {}).get("_received")
        return received if received is not None else self.payload.wire()


def _envelope(payload: type[EventPayload]) -> type[EventEnvelope]:
    name = payload.__name__ + "Event"
    return create_model(name, __base__=EventEnvelope, __module__=__name__,
                        kind=(Literal[payload.kind], ...), payload=(payload, ...))


ENVELOPES: dict[str, type[EventEnvelope]] = {k: _envelope(p) for k, p in BY_KIND.items()}
PushedEvent = Annotated[Union[tuple(ENVELOPES.values())], Field(discriminator="kind")]  # noqa: UP007
"""Any one event of a pushed batch; ``kind`` picks the payload model."""


class EventBatch(Strict):
    """The body of ``POST /api/v1/sync/events``."""

    events: list[PushedEvent] = Field(max_length=MAX_BATCH)  # type: ignore[valid-type]


_PAYLOAD_ADAPTERS = {k: TypeAdapter(p) for k, p in BY_KIND.items()}


def parse_payload(kind: str, payload: Any) -> EventPayload:
    """The payload of a stored row as its model (``KeyError`` for an unknown kind;
    ``pydantic.ValidationError`` when it does not fit)."""
    return _PAYLOAD_ADAPTERS[kind].validate_python(payload)
