"""Ingesting a station's ledger events: stored once per (station, seq), applied in order.

Each event names the seq of the station's previous event (``prev_seq``), so central applies
an event only when the one before it is applied, whatever order batches arrive in. A
repeated (station, seq) with the same content is a duplicate (skipped); with other content
it is a conflict (refused: a station's ledger never rewrites its past).

Events arrive typed (:mod:`foundation.contract.events`): the route parsed the batch, so this
module reads fields, never dict keys, and an event of an unknown kind or shape never gets here.
What each event may change is checked per kind in :mod:`central.crud.event_scope`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from central.crud import cards as card_ops
from central.crud import double_use, event_scope, office_events, office_feed
from central.crud.photos import want_photo
from central.crud.stations import scope_ccts
from central.errors import ApiError
from central.models import EventRefusal, Hologram, Receipt, Station, StationEvent
from foundation.contract.events import (
    CardRevoked,
    EventEnvelope,
    EventPayload,
    HologramApplied,
    PhotoLinked,
    ReplacementPaid,
    SheetIssued,
    SheetSpoiled,
    parse_payload,
)
from foundation.sqldb import bulk_insert, insert_ignore
from station.core.routing import Thresholds

_DOUBLE_USE = frozenset({"hologram-used", "receipt-used"})
"""Refusals that are also a conflict for staff and a notice to both stations (issue 13)."""


@dataclass(frozen=True, slots=True)
class Event:
    seq: int
    prev_seq: int
    at: str
    payload: EventPayload
    wire: dict[str, Any]
    """The payload as received (or as stored); equal to ``payload.wire()``."""

    @classmethod
    def pushed(cls, event: EventEnvelope) -> Event:
        return cls(event.seq, event.prev_seq, event.at, event.payload, event.payload_wire())

    @property
    def kind(self) -> str:
        return self.payload.kind

    def payload_text(self) -> str:
        """The payload as the station stored it (its digest detects a rewritten past)."""
        return json.dumps(self.wire, ensure_ascii=False, sort_keys=True)

    def digest(self, payload_text: str) -> str:
        text = f"{self.seq}\n{self.prev_seq}\n{self.at}\n{self.kind}\n{payload_text}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class IngestResult:
    stored: int
    duplicates: int
    applied: int
    acked_through: int
    conflicts: int
    refused: list[dict[str, object]]
    """Events of this push central stored but did not apply: ``{seq, kind, code, message}``."""

    def to_json(self) -> dict[str, object]:
        return {"stored": self.stored, "duplicates": self.duplicates, "applied": self.applied,
                "acked_through": self.acked_through, "conflicts": self.conflicts,
                "refused": self.refused}


def _check_chain(events: Sequence[Event]) -> None:
    for before, ev in zip((None, *events), events, strict=False):
        if ev.prev_seq >= ev.seq:
            raise ApiError(422, "bad-sequence", f"El evento {ev.seq} dice venir después del "
                                                f"{ev.prev_seq}: el orden no es válido.")
        if before is not None and ev.prev_seq != before.seq:
            raise ApiError(422, "bad-sequence", f"Los eventos del envío deben ir seguidos: el "
                                                f"{ev.seq} no sigue al {before.seq}.")


def ingest(session: Session, *, station: Station, events: Sequence[Event],
           routing: Thresholds, now: datetime, folio_first: int) -> IngestResult:
    """Store the batch (idempotently), then apply every event whose predecessor is applied.

    A payload that fits the contract but not central's columns refuses the whole batch (422,
    nothing written); what reaches beyond the station is refused event by event
    (:mod:`central.crud.event_scope`).
    """
    _check_chain(events)
    for ev in events:
        event_scope.check_shape(ev.seq, ev.payload)
    # Ranges, not IN-lists: a batch is a contiguous stretch of the station's chain.
    known = dict(session.execute(select(StationEvent.seq, StationEvent.digest).where(
        StationEvent.station_id == station.id,
        StationEvent.seq.between(events[0].seq, events[-1].seq))).all()) if events else {}
    fresh = []
    for ev in events:
        text = ev.payload_text()
        digest = ev.digest(text)
        old = known.get(ev.seq)
        if old is None:
            fresh.append((ev, text, digest))
        elif old != digest:
            raise ApiError(409, "sequence-conflict",
                           f"El evento {ev.seq} ya se recibió con otro contenido: el registro de "
                           "la estación fue reemplazado o restaurado. Pida ayuda a soporte.")
    if fresh:
        bulk_insert(session, StationEvent, [
            {"station_id": station.id, "seq": ev.seq, "prev_seq": ev.prev_seq, "at": ev.at,
             "kind": ev.kind, "payload": text, "digest": digest, "received_at": now}
            for ev, text, digest in fresh])
    scope = event_scope.load_scope(
        session, station=station, folio_first=folio_first, today=now.date(),
        ccts=scope_ccts(session, station=station, routing=routing))
    applied, conflicts, refused = _apply_ready(session, scope=scope, batch=events, now=now)
    station.last_seen_at = now
    return IngestResult(len(fresh), len(events) - len(fresh), applied,
                        station.applied_through, conflicts, refused)


def _apply_ready(session: Session, *, scope: event_scope.StationScope, batch: Sequence[Event],
                 now: datetime) -> tuple[int, int, list[dict[str, object]]]:
    station = scope.station
    head = station.applied_through
    pending = {ev.seq: ev for ev in batch if ev.seq > head}
    stored_ahead = select(StationEvent.seq, StationEvent.prev_seq, StationEvent.at,
                          StationEvent.kind, StationEvent.payload).where(
        StationEvent.station_id == station.id, StationEvent.seq > head)
    if batch:  # the batch's own stretch is in memory already
        stored_ahead = stored_ahead.where(~StationEvent.seq.between(batch[0].seq,
                                                                    batch[-1].seq))
    for row in session.execute(stored_ahead):
        pending[row.seq] = _stored(row.seq, row.prev_seq, row.at, row.kind, row.payload)
    ready = []
    for seq in sorted(pending):
        ev = pending[seq]
        if ev.prev_seq != head:
            break
        ready.append(ev)
        head = ev.seq
    if not ready:
        return 0, 0, []
    conflicts, refused = _project(session, scope=scope, events=ready, now=now)
    office_feed.project(session, scope=scope, events=ready, now=now)  # issue 13's pages
    station.applied_through = head
    return len(ready), conflicts, refused


def _stored(seq: int, prev_seq: int, at: str, kind: str, payload: str) -> Event:
    """An event stored earlier, read back; stored by an older central, it may not fit."""
    try:
        wire = json.loads(payload)
        return Event(seq, prev_seq, at, parse_payload(kind, wire), wire)
    except (KeyError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
        raise ApiError(422, "bad-event", f"El evento {seq} ({kind}) guardado no tiene los "
                                         f"datos esperados: {exc}") from None


def _project(session: Session, *, scope: event_scope.StationScope, events: Sequence[Event],
             now: datetime) -> tuple[int, list[dict[str, object]]]:
    """Turn applied events into cards, spoilage, revocations and wanted photos; refuse (and
    record) what the station does not own."""
    station = scope.station
    typed = [(ev, ev.payload) for ev in events]
    sheets = [p for _, p in typed if isinstance(p, SheetIssued)]
    scope.prefetch([p for _, p in typed])
    used = event_scope.used_folios(session, key_id=station.key_id,
                                   folios=[c.folio for p in sheets for c in p.cards])
    # Serialize the students this push touches against other stations' pushes (PostgreSQL):
    # the newest-card rule must see every card of a student to keep exactly one active.
    lock_students(session, sorted({c.curp for p in sheets for c in p.cards}))
    new_cards: dict[int, list[dict[str, object]]] = {}
    refused: list[dict[str, object]] = []
    created = False
    for ev, p in typed:
        at = event_scope.event_time(ev.at, now)
        refusal = _check(scope, p, at, used)
        if refusal is not None:
            refused.append(_refuse(session, station=station, ev=ev, refusal=refusal, now=now))
            if refusal.code in _DOUBLE_USE and isinstance(p, HologramApplied | ReplacementPaid):
                double_use.flag(session, station=station, seq=ev.seq, payload=p, now=now)
            continue
        scope.applied(p)
        if isinstance(p, SheetIssued):
            new_cards[p.sheet] = [
                {"station_id": station.id, "key_id": station.key_id, "folio": c.folio,
                 "curp": c.curp, "cct": p.cct, "issued_on": date.fromisoformat(p.issued_on),
                 "issued_at": ev.at, "sheet": p.sheet, "event_seq": ev.seq, "status": "active",
                 "status_reason": None, "superseded_by": None, "updated_at": now}
                for c in p.cards]
            used.update(c.folio for c in p.cards)
            created = created or bool(p.cards)
        elif isinstance(p, SheetSpoiled):
            if p.sheet in new_cards:
                for c in new_cards[p.sheet]:
                    c["status"], c["status_reason"] = "spoiled", p.reason
            else:
                card_ops.spoil_sheet(session, station_id=station.id, sheet=p.sheet,
                                     reason=p.reason, now=now)
        elif isinstance(p, PhotoLinked):
            want_photo(session, curp=p.curp, photo_hash=p.photo_hash, station_id=station.id,
                       now=now)
        elif isinstance(p, HologramApplied):
            insert_ignore(session, Hologram, {
                "serial": p.serial, "ciclo": p.cycle, "curp": p.curp, "folio": p.folio,
                "station_id": station.id, "applied_at": p.on or ev.at})
        elif isinstance(p, ReplacementPaid):
            insert_ignore(session, Receipt, {
                "number": p.receipt, "curp": p.curp, "amount_mxn": p.fee_mxn,
                "station_id": station.id, "used_at": ev.at})
        elif isinstance(p, CardRevoked):
            _flush(session, new_cards)
            card_ops.revoke_by_station(session, station_id=station.id, key_id=station.key_id,
                                       folio=p.folio, cause=p.cause, reason=p.reason, now=now)
    _flush(session, new_cards)
    office_events.project(session, station=station, events=events, now=now)  # issue 13
    if not created:
        return 0, refused
    return len(card_ops.supersede(session, station_id=station.id, first_seq=events[0].seq,
                                  last_seq=events[-1].seq, now=now)), refused


def _check(scope: event_scope.StationScope, p: object, at: datetime,
           used: set[int]) -> event_scope.Refusal | None:
    if isinstance(p, SheetIssued):
        return (event_scope.check_sheet_issued(scope, p, at, used)
                or event_scope.withdrawn_sheet(scope, p))
    if isinstance(p, PhotoLinked):
        return event_scope.check_photo_linked(scope, p, at)
    if isinstance(p, HologramApplied):
        return event_scope.check_hologram_applied(scope, p, at)
    if isinstance(p, ReplacementPaid):
        return event_scope.check_replacement_paid(scope, p, at)
    if isinstance(p, CardRevoked):
        return event_scope.check_card_revoked(scope, p, at)
    return None


def _refuse(session: Session, *, station: Station, ev: Event, refusal: event_scope.Refusal,
            now: datetime) -> dict[str, object]:
    """Record why an event was not applied; a withdrawn station's goes to quarantine."""
    quarantined = station.withdrawn_at is not None
    insert_ignore(session, EventRefusal, {
        "station_id": station.id, "seq": ev.seq, "kind": ev.kind, "code": refusal.code,
        "reason": refusal.reason, "quarantined": quarantined, "refused_at": now})
    return {"seq": ev.seq, "kind": ev.kind, "code": refusal.code, "message": refusal.reason,
            "quarantined": quarantined}


def lock_students(session: Session, curps: Sequence[str]) -> None:
    """Transaction-scoped advisory locks on these students, in one order (no deadlock between
    two pushes). SQLite needs none: ``BEGIN IMMEDIATE`` already writes one at a time."""
    if not curps or session.connection().dialect.name != "postgresql":
        return
    # The CURPs as one JSON text: psycopg builds a bound array's text in Python, value by
    # value (central/crud/among.py).
    session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(c, 10)) "
                         "FROM json_array_elements_text(CAST(:curps AS json)) AS c ORDER BY c"),
                    {"curps": json.dumps(list(curps))})


def _flush(session: Session, new_cards: dict[int, list[dict[str, object]]]) -> None:
    rows = [c for sheet in new_cards.values() for c in sheet]
    card_ops.insert_cards(session, rows)
    session.flush()
    new_cards.clear()
