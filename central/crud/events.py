"""Ingesting a station's ledger events: stored once per (station, seq), applied in order.

Each event names the seq of the station's previous event (``prev_seq``), so central applies
an event only when the one before it is applied, whatever order batches arrive in. A
repeated (station, seq) with the same content is a duplicate (skipped); with other content
it is a conflict (refused: a station's ledger never rewrites its past).

Events arrive typed (:mod:`foundation.contract.events`): the route parsed the batch, so this
module reads fields, never dict keys, and an event of an unknown kind or shape never gets here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.crud import cards as card_ops
from central.crud.photos import want_photo
from central.crud.stations import require_in_scope
from central.db import bulk_insert
from central.errors import ApiError
from central.models import Hologram, Receipt, Station, StationEvent
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
from station.core.routing import Thresholds


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

    def to_json(self) -> dict[str, int]:
        return {"stored": self.stored, "duplicates": self.duplicates, "applied": self.applied,
                "acked_through": self.acked_through, "conflicts": self.conflicts}


def _check_chain(events: Sequence[Event]) -> None:
    for before, ev in zip((None, *events), events, strict=False):
        if ev.prev_seq >= ev.seq:
            raise ApiError(422, "bad-sequence", f"El evento {ev.seq} dice venir después del "
                                                f"{ev.prev_seq}: el orden no es válido.")
        if before is not None and ev.prev_seq != before.seq:
            raise ApiError(422, "bad-sequence", f"Los eventos del envío deben ir seguidos: el "
                                                f"{ev.seq} no sigue al {before.seq}.")


def _ccts(events: Sequence[Event]) -> set[str]:
    return {ev.payload.cct for ev in events if isinstance(ev.payload, SheetIssued)}


def ingest(session: Session, *, station: Station, events: Sequence[Event],
           routing: Thresholds, now: datetime) -> IngestResult:
    """Store the batch (idempotently), then apply every event whose predecessor is applied."""
    _check_chain(events)
    require_in_scope(session, station=station, routing=routing, ccts=_ccts(events))
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
    applied, conflicts = _apply_ready(session, station=station, batch=events, now=now)
    station.last_seen_at = now
    return IngestResult(len(fresh), len(events) - len(fresh), applied,
                        station.applied_through, conflicts)


def _apply_ready(session: Session, *, station: Station, batch: Sequence[Event],
                 now: datetime) -> tuple[int, int]:
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
        return 0, 0
    conflicts = _project(session, station=station, events=ready, now=now)
    station.applied_through = head
    return len(ready), conflicts


def _stored(seq: int, prev_seq: int, at: str, kind: str, payload: str) -> Event:
    """An event stored earlier, read back; stored by an older central, it may not fit."""
    try:
        wire = json.loads(payload)
        return Event(seq, prev_seq, at, parse_payload(kind, wire), wire)
    except (KeyError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
        raise ApiError(422, "bad-event", f"El evento {seq} ({kind}) guardado no tiene los "
                                         f"datos esperados: {exc}") from None


def _project(session: Session, *, station: Station, events: Sequence[Event],
             now: datetime) -> int:
    """Turn applied events into cards, spoilage, revocations and wanted photos."""
    new_cards: dict[int, list[dict[str, object]]] = {}
    curps: set[str] = set()
    for ev in events:
        match ev.payload:
            case SheetIssued() as p:
                new_cards[p.sheet] = [
                    {"station_id": station.id, "key_id": p.key_id or station.key_id,
                     "folio": c.folio, "curp": c.curp, "cct": p.cct,
                     "issued_on": date.fromisoformat(p.issued_on), "issued_at": ev.at,
                     "sheet": p.sheet, "event_seq": ev.seq, "status": "active",
                     "status_reason": None, "superseded_by": None, "updated_at": now}
                    for c in p.cards]
                curps.update(c.curp for c in p.cards)
            case SheetSpoiled() as p:
                if p.sheet in new_cards:
                    for c in new_cards[p.sheet]:
                        c["status"], c["status_reason"] = "spoiled", p.reason
                else:
                    card_ops.spoil_sheet(session, station_id=station.id, sheet=p.sheet,
                                         reason=p.reason, now=now)
            case PhotoLinked() as p:
                want_photo(session, curp=p.curp, photo_hash=p.photo_hash,
                           station_id=station.id, now=now)
            case HologramApplied() as p:
                if session.get(Hologram, p.serial) is None:
                    session.add(Hologram(serial=p.serial, ciclo=p.cycle, curp=p.curp,
                                         folio=p.folio, station_id=station.id,
                                         applied_at=p.on or ev.at))
            case ReplacementPaid() as p:
                # A receipt is good once statewide; a second use stays recorded in the events.
                if session.get(Receipt, p.receipt) is None:
                    session.add(Receipt(number=p.receipt, curp=p.curp, amount_mxn=p.fee_mxn,
                                        station_id=station.id, used_at=ev.at))
            case CardRevoked() as p:
                _flush(session, new_cards)
                card_ops.revoke_by_station(
                    session, station_id=station.id, key_id=p.key_id or station.key_id,
                    folio=p.folio, cause=p.cause, reason=p.reason, now=now)
    _flush(session, new_cards)
    if not curps:
        return 0
    return len(card_ops.supersede(session, station_id=station.id, first_seq=events[0].seq,
                                  last_seq=events[-1].seq, now=now))


def _flush(session: Session, new_cards: dict[int, list[dict[str, object]]]) -> None:
    rows = [c for sheet in new_cards.values() for c in sheet]
    card_ops.insert_cards(session, rows)
    session.flush()
    new_cards.clear()
