"""Kiosk users: PIN rules, the slow hash, sign-in with lockout, roles, the ``station users`` CLI."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from foundation.errors import InputError, NotFound, RuleViolation
from foundation.hashing import hash_secret, secret_matches
from station.cli import main
from station.services import accounts
from station.services.accounts import Role, SignInRefused
from station.services.station import Station, open_station


@pytest.fixture
def station(tmp_path: Path) -> Station:
    opened = open_station(tmp_path / "station")
    yield opened
    opened.close()


class Clock:
    """A settable clock (seconds): the lockout is about time, and tests must not sleep."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _events(station: Station, kind: str) -> list[dict[str, object]]:
    with station.db.read() as conn:
        return [json.loads(r[0]) for r in conn.execute(
            "SELECT payload FROM events WHERE kind = ? ORDER BY seq", (kind,))]


def test_pin_rules() -> None:
    assert accounts.check_pin("4826") is None
    assert accounts.check_pin("48261937") is None
    for weak in ("123", "123456789", "12a4", "1234", "4321", "0000", "98765"):
        assert accounts.check_pin(weak), weak


def test_hash_is_salted_scrypt_and_never_the_pin() -> None:
    one, two = hash_secret("4826"), hash_secret("4826")
    assert one != two  # a fresh salt each time
    assert one.startswith("scrypt$16384$8$1$") and "4826" not in one
    assert secret_matches("4826", one) and secret_matches("4826", two)
    assert not secret_matches("4827", one)
    assert not secret_matches("4826", "plain$4826")
    assert not secret_matches("4826", "scrypt$x$y")


def test_add_user_refusals_leave_nothing(station: Station) -> None:
    accounts.add_user(station, "Ana Ramírez", "operator", "4826")
    with pytest.raises(InputError, match="Ya existe"):
        accounts.add_user(station, "ana  RAMÍREZ", "director", "7391")
    with pytest.raises(InputError, match="serie seguida"):
        accounts.add_user(station, "Luis", "director", "1234")
    with pytest.raises(InputError, match="rol"):
        accounts.add_user(station, "Luis", "secretario", "7391")
    with pytest.raises(InputError, match="nombre"):
        accounts.add_user(station, "L", "director", "7391")
    users = accounts.list_users(station)
    assert [u.name for u in users] == ["Ana Ramírez"]
    assert len(_events(station, "kiosk_user_added")) == 1
    with sqlite3.connect(station.db.path) as conn:
        stored = conn.execute("SELECT pin_hash FROM kiosk_users").fetchone()[0]
    assert "4826" not in stored and secret_matches("4826", stored)


def test_sign_in_and_lockout(station: Station) -> None:
    station.settings["kiosk.pin_max_attempts"] = 3
    station.settings["kiosk.lockout_s"] = 300.0
    user = accounts.add_user(station, "Ana Ramírez", "operator", "4826")
    clock = Clock()
    signed = accounts.authenticate(station, user.id, "4826", clock=clock)
    assert (signed.name, signed.role, signed.may("print"), signed.may("settings")) == \
        ("Ana Ramírez", Role.OPERATOR, True, False)
    with pytest.raises(SignInRefused) as first:
        accounts.authenticate(station, user.id, "0000", clock=clock)
    assert first.value.attempts_left == 2 and "2 intentos" in first.value.user_message()
    with pytest.raises(SignInRefused) as second:
        accounts.authenticate(station, user.id, "1111", clock=clock)
    assert second.value.attempts_left == 1 and "1 intento " in second.value.user_message()
    with pytest.raises(SignInRefused, match="bloqueado") as third:
        accounts.authenticate(station, user.id, "2222", clock=clock)
    assert third.value.locked_for_s == 300.0
    # Locked: even the right PIN is refused, and the refusal says how long to wait.
    clock.now += 100
    with pytest.raises(SignInRefused) as locked:
        accounts.authenticate(station, user.id, "4826", clock=clock)
    assert "Espere 3 minutos" in locked.value.user_message()
    assert len(_events(station, "kiosk_user_locked")) == 1
    # After the lockout the count starts again from zero.
    clock.now += 201
    with pytest.raises(SignInRefused) as again:
        accounts.authenticate(station, user.id, "9999", clock=clock)
    assert again.value.attempts_left == 2
    assert accounts.authenticate(station, user.id, "4826", clock=clock).id == user.id
    with station.db.read() as conn:
        row = conn.execute("SELECT failed_attempts, locked_until, last_sign_in FROM "
                           "kiosk_users").fetchone()
    assert row[0] == 0 and row[1] is None and row[2]


def test_lockout_survives_a_restart(tmp_path: Path) -> None:
    folder = tmp_path / "station"
    station = open_station(folder)
    station.settings["kiosk.pin_max_attempts"] = 1
    user = accounts.add_user(station, "Ana Ramírez", "operator", "4826")
    with pytest.raises(SignInRefused, match="bloqueado"):
        accounts.authenticate(station, user.id, "0000")
    station.close()
    reopened = open_station(folder)
    try:
        with pytest.raises(SignInRefused, match="bloqueado"):
            accounts.authenticate(reopened, user.id, "4826")
    finally:
        reopened.close()


def test_disable_enable_and_last_admin(station: Station) -> None:
    admin = accounts.add_user(station, "Sofía", "admin", "5173")
    ana = accounts.add_user(station, "Ana", "operator", "4826")
    with pytest.raises(RuleViolation, match="único administrador"):
        accounts.set_user_active(station, "Sofía", False)
    assert not accounts.set_user_active(station, str(ana.id), False).active
    with pytest.raises(SignInRefused, match="desactivado"):
        accounts.authenticate(station, ana.id, "4826")
    assert [u.name for u in accounts.list_users(station, active_only=True)] == ["Sofía"]
    assert accounts.set_user_active(station, "ana", True).active
    accounts.add_user(station, "Otra Admin", "admin", "9157")
    assert not accounts.set_user_active(station, str(admin.id), False).active
    with pytest.raises(NotFound):
        accounts.set_user_active(station, "Nadie", False)


def test_new_pin_lifts_the_lockout(station: Station) -> None:
    station.settings["kiosk.pin_max_attempts"] = 1
    user = accounts.add_user(station, "Ana", "operator", "4826")
    with pytest.raises(SignInRefused, match="bloqueado"):
        accounts.authenticate(station, user.id, "0000")
    accounts.change_pin(station, "Ana", "5937")
    assert accounts.authenticate(station, user.id, "5937").id == user.id
    with pytest.raises(SignInRefused):
        accounts.authenticate(station, user.id, "4826")


def test_roles_and_permissions() -> None:
    assert accounts.allowed("operator", "print") and accounts.allowed("operator", "request")
    for action in ("settings", "calibration", "decline", "loss", "replacement", "users"):
        assert not accounts.allowed("operator", action), action
    assert accounts.allowed("director", "settings") and not accounts.allowed("director", "users")
    assert all(accounts.allowed("admin", a) for a in accounts.PERMISSIONS)
    assert not accounts.allowed(None, "print") and not accounts.allowed("admin", "unknown")


def test_users_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    data = ["--data", str(tmp_path / "station")]
    added = runner.invoke(main, [*data, "users", "add", "Lic. Sofía Navarro", "--role", "admin",
                                 "--pin-stdin", "--json"], input="5173\n")
    assert added.exit_code == 0, added.output
    user = json.loads(added.output)
    assert user["role"] == "admin" and user["active"] is True and "pin" not in added.output
    prompted = runner.invoke(main, [*data, "users", "add", "Ana", "--role", "operator"],
                             input="4826\n4826\n")
    assert prompted.exit_code == 0 and "Operador(a)" in prompted.output
    weak = runner.invoke(main, [*data, "users", "add", "Luis", "--role", "director",
                                "--pin-stdin"], input="1111\n")
    assert weak.exit_code == 1 and "PIN" in weak.output
    disabled = runner.invoke(main, [*data, "users", "disable", "Ana", "--json"])
    assert disabled.exit_code == 0 and json.loads(disabled.output)["active"] is False
    listed = runner.invoke(main, [*data, "users", "list", "--json"])
    assert [(u["name"], u["active"]) for u in json.loads(listed.output)] == \
        [("Ana", False), ("Lic. Sofía Navarro", True)]
    text = runner.invoke(main, [*data, "users", "list"])
    assert "DESACTIVADO" in text.output and "Administrador(a) DRSE" in text.output
    last = runner.invoke(main, [*data, "users", "disable", "Lic. Sofía Navarro"])
    assert last.exit_code == 1 and "único administrador" in last.output
    new_pin = runner.invoke(main, [*data, "users", "set-pin", "Ana", "--pin-stdin"],
                            input="9462\n")
    assert new_pin.exit_code == 0 and "PIN de «Ana» cambiado" in new_pin.output
    help_text = runner.invoke(main, ["kiosk", "--help"])
    assert help_text.exit_code == 0 and "--size" in help_text.output
