"""What a station may change at central: one check per event kind, on the parsed payload.

A station is a small computer in a school; it can be stolen, and its key with it. So central
applies an event only to what the sending station owns:

- its own key id (cards and revocations under another station's key are refused);
- folios of blocks central handed to it (or, for cards issued before it enrolled, its own
  standalone range below ``folio_first``);
- students of its scope at the time of the event (their school then, per central's roster);
- holograms and receipts no other station used first;
- ``issued_on`` not later than central's today plus a day of clock skew (a future date would
  win every conflict).

A refused event is still stored (a station's ledger never rewrites its past) but not applied;
the push answer lists it with a Spanish reason the station keeps and shows. Payloads that are
not even well formed (wrong types, numbers beyond the columns, a folio twice in one sheet)
refuse the whole batch with 422 instead, and nothing is written.

>>> parse("photo_linked", {"curp": "X" * 18, "photo_hash": "a" * 64}).curp
'XXXXXXXXXXXXXXXXXX'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.errors import ApiError
from central.models import Card, FolioBlock, Hologram, Receipt, Station, Student, StudentMove

MAX_FOLIO = 2**53 - 1
"""Folios are BIGINT at central; beyond 2^53 a JSON number is not even exact in JavaScript."""
MAX_SHEET = 2**31 - 1
ISSUED_ON_SKEW = timedelta(days=1)

Curp = Annotated[str, Field(pattern=r"^[A-Z0-9]{18}$")]
KeyId = Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")]
Folio = Annotated[int, Field(ge=1, le=MAX_FOLIO, strict=True)]


class _Payload(BaseModel):
    # Stations add fields over time (``reprint_of``, ``cancelled``…): unknown ones are kept in
    # the stored event and ignored here.
    model_config = ConfigDict(extra="ignore", frozen=True)


class IssuedCard(_Payload):
    folio: Folio
    curp: Curp


class SheetIssued(_Payload):
    sheet: Annotated[int, Field(ge=0, le=MAX_SHEET, strict=True)]
    cct: Annotated[str, Field(pattern=r"^\d{2}[A-Z]{3}\d{4}[A-Z]$")]
    issued_on: date
    key_id: KeyId | None = None
    cards: Annotated[list[IssuedCard], Field(max_length=64)] = []

    @model_validator(mode="after")
    def _folios_once(self) -> SheetIssued:
        folios = [c.folio for c in self.cards]
        if len(set(folios)) != len(folios):
            raise ValueError("un folio aparece dos veces en la misma planilla")
        return self


class SheetSpoiled(_Payload):
    sheet: Annotated[int, Field(ge=0, le=MAX_SHEET, strict=True)]
    reason: Annotated[str, Field(max_length=500)] = ""


class PhotoLinked(_Payload):
    curp: Curp
    photo_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class HologramApplied(_Payload):
    serial: Annotated[str, Field(min_length=1, max_length=40)]
    cycle: Annotated[str, Field(min_length=1, max_length=9)]
    curp: Curp
    folio: Folio | None = None
    on: Annotated[str, Field(max_length=40)] | None = None


class ReplacementPaid(_Payload):
    receipt: Annotated[str, Field(min_length=1, max_length=60)]
    curp: Curp
    fee_mxn: Annotated[int, Field(ge=0, le=10_000_000, strict=True)] = 0


class CardRevoked(_Payload):
    folio: Folio
    key_id: KeyId | None = None
    cause: Annotated[str, Field(min_length=1, max_length=12)] = "revoked"
    reason: Annotated[str, Field(max_length=500)] = "cancelada por la estación"


APPLIED_KINDS: dict[str, type[_Payload]] = {
    "sheet_issued": SheetIssued, "sheet_spoiled": SheetSpoiled, "photo_linked": PhotoLinked,
    "hologram_applied": HologramApplied, "replacement_paid": ReplacementPaid,
    "card_revoked": CardRevoked}
"""The kinds central projects; every other kind is stored for the record only."""


def parse(kind: str, payload: dict[str, Any], *, seq: int = 0) -> Any:
    """The typed payload of an applied kind (None for record-only kinds); 422 when malformed."""
    model = APPLIED_KINDS.get(kind)
    if model is None:
        return None
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "payload"
        raise ApiError(422, "bad-event", f"El evento {seq} ({kind}) no es válido: «{where}» "
                                         f"{first.get('msg', 'no es válido')}.",
                       seq=seq) from None


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str
    reason: str


@dataclass(slots=True)
class StationScope:
    """What one station owns, loaded once per push (a few queries, not one per event)."""

    session: Session
    station: Station
    ccts: frozenset[str]
    blocks: list[tuple[int, int]]
    folio_first: int
    today: date
    _students: dict[str, str | None] = field(default_factory=dict)
    _moves: dict[str, list[tuple[datetime, str]]] = field(default_factory=dict)


    def preload(self, curps: Iterable[str]) -> None:
        """Schools and moves of these students, in chunks (fast IN-lists on both databases)."""
        wanted = sorted(set(curps) - self._students.keys())
        for i in range(0, len(wanted), 1000):
            chunk = wanted[i:i + 1000]
            found = dict(self.session.execute(
                select(Student.curp, Student.cct).where(Student.curp.in_(chunk))).all())
            for curp in chunk:
                self._students[curp] = found.get(curp)
            for row in self.session.execute(select(StudentMove.curp, StudentMove.moved_at,
                                                   StudentMove.from_cct)
                                            .where(StudentMove.curp.in_(chunk))):
                self._moves.setdefault(row.curp, []).append((_aware(row.moved_at),
                                                             row.from_cct))

    def school_of(self, curp: str, at: datetime) -> str | None:
        """The student's school at ``at`` (central's roster): None when central lacks them."""
        if curp not in self._students:
            self.preload([curp])
        school = self._students[curp]
        later = sorted(m for m in self._moves.get(curp, []) if m[0] > at)
        return later[0][1] if later else school

    def student_in_scope(self, curp: str, at: datetime) -> bool | None:
        school = self.school_of(curp, at)
        return None if school is None else school in self.ccts

    def owns_folio(self, folio: int, at: datetime) -> bool:
        """In a block central handed it, or its standalone range (below ``folio_first``,
        under its own key) for what it issued before it enrolled."""
        if any(first <= folio <= last for first, last in self.blocks):
            return True
        return folio < self.folio_first and at <= _aware(self.station.enrolled_at)


def load_scope(session: Session, *, station: Station, ccts: Sequence[str], folio_first: int,
               today: date) -> StationScope:
    blocks = [(b.first_folio, b.last_folio) for b in session.scalars(
        select(FolioBlock).where(FolioBlock.station_id == station.id))]
    return StationScope(session, station, frozenset(ccts), blocks, folio_first, today)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def event_time(at: str, fallback: datetime) -> datetime:
    try:
        return _aware(datetime.fromisoformat(at))
    except ValueError:
        return fallback


def _out_of_scope(scope: StationScope, curp: str, what: str) -> Refusal:
    return Refusal("student-out-of-scope",
                   f"{what}: el alumno {curp[:4]}… no es de las escuelas que atiende la "
                   f"estación {scope.station.id}; no se aplicó.")


def check_sheet_issued(scope: StationScope, p: SheetIssued, at: datetime,
                       used: set[int]) -> Refusal | None:
    """Own key, folios of own blocks never used, students of the scope, no future date.

    ``used``: folios of this key already at central or earlier in the same push.
    """
    station = scope.station
    if p.key_id is not None and p.key_id != station.key_id:
        return Refusal("foreign-key", f"La planilla {p.sheet} dice venir de la llave "
                                      f"{p.key_id}, que no es la de esta estación.")
    if p.cct not in scope.ccts:
        return Refusal("school-out-of-scope", f"La planilla {p.sheet} es de la escuela "
                                              f"{p.cct}, que esta estación no atiende.")
    if p.issued_on > scope.today + ISSUED_ON_SKEW:
        return Refusal("future-date", f"La planilla {p.sheet} tiene fecha "
                                      f"{p.issued_on:%d/%m/%Y}, posterior a hoy; revise la "
                                      "fecha y hora de la estación.")
    for card in p.cards:
        if not scope.owns_folio(card.folio, at):
            return Refusal("folio-not-owned", f"El folio {card.folio} de la planilla {p.sheet} "
                                              "no es de un bloque dado a esta estación.")
        if card.folio in used:
            return Refusal("folio-used", f"El folio {card.folio} de la planilla {p.sheet} ya "
                                         "se había usado en otra credencial de esta estación.")
        in_scope = scope.student_in_scope(card.curp, at)
        if in_scope is False:
            return _out_of_scope(scope, card.curp, f"Planilla {p.sheet}")
        if in_scope is None and _foreign_active_card(scope, card.curp):
            # Central lacks the student, but another school's card exists: the conflict rule
            # needs both cards in this station's scope.
            return _out_of_scope(scope, card.curp, f"Planilla {p.sheet}")
    return None


def _foreign_active_card(scope: StationScope, curp: str) -> bool:
    return scope.session.scalar(select(Card.id).where(
        Card.curp == curp, Card.status == "active",
        Card.station_id != scope.station.id, Card.cct.not_in(scope.ccts)).limit(1)) is not None


def check_photo_linked(scope: StationScope, p: PhotoLinked, at: datetime) -> Refusal | None:
    if scope.student_in_scope(p.curp, at) is False:
        return _out_of_scope(scope, p.curp, "Foto")
    return None


def check_hologram_applied(scope: StationScope, p: HologramApplied,
                           at: datetime) -> Refusal | None:
    if scope.student_in_scope(p.curp, at) is False:
        return _out_of_scope(scope, p.curp, f"Holograma {p.serial}")
    holder = scope.session.scalar(select(Hologram.station_id).where(Hologram.serial == p.serial))
    if holder is not None and holder != scope.station.id:
        return Refusal("hologram-used", f"El holograma {p.serial} ya lo registró otra "
                                        "estación.")
    return None


def check_replacement_paid(scope: StationScope, p: ReplacementPaid,
                           at: datetime) -> Refusal | None:
    if scope.student_in_scope(p.curp, at) is False:
        return _out_of_scope(scope, p.curp, f"Recibo {p.receipt}")
    holder = scope.session.scalar(select(Receipt.station_id).where(Receipt.number == p.receipt))
    if holder is not None and holder != scope.station.id:
        return Refusal("receipt-used", f"El recibo {p.receipt} ya se usó en otra estación: un "
                                       "recibo vale una sola reposición.")
    return None


def check_card_revoked(scope: StationScope, p: CardRevoked, at: datetime) -> Refusal | None:
    station = scope.station
    if p.key_id is not None and p.key_id != station.key_id:
        return Refusal("foreign-key", f"La cancelación del folio {p.folio} nombra la llave "
                                      f"{p.key_id}: una estación sólo cancela sus propias "
                                      "credenciales.")
    owner = scope.session.scalar(select(Card.station_id).where(Card.key_id == station.key_id,
                                                               Card.folio == p.folio))
    if owner is None and not scope.owns_folio(p.folio, at):
        return Refusal("folio-not-owned", f"El folio {p.folio} no es de un bloque dado a esta "
                                          "estación.")
    if owner is not None and owner != station.id:
        return Refusal("foreign-card", f"La credencial con folio {p.folio} no es de esta "
                                       "estación.")
    return None


def withdrawn_sheet(scope: StationScope, p: SheetIssued) -> Refusal | None:
    """A withdrawn station's sheet that would replace another station's card, or dated after
    its withdrawal: held for staff review, never applied on its own."""
    station = scope.station
    if station.withdrawn_at is None:
        return None
    if p.issued_on > _aware(station.withdrawn_at).date():
        return Refusal("after-withdrawal", f"La planilla {p.sheet} tiene fecha posterior a la "
                                           "baja de la estación.")
    curps = [c.curp for c in p.cards]
    if curps and scope.session.scalar(select(Card.id).where(
            Card.curp.in_(curps), Card.status == "active",
            Card.station_id != station.id).limit(1)) is not None:
        return Refusal("withdrawn-replaces", f"La planilla {p.sheet} de una estación dada de "
                                             "baja reemplazaría credenciales de otra estación.")
    return None


def used_folios(session: Session, *, key_id: str, folios: Sequence[int]) -> set[int]:
    out: set[int] = set()
    unique = sorted(set(folios))
    for i in range(0, len(unique), 1000):
        out.update(session.scalars(select(Card.folio).where(
            Card.key_id == key_id, Card.folio.in_(unique[i:i + 1000]))))
    return out
