"""Debts with the plantel: a graduate who owes (library, workshop…) gets no folio yet."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from conalep.certificates import folios
from conalep.certificates.actors import Actor, Refused, require_plantel, require_role
from conalep.models.academic import Alumno
from conalep.models.certificates import Debt


def record_debt(session: Session, actor: Actor, *, matricula: str, concept: str,
                now: datetime) -> Debt:
    require_role(actor, "plantel_escolares")
    alumno = session.get(Alumno, matricula)
    if alumno is None:
        raise Refused("unknown-student", f"No hay alumno con matrícula {matricula}.", 404)
    require_plantel(actor, alumno.clave_plantel)
    if not concept.strip():
        raise Refused("missing-concept", "Escriba el concepto del adeudo.", 422)
    debt = Debt(matricula=matricula, plantel=alumno.clave_plantel, concept=concept.strip(),
                recorded_by=actor.username, recorded_at=now)
    session.add(debt)
    folios.log(session, actor, "adeudo", now, matricula=matricula, concepto=concept.strip())
    return debt


def settle_debt(session: Session, actor: Actor, *, debt_id: int, now: datetime) -> None:
    require_role(actor, "plantel_escolares")
    debt = session.get(Debt, debt_id)
    if debt is None or debt.settled_at is not None:
        raise Refused("unknown-debt", "Ese adeudo no existe o ya está saldado.", 404)
    require_plantel(actor, debt.plantel)
    debt.settled_at = now
    folios.log(session, actor, "adeudo-saldado", now, matricula=debt.matricula)
