"""The printer: its state and problems in words with the way out, ink levels, a specimen sheet
(no folio used), and which CUPS queue the station prints on: chosen by touch from the list
of CUPS's queues, each with its state in words (lista, en pausa, sin papel…).

Every signed-in user may open it and resume the queue (issue 16: «Reanudar» uses no folio and
changes no setting); the specimen sheet and the choice of queue stay with those who may open
Ajustes (director(a), DRSE)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.scrollview import ScrollView

from foundation.errors import DomainError
from station.context import update_settings
from station.core.errors import PrinterError
from station.services import print_tasks
from station.services.accounts import allowed
from station.services.printer_check import (
    CALL,
    Trouble,
    error_trouble,
    queue_choices,
    status_trouble,
)
from station.ui import dialogs
from station.ui.i18n import _
from station.ui.machine import State
from station.ui.screens.base import KioskScreen, row
from station.ui.screens.print_preview import printer_notice
from station.ui.screens.print_progress import ProgressStrip
from station.ui.screens.printer_trouble import TroubleBox
from station.ui.widgets import (
    Badge,
    FitLabel,
    Notice,
    Selectable,
    TouchButton,
    _centered,
    line_label,
    theme,
)
from station.ui.worker import Job

if TYPE_CHECKING:
    from station.printer.cups_queue import JobStatus, Marker, QueueInfo, QueueStatus


def ink_row(marker: Marker) -> BoxLayout:
    """Name, a bar and the percentage (or "nivel desconocido") of one cartridge."""
    t = theme()
    line = BoxLayout(size_hint_y=None, height=t.font_body * 1.6, spacing=t.gap)
    line.add_widget(line_label(marker.name, size_hint_x=0.35, font_size=t.font_small))
    bar = ProgressStrip(value=(marker.level or 0) / 100)
    line.add_widget(bar)
    words = (_("nivel desconocido") if marker.level is None
             else f"{marker.level} %" + (" · " + _("baja") if marker.is_low else ""))
    line.add_widget(line_label(words, size_hint_x=0.3, font_size=t.font_small,
                               bold=marker.is_low))
    return line


class PrinterScreen(KioskScreen):
    state = State.PRINTER
    title = _("Impresora")

    def build(self) -> None:
        t = theme()
        self.status_box = BoxLayout(orientation="vertical", spacing=t.gap)
        self.body.add_widget(self.status_box)
        self.refresh_button = TouchButton(icon="sync", text=_("Revisar"), style="secondary",
                                          kid="printer_refresh")
        self.refresh_button.bind(on_release=lambda *_: self._check())
        self.specimen = TouchButton(icon="print", text=_("Hoja de muestra"),
                                    style="secondary", kid="printer_specimen")
        self.specimen.bind(on_release=lambda *_: self._specimen())
        self.change = TouchButton(icon="list", text=_("Cambiar impresora"),
                                  style="secondary", kid="printer_change")
        self.change.bind(on_release=lambda *_: self._choose_queue())
        self.buttons = row(self.refresh_button, self.specimen, self.change)
        self.body.add_widget(self.buttons)

    def enter(self, **_params: Any) -> None:
        user = self.app.machine.user
        may_set = user is not None and allowed(user.role, "settings")
        for button in (self.specimen, self.change):  # the director's and the DRSE's
            if may_set and button.parent is None:
                self.buttons.add_widget(button)
            elif not may_set and button.parent is not None:
                self.buttons.remove_widget(button)
        self._check()

    def _resume(self, trouble: Trouble) -> None:
        """«Reanudar» / «Intentar de nuevo»: enable the queue, accept jobs, look again."""
        station = self.app.station
        self.status_box.clear_widgets()
        self.status_box.add_widget(Notice(kind="info", message=_("Reanudando la impresora…")))

        def work(_progress: Any) -> QueueStatus | DomainError:
            try:
                if trouble.action != CALL:
                    return print_tasks.resume_printer(station)
                return print_tasks.printer_status(station)
            except PrinterError as error:
                return error

        self.app.run_job(Job(_("Impresora"), work, on_done=self._show, keeps_awake=False))

    def _check(self) -> None:
        self.status_box.clear_widgets()
        self.status_box.add_widget(Notice(kind="info", message=_("Revisando la impresora…")))
        station = self.app.station

        def work(_progress: Any) -> QueueStatus | DomainError:
            try:
                return print_tasks.printer_status(station)
            except PrinterError as error:
                return error

        self.app.run_job(Job(_("Impresora"), work, on_done=self._show, keeps_awake=False))

    def _show(self, status: QueueStatus | DomainError) -> None:
        t = theme()
        self.status_box.clear_widgets()
        queue = self.app.station.settings["printer.queue"] or _("ninguna")
        self.status_box.add_widget(FitLabel(
            text=_("Cola de impresión: {queue}").format(queue=queue), bold=True,
            font_size=t.font_large, size_hint_y=None, height=t.touch * 0.7,
            kid="printer_queue"))
        trouble = (error_trouble(status) if isinstance(status, DomainError)
                   else status_trouble(status))
        if trouble is not None:
            self.status_box.add_widget(TroubleBox(trouble, on_action=self._resume))
        else:
            self.status_box.add_widget(printer_notice(status))
        # On a short screen a trouble leaves room for no ink bars: its fix comes first.
        shown = 0 if trouble is not None and t.compact else 4
        if not isinstance(status, DomainError) and status.markers:
            for marker in status.markers[:shown]:
                self.status_box.add_widget(ink_row(marker))
        self.status_box.add_widget(BoxLayout())  # the words at the top, the room below
        self.specimen.disabled = isinstance(status, DomainError)

    def _specimen(self) -> None:
        station = self.app.station
        self.specimen.disabled = True
        self.app.run_job(Job(
            _("Hoja de muestra"),
            lambda progress: print_tasks.print_test_page(station, "specimen",
                                                         on_progress=progress),
            on_done=self._printed, on_error=self._failed))

    def _printed(self, status: JobStatus) -> None:
        self.specimen.disabled = False
        dialogs.show(kind="ok" if status.state == "completed" else "warn",
                     title=_("Hoja de muestra"), kid="specimen_done",
                     message=(_("La impresora recibió la hoja de muestra.")
                              if status.state == "completed" else status.message_es) + "\n\n" + _(
                         "La hoja de muestra no usa folios ni registra credenciales."))

    def _failed(self, error: BaseException) -> None:
        self.specimen.disabled = False
        if not isinstance(error, DomainError):
            raise error
        dialogs.show_error(error)

    # -- which queue --------------------------------------------------------------------

    def _choose_queue(self) -> None:
        """The CUPS queues with their state in words; a touch chooses one."""
        self.status_box.clear_widgets()
        self.status_box.add_widget(Notice(kind="info", message=_("Buscando impresoras…")))
        server = self.app.station.settings["printer.cups_server"] or None

        def work(_progress: Any) -> list[QueueInfo] | DomainError:
            try:
                return queue_choices(server)
            except PrinterError as error:
                return error

        self.app.run_job(Job(_("Impresoras"), work, on_done=self._listed, keeps_awake=False))

    def _listed(self, found: list[QueueInfo] | DomainError) -> None:
        t = theme()
        self.status_box.clear_widgets()
        if isinstance(found, DomainError):
            self.status_box.add_widget(printer_notice(found))
            return
        self.queues = found
        self.status_box.add_widget(FitLabel(
            text=_("Toque la impresora de credenciales:") if found else _(
                "El servicio de impresión no tiene ninguna impresora instalada. Pida a "
                "soporte técnico que la instale."),
            bold=True, size_hint_y=None, height=t.touch * 0.7, kid="queue_prompt"))
        choices = BoxLayout(orientation="vertical", spacing=t.gap, size_hint_y=None)
        choices.bind(minimum_height=choices.setter("height"))
        for info in found:
            choices.add_widget(self._queue_row(info))
        scroll = ScrollView(do_scroll_x=False)
        scroll.add_widget(choices)
        self.status_box.add_widget(scroll)

    def _queue_row(self, info: QueueInfo) -> Selectable:
        t = theme()
        chosen = str(self.app.station.settings["printer.queue"]) == info.name
        item = Selectable(kid="queue_choice", payload=info.name, selected=chosen,
                          height=t.touch * 1.2)
        texts = BoxLayout(orientation="vertical")
        texts.add_widget(line_label(info.name, bold=True))
        texts.add_widget(line_label(info.message_es, font_size=t.font_small,
                                    color=t.palette.muted))
        item.add_widget(texts)
        kind = "ok" if info.ready else ("warn" if info.state == "stopped" else "bad")
        icon = {"ok": "ok_circle", "warn": "pause"}.get(kind, "warning")
        badge = Badge(text=info.state_word, kind=kind, icon=icon)
        badge.kid = "queue_state"  # type: ignore[attr-defined]
        holder = BoxLayout(size_hint_x=None, width=badge.width)
        holder.add_widget(_centered(badge))
        item.add_widget(holder)
        item.bind(on_release=lambda *_: self._use_queue(info.name))
        return item

    def _use_queue(self, name: str) -> None:
        if name != self.app.station.settings["printer.queue"]:
            update_settings(self.app.station, {"printer.queue": name})
        self._check()
