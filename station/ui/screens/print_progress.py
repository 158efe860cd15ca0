"""While printing: a progress bar, the printer's words, and the freedom to leave it running.

Printer trouble is said here as it happens (issue 16): no paper, a paused or rejecting queue,
a printer switched off. The headline turns to the warning, the fix is said in words, and one
touch does what the station can: «Reanudar» enables the queue and lets it accept jobs again
(the waiting sheet goes on), «Intentar de nuevo» sends again the sheets that never reached the
printer — the same sheets with the same folios (``print_tasks.send_again``), never issued
again. Every signed-in user may do both (see ``printer_check.Trouble``).
"""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, RoundedRectangle
from kivy.properties import NumericProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from foundation.errors import DomainError, RuleViolation
from station.core.errors import PrinterError
from station.services import lookup, print_tasks
from station.services.print_tasks import Batch, PrintOutcome
from station.services.printer_check import CALL, RETRY, Trouble, error_trouble
from station.ui import dialogs
from station.ui.i18n import _, ngettext
from station.ui.machine import State
from station.ui.screens.base import KioskScreen, row
from station.ui.screens.printer_trouble import TroubleBox
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


class PrintJob(Job):
    """The print the operator started, with what it was asked (to try it again)."""

    def __init__(self, work: Any, *, batches: list[Batch] | None, resend: list[int] | None,
                 **kwargs: Any) -> None:
        super().__init__(_("Impresión"), work, **kwargs)
        self.batches = batches
        self.resend = resend


def unsent_trouble() -> Trouble:
    """Sheets left unsent while the printer now looks fine (it refused them a moment ago)."""
    return Trouble("unsent", _("Quedaron hojas sin enviar"),
                   _("La impresora no las recibió. Toque «Intentar de nuevo» para enviarlas."),
                   RETRY, _("pendiente"))


class ProgressScreen(KioskScreen):
    state = State.PRINT_PROGRESS
    back_allowed = False
    title = _("Imprimiendo")

    def build(self) -> None:
        t = theme()
        self.job: Job | None = None
        self._shown: tuple[Trouble | None, Any] = (None, None)
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
        self.paper_note = FitLabel(text=_(
            "La impresora no puede ver el papel: al terminar, revise cada hoja y confirme "
            "cuáles salieron bien."), color=t.palette.muted, font_size=t.font_small,
            size_hint_y=None, height=t.font_small * 3.2, valign="top")
        self.body.add_widget(self.paper_note)
        self.body.add_widget(BoxLayout())
        self.leave_button = TouchButton(icon="home", text=_("Seguir con otra tarea"),
                                        style="secondary", kid="progress_leave")
        self.leave_button.bind(on_release=lambda *_: self.app.go(State.HOME))
        self.printer_button = TouchButton(icon="print", text=_("Impresora"), style="secondary",
                                          kid="progress_printer")
        self.printer_button.bind(on_release=lambda *_: self.app.go(State.PRINTER))
        self.review = TouchButton(icon="check", text=_("Revisar las hojas"),
                                  kid="progress_review")
        self.review.bind(on_release=lambda *_: self.app.go(State.PRINT_REVIEW))
        self.body.add_widget(row(self.leave_button, self.printer_button, self.review))

    def enter(self, batches: list[Batch] | None = None, resend: list[int] | None = None,
              **_params: Any) -> None:
        session = self.app.session
        self._show_trouble(None)
        job = session.print_job
        running = job is not None and job.running
        if isinstance(job, PrintJob) and ((batches and job.batches is batches)
                                          or (resend and job.resend is resend)):
            batches = resend = None  # back from the printer screen: the same print, followed
        if (batches or resend) and running:
            dialogs.show_error(RuleViolation(_("Ya hay una impresión en curso."),
                                             way_out=_("Espere a que termine.")))
        elif batches or resend:
            self._start(batches, resend)
        self._follow(session.print_job)

    def leave(self) -> None:
        if self.job is not None:
            self.job.unbind(fraction=self._update, message=self._update, state=self._update,
                            detail=self._update)
        self.job = None

    # -- starting -------------------------------------------------------------------------

    def _start(self, batches: list[Batch] | None, resend: list[int] | None, *,
               resume: bool = False) -> None:
        station = self.app.station
        holder: list[Job] = []

        def tell(trouble: Trouble | None) -> None:
            holder[0].tell(trouble)

        def work(progress: Any) -> PrintOutcome:
            if resume:
                # «Reanudar» / «Intentar de nuevo»: the queue enabled and accepting first.
                print_tasks.resume_printer(station)
            if resend:
                return print_tasks.send_again(station, resend, on_progress=progress,
                                              on_trouble=tell)
            assert batches is not None
            return print_tasks.print_batches(station, batches, on_progress=progress,
                                             on_trouble=tell)

        job = PrintJob(work, batches=batches, resend=resend, on_done=self._done,
                       on_error=self._error)
        holder.append(job)
        self.app.session.print_job = self.app.run_job(job)

    def _retry(self, trouble: Trouble) -> None:
        """Try the print again: what never reached the printer, with the same folios."""
        job = self.app.session.print_job
        if not isinstance(job, PrintJob) or job.running:
            return
        resume = trouble.action != CALL
        outcome = job.result
        if isinstance(outcome, PrintOutcome) and outcome.not_sent:
            self._start(None, outcome.not_sent, resume=resume)
        else:  # refused before any sheet was made: nothing was recorded
            self._start(job.batches, job.resend, resume=resume)
        self._follow(self.app.session.print_job)

    def _resume_running(self, _trouble: Trouble) -> None:
        """While a sheet waits at the printer: enable the queue; the job goes on by itself."""
        station = self.app.station
        self._action_busy(True)

        def work(_progress: Any) -> Any:
            try:
                return print_tasks.resume_printer(station)
            except PrinterError as error:
                return error

        def done(result: Any) -> None:
            self._action_busy(False)
            if isinstance(result, DomainError):
                dialogs.show_error(result)

        self.app.run_job(Job(_("Reanudar"), work, on_done=done, keeps_awake=False))

    def _action_busy(self, busy: bool) -> None:
        box = self.notice_box.children[0] if self.notice_box.children else None
        button = getattr(box, "button", None)
        if button is not None:
            button.disabled = busy

    # -- following ------------------------------------------------------------------------

    def _follow(self, job: Job | None) -> None:
        self.job = job
        self.review.disabled = True
        if job is None:
            self._set_headline(_("No hay ninguna impresión en curso."))
            self.bar.value, self.percent.text, self.message.text = 0, "", ""
            self.review.disabled = not lookup.sheets_to_review(self.app.station, limit=1)
            self._check_printer()
            return
        job.bind(fraction=self._update, message=self._update, state=self._update,
                 detail=self._update)
        self._update()

    def _update(self, *_args: Any) -> None:
        job = self.job
        if job is None:
            return
        self.bar.value = job.fraction
        self.percent.text = f"{round(job.fraction * 100)} %"
        trouble = job.detail if isinstance(job.detail, Trouble) else None
        self.leave_button.disabled = False
        if job.state == "running":
            self._set_headline(trouble.headline if trouble else
                               _("Imprimiendo… puede seguir con otra tarea."), warn=bool(trouble))
            self.message.text = (
                _("La hoja espera en la impresora y sale sola en cuanto se resuelva.")
                if trouble else job.message or _("Preparando las hojas…"))
            self._show_trouble(trouble, self._resume_running)
            self.review.disabled = True
        elif job.state == "done" and isinstance(job.result, PrintOutcome):
            self._finished(job.result, trouble)
        elif job.state == "failed":
            self._failed(job.error, trouble)

    def _finished(self, outcome: PrintOutcome, trouble: Trouble | None) -> None:
        waiting = len(outcome.not_sent)
        self.review.disabled = not outcome.sent
        if not waiting:
            self._set_headline(_("La impresora recibió las hojas."))
            self._show_trouble(None)
            return
        trouble = trouble or unsent_trouble()
        self._set_headline(trouble.headline, warn=True)
        sent, total = len(outcome.sent), len(outcome.jobs)
        self.message.text = (
            ngettext("Llegaron a la impresora {sent} de {total} hoja.",
                     "Llegaron a la impresora {sent} de {total} hojas.",
                     total).format(sent=sent, total=total)
            + " " + ngettext("{n} hoja espera con sus folios guardados; sale al resolverlo.",
                             "{n} hojas esperan con sus folios guardados; salen al resolverlo.",
                             waiting).format(n=waiting))
        self._show_trouble(trouble, self._retry)

    def _failed(self, error: BaseException | None, trouble: Trouble | None) -> None:
        if isinstance(error, PrinterError):
            # The printer was refused before any sheet was made (or sent, for «send again»).
            job = self.job
            resend = isinstance(job, PrintJob) and bool(job.resend)
            self._set_headline(trouble.headline if trouble else _("No se pudo imprimir."),
                               warn=True)
            self.message.text = (_("Las hojas siguen guardadas con sus folios; salen al "
                                   "resolverlo.") if resend else
                                 _("No se preparó ninguna hoja y no se usó ningún folio."))
            self._show_trouble(trouble or Trouble(
                "retry", _("No se pudo imprimir."), error.user_message(), RETRY,
                _("revisar")), self._retry)
            self.review.disabled = not resend
            return
        self._set_headline(_("No se pudo imprimir."), warn=True)
        self.message.text = ""
        if isinstance(error, DomainError):
            self.notice_box.show(Notice(kind="bad", message=error.user_message(),
                                        kid="progress_error"))
        self.review.disabled = not lookup.sheets_to_review(self.app.station, limit=1)

    def _set_headline(self, text: str, *, warn: bool = False) -> None:
        p = theme().palette
        self.headline.text = text
        self.headline.color = p.warn if warn else p.text

    def _show_trouble(self, trouble: Trouble | None, action: Any = None) -> None:
        if (trouble, action) == self._shown and (trouble is None or self.notice_box.children):
            return
        self._shown = (trouble, action)
        t = theme()
        # A short screen has no room for the paper note under a trouble: the fix comes first.
        self.paper_note.opacity = 0 if trouble else 1
        self.paper_note.height = 0 if trouble else t.font_small * 3.2
        self.message.height = t.font_body * (2.4 if trouble else 3.2)
        if trouble is None:
            self.notice_box.show(None)
            return
        box = TroubleBox(trouble, on_action=action, with_headline=False)
        self.notice_box.show(box)

    def _check_printer(self) -> None:
        """No print running: still say what stops the printer, with its way out."""
        station = self.app.station

        def shown(trouble: Trouble | None) -> None:
            if self.job is None and self.app.machine.state is State.PRINT_PROGRESS:
                self._show_trouble(trouble, self._resume_idle)

        self.app.run_job(Job(_("Impresora"), lambda _p: print_tasks.printer_trouble(station),
                             on_done=shown, keeps_awake=False))

    def _resume_idle(self, trouble: Trouble) -> None:
        station = self.app.station
        self._action_busy(True)

        def work(_progress: Any) -> Trouble | None:
            if trouble.action != CALL:
                try:
                    print_tasks.resume_printer(station)
                except PrinterError as error:
                    return error_trouble(error)
            return print_tasks.printer_trouble(station)

        def done(after: Trouble | None) -> None:
            self._shown = (None, None)
            if self.job is None and self.app.machine.state is State.PRINT_PROGRESS:
                self._show_trouble(after, self._resume_idle)

        self.app.run_job(Job(_("Reanudar"), work, on_done=done, keeps_awake=False))

    # -- the end --------------------------------------------------------------------------

    def _done(self, outcome: PrintOutcome) -> None:
        self.app.session.produced = [p.sheet_id for p in outcome.produced]
        self.app.session.outcome = outcome
        job = self.app.session.print_job
        if outcome.not_sent and job is not None:
            self._look_after(job)  # stay: say why, offer to send them again
            return
        if self.app.machine.state is State.PRINT_PROGRESS:
            self.app.go(State.PRINT_REVIEW)

    def _error(self, error: BaseException) -> None:
        if not isinstance(error, DomainError):
            raise error
        job = self.app.session.print_job
        if isinstance(error, PrinterError) and job is not None:
            self._look_after(job)
        if self.app.machine.state is not State.PRINT_PROGRESS:
            dialogs.show_error(error)

    def _look_after(self, job: Job) -> None:
        """After a print the printer stopped: ask it what is wrong, for the headline, the fix
        and the button (also on the top bar's chip, from any screen)."""
        station = self.app.station
        self.app.run_job(Job(_("Impresora"), lambda _p: print_tasks.printer_trouble(station),
                             on_done=lambda trouble: setattr(job, "detail", trouble),
                             keeps_awake=False))
