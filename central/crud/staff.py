"""Central's staff accounts: roles, DRSE scope and the audit trail, on the shared account
policy of :mod:`foundation.web.accounts` (scrypt passwords, lockout, must-change).

Two roles: ``estatal`` (state office: sees and acts on everything) and ``drse`` (bound to
one region: only its schools, their stations and their cards).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.errors import ApiError
from central.models import (
    Card,
    ProblemReport,
    Region,
    School,
    StaffAccount,
    StaffAction,
    Station,
)
from foundation.web.accounts import AccountBook, valid_username

ROLES = ("estatal", "drse", "dgti")
ROLE_LABELS_ES = {"estatal": "Personal estatal", "drse": "Personal de DRSE",
                  "dgti": "DGTI (Tecnologías de la Información)"}
"""``dgti``: the state's IT office (técnico 10): answers the problem reports DRSEs escalate;
it sees no school, station or card (its scope holds no DRSE)."""
DRSE_OFFICES = ("planeacion", "control_escolar", "tecnologias")
"""The DRSE offices of seed 004 an account may belong to (``staff_accounts.office``): who
does which step of the DRSE procedures (:mod:`central.crud.offices`)."""


def record(session: Session, *, staff: str, action: str, target: str, reason: str,
           now: datetime) -> None:
    """One line of the staff audit trail (``staff_actions``)."""
    session.add(StaffAction(at=now, staff=staff, action=action, target=target[:120],
                            reason=reason))


BOOK: AccountBook[StaffAccount] = AccountBook(StaffAccount, record)


def create_account(session: Session, *, username: str, password: str, role: str,
                   region: str | None, display_name: str, now: datetime,
                   must_change: bool = False, office: str | None = None) -> StaffAccount:
    """A new account; refuses a bad name, a weak password or a DRSE that does not exist.

    ``must_change``: someone else chose the password (the accounts page), so the person
    changes it at the first sign-in.
    """
    valid_username(username)
    if role not in ROLES:
        raise ApiError(422, "bad-role", "El rol debe ser 'estatal', 'drse' o 'dgti'.")
    region = find_region(session, region or "") if role == "drse" else None
    if office and (role != "drse" or office not in DRSE_OFFICES):
        raise ApiError(422, "bad-office", "La oficina de una cuenta de DRSE es «planeacion», "
                                          "«control_escolar» o «tecnologias» (o ninguna: "
                                          "todos los pasos).")
    return BOOK.create(session, username=username, password=password,
                       display_name=display_name, now=now, must_change=must_change,
                       role=role, region=region, office=office or None)


def find_region(session: Session, name: str) -> str:
    """The DRSE as stored, matched without regard to case; 404 with the known names."""
    wanted = " ".join(name.split()).upper()
    names = list(session.scalars(select(Region.name).order_by(Region.name)))
    for known in names:
        if known.upper() == wanted:
            return known
    listed = "; ".join(names) if names else "ninguna: importe primero las escuelas de SCEJAL"
    raise ApiError(404, "drse-not-found", f"No existe la DRSE «{name}». DRSE conocidas: {listed}.")


@dataclass(frozen=True, slots=True)
class StaffScope:
    """What a signed-in person may see and touch. ``region`` None means everything."""

    username: str
    role: str
    region: str | None

    @property
    def everything(self) -> bool:
        return self.role == "estatal"

    def _refuse(self, what: str) -> ApiError:
        if self.role == "dgti":
            return ApiError(403, "outside-region",
                            f"Su cuenta es de DGTI (soporte técnico): {what} no le corresponde. "
                            "DGTI sólo responde los reportes que las DRSE le turnan.")
        return ApiError(403, "outside-region",
                        f"Su cuenta es de la DRSE «{self.region}»: {what} no le corresponde. "
                        "Pida a la oficina estatal que lo haga.")

    def require_estatal(self, what: str) -> None:
        if not self.everything:
            raise ApiError(403, "estatal-only",
                           f"Sólo el personal estatal puede {what}. Pida a la oficina estatal "
                           "que lo haga.")

    def school_drse(self, session: Session, cct: str | None) -> str | None:
        return session.scalar(select(School.drse).where(School.cct == cct)) if cct else None

    def require_school(self, session: Session, cct: str) -> None:
        if not self.everything and self.school_drse(session, cct) != self.region:
            raise self._refuse(f"la escuela {cct}")

    def require_region(self, drse: str) -> None:
        if not self.everything and drse != self.region:
            raise self._refuse(f"la DRSE «{drse}»")

    def station_region(self, session: Session, station: Station) -> str | None:
        return station.drse or self.school_drse(session, station.school_cct)

    def require_station(self, session: Session, station: Station) -> None:
        if not self.everything and self.station_region(session, station) != self.region:
            raise self._refuse(f"la estación {station.id}")

    def require_card(self, session: Session, card: Card) -> None:
        if not self.everything and self.school_drse(session, card.cct) != self.region:
            # Not its folio: the refusal must not tell another DRSE's card numbers apart.
            raise self._refuse("esa credencial")

    def require_problem_report(self, report: ProblemReport) -> None:
        """Only the DRSE's own reports; the refusal names the report, not its DRSE."""
        if not self.everything and report.drse != self.region:
            raise self._refuse(f"el reporte de problema {report.id}")

    @property
    def is_dgti(self) -> bool:
        return self.role == "dgti"

    @property
    def region_code(self) -> str | None:
        """The DRSE a listing is limited to, or None for everything (DGTI, which has no DRSE,
        gets a name no DRSE has: its lists stay empty outside its support page)."""
        if self.is_dgti:
            return "(DGTI: sin DRSE)"
        return None if self.everything else self.region

    def ccts(self, session: Session) -> list[str] | None:
        """The schools in scope, or None for every school."""
        if self.everything:
            return None
        return list(session.scalars(select(School.cct).where(School.drse == self.region)))


