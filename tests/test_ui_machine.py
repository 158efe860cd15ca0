"""The kiosk's state machine and screen sizes: pure Python, no window."""

from __future__ import annotations

import math

import pytest

from station.services.accounts import Role, SignedIn
from station.ui.machine import (
    ANYWHERE,
    PERMISSION_OF,
    TRANSITIONS,
    IllegalTransition,
    Machine,
    NotPermitted,
    State,
    Transition,
)
from station.ui.theme import MIN_TOUCH_MM, make_theme, mm_to_px

OPERATOR = SignedIn(1, "Ana", Role.OPERATOR)
DIRECTOR = SignedIn(2, "Luis", Role.DIRECTOR)


def test_every_state_is_described() -> None:
    assert set(TRANSITIONS) == set(State) == set(PERMISSION_OF)
    for state, targets in TRANSITIONS.items():
        assert State.FAILSAFE not in targets or state is State.FAILSAFE
    assert TRANSITIONS[State.FAILSAFE] == frozenset()  # only recover() leaves it


def test_protected_state_goes_through_sign_in_and_continues() -> None:
    seen: list[Transition] = []
    machine = Machine(on_change=seen.append)
    assert machine.go(State.ROSTER, cct="14DPR0001A").target is State.SIGN_IN
    after = machine.signed_in(OPERATOR)
    assert (after.target, after.params) == (State.ROSTER, {"cct": "14DPR0001A"})
    assert [t.target for t in seen] == [State.SIGN_IN, State.ROSTER]
    assert machine.back().target is State.HOME  # the way back skips the sign-in screen


def test_public_states_need_no_sign_in() -> None:
    machine = Machine()
    assert machine.go(State.VERIFY).target is State.VERIFY
    assert machine.go(State.VERIFY_RESULT).target is State.VERIFY_RESULT
    assert machine.user is None


def test_role_refusal_changes_nothing() -> None:
    machine = Machine()
    machine.go(State.SIGN_IN)
    machine.signed_in(OPERATOR)
    with pytest.raises(NotPermitted, match="director"):
        machine.go(State.SETTINGS)
    assert machine.state is State.HOME
    machine.sign_out()
    machine.go(State.SIGN_IN)
    machine.signed_in(DIRECTOR)
    assert machine.go(State.SETTINGS).target is State.SETTINGS
    assert machine.go(State.CALIBRATION).target is State.CALIBRATION


def test_only_listed_transitions() -> None:
    machine = Machine(); machine.go(State.SIGN_IN); machine.signed_in(OPERATOR)  # noqa: E702
    machine.go(State.ROSTER)
    with pytest.raises(IllegalTransition):
        machine.go(State.PRINT_REVIEW)  # must come from progress or home
    for target in ANYWHERE:
        assert target in (State.HOME, State.FAILSAFE, State.PRINT_PROGRESS)


def test_back_follows_the_path_and_cuts_loops() -> None:
    machine = Machine(); machine.go(State.SIGN_IN); machine.signed_in(OPERATOR)  # noqa: E702
    machine.go(State.ROSTER, cct="A")
    machine.go(State.STUDENT, curp="X")
    machine.go(State.PHOTO, curp="X")
    machine.go(State.STUDENT, curp="X")  # approving the photo returns to the student
    back = machine.back()
    assert (back.target, back.params, back.back) == (State.ROSTER, {"cct": "A"}, True)
    assert machine.back().target is State.HOME
    assert not machine.can_go_back


def test_failsafe_and_recover_keep_the_user() -> None:
    machine = Machine(); machine.go(State.SIGN_IN); machine.signed_in(OPERATOR)  # noqa: E702
    machine.go(State.ROSTER)
    failed = machine.fail("AB12CD34")
    assert (failed.target, failed.params) == (State.FAILSAFE, {"reference": "AB12CD34"})
    with pytest.raises(IllegalTransition):
        machine.go(State.ROSTER)
    assert machine.recover().target is State.HOME and machine.user == OPERATOR


def test_sign_out_forgets_the_pending_target() -> None:
    machine = Machine()
    machine.go(State.SETTINGS)
    machine.sign_out()
    machine.go(State.SIGN_IN)
    assert machine.signed_in(OPERATOR).target is State.HOME


@pytest.mark.parametrize("size", [(800, 480), (1280, 800), (1024, 600), (1920, 1080)])
def test_touch_targets_are_at_least_9_mm(size: tuple[int, int]) -> None:
    theme = make_theme(*size)
    assert theme.touch >= mm_to_px(MIN_TOUCH_MM, theme.dpi)
    assert theme.bar_height > theme.touch
    assert theme.font_body >= mm_to_px(3.3, theme.dpi)  # ~10 pt at arm's length
    assert theme.compact is (size[1] < 600)


def test_screen_size_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATION_SCREEN_INCHES", "15.6")
    big = make_theme(800, 480)
    monkeypatch.delenv("STATION_SCREEN_INCHES")
    assert big.dpi < make_theme(800, 480).dpi
    assert make_theme(1000, 700, reported_dpi=200).dpi == 200


def test_screen_size_from_the_setting_and_the_env_override(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from station.core.settings import SETTINGS_BY_KEY

    monkeypatch.delenv("STATION_SCREEN_INCHES", raising=False)
    assert SETTINGS_BY_KEY["kiosk.screen_inches"].default == 7.0
    seven, big = make_theme(800, 480, inches=7.0), make_theme(800, 480, inches=15.6)
    assert big.dpi == pytest.approx(math.hypot(800, 480) / 15.6) and big.dpi < seven.dpi
    # Left at its default, a 10" panel's resolution keeps its usual diagonal.
    assert make_theme(1280, 800, inches=7.0).dpi == pytest.approx(math.hypot(1280, 800) / 10.1)
    monkeypatch.setenv("STATION_SCREEN_INCHES", "10.1")
    assert make_theme(800, 480, inches=15.6).dpi == pytest.approx(math.hypot(800, 480) / 10.1)


def test_admin_screens_follow_the_service_roles() -> None:
    admin = SignedIn(3, "Sofía", Role.ADMIN)
    machine = Machine()
    machine.go(State.SIGN_IN)
    machine.signed_in(DIRECTOR)
    machine.go(State.SETTINGS)
    with pytest.raises(NotPermitted):
        machine.go(State.USERS)  # the station's users are the DRSE administrator's
    machine.sign_out()
    machine.go(State.SIGN_IN)
    machine.signed_in(admin)
    machine.go(State.SETTINGS)
    assert machine.go(State.USERS).target is State.USERS
    machine.sign_out()
    machine.go(State.SIGN_IN)
    machine.signed_in(OPERATOR)
    assert machine.go(State.SCHOOL_REPORT).target is State.SCHOOL_REPORT
    assert machine.go(State.HOME).target is State.HOME
    assert machine.go(State.HOLOGRAMS).target is State.HOLOGRAMS  # a damaged one: anyone


def test_inactivity_sign_out_tells_home_why() -> None:
    machine = Machine()
    machine.go(State.SIGN_IN)
    machine.signed_in(OPERATOR)
    idle = machine.sign_out(idle_seconds=300.0)
    assert (idle.target, idle.params, machine.user) == (State.HOME, {"idle_seconds": 300.0}, None)
    machine.go(State.SIGN_IN)
    machine.signed_in(OPERATOR)
    assert machine.sign_out().params == {}  # the sign-out button: nothing to explain
