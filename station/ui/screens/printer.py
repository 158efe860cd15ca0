"""The printer: its state and problems in words with the way out, ink levels, a specimen sheet
(no folio used), and which CUPS queue the station prints on."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from station.core.errors import PrinterError, StationError
from station.printer.cups_queue import JobStatus, Marker, QueueStatus
from station.services import kiosk_print
from station.services.settings_edit import update_settings
from station.ui import dialogs
from station.ui.i18n import _
from station.ui.keyboard import OnScreenKeyboard, SearchField
from station.ui.machine import State
from station.ui.screens.base import KioskScreen, row
from station.ui.screens.print_preview import printer_notice
from station.ui.screens.print_progress import ProgressStrip
from station.ui.widgets import FitLabel, Notice, TouchButton, line_label, theme
from station.ui.worker import Job


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
        self.change = TouchButton(icon="keyboard", text=_("Cambiar impresora"),
                                  style="secondary", kid="printer_change")
        self.change.bind(on_release=lambda *_: self._edit_queue())
        self.buttons = row(self.refresh_button, self.specimen, self.change)
        self.body.add_widget(self.buttons)

    def enter(self, **_params: Any) -> None:
        self._check()

    def _check(self) -> None:
        self.status_box.clear_widgets()
        self.status_box.add_widget(Notice(kind="info", message=_("Revisando la impresora…")))
        station = self.app.station

        def work(_progress: Any) -> QueueStatus | StationError:
            try:
                return kiosk_print.printer_status(station)
            except PrinterError as error:
                return error

        self.app.run_job(Job(_("Impresora"), work, on_done=self._show, keeps_awake=False))

    def _show(self, status: QueueStatus | StationError) -> None:
        t = theme()
        self.status_box.clear_widgets()
        queue = self.app.station.settings["printer.queue"] or _("ninguna")
        self.status_box.add_widget(FitLabel(
            text=_("Cola de impresión: {queue}").format(queue=queue), bold=True,
            font_size=t.font_large, size_hint_y=None, height=t.touch * 0.7,
            kid="printer_queue"))
        self.status_box.add_widget(printer_notice(status))
        if isinstance(status, QueueStatus) and status.markers:
            for marker in status.markers[:4]:
                self.status_box.add_widget(ink_row(marker))
        self.specimen.disabled = not isinstance(status, QueueStatus)

    def _specimen(self) -> None:
        station = self.app.station
        self.specimen.disabled = True
        self.app.run_job(Job(
            _("Hoja de muestra"),
            lambda progress: kiosk_print.print_test_page(station, "specimen",
                                                         on_progress=progress),
            on_done=self._printed, on_error=self._failed))

    def _printed(self, status: JobStatus) -> None:
        self.specimen.disabled = False
        dialogs.show(kind="ok" if status.state == "completed" else "warn",
                     title=_("Hoja de muestra"), kid="specimen_done",
                     message=status.message_es + "\n\n" + _(
                         "La hoja de muestra no usa folios ni registra credenciales."))

    def _failed(self, error: BaseException) -> None:
        self.specimen.disabled = False
        if not isinstance(error, StationError):
            raise error
        dialogs.show_error(error)

    # -- which queue --------------------------------------------------------------------

    def _edit_queue(self) -> None:
        t = theme()
        self.status_box.clear_widgets()
        self.status_box.add_widget(FitLabel(
            text=_("Escriba el nombre de la cola de impresión (como aparece en CUPS)."),
            size_hint_y=None, height=t.touch * 0.8))
        field = SearchField(hint=_("Nombre de la cola"), kid="queue_field", active=True,
                            icon="print")
        field.text = str(self.app.station.settings["printer.queue"] or "")
        self.status_box.add_widget(field)
        keyboard = OnScreenKeyboard(on_key=field.type, digits=True, extra="-_",
                                    on_done=lambda: self._save_queue(field.text))
        self.status_box.add_widget(keyboard)
        self.body.remove_widget(self.buttons)

    def _save_queue(self, name: str) -> None:
        self.body.add_widget(self.buttons)
        name = name.strip()
        if name and name != self.app.station.settings["printer.queue"]:
            # CUPS queue names are case-insensitive, so the upper-case keyboard is enough.
            update_settings(self.app.station, {"printer.queue": name})
        self._check()
