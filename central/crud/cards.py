"""Cards at central: one active card per student, revocations, conflicts, staff actions."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from central.crud.progress_summary import mark_students
from central.db import next_rev
from central.errors import ApiError
from central.models import Card, Conflict, Revocation, StaffAction
from foundation.sqldb import bulk_insert, insert_ignore


def add_revocation(session: Session, *, key_id: str, folio: int, cause: str, reason: str,
                   now: datetime) -> None:
    """List a card as revoked for every station (idempotent: the first reason stays).

    ``ON CONFLICT DO NOTHING``: two pushes revoking one card at once both succeed (a
    get-then-insert answered 500 to one of them on PostgreSQL).
    """
    session.flush()
    if session.get(Revocation, (key_id, folio)) is None:
        insert_ignore(session, Revocation, {
            "key_id": key_id, "folio": folio, "cause": cause, "reason": reason,
            "revoked_at": now, "rev": next_rev(session, "revocations")})


def insert_cards(session: Session, rows: list[dict[str, object]]) -> None:
    if rows:
        bulk_insert(session, Card, rows)


def supersede(session: Session, *, station_id: str, first_seq: int, last_seq: int,
              now: datetime) -> list[Conflict]:
    """Keep the newest active card of each student; revoke the others as replaced.

    Looks at the students of the cards this station's events ``first_seq..last_seq`` created
    (a join, not a list of CURPs: fast on both databases). Cards from two stations for one
    student are a conflict that central staff must see.
    """
    new, old = aliased(Card), aliased(Card)
    doubled = list(session.scalars(
        select(new.curp).distinct().join(old, (old.curp == new.curp) & (old.id != new.id))
        .where(new.station_id == station_id, new.event_seq.between(first_seq, last_seq),
               new.status == "active", old.status == "active")))
    active: dict[str, list[Card]] = defaultdict(list)
    for i in range(0, len(doubled), 1000):
        for card in session.scalars(select(Card).where(Card.curp.in_(doubled[i:i + 1000]),
                                                       Card.status == "active")):
            active[card.curp].append(card)
    conflicts = []
    for curp, cards in active.items():
        if len(cards) < 2:
            continue
        cards.sort(key=lambda c: (c.issued_on, c.issued_at, c.id))
        kept = cards[-1]
        for old in cards[:-1]:
            old.status, old.superseded_by, old.updated_at = "replaced", kept.id, now
            old.status_reason = (f"reemplazada por la credencial con folio {kept.folio} "
                                 f"({kept.station_id}, {kept.issued_on:%d/%m/%Y})")
            add_revocation(session, key_id=old.key_id, folio=old.folio, cause="replaced",
                           reason=old.status_reason, now=now)
            if old.station_id != kept.station_id:
                conflict = Conflict(curp=curp, kept_card_id=kept.id, replaced_card_id=old.id,
                                    detected_at=now)
                session.add(conflict)
                conflicts.append(conflict)
    session.flush()
    return conflicts


def spoil_sheet(session: Session, *, station_id: str, sheet: int, reason: str,
                now: datetime) -> None:
    session.execute(update(Card).where(Card.station_id == station_id, Card.sheet == sheet,
                                       Card.status == "active")
                    .values(status="spoiled", status_reason=reason, updated_at=now))


def revoke_by_station(session: Session, *, station_id: str, key_id: str, folio: int,
                      cause: str, reason: str, now: datetime) -> None:
    """A station revoked one of its own cards (loss, theft, replacement)."""
    session.execute(update(Card).where(Card.key_id == key_id, Card.folio == folio,
                                       Card.station_id == station_id, Card.status == "active")
                    .values(status="revoked", status_reason=reason, updated_at=now))
    add_revocation(session, key_id=key_id, folio=folio, cause=cause, reason=reason, now=now)


def _card(session: Session, card_id: int) -> Card:
    card = session.get(Card, card_id, with_for_update=True)
    if card is None:
        raise ApiError(404, "card-not-found", f"No existe la credencial {card_id}.")
    return card


def staff_revoke(session: Session, *, card_id: int, staff: str, reason: str, undo: bool,
                 now: datetime) -> Card:
    """Revoke a card, or undo "issued" (seed 004, técnico 9): the student is pending again."""
    card = _card(session, card_id)
    if card.status not in ("active", "replaced"):
        raise ApiError(409, "card-not-active",
                       f"La credencial con folio {card.folio} ya está «{card.status}».")
    card.status = "undone" if undo else "revoked"
    card.status_reason, card.updated_at = reason, now
    words = "registro de expedición anulado por la oficina central" if undo \
        else "cancelada por la oficina central"
    add_revocation(session, key_id=card.key_id, folio=card.folio,
                   cause="undone" if undo else "revoked", reason=f"{words}: {reason}", now=now)
    session.add(StaffAction(at=now, staff=staff, action="undo-issued" if undo else "revoke-card",
                            target=f"{card.key_id}/{card.folio}", reason=reason))
    mark_students(session, [card.curp])  # the progress page's summary (issue 13)
    return card


def review_conflict(session: Session, *, conflict_id: int, staff: str, note: str,
                    now: datetime) -> Conflict:
    """Mark a conflict reviewed (who, when, a note) and record ``review-conflict``.

    Nothing changes on the cards: the newer one already stays and the other is revoked. A
    conflict reviewed already answers 409 and keeps its first note.
    """
    conflict = session.get(Conflict, conflict_id, with_for_update=True)
    if conflict is None:
        raise ApiError(404, "conflict-not-found", f"No existe el conflicto {conflict_id}.")
    note = " ".join(note.split())
    if len(note) < 3:
        raise ApiError(422, "missing-note", "Escriba una nota de lo que se revisó (al menos 3 "
                                            "letras), por ejemplo «el alumno tiene la de folio "
                                            "1000080».")
    if conflict.resolved_at is not None:
        raise ApiError(409, "conflict-reviewed",
                       f"El conflicto {conflict_id} ya fue revisado por {conflict.reviewed_by}.")
    conflict.resolved_at, conflict.reviewed_by, conflict.note = now, staff, note[:1000]
    session.add(StaffAction(at=now, staff=staff, action="review-conflict",
                            target=f"conflicto {conflict_id}",
                            reason=note[:1000]))
    session.flush()
    return conflict


def conflicts_with_cards(session: Session, *, reviewed: bool | None,
                         ccts: list[str] | None = None) -> list[tuple[Conflict, Card, Card]]:
    """Conflicts with their kept and replaced cards, oldest first.

    ``reviewed``: True only reviewed, False only open, None both. ``ccts``: only conflicts
    whose kept card is of these schools (a DRSE's scope), None for all.
    """
    kept, replaced = aliased(Card), aliased(Card)
    query = (select(Conflict, kept, replaced)
             .join(kept, kept.id == Conflict.kept_card_id)
             .join(replaced, replaced.id == Conflict.replaced_card_id).order_by(Conflict.id))
    if reviewed is not None:
        query = query.where(Conflict.resolved_at.is_not(None) if reviewed
                            else Conflict.resolved_at.is_(None))
    if ccts is not None:
        query = query.where(kept.cct.in_(ccts))
    return [(c, k, r) for c, k, r in session.execute(query)]


def revocations_since(session: Session, *, cursor: int, limit: int) -> list[Revocation]:
    return list(session.scalars(select(Revocation).where(Revocation.rev > cursor)
                                .order_by(Revocation.rev).limit(limit)))


def card_json(c: Card) -> dict[str, object]:
    return {"id": c.id, "station_id": c.station_id, "key_id": c.key_id, "folio": c.folio,
            "curp": c.curp, "cct": c.cct, "issued_on": c.issued_on.isoformat(),
            "sheet": c.sheet, "status": c.status, "status_reason": c.status_reason,
            "superseded_by": c.superseded_by}
