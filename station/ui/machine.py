"""The kiosk's explicit state machine: which screen may follow which, who may see it, FAILSAFE.

Pure Python (no Kivy), so every rule of navigation is tested in milliseconds:

- each state names the permission it needs (:data:`PERMISSION_OF`, checked with
  :func:`station.services.accounts.allowed`); verifying a card and the home screen need none;
- going to a protected state while nobody is signed in goes to ``SIGN_IN`` first and continues
  there after the PIN;
- only the transitions in :data:`TRANSITIONS` are allowed, plus ``HOME``, ``FAILSAFE`` and the
  print progress (from the top bar) from anywhere; ``FAILSAFE`` leads only back to ``HOME``;
- ``back()`` returns along the path taken.

>>> m = Machine()
>>> m.go(State.ROSTER).target
<State.SIGN_IN: 'sign_in'>
>>> from station.services.accounts import Role, SignedIn
>>> m.signed_in(SignedIn(1, "Ana", Role.OPERATOR)).target
<State.ROSTER: 'roster'>
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from foundation.errors import RuleViolation
from station.services.accounts import SignedIn, allowed


class State(enum.StrEnum):
    HOME = "home"
    SIGN_IN = "sign_in"
    SCHOOLS = "schools"
    ROSTER = "roster"
    STUDENT = "student"
    PRINT_PREVIEW = "print_preview"
    PRINT_PROGRESS = "print_progress"
    PRINT_REVIEW = "print_review"
    VERIFY = "verify"
    VERIFY_RESULT = "verify_result"
    SETTINGS = "settings"
    PRINTER = "printer"
    CALIBRATION = "calibration"
    CAMERA = "camera"
    SYNC = "sync"
    REPORT = "report"
    PHOTO = "photo"
    HOLOGRAMS = "holograms"
    LIFECYCLE = "lifecycle"
    SUPPLIES = "supplies"
    USERS = "users"
    SCHOOL_REPORT = "school_report"
    FAILSAFE = "failsafe"


# The printer screen needs only "print": whoever prints may resume a stopped queue there (issue
# 16); its specimen sheet and choice of queue ask for "settings" on the screen itself.
PERMISSION_OF: dict[State, str | None] = {
    State.HOME: None, State.SIGN_IN: None, State.VERIFY: None, State.VERIFY_RESULT: None,
    State.FAILSAFE: None,
    State.SCHOOLS: "roster", State.ROSTER: "roster", State.STUDENT: "roster",
    State.PRINT_PREVIEW: "print", State.PRINT_PROGRESS: "print", State.PRINT_REVIEW: "print",
    State.SETTINGS: "settings", State.PRINTER: "print", State.CALIBRATION: "calibration",
    State.CAMERA: "settings", State.SYNC: "sync", State.REPORT: "report",
    State.PHOTO: "photo", State.HOLOGRAMS: "holograms", State.LIFECYCLE: "roster",
    State.SUPPLIES: "supplies", State.USERS: "users", State.SCHOOL_REPORT: "roster",
}  # fmt: skip

TRANSITIONS: dict[State, frozenset[State]] = {
    State.HOME: frozenset({State.SIGN_IN, State.VERIFY, State.SCHOOLS, State.ROSTER,
                           State.SETTINGS, State.SYNC, State.REPORT, State.PRINT_REVIEW,
                           State.HOLOGRAMS, State.SUPPLIES, State.SCHOOL_REPORT}),
    State.SIGN_IN: frozenset(),  # continues with signed_in()
    State.SCHOOLS: frozenset({State.ROSTER, State.HOLOGRAMS, State.SCHOOL_REPORT}),
    State.ROSTER: frozenset({State.SCHOOLS, State.STUDENT, State.PRINT_PREVIEW, State.PHOTO,
                             State.HOLOGRAMS}),
    State.STUDENT: frozenset({State.PRINT_PREVIEW, State.PHOTO, State.LIFECYCLE,
                              State.HOLOGRAMS}),
    State.PRINT_PREVIEW: frozenset({State.PRINT_PROGRESS}),
    State.PRINT_PROGRESS: frozenset({State.PRINT_REVIEW, State.PRINTER}),
    State.PRINT_REVIEW: frozenset({State.PRINT_PREVIEW, State.PRINT_PROGRESS, State.ROSTER}),
    State.VERIFY: frozenset({State.VERIFY_RESULT}),
    State.VERIFY_RESULT: frozenset({State.VERIFY, State.STUDENT}),
    State.SETTINGS: frozenset({State.PRINTER, State.CALIBRATION, State.CAMERA, State.SYNC,
                               State.USERS}),
    State.PRINTER: frozenset({State.CALIBRATION}),
    State.CALIBRATION: frozenset({State.PRINTER}),
    State.CAMERA: frozenset(),
    State.SYNC: frozenset(),
    State.REPORT: frozenset(),
    State.PHOTO: frozenset({State.STUDENT}),
    State.HOLOGRAMS: frozenset({State.STUDENT}),
    State.LIFECYCLE: frozenset({State.PRINT_PREVIEW}),
    State.SUPPLIES: frozenset(),
    State.USERS: frozenset(),
    State.SCHOOL_REPORT: frozenset(),
    State.FAILSAFE: frozenset(),
}
ANYWHERE = frozenset({State.HOME, State.FAILSAFE, State.PRINT_PROGRESS})
"""Reachable from every state: home, the failsafe, and the running print job (top bar)."""


class IllegalTransition(Exception):
    """A screen asked for a transition the machine does not have: a programming error."""


class NotPermitted(RuleViolation):
    """The signed-in user's role may not open that screen."""


@dataclass(frozen=True, slots=True)
class Transition:
    source: State
    target: State
    params: dict[str, Any] = field(default_factory=dict)
    back: bool = False


class Machine:
    """Where the kiosk is, who is signed in, and the way back."""

    def __init__(self, on_change: Callable[[Transition], None] | None = None) -> None:
        self.state = State.HOME
        self.user: SignedIn | None = None
        self._on_change = on_change
        self._stack: list[tuple[State, dict[str, Any]]] = []
        self._params: dict[str, Any] = {}
        self._pending: tuple[State, dict[str, Any]] | None = None

    @property
    def params(self) -> dict[str, Any]:
        return dict(self._params)

    @property
    def path(self) -> list[tuple[State, dict[str, Any]]]:
        """The states ``back()`` would return to, oldest first."""
        return list(self._stack)

    @property
    def can_go_back(self) -> bool:
        return bool(self._stack) and self.state not in (State.HOME, State.FAILSAFE)

    def may_open(self, state: State) -> bool:
        """Whether the signed-in user (or anyone, for public states) may see ``state``."""
        need = PERMISSION_OF[state]
        return need is None or allowed(self.user.role if self.user else None, need)

    def go(self, target: State, **params: Any) -> Transition:
        if target not in ANYWHERE and target not in TRANSITIONS[self.state]:
            raise IllegalTransition(f"{self.state} -> {target}")
        need = PERMISSION_OF[target]
        if need is not None and self.user is None:
            self._pending = (target, params)
            return self._move(State.SIGN_IN, {}, push=True)
        if not self.may_open(target):
            raise NotPermitted("Esta tarea es solo para el director(a) de la escuela o el "
                               "administrador(a) de la DRSE.",
                               way_out="Pida a quien corresponda que inicie sesión.")
        return self._move(target, params, push=True)

    def back(self) -> Transition:
        if not self._stack:
            return self._move(State.HOME, {}, push=False)
        target, params = self._stack.pop()
        if target is State.SIGN_IN:
            return self.back()
        return self._move(target, params, push=False, back=True)

    def signed_in(self, user: SignedIn) -> Transition:
        """After the PIN: continue to where the user was going, or home."""
        if self.state is not State.SIGN_IN:
            raise IllegalTransition(f"signed_in in {self.state}")
        self.user = user
        pending, self._pending = self._pending, None
        if pending and self.may_open(pending[0]):
            return self._move(pending[0], pending[1], push=False)
        return self._move(State.HOME, {}, push=False)

    def sign_out(self, *, idle_seconds: float | None = None) -> Transition:
        """Back home signed out; ``idle_seconds`` when inactivity did it (home says so)."""
        self.user = None
        self._pending = None
        params = {} if idle_seconds is None else {"idle_seconds": idle_seconds}
        return self._move(State.HOME, params, push=False)

    def fail(self, reference: str) -> Transition:
        """Any unexpected error: show the recoverable error screen."""
        self._pending = None
        return self._move(State.FAILSAFE, {"reference": reference}, push=False)

    def recover(self) -> Transition:
        """From the error screen back home; the user stays signed in."""
        return self._move(State.HOME, {}, push=False)

    def _move(self, target: State, params: dict[str, Any], *, push: bool,
              back: bool = False) -> Transition:
        source = self.state
        if target in (State.HOME, State.FAILSAFE):
            self._stack = []
        elif push and source not in (State.FAILSAFE,) and source is not target:
            # Coming back to a state already on the path cuts the loop.
            states = [s for s, _ in self._stack]
            if target in states:
                del self._stack[states.index(target):]
            else:
                self._stack.append((source, dict(self._params)))
        self.state, self._params = target, dict(params)
        transition = Transition(source, target, dict(params), back)
        if self._on_change:
            self._on_change(transition)
        return transition
