"""Kiosk users: personal PINs, roles and what each role may do on the touchscreen.

Roles (seed 004 gives some decisions to the school's director):

- ``operator`` — school or DRSE staff who photograph, print and verify;
- ``director`` — the school's director: also settings, calibration, declines, losses,
  replacements;
- ``admin`` — the DRSE administrator: everything, including the station's users.

PINs are 4 to 8 digits, stored only as an scrypt hash (:mod:`foundation.hashing`). After
``kiosk.pin_max_attempts`` wrong PINs in a row the user is locked out for ``kiosk.lockout_s``
seconds; the count lives in the ledger, so restarting the kiosk does not reset it.

>>> allowed(Role.OPERATOR, "print"), allowed(Role.OPERATOR, "settings")
(True, False)
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

from foundation.errors import InputError, RuleViolation
from foundation.hashing import hash_secret, secret_matches
from station.services.station import Station
from station.store import users as store
from station.store.users import UserRecord


class Role(enum.StrEnum):
    OPERATOR = "operator"
    DIRECTOR = "director"
    ADMIN = "admin"


ROLE_LABELS_ES = {
    Role.OPERATOR: "Operador(a)",
    Role.DIRECTOR: "Director(a) de escuela",
    Role.ADMIN: "Administrador(a) DRSE",
}

_ALL = frozenset(Role)
_HEADS = frozenset({Role.DIRECTOR, Role.ADMIN})
PERMISSIONS: dict[str, frozenset[Role]] = {
    "roster": _ALL,
    "photo": _ALL,
    "print": _ALL,
    "holograms": _ALL,
    "request": _ALL,        # a request is recorded by whoever receives it (normativo 4)
    "supplies": _ALL,
    "sync": _ALL,
    "report": _ALL,
    "decline": _HEADS,      # normativo 4: the director decides
    "loss": _HEADS,         # normativo 8: reported to the school's direction
    "replacement": _HEADS,  # normativo 9: the director receives the fee receipt
    "settings": _HEADS,
    "calibration": _HEADS,
    "users": frozenset({Role.ADMIN}),
}
"""Action → roles allowed. Verifying a card needs no sign-in (anyone may check a card)."""

PIN_LENGTH = (4, 8)


def allowed(role: Role | str | None, action: str) -> bool:
    """Whether ``role`` may do ``action``; unknown actions are refused.

    >>> allowed("admin", "users"), allowed(None, "print")
    (True, False)
    """
    if role is None:
        return False
    return Role(role) in PERMISSIONS.get(action, frozenset())


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who is signed in on the kiosk."""

    id: int
    name: str
    role: Role

    @property
    def role_label(self) -> str:
        return ROLE_LABELS_ES[self.role]

    def may(self, action: str) -> bool:
        return allowed(self.role, action)


class SignInRefused(RuleViolation):
    """A wrong PIN, a locked or disabled user. ``attempts_left`` / ``locked_for_s`` say more."""

    def __init__(self, message: str, *, way_out: str | None = None, attempts_left: int = 0,
                 locked_for_s: float = 0.0) -> None:
        super().__init__(message, way_out=way_out)
        self.attempts_left = attempts_left
        self.locked_for_s = locked_for_s


def check_pin(pin: str) -> str | None:
    """Why ``pin`` cannot be a PIN, in Spanish, or None when it can.

    >>> check_pin("1234"), check_pin("4826")
    ('El PIN no puede ser una serie seguida como 1234 ni repetir un dígito.', None)
    """
    if not pin.isdigit() or not PIN_LENGTH[0] <= len(pin) <= PIN_LENGTH[1]:
        return f"El PIN debe tener de {PIN_LENGTH[0]} a {PIN_LENGTH[1]} números."
    steps = {int(b) - int(a) for a, b in pairwise(pin)}
    if len(steps) == 1 and steps <= {-1, 0, 1}:
        return "El PIN no puede ser una serie seguida como 1234 ni repetir un dígito."
    return None


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not 2 <= len(cleaned) <= 60:
        raise InputError("El nombre del usuario debe tener de 2 a 60 letras.",
                         way_out="Escriba el nombre con el que el personal lo reconoce.")
    return cleaned


def add_user(station: Station, name: str, role: Role | str, pin: str) -> UserRecord:
    """Create a kiosk user; refuses a repeated name, an unknown role or a weak PIN."""
    name = _clean_name(name)
    try:
        role = Role(role)
    except ValueError:
        raise InputError(f"El rol «{role}» no existe.",
                         way_out="Use operator, director o admin.") from None
    problem = check_pin(pin)
    if problem:
        raise InputError(problem, way_out="Elija otro PIN.")
    hashed = hash_secret(pin)
    with station.db.write() as conn:
        if store.name_taken(conn, name):
            raise InputError(f"Ya existe un usuario llamado «{name}».",
                             way_out="Use otro nombre (por ejemplo con el apellido).")
        user_id = store.insert_user(conn, name=name, role=role.value, pin_hash=hashed)
        return store.get_user(conn, user_id)


class SetupDone(RuleViolation):
    """The station already has users: the first-run setup is over."""


def add_first_admin(station: Station, name: str, pin: str) -> UserRecord:
    """The station's first DRSE administrator, created without anyone signed in.

    Allowed only while the station has no user at all; the check and the insert are one
    IMMEDIATE transaction, so two taps (or two kiosks) cannot both create a first admin.
    """
    name = _clean_name(name)
    problem = check_pin(pin)
    if problem:
        raise InputError(problem, way_out="Elija otro PIN.")
    hashed = hash_secret(pin)
    with station.db.write() as conn:
        if store.list_users(conn):
            raise SetupDone("Esta estación ya tiene usuarios; la configuración inicial ya se hizo.",
                            way_out="Inicie sesión con su nombre y su PIN; los usuarios nuevos "
                                    "los agrega el administrador de la DRSE en Ajustes > "
                                    "Usuarios.")
        user_id = store.insert_user(conn, name=name, role=Role.ADMIN.value, pin_hash=hashed)
        return store.get_user(conn, user_id)


def needs_setup(station: Station) -> bool:
    """True while the station has no kiosk user (active or not): the first-run setup is due."""
    with station.db.read() as conn:
        return not store.list_users(conn)


def list_users(station: Station, *, active_only: bool = False) -> list[UserRecord]:
    with station.db.read() as conn:
        return store.list_users(conn, active_only=active_only)


def set_user_active(station: Station, name_or_id: str, active: bool) -> UserRecord:
    """Disable (or enable again) a user. The last active administrator cannot be disabled."""
    with station.db.write() as conn:
        user = store.find_user(conn, name_or_id)
        if not active and user.active and user.role == Role.ADMIN:
            admins = [u for u in store.list_users(conn, active_only=True) if u.role == Role.ADMIN]
            if len(admins) == 1:
                raise RuleViolation(
                    f"«{user.name}» es el único administrador activo; no se puede desactivar.",
                    way_out="Primero agregue otro administrador.")
        if user.active != active:
            store.set_active(conn, user.id, active)
        return store.get_user(conn, user.id)


def change_pin(station: Station, name_or_id: str, pin: str) -> UserRecord:
    problem = check_pin(pin)
    if problem:
        raise InputError(problem, way_out="Elija otro PIN.")
    hashed = hash_secret(pin)
    with station.db.write() as conn:
        user = store.find_user(conn, name_or_id)
        store.set_pin(conn, user.id, hashed)
        return store.get_user(conn, user.id)


def _minutes(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return "1 minuto" if minutes == 1 else f"{minutes} minutos"


def authenticate(station: Station, user_id: int, pin: str, *,
                 clock: Callable[[], float] = time.time) -> SignedIn:
    """Check a user's PIN; raise :class:`SignInRefused` with attempts left or the lockout.

    The slow hash runs outside the write transaction; the attempt is recorded in one.
    """
    max_attempts = int(station.settings["kiosk.pin_max_attempts"])
    lockout_s = float(station.settings["kiosk.lockout_s"])
    with station.db.read() as conn:
        user = store.get_user(conn, user_id)
        stored = store.pin_hash(conn, user_id)
    if not user.active:
        raise SignInRefused(f"El usuario «{user.name}» está desactivado.",
                            way_out="Pida al administrador de la DRSE que lo active.")
    now = clock()
    if user.locked_until is not None and now < user.locked_until:
        left = user.locked_until - now
        raise SignInRefused(
            f"Demasiados intentos con PIN equivocado. «{user.name}» está bloqueado.",
            way_out=f"Espere {_minutes(left)} y vuelva a intentar.", locked_for_s=left)
    good = secret_matches(pin, stored)
    # Record the attempt, then refuse: an exception inside the transaction would roll the
    # failed attempt back and the lockout would never come.
    with station.db.write() as conn:
        current = store.get_user(conn, user_id)
        failed = 0 if current.locked_until is not None else current.failed_attempts
        if good:
            store.record_success(conn, user_id)
        else:
            failed += 1
            locks = failed >= max_attempts
            store.record_failure(conn, user_id, failed_attempts=0 if locks else failed,
                                 locked_until=now + lockout_s if locks else None)
    if good:
        return SignedIn(user.id, user.name, Role(user.role))
    if failed >= max_attempts:
        raise SignInRefused(
            f"PIN equivocado {failed} veces. «{user.name}» queda bloqueado.",
            way_out=f"Espere {_minutes(lockout_s)} y vuelva a intentar.",
            locked_for_s=lockout_s)
    left = max_attempts - failed
    raise SignInRefused(
        "PIN equivocado.",
        way_out=("Le queda 1 intento antes del bloqueo." if left == 1
                 else f"Le quedan {left} intentos antes del bloqueo."),
        attempts_left=left)
