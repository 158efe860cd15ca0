"""Staff accounts of the web pages: the columns every program's account table has, and the
password policy applied to them.

Passwords are hashed with scrypt (:mod:`foundation.hashing`). ``MAX_FAILURES`` wrong
passwords in a row lock the account for ``LOCKOUT``; a password chosen by someone else (a new
account, a reset) must be changed by its owner at the next sign-in (``must_change``). Every
account has a random ``session_key`` that is part of each session cookie: a new key (sign-out,
disable, password change) ends every session of that account.

Roles and scope (central's DRSE, conalep's plantel) are the program's own columns and checks;
:class:`AccountBook` takes the extra column values as keyword arguments.

>>> normal_username("  Ana.Perez ")
'ana.perez'
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Boolean, DateTime, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from foundation.hashing import hash_secret, secret_matches
from foundation.web.refusal import Refusal

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD = 10
_USERNAME = re.compile(r"^[a-z0-9._-]{3,40}$")
_DUMMY_HASH = hash_secret("contraseña-que-nadie-tiene")
BAD_SIGN_IN = "Usuario o contraseña incorrectos."
_PASSWORD_LETTERS = "abcdefghjkmnpqrstuvwxyz23456789"


class StaffAccountMixin:
    """The columns of a staff account (the program adds ``role`` and its scope column)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean)
    failed_attempts: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    session_key: Mapped[str] = mapped_column(String(32))
    """Random; part of every session cookie. A new one ends all sessions (sign-out, disable)."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                             nullable=True)
    must_change: Mapped[bool] = mapped_column(Boolean, default=False)
    """The password was set by someone else (new account, reset): change it at next sign-in."""


class StaffActionMixin:
    """The columns of a line of the staff audit trail: when, what, to what and why (the
    program adds ``staff``, who, at the width its user names need)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text)


class Recorder(Protocol):
    """Writes one line of the program's staff audit trail."""

    def __call__(self, session: Session, *, staff: str, action: str, target: str, reason: str,
                 now: datetime) -> None: ...


A = TypeVar("A", bound=StaffAccountMixin)


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


def require_strong(password: str) -> None:
    weak = check_password(password)
    if weak:
        raise Refusal(422, "weak-password", weak)


def valid_username(username: str) -> str:
    """The normalised user name, or a refusal naming the allowed characters."""
    username = normal_username(username)
    if not _USERNAME.match(username):
        raise Refusal(422, "bad-username", "El usuario debe tener de 3 a 40 letras sin acento, "
                                           "números, punto, guion o guion bajo.")
    return username


def new_password() -> str:
    """A random password to read aloud or copy: three groups of four, no 0/o/1/l/i.

    >>> p = new_password()
    >>> len(p), p.count("-"), check_password(p)
    (14, 2, None)
    """
    return "-".join("".join(secrets.choice(_PASSWORD_LETTERS) for _ in range(4))
                    for _ in range(3))


class AccountBook(Generic[A]):
    """The account operations of one program's account table ``model``.

    ``record`` writes the program's audit trail (sign-ins, lockouts, password changes).
    """

    def __init__(self, model: type[A], record: Recorder) -> None:
        self.model, self.record = model, record

    def create(self, session: Session, *, username: str, password: str, display_name: str,
               now: datetime, must_change: bool = False, **columns: Any) -> A:
        """A new account; refuses a bad name, a weak password or a name already taken.

        ``columns``: the program's own columns (role, scope), already checked by the caller.
        """
        username = valid_username(username)
        require_strong(password)
        if session.scalar(select(self.model).where(self.model.username == username)):
            raise Refusal(409, "username-taken", f"Ya existe el usuario «{username}».")
        account = self.model(username=username, display_name=display_name.strip() or username,
                             password_hash=hash_secret(password), disabled=False, failed_attempts=0,
                             locked_until=None, session_key=secrets.token_hex(16),
                             created_at=now, must_change=must_change, **columns)
        session.add(account)
        session.flush()
        return account

    def list(self, session: Session) -> list[A]:
        return list(session.scalars(select(self.model).order_by(self.model.username)))

    def count(self, session: Session) -> int:
        return int(session.scalar(select(func.count()).select_from(self.model)) or 0)

    def find(self, session: Session, username: str) -> A:
        account = session.scalar(select(self.model).where(
            self.model.username == normal_username(username)))
        if account is None:
            raise Refusal(404, "staff-not-found", f"No existe el usuario «{username}».")
        return account

    def disable(self, session: Session, *, username: str) -> A:
        """Disable an account and end its sessions (a new session key)."""
        account = self.find(session, username)
        account.disabled, account.session_key = True, secrets.token_hex(16)
        return account

    def enable(self, session: Session, *, username: str) -> A:
        """Enable a disabled account again (its old sessions stay ended); lifts a lockout."""
        account = self.find(session, username)
        account.disabled, account.failed_attempts, account.locked_until = False, 0, None
        return account

    def reset_password(self, session: Session, *, username: str, password: str) -> A:
        """A password chosen by the office; the person must change it at the next sign-in.

        Ends the account's sessions and lifts a lockout.
        """
        require_strong(password)
        account = self.find(session, username)
        account.password_hash, account.must_change = hash_secret(password), True
        account.failed_attempts, account.locked_until = 0, None
        account.session_key = secrets.token_hex(16)
        return account

    def change_password(self, session: Session, *, account_id: int, current: str, new: str,
                        now: datetime) -> A:
        """The person's own change: the current password, then a new one (not the same).

        Gives the account a new session key (other sessions end; the caller starts a new one)
        and records ``change-password``.
        """
        account = session.get(self.model, account_id)
        if account is None or account.disabled:
            raise Refusal(401, "bad-sign-in", BAD_SIGN_IN)
        if not secret_matches(current, account.password_hash):
            raise Refusal(422, "wrong-password", "La contraseña actual no es correcta.")
        require_strong(new)
        if new == current:
            raise Refusal(422, "same-password", "La contraseña nueva debe ser distinta de la "
                                                "actual.")
        account.password_hash, account.must_change = hash_secret(new), False
        account.session_key = secrets.token_hex(16)
        self.record(session, staff=account.username, action="change-password",
                    target=account.username, reason="", now=now)
        return account

    def sign_in(self, session: Session, *, username: str, password: str, now: datetime) -> A:
        """The account when the password matches; otherwise 401 with the one generic message.

        A locked account answers 423 (``extra["until"]``: when it opens), even with the right
        password. The caller commits in both cases (the failure count must be kept).
        """
        account = session.scalar(select(self.model).where(
            self.model.username == normal_username(username)))
        if account is None or account.disabled:
            secret_matches(password, _DUMMY_HASH)  # same time as a real check: names stay secret
            raise Refusal(401, "bad-sign-in", BAD_SIGN_IN)
        if account.locked_until is not None and aware(account.locked_until) > now:
            raise Refusal(423, "account-locked", "", until=aware(account.locked_until))
        if not secret_matches(password, account.password_hash):
            account.failed_attempts += 1
            if account.failed_attempts >= MAX_FAILURES:
                account.failed_attempts, account.locked_until = 0, now + LOCKOUT
                self.record(session, staff=account.username, action="sign-in-locked",
                            target=account.username,
                            reason=f"{MAX_FAILURES} contraseñas incorrectas", now=now)
                raise Refusal(423, "account-locked", "", until=account.locked_until)
            raise Refusal(401, "bad-sign-in", BAD_SIGN_IN)
        account.failed_attempts, account.locked_until, account.last_sign_in_at = 0, None, now
        self.record(session, staff=account.username, action="sign-in",
                    target=account.username, reason="", now=now)
        return account

    def end_sessions(self, session: Session, *, account_id: int) -> None:
        account = session.get(self.model, account_id)
        if account is not None:
            account.session_key = secrets.token_hex(16)
