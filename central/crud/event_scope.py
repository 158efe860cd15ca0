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

Payloads arrive typed and bounded (:mod:`foundation.contract.events`); :func:`check_shape`
adds what central's columns need.

>>> from foundation.contract.events import SheetSpoiled
>>> check_shape(1, SheetSpoiled(sheet=1, reason="atasco")) is None
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.crud.among import among
from central.errors import ApiError
from central.models import Card, FolioBlock, Hologram, Receipt, Station, Student, StudentMove
from foundation.contract.events import (
    CardRevoked,
    EventPayload,
    HologramApplied,
    PhotoLinked,
    ReplacementPaid,
    SheetIssued,
)

ISSUED_ON_SKEW = timedelta(days=1)
_COLUMNS: dict[type[EventPayload], tuple[str, int]] = {
    HologramApplied: ("serial", 40), ReplacementPaid: ("receipt", 60), CardRevoked: ("cause", 12)}
"""Text fields of applied kinds the contract allows longer than central's columns hold."""


def check_shape(seq: int, p: EventPayload) -> None:
    """What the contract lets through but central cannot store or apply: 422 for the whole
    batch, nothing written (a folio twice in one sheet; a serial, receipt or cause longer
    than its column)."""
    if isinstance(p, SheetIssued):
        folios = [c.folio for c in p.cards]
        if len(set(folios)) != len(folios):
            raise ApiError(422, "bad-event", f"El evento {seq} (planilla {p.sheet}) tiene un "
                                             "folio dos veces.", seq=seq)
    column = _COLUMNS.get(type(p))
    if column is not None:
        name, limit = column
        value = getattr(p, name)
        if len(value) > limit:
            raise ApiError(422, "bad-event", f"El evento {seq} ({p.kind}): «{name}» es "
                                             f"demasiado largo (máximo {limit}).", seq=seq)


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str
    reason: str


@dataclass(slots=True)
class StationScope:
    """What one station owns, loaded once per push: :meth:`prefetch` asks one query per kind
    of fact for the whole batch (students, moves, other stations' cards, holograms, receipts,
    revoked folios), and the per-event checks below only read these dicts. Asking per event
    was most of the push's time (docs/PERFORMANCE.md, ingest)."""

    session: Session
    station: Station
    ccts: frozenset[str]
    blocks: list[tuple[int, int]]
    folio_first: int
    today: date
    _students: dict[str, str | None] = field(default_factory=dict)
    _moves: dict[str, list[tuple[datetime, str]]] = field(default_factory=dict)
    _foreign: set[str] = field(default_factory=set)
    """CURPs central lacks that hold an active card of another station outside the scope."""
    _holograms: dict[str, str] = field(default_factory=dict)
    """Serial → the station that recorded it first (prefetched, then this push's own)."""
    _receipts: dict[str, str] = field(default_factory=dict)
    _owners: dict[int, str] = field(default_factory=dict)
    """Folio of a card under this station's key → the station holding it."""

    def prefetch(self, payloads: Sequence[EventPayload]) -> None:
        """Everything the checks of these payloads read, one query per kind."""
        curps = {c.curp for p in payloads if isinstance(p, SheetIssued) for c in p.cards}
        curps.update(p.curp for p in payloads
                     if isinstance(p, PhotoLinked | HologramApplied | ReplacementPaid))
        self.preload(curps)
        unknown = sorted(c.curp for p in payloads if isinstance(p, SheetIssued)
                         for c in p.cards if self._students.get(c.curp) is None)
        self._foreign = _foreign_active_cards(self, unknown)
        self._holograms = _holders(self.session, Hologram.serial, Hologram.station_id,
                                   {p.serial for p in payloads
                                    if isinstance(p, HologramApplied)})
        self._receipts = _holders(self.session, Receipt.number, Receipt.station_id,
                                  {p.receipt for p in payloads
                                   if isinstance(p, ReplacementPaid)})
        folios = sorted({p.folio for p in payloads if isinstance(p, CardRevoked)})
        if folios:
            self._owners.update(self.session.execute(select(Card.folio, Card.station_id).where(
                Card.key_id == self.station.key_id,
                among(self.session, Card.folio, folios))).all())

    def applied(self, p: EventPayload) -> None:
        """Record what an applied event now holds, for the checks of the events after it."""
        own = self.station.id
        if isinstance(p, SheetIssued):
            for card in p.cards:
                self._owners.setdefault(card.folio, own)
        elif isinstance(p, HologramApplied):
            self._holograms.setdefault(p.serial, own)
        elif isinstance(p, ReplacementPaid):
            self._receipts.setdefault(p.receipt, own)

    def preload(self, curps: Iterable[str]) -> None:
        """Schools and moves of these students: one query each (:func:`among`)."""
        wanted = sorted(set(curps) - self._students.keys())
        if not wanted:
            return
        found = dict(self.session.execute(select(Student.curp, Student.cct).where(
            among(self.session, Student.curp, wanted))).all())
        for curp in wanted:
            self._students[curp] = found.get(curp)
        for row in self.session.execute(select(StudentMove.curp, StudentMove.moved_at,
                                               StudentMove.from_cct)
                                        .where(among(self.session, StudentMove.curp, wanted))):
            self._moves.setdefault(row.curp, []).append((_aware(row.moved_at), row.from_cct))

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
    issued_on = date.fromisoformat(p.issued_on)
    if issued_on > scope.today + ISSUED_ON_SKEW:
        return Refusal("future-date", f"La planilla {p.sheet} tiene fecha "
                                      f"{issued_on:%d/%m/%Y}, posterior a hoy; revise la "
                                      "fecha y hora de la estación.")
    unknown: list[str] = []
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
        if in_scope is None:
            unknown.append(card.curp)
    # Central lacks these students; another school's active card for one of them means the
    # conflict rule would need both cards in this station's scope (prefetched for the push).
    for curp in unknown:
        if curp in scope._foreign:
            return _out_of_scope(scope, curp, f"Planilla {p.sheet}")
    return None


def _foreign_active_cards(scope: StationScope, curps: list[str]) -> set[str]:
    """Those of ``curps`` with an active card of another station at a school outside scope.

    Other stations' cards do not change during this push (this push only adds and revokes
    its own), so one query before the push answers for every sheet in it."""
    if not curps:
        return set()
    return set(scope.session.scalars(select(Card.curp).where(
        among(scope.session, Card.curp, curps), Card.status == "active",
        Card.station_id != scope.station.id, ~among(scope.session, Card.cct, scope.ccts))))


def check_photo_linked(scope: StationScope, p: PhotoLinked, at: datetime) -> Refusal | None:
    if scope.student_in_scope(p.curp, at) is False:
        return _out_of_scope(scope, p.curp, "Foto")
    return None


def _holders(session: Session, key: Any, holder: Any, wanted: set[str]) -> dict[str, str]:
    """Which station recorded each of these hologram serials or receipt numbers first."""
    if not wanted:
        return {}
    return dict(session.execute(select(key, holder).where(among(session, key, sorted(wanted))))
                .all())


def _held_by_other(scope: StationScope, held: dict[str, str], key: str) -> bool:
    """A hologram serial or receipt number another station recorded first."""
    holder = held.get(key)
    return holder is not None and holder != scope.station.id


def check_hologram_applied(scope: StationScope, p: HologramApplied,
                           at: datetime) -> Refusal | None:
    if scope.student_in_scope(p.curp, at) is False:
        return _out_of_scope(scope, p.curp, f"Holograma {p.serial}")
    if _held_by_other(scope, scope._holograms, p.serial):
        return Refusal("hologram-used", f"El holograma {p.serial} ya lo registró otra "
                                        "estación.")
    return None


def check_replacement_paid(scope: StationScope, p: ReplacementPaid,
                           at: datetime) -> Refusal | None:
    if scope.student_in_scope(p.curp, at) is False:
        return _out_of_scope(scope, p.curp, f"Recibo {p.receipt}")
    if _held_by_other(scope, scope._receipts, p.receipt):
        return Refusal("receipt-used", f"El recibo {p.receipt} ya se usó en otra estación: un "
                                       "recibo vale una sola reposición.")
    return None


def check_card_revoked(scope: StationScope, p: CardRevoked, at: datetime) -> Refusal | None:
    station = scope.station
    if p.key_id is not None and p.key_id != station.key_id:
        return Refusal("foreign-key", f"La cancelación del folio {p.folio} nombra la llave "
                                      f"{p.key_id}: una estación sólo cancela sus propias "
                                      "credenciales.")
    owner = scope._owners.get(p.folio)
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
    if date.fromisoformat(p.issued_on) > _aware(station.withdrawn_at).date():
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
    if not folios:
        return set()
    return set(session.scalars(select(Card.folio).where(
        Card.key_id == key_id, among(session, Card.folio, sorted(set(folios))))))
