"""Conalep's staff accounts: a role of :mod:`conalep.roles` and, for campus roles, the
plantel (it must exist: import the SAE planteles first). Password policy, lockout and
sessions are :mod:`foundation.web.accounts`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from conalep.models import StaffAccount
from conalep.models.academic import Plantel
from conalep.roles import PLANTEL_ROLES, Role
from conalep.web import BOOK
from foundation.web.accounts import valid_username
from foundation.web.refusal import Refusal


def create_account(session: Session, *, username: str, password: str, role: str,
                   clave_plantel: str | None, display_name: str, now: datetime,
                   must_change: bool = False) -> StaffAccount:
    """A new account; refuses a bad name, an unknown role, a campus role without an existing
    plantel, a weak password or a name already taken."""
    valid_username(username)
    if role not in {r.value for r in Role}:
        raise Refusal(422, "bad-role", f"El rol «{role}» no existe. Roles: "
                                       + ", ".join(r.value for r in Role) + ".")
    if Role(role) in PLANTEL_ROLES:
        clave = (clave_plantel or "").strip()
        if not clave:
            raise Refusal(422, "missing-plantel", "Un rol de plantel necesita la clave del "
                                                  "plantel (--plantel).")
        if session.get(Plantel, clave) is None:
            known = ", ".join(session.scalars(select(Plantel.clave_plantel)
                                              .order_by(Plantel.clave_plantel))) or "ninguno"
            raise Refusal(404, "plantel-not-found", f"No existe el plantel «{clave}». "
                                                    f"Planteles importados: {known}.")
        clave_plantel = clave
    else:
        clave_plantel = None
    return BOOK.create(session, username=username, password=password,
                       display_name=display_name, now=now, must_change=must_change,
                       role=role, clave_plantel=clave_plantel)
