"""Long work off the screen's thread: printing, rendering previews, reports, sync.

A :class:`Job` runs a function in a daemon thread. The function receives a ``progress``
callable (``progress(fraction, message)``) it may call from its thread; the job's Kivy
properties are updated on the UI thread (``Clock.schedule_once``), so widgets can bind to them
and the screen keeps answering. ``on_done`` / ``on_error`` run on the UI thread too. A job
keeps running when the operator leaves its screen; :class:`JobBoard` lists the running ones
for the top bar.

>>> job = Job("Demostración", lambda progress: 42)   # doctest: +SKIP
>>> job.bind(state=lambda j, s: print(s)); job.start()  # doctest: +SKIP
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.event import EventDispatcher
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)

Progress = Callable[[float, str], None]


class Job(EventDispatcher):
    """One piece of background work with its progress, result or error."""

    title = StringProperty("")
    fraction = NumericProperty(0.0)
    message = StringProperty("")
    state = OptionProperty("new", options=["new", "running", "done", "failed"])
    result = ObjectProperty(None, allownone=True)
    error = ObjectProperty(None, allownone=True)
    keeps_awake = BooleanProperty(True)
    detail = ObjectProperty(None, allownone=True)
    """Something the work tells besides its progress (a print: the printer's trouble)."""

    def __init__(self, title: str, work: Callable[[Progress], Any], *,
                 on_done: Callable[[Any], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None,
                 keeps_awake: bool = True) -> None:
        super().__init__(title=title, keeps_awake=keeps_awake)
        self._work = work
        self._on_done = on_done
        self._on_error = on_error
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.state == "running"

    def start(self) -> Job:
        self.state = "running"
        self._thread = threading.Thread(target=self._run, name=f"job:{self.title}",
                                        daemon=True)
        self._thread.start()
        return self

    def progress(self, fraction: float, message: str = "") -> None:
        """Callable from the work thread: schedules the update on the UI thread."""
        fraction = min(1.0, max(0.0, float(fraction)))
        Clock.schedule_once(lambda _dt: self._set_progress(fraction, message), -1)

    def tell(self, detail: Any) -> None:
        """Callable from the work thread: sets :attr:`detail` on the UI thread."""
        Clock.schedule_once(lambda _dt: setattr(self, "detail", detail), -1)

    def _set_progress(self, fraction: float, message: str) -> None:
        if self.state == "running":
            self.fraction = fraction
            if message:
                self.message = message

    def _run(self) -> None:
        try:
            result = self._work(self.progress)
        except BaseException as exc:  # handed to the UI thread, which decides what to show
            error = exc
            Clock.schedule_once(lambda _dt: self._finish(None, error), -1)
        else:
            Clock.schedule_once(lambda _dt: self._finish(result, None), -1)

    def _finish(self, result: Any, error: BaseException | None) -> None:
        on_done, on_error = self._on_done, self._on_error
        # A finished job must not keep its screen (bound callbacks) or its inputs alive.
        self._work = self._on_done = self._on_error = None  # type: ignore[assignment]
        if error is None:
            self.result, self.fraction, self.state = result, 1.0, "done"
            if on_done:
                on_done(result)
        else:
            self.error, self.state = error, "failed"
            if on_error:
                on_error(error)
            else:
                raise error  # reaches the app's failsafe handler


class JobBoard(EventDispatcher):
    """The jobs still running; the top bar shows the first one."""

    running = ListProperty([])

    def start(self, job: Job) -> Job:
        job.bind(state=self._changed)
        job.start()
        self.running = [*self.running, job]
        return job

    def _changed(self, job: Job, state: str) -> None:
        if state in ("done", "failed"):
            self.running = [j for j in self.running if j is not job]
            if not self.running:
                from station.ui.memory import release_memory

                # After a print run or a preview the heaps hold tens of MB of freed pages.
                Clock.schedule_once(lambda _dt: release_memory(), 0.2)

    @property
    def keeps_awake(self) -> bool:
        """True while a job that the operator is waiting for runs (no idle sign-out)."""
        return any(j.keeps_awake for j in self.running)
