"""The Kivy app: one window, one screen per state, a failsafe for every error.

- Every transition goes through :class:`~station.ui.machine.Machine`; the app shows the
  screen of the new state (screens are built on first use, so the home screen is up fast).
- Any exception that reaches Kivy's loop (a touch handler, a Clock callback, a job's end)
  goes to :meth:`KioskApp.handle_error`: a :class:`DomainError` is shown as a message with
  its way out; anything else is logged (without CURPs) and the FAILSAFE screen offers
  "Volver al inicio". The app never closes on its own and Escape does nothing.
- No touch for ``kiosk.idle_timeout_s`` seconds signs the user out and returns home (not
  while a job the operator waits for is running).
"""

from __future__ import annotations

import importlib
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from kivy.app import App
from kivy.base import ExceptionHandler, ExceptionManager
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.screenmanager import NoTransition, ScreenManager

from foundation.errors import DomainError
from station.context import Station
from station.ui import dialogs
from station.ui.logs import LOGGER, log_failure
from station.ui.machine import Machine, State, Transition
from station.ui.memory import MEMORY_BASELINE, release_memory
from station.ui.registry import SCREENS
from station.ui.screens.base import KioskScreen
from station.ui.theme import make_theme
from station.ui.widgets import set_theme
from station.ui.worker import Job, JobBoard


@dataclass
class Session:
    """What the current task remembers between screens (cleared at sign-out)."""

    cct: str | None = None
    produced: list[Any] = field(default_factory=list)
    print_job: Job | None = None
    outcome: Any = None
    verification: Any = None


class _Failsafe(ExceptionHandler):
    def __init__(self, app: KioskApp) -> None:
        super().__init__()
        self.app = app

    def handle_exception(self, inst: BaseException) -> int:
        if isinstance(inst, KeyboardInterrupt | SystemExit):
            return ExceptionManager.RAISE
        self.app.handle_error(inst)
        return ExceptionManager.PASS


class KioskApp(App):
    """The touchscreen app over one opened station."""

    title = "Credenciales escolares"

    def __init__(self, station: Station, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.station = station
        self.session = Session()
        self.jobs = JobBoard()
        self.machine = Machine(on_change=self._show)
        self.screens: dict[State, KioskScreen] = {}
        self.failures: list[str] = []
        self._last_touch = time.monotonic()
        self._in_failsafe = False
        self.started_at = time.monotonic()
        self.home_shown_at: float | None = None
        self.first_frame_at: float | None = None
        """Wall clock of the first frame drawn (the health marker comes after it)."""
        self.health: dict[str, object] | None = None
        self.health_checked = False

    # -- Kivy ------------------------------------------------------------------------

    def build(self) -> ScreenManager:
        set_theme(make_theme(int(Window.width), int(Window.height), float(Window.dpi),
                             float(self.station.settings["kiosk.screen_inches"])))
        Window.clearcolor = (0.95, 0.96, 0.97, 1)
        self._handler = _Failsafe(self)
        ExceptionManager.add_handler(self._handler)
        Window.bind(on_touch_down=self._touched, on_request_close=self._refuse_close,
                    on_keyboard=self._keyboard)
        self.jobs.bind(running=lambda *_: self._refresh_bar())
        self.manager = ScreenManager(transition=NoTransition())
        Clock.schedule_interval(self._check_idle, 1.0)
        self._show(Transition(State.HOME, State.HOME))
        return self.manager

    def on_start(self) -> None:
        Clock.schedule_once(self._first_frame, 0)
        Window.fbind("on_flip", self._flipped)

    def _first_frame(self, _dt: float) -> None:
        self.home_shown_at = time.monotonic()
        LOGGER.info("Kiosco listo en %.2f s", self.home_shown_at - self.started_at)

    def _flipped(self, *_args: Any) -> None:
        """The first frame is on the glass: tell the updater this release works (once)."""
        Window.funbind("on_flip", self._flipped)
        self.first_frame_at = time.time()
        threading.Thread(target=self._confirm_health, name="health", daemon=True).start()

    def _confirm_health(self) -> None:
        """Off the UI thread (it opens the ledger once more); a failure is logged, never
        shown: the updater then switches back, which is the point."""
        from station.services.software import confirm_started

        try:
            self.health = confirm_started(self.station, by="kiosk")
        except Exception as error:  # any failure means "not healthy": log it, keep running
            log_failure(error, screen="health")
            self.health = None
        else:
            if self.health is not None:
                LOGGER.info("Versión %s confirmada (primera pantalla dibujada)",
                            self.health["version"])
        finally:
            self.health_checked = True

    def on_stop(self) -> None:
        screen = self.screens.get(self.machine.state)
        if screen is not None:
            screen.leave()  # stops the camera threads before the interpreter goes
        ExceptionManager.handlers[:] = [h for h in ExceptionManager.handlers
                                        if h is not self._handler]

    def _refuse_close(self, *_args: Any, **_kwargs: Any) -> bool:
        return not getattr(self, "allow_close", False)

    def _keyboard(self, _window: Any, key: int, *_args: Any) -> bool:
        return key == 27  # Escape (and Android back) must not leave the kiosk

    # -- navigation -------------------------------------------------------------------

    def available(self, state: State) -> bool:
        """True when this build has a screen for ``state`` and the user may open it."""
        return state in SCREENS and self.machine.may_open(state)

    def go(self, state: State, **params: Any) -> None:
        try:
            self.machine.go(state, **params)
        except DomainError as error:
            dialogs.show_error(error)

    def back(self) -> None:
        self.machine.back()

    def sign_out(self, *, idle_seconds: float | None = None) -> None:
        dialogs.close_all()
        self.session = Session(print_job=self.session.print_job
                               if self.session.print_job and self.session.print_job.running
                               else None,
                               cct=self.session.cct)  # a DRSE station's school stays chosen
        self.machine.sign_out(idle_seconds=idle_seconds)

    def screen(self, state: State) -> KioskScreen:
        if state not in self.screens:
            module, _, name = SCREENS[state].partition(":")
            cls = getattr(importlib.import_module(module), name)
            screen = cls(self)
            self.screens[state] = screen
            self.manager.add_widget(screen)
        return self.screens[state]

    def _show(self, transition: Transition) -> None:
        if transition.target is not State.FAILSAFE:
            self._in_failsafe = False
        old = self.screens.get(transition.source)
        new = self.screen(transition.target)
        if old is not None and old is not new:
            old.leave()
        self.manager.current = new.name
        if old is not None and old is not new and not old.keep:
            self._discard(old)
        new.refresh_bar()
        if transition.target is State.HOME:
            if not MEMORY_BASELINE:
                self._discard_all_but(new)
            Clock.schedule_once(self._settle_home, 0.3)
        try:
            new.enter(**transition.params)
        except DomainError as error:
            dialogs.show_error(error, then=self.back if self.machine.can_go_back else None)

    def _settle_home(self, _dt: float = 0.0) -> None:
        """Back home, once the switch is over: let go of the screen left last, then give
        memory back. Kivy's transition keeps the screen it switched away from
        (``screen_out``) until the next switch: without this, the last screen of the task
        (the verify screen, say) stayed alive at home after it was dropped. The property
        refuses None: it gets the home screen, which the next switch replaces anyway."""
        transition, home = self.manager.transition, self.manager.current_screen
        if not MEMORY_BASELINE and not transition.is_active and home is not None:
            transition.screen_out = home
        release_memory(at_home=True)

    def _discard(self, screen: KioskScreen) -> None:
        """Drop a screen that is not on the way back: its widgets and pictures go with it
        and it is built again (in milliseconds) the next time."""
        on_path = {state for state, _params in self.machine.path}
        if screen.state in on_path:
            return
        self._drop(screen)

    def _drop(self, screen: KioskScreen) -> None:
        self.manager.remove_widget(screen)
        self.screens.pop(screen.state, None)
        if not MEMORY_BASELINE and getattr(type(screen), "current", None) is screen:
            # List rows reach their screen through a class attribute: let the old one go.
            type(screen).current = None  # type: ignore[attr-defined]

    def _discard_all_but(self, home: KioskScreen) -> None:
        """Back home the way back is empty: drop every screen kept for it (the roster of
        hundreds, the print preview's sheets, the review's pictures) but the ones marked
        ``keep``; each is built again on its next visit. (They were already left.)"""
        for screen in list(self.screens.values()):
            if screen is not home and not screen.keep:
                self._drop(screen)

    def _refresh_bar(self) -> None:
        screen = self.screens.get(self.machine.state)
        if screen is not None:
            screen.refresh_bar()

    # -- work and errors --------------------------------------------------------------

    def run_job(self, job: Job) -> Job:
        return self.jobs.start(job)

    def handle_error(self, error: BaseException) -> None:
        """Every error ends here: a message for a station error, else the failsafe screen."""
        if isinstance(error, DomainError):
            LOGGER.info("Aviso en %s: %s", self.machine.state, type(error).__name__)
            dialogs.show_error(error)
            return
        reference = log_failure(error, screen=str(self.machine.state))
        self.failures.append(reference)
        if self._in_failsafe:
            return  # the error screen itself failed: keep what is on screen
        self._in_failsafe = True
        dialogs.close_all()
        try:
            self.machine.fail(reference)
        except Exception as again:  # never let the failsafe take the app down
            log_failure(again, screen="failsafe")

    # -- idle -------------------------------------------------------------------------

    def _touched(self, *_args: Any) -> None:
        self._last_touch = time.monotonic()

    def idle_seconds(self) -> float:
        return time.monotonic() - self._last_touch

    def _check_idle(self, _dt: float) -> None:
        if self.machine.user is None and self.machine.state is State.HOME:
            return
        if self.jobs.keeps_awake:
            self._last_touch = time.monotonic()
            return
        limit = float(self.station.settings["kiosk.idle_timeout_s"])
        if self.idle_seconds() >= limit:
            LOGGER.info("Sesión cerrada por inactividad")
            self.sign_out(idle_seconds=limit)
