"""Staff accounts of the web pages: create, list, disable/enable, passwords (reset by the
state office, changed by the person), sign in (with lockout), and scope.

Two roles: ``estatal`` (state office: sees and acts on everything) and ``drse`` (bound to
one region: only its schools, their stations and their cards). Passwords are hashed with the
scrypt helper the kiosk's PINs use too (:func:`foundation.hashing.hash_secret`). Five wrong
passwords in a row lock the account for 15 minutes.

>>> normal_username("  Ana.Perez ")
'ana.perez'
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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
from foundation.hashing import hash_secret, secret_matches

ROLES = ("estatal", "drse")
ROLE_LABELS_ES = {"estatal": "Personal estatal", "drse": "Personal de DRSE"}
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD = 10
_USERNAME = re.compile(r"^[a-z0-9._-]{3,40}$")
_DUMMY_HASH = hash_secret("contraseña-que-nadie-tiene")
BAD_SIGN_IN = "Usuario o contraseña incorrectos."


def aware(moment: datetime) -> datetime:
    """A database time as an aware one (SQLite gives naive UTC times back)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def normal_username(username: str) -> str:
    return username.strip().lower()


def check_password(password: str) -> str | None:
    """Why ``password`` is too weak, in Spanish, or None.

    >>> check_password("corta"), check_password("una frase larga")
    ('La contraseña debe tener al menos 10 caracteres.', None)
    """
    if len(password) < MIN_PASSWORD:
        return f"La contraseña debe tener al menos {MIN_PASSWORD} caracteres."
    return None


def create_account(session: Session, *, username: str, password: str, role: str,
                   region: str | None, display_name: str, now: datetime,
                   must_change: bool = False) -> StaffAccount:
    """A new account; refuses a bad name, a weak password or a DRSE that does not exist.

    ``must_change``: someone else chose the password (the accounts page), so the person
    changes it at the first sign-in.
    """
    username = normal_username(username)
    if not _USERNAME.match(username):
        raise ApiError(422, "bad-username", "El usuario debe tener de 3 a 40 letras sin acento, "
                                            "números, punto, guion o guion bajo.")
    if role not in ROLES:
        raise ApiError(422, "bad-role", "El rol debe ser 'estatal' o 'drse'.")
    weak = check_password(password)
    if weak:
        raise ApiError(422, "weak-password", weak)
    region = find_region(session, region or "") if role == "drse" else None
    if session.scalar(select(StaffAccount).where(StaffAccount.username == username)):
        raise ApiError(409, "username-taken", f"Ya existe el usuario «{username}».")
    account = StaffAccount(username=username, display_name=display_name.strip() or username,
                           password_hash=hash_secret(password), role=role, region=region,
                           disabled=False, failed_attempts=0, locked_until=None,
                           session_key=secrets.token_hex(16), created_at=now,
                           must_change=must_change)
    session.add(account)
    session.flush()
    return account


def find_region(session: Session, name: str) -> str:
    """The DRSE as stored, matched without regard to case; 404 with the known names."""
    wanted = " ".join(name.split()).upper()
    names = list(session.scalars(select(Region.name).order_by(Region.name)))
    for known in names:
        if known.upper() == wanted:
            return known
    listed = "; ".join(names) if names else "ninguna: importe primero las escuelas de SCEJAL"
    raise ApiError(404, "drse-not-found", f"No existe la DRSE «{name}». DRSE conocidas: {listed}.")


def list_accounts(session: Session) -> list[StaffAccount]:
    return list(session.scalars(select(StaffAccount).order_by(StaffAccount.username)))


def find_account(session: Session, username: str) -> StaffAccount:
    account = session.scalar(select(StaffAccount).where(
        StaffAccount.username == normal_username(username)))
    if account is None:
        raise ApiError(404, "staff-not-found", f"No existe el usuario «{username}».")
    return account


def disable_account(session: Session, *, username: str) -> StaffAccount:
    """Disable an account and end its sessions (a new session key)."""
    account = find_account(session, username)
    account.disabled, account.session_key = True, secrets.token_hex(16)
    return account


def enable_account(session: Session, *, username: str) -> StaffAccount:
    """Enable a disabled account again (its old sessions stay ended); also lifts a lockout."""
    account = find_account(session, username)
    account.disabled, account.failed_attempts, account.locked_until = False, 0, None
    return account


_PASSWORD_LETTERS = "abcdefghjkmnpqrstuvwxyz23456789"


def new_password() -> str:
    """A random password to read aloud or copy: three groups of four, no 0/o/1/l/i.

    >>> p = new_password()
    >>> len(p), p.count("-"), check_password(p)
    (14, 2, None)
    """
    return "-".join("".join(secrets.choice(_PASSWORD_LETTERS) for _ in range(4))
                    for _ in range(3))


def reset_password(session: Session, *, username: str, password: str) -> StaffAccount:
    """Set a password chosen by the state office; the person must change it at next sign-in.

    Ends the account's sessions and lifts a lockout.
    """
    weak = check_password(password)
    if weak:
        raise ApiError(422, "weak-password", weak)
    account = find_account(session, username)
    account.password_hash, account.must_change = hash_secret(password), True
    account.failed_attempts, account.locked_until = 0, None
    account.session_key = secrets.token_hex(16)
    return account


def change_password(session: Session, *, account_id: int, current: str, new: str,
                    now: datetime) -> StaffAccount:
    """The person's own change: the current password, then a new one (not the same).

    Gives the account a new session key (other sessions end; the caller starts a new one)
    and records ``change-password``.
    """
    account = session.get(StaffAccount, account_id)
    if account is None or account.disabled:
        raise ApiError(401, "bad-sign-in", BAD_SIGN_IN)
    if not secret_matches(current, account.password_hash):
        raise ApiError(422, "wrong-password", "La contraseña actual no es correcta.")
    weak = check_password(new)
    if weak:
        raise ApiError(422, "weak-password", weak)
    if new == current:
        raise ApiError(422, "same-password", "La contraseña nueva debe ser distinta de la "
                                             "actual.")
    account.password_hash, account.must_change = hash_secret(new), False
    account.session_key = secrets.token_hex(16)
    record(session, staff=account.username, action="change-password",
           target=account.username, reason="", now=now)
    return account


def sign_in(session: Session, *, username: str, password: str, now: datetime) -> StaffAccount:
    """The account when the password matches; otherwise 401 with the one generic message.

    A locked account answers 423 with the time it opens again, even with the right password.
    The caller commits in both cases (the failure count must be kept).
    """
    account = session.scalar(select(StaffAccount).where(
        StaffAccount.username == normal_username(username)))
    if account is None or account.disabled:
        secret_matches(password, _DUMMY_HASH)  # same time as a real check: names stay secret
        raise ApiError(401, "bad-sign-in", BAD_SIGN_IN)
    if account.locked_until is not None and aware(account.locked_until) > now:
        raise ApiError(423, "account-locked", "", until=aware(account.locked_until))
    if not secret_matches(password, account.password_hash):
        account.failed_attempts += 1
        if account.failed_attempts >= MAX_FAILURES:
            account.failed_attempts, account.locked_until = 0, now + LOCKOUT
            session.add(StaffAction(at=now, staff=account.username, action="sign-in-locked",
                                    target=account.username,
                                    reason=f"{MAX_FAILURES} contraseñas incorrectas"))
            raise ApiError(423, "account-locked", "", until=account.locked_until)
        raise ApiError(401, "bad-sign-in", BAD_SIGN_IN)
    account.failed_attempts, account.locked_until, account.last_sign_in_at = 0, None, now
    session.add(StaffAction(at=now, staff=account.username, action="sign-in",
                            target=account.username, reason=""))
    return account


def end_sessions(session: Session, *, account_id: int) -> None:
    account = session.get(StaffAccount, account_id)
    if account is not None:
        account.session_key = secrets.token_hex(16)


def record(session: Session, *, staff: str, action: str, target: str, reason: str,
           now: datetime) -> None:
    """One line of the staff audit trail (``staff_actions``)."""
    session.add(StaffAction(at=now, staff=staff, action=action, target=target[:120],
                            reason=reason))


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
    def region_code(self) -> str | None:
        """The DRSE a listing is limited to, or None for everything."""
        return None if self.everything else self.region

    def ccts(self, session: Session) -> list[str] | None:
        """The schools in scope, or None for every school."""
        if self.everything:
            return None
        return list(session.scalars(select(School.cct).where(School.drse == self.region)))
