"""While printing: a progress bar, the printer's words, and the freedom to leave it running."""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, RoundedRectangle
from kivy.properties import NumericProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from foundation.errors import DomainError, RuleViolation
from station.services import kiosk_print
from station.services.kiosk_print import Batch, PrintOutcome
from station.ui import dialogs
from station.ui.i18n import _
from station.ui.machine import State
from station.ui.screens.base import KioskScreen, row
from station.ui.widgets import FitLabel, Notice, NoticeSlot, TouchButton, theme
from station.ui.worker import Job


class ProgressStrip(Widget):
    """A thick bar; the percentage is always written next to it too."""

    value = NumericProperty(0.0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        p = theme().palette
        with self.canvas:
            Color(*p.neutral_soft)
            self._back = RoundedRectangle()
            Color(*p.primary)
            self._front = RoundedRectangle()
        self.bind(pos=self._draw, size=self._draw, value=self._draw)

    def _draw(self, *_args: Any) -> None:
        radius = [self.height / 2]
        self._back.pos, self._back.size, self._back.radius = self.pos, self.size, radius
        width = max(self.height, self.width * self.value) if self.value > 0 else 0
        self._front.pos, self._front.size, self._front.radius = self.pos, (width, self.height), \
            radius


class ProgressScreen(KioskScreen):
    state = State.PRINT_PROGRESS
    back_allowed = False
    title = _("Imprimiendo")

    def build(self) -> None:
        t = theme()
        self.job: Job | None = None
        self.headline = FitLabel(font_size=t.font_title, bold=True, size_hint_y=None,
                                 height=t.touch, kid="progress_headline")
        self.body.add_widget(self.headline)
        line = BoxLayout(size_hint_y=None, height=t.touch * 0.7, spacing=t.pad)
        self.bar = ProgressStrip()
        self.percent = FitLabel(size_hint_x=None, width=t.touch * 1.4, bold=True,
                                font_size=t.font_large, kid="progress_percent")
        line.add_widget(self.bar)
        line.add_widget(self.percent)
        self.body.add_widget(line)
        self.message = FitLabel(kid="progress_message", size_hint_y=None,
                                height=t.font_body * 3.2, valign="top")
        self.body.add_widget(self.message)
        self.notice_box = NoticeSlot()
        self.body.add_widget(self.notice_box)
        self.body.add_widget(FitLabel(text=_(
            "La impresora no puede ver el papel: al terminar, revise cada hoja y confirme "
            "cuáles salieron bien."), color=t.palette.muted, font_size=t.font_small,
            size_hint_y=None, height=t.font_small * 3.2, valign="top"))
        self.body.add_widget(BoxLayout())
        self.leave_button = TouchButton(icon="home", text=_("Seguir con otra tarea"),
                                        style="secondary", kid="progress_leave")
        self.leave_button.bind(on_release=lambda *_: self.app.go(State.HOME))
        self.review = TouchButton(icon="check", text=_("Revisar las hojas"),
                                  kid="progress_review")
        self.review.bind(on_release=lambda *_: self.app.go(State.PRINT_REVIEW))
        self.body.add_widget(row(self.leave_button, self.review))

    def enter(self, batches: list[Batch] | None = None, resend: list[int] | None = None,
              **_params: Any) -> None:
        session = self.app.session
        self.notice_box.show(None)
        running = session.print_job is not None and session.print_job.running
        if (batches or resend) and running:
            dialogs.show_error(RuleViolation(_("Ya hay una impresión en curso."),
                                             way_out=_("Espere a que termine.")))
        elif batches or resend:
            self._start(batches, resend)
        self._follow(session.print_job)

    def leave(self) -> None:
        if self.job is not None:
            self.job.unbind(fraction=self._update, message=self._update, state=self._update)
        self.job = None

    def _start(self, batches: list[Batch] | None, resend: list[int] | None) -> None:
        station = self.app.station

        def work(progress: Any) -> PrintOutcome:
            if resend:
                return kiosk_print.send_again(station, resend, on_progress=progress)
            assert batches is not None
            return kiosk_print.print_batches(station, batches, on_progress=progress)

        session = self.app.session
        session.print_job = self.app.run_job(Job(
            _("Impresión"), work, on_done=self._done, on_error=self._error))

    def _follow(self, job: Job | None) -> None:
        self.job = job
        if job is None:
            self.headline.text = _("No hay ninguna impresión en curso.")
            self.bar.value, self.percent.text, self.message.text = 0, "", ""
            self.review.disabled = False
            return
        job.bind(fraction=self._update, message=self._update, state=self._update)
        self._update()

    def _update(self, *_args: Any) -> None:
        job = self.job
        if job is None:
            return
        self.bar.value = job.fraction
        self.percent.text = f"{round(job.fraction * 100)} %"
        self.message.text = job.message or _("Preparando las hojas…")
        if job.state == "running":
            self.headline.text = _("Imprimiendo… puede seguir con otra tarea.")
        elif job.state == "done":
            self.headline.text = _("La impresora recibió las hojas.")
        self.review.disabled = job.state == "running"
        self.leave_button.disabled = job.state != "running"

    def _done(self, outcome: PrintOutcome) -> None:
        self.app.session.produced = [p.sheet_id for p in outcome.produced]
        self.app.session.outcome = outcome
        if self.app.machine.state is State.PRINT_PROGRESS:
            self.app.go(State.PRINT_REVIEW)

    def _error(self, error: BaseException) -> None:
        if not isinstance(error, DomainError):
            raise error
        if self.app.machine.state is State.PRINT_PROGRESS:
            self.headline.text = _("No se pudo imprimir.")
            self.notice_box.show(Notice(kind="bad", message=error.user_message(),
                                        kid="progress_error"))
            self.leave_button.disabled = False
        else:
            dialogs.show_error(error)
