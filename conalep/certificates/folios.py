"""The folio ledger in the database: grant, assign to planteles, use, cancel, audit.

Every state change is a compare-and-set (``UPDATE … WHERE state = <expected>``) whose row
count is checked, so two requests at once never move one folio twice (folio_rules).
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from conalep.certificates import folio_rules as rules
from conalep.certificates.actors import Actor, Refused, require_role
from conalep.certificates.folio_rules import FolioRange, FolioRuleError, FolioState
from conalep.models.certificates import (
    CertEvent,
    Certificate,
    Folio,
    FolioGrant,
    FolioRequest,
)


def log(session: Session, actor: Actor, action: str, now: datetime, *,
        certificate_id: int | None = None, **detail: object) -> None:
    session.add(CertEvent(certificate_id=certificate_id, action=action, actor=actor.username,
                          detail=json.dumps(detail, ensure_ascii=False, default=str), at=now))


def _range(text: str) -> FolioRange:
    try:
        return rules.parse_range(text)
    except FolioRuleError as exc:
        raise Refused("bad-range", str(exc), 422) from None


def record_grant(session: Session, actor: Actor, *, reference: str, block: str,
                 granted_on: date, now: datetime) -> FolioGrant:
    """Activity 2.1: the national office's block, recorded with its reference (oficio)."""
    require_role(actor, "dg_escolares", "oficinas_nacionales")
    reference = reference.strip()
    if not reference:
        raise Refused("missing-reference", "Escriba la referencia (oficio) del otorgamiento.", 422)
    rng = _range(block)
    taken = session.scalar(select(func.count()).select_from(Folio).where(
        Folio.folio.between(rng.first, rng.last)))
    if taken:
        raise Refused("folio-granted-twice",
                      f"{taken} folios del bloque {rng} ya fueron otorgados antes; un folio "
                      "no se otorga dos veces.")
    if session.scalar(select(FolioGrant.id).where(FolioGrant.reference == reference)):
        raise Refused("reference-used", f"La referencia {reference} ya está registrada.")
    grant = FolioGrant(reference=reference, first=rng.first, last=rng.last,
                       granted_on=granted_on, recorded_by=actor.username, recorded_at=now)
    session.add(grant)
    session.flush()
    session.execute(Folio.__table__.insert(), [
        {"folio": n, "grant_id": grant.id, "state": FolioState.UNASSIGNED.value,
         "changed_at": now} for n in rng])
    log(session, actor, "folios-otorgados", now, referencia=reference, bloque=str(rng))
    return grant


def assign_block(session: Session, actor: Actor, *, plantel: str, block: str,
                 now: datetime) -> int:
    """Activity 2.2 (DG): a sub-block of unassigned folios to one plantel; all or nothing."""
    require_role(actor, "dg_escolares")
    rng = _range(block)
    moved = session.execute(
        update(Folio)
        .where(Folio.folio.between(rng.first, rng.last),
               Folio.state == FolioState.UNASSIGNED.value)
        .values(state=FolioState.ASSIGNED.value, plantel=plantel, changed_at=now)
    ).rowcount
    if moved != len(rng):
        raise Refused("folio-not-free",
                      f"Solo {moved} de los {len(rng)} folios del bloque {rng} están sin "
                      "asignar; no se asignó ninguno. Revise la auditoría de folios.")
    log(session, actor, "folios-asignados-plantel", now, plantel=plantel, bloque=str(rng))
    return moved


def cancel_folio(session: Session, actor: Actor, *, folio: int, reason: str,
                 now: datetime) -> None:
    require_role(actor, "dg_escolares")
    if not reason.strip():
        raise Refused("missing-reason", "Escriba el motivo de la cancelación del folio.", 422)
    row = session.get(Folio, folio)
    state = FolioState(row.state) if row else None
    if state is None or not rules.can_move(state, FolioState.CANCELLED):
        raise Refused("folio-state", str(rules.refuse_move(folio, state, FolioState.CANCELLED)))
    moved = session.execute(
        update(Folio).where(Folio.folio == folio, Folio.state == state.value)
        .values(state=FolioState.CANCELLED.value, cancel_reason=reason.strip(), changed_at=now)
    ).rowcount
    if moved != 1:
        raise Refused("folio-state", f"El folio {folio} cambió mientras tanto; revise.")
    log(session, actor, "folio-cancelado", now, folio=folio, motivo=reason.strip())


def next_free_folio(session: Session, plantel: str) -> int | None:
    return session.scalar(
        select(func.min(Folio.folio)).where(Folio.plantel == plantel,
                                            Folio.state == FolioState.ASSIGNED.value))


def use_folio(session: Session, *, folio: int, plantel: str, certificate_id: int,
              now: datetime) -> None:
    """assigned → used, only if the folio is this plantel's and still free."""
    moved = session.execute(
        update(Folio)
        .where(Folio.folio == folio, Folio.plantel == plantel,
               Folio.state == FolioState.ASSIGNED.value)
        .values(state=FolioState.USED.value, certificate_id=certificate_id, changed_at=now)
    ).rowcount
    if moved != 1:
        row = session.get(Folio, folio)
        state = FolioState(row.state) if row else None
        if row is not None and row.plantel not in (None, plantel):
            raise Refused("folio-other-plantel",
                          f"El folio {folio} está asignado al plantel {row.plantel}, no al "
                          f"{plantel}.", 403)
        raise Refused("folio-used", str(rules.refuse_move(folio, state, FolioState.USED)))


def request_folios(session: Session, actor: Actor, *, kind: str, quantity: int,
                   justification: str, now: datetime) -> FolioRequest:
    """F01 (norm 27): the plantel asks DG for electronic folios or official stationery."""
    require_role(actor, "plantel_escolares")
    assert actor.plantel is not None
    if kind not in {"folios", "formateria"}:
        raise Refused("bad-kind", "Elija folios electrónicos o formatería oficial.", 422)
    if quantity <= 0 or quantity > rules.MAX_BLOCK:
        raise Refused("bad-quantity", f"La cantidad debe estar entre 1 y {rules.MAX_BLOCK}.", 422)
    if not justification.strip():
        raise Refused("missing-justification", "Escriba la justificación de la solicitud.", 422)
    req = FolioRequest(plantel=actor.plantel, kind=kind, quantity=quantity,
                       justification=justification.strip(), requested_by=actor.username,
                       requested_at=now)
    session.add(req)
    session.flush()
    log(session, actor, "f01-solicitud", now, solicitud=req.id, cantidad=quantity, tipo=kind)
    return req


def audit(session: Session) -> rules.AuditReport:
    rows = (
        rules.FolioRow(f.folio, ref, FolioState(f.state), f.plantel, f.certificate_id,
                       f.cancel_reason)
        for f, ref in session.execute(
            select(Folio, FolioGrant.reference).join(FolioGrant).order_by(Folio.folio))
    )
    certs = session.execute(select(Certificate.id, Certificate.folio, Certificate.plantel)).all()
    return rules.audit(rows, [tuple(c) for c in certs])
