"""Calibration: print the calibration page, measure, nudge the offsets, check with a specimen.

The values are stored per printer by :func:`station.services.calibration_prints.store_calibration`
(which checks their range); nothing printed here uses a folio.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.uix.boxlayout import BoxLayout

from foundation.errors import DomainError
from station.core.model import Calibration
from station.services import print_tasks
from station.services.calibration_prints import calibration_for, store_calibration
from station.ui import dialogs
from station.ui.i18n import _
from station.ui.machine import State
from station.ui.screens.base import KioskScreen, row
from station.ui.widgets import FitLabel, Panel, TouchButton, line_label, theme
from station.ui.worker import Job

if TYPE_CHECKING:
    from station.printer.cups_queue import JobStatus

STEPS = {"dx": (0.1, 1.0), "dy": (0.1, 1.0), "scale": (0.001, 0.005)}


class CalibrationScreen(KioskScreen):
    state = State.CALIBRATION
    title = _("Calibración de la impresora")

    def build(self) -> None:
        t = theme()
        self.values = {"dx": 0.0, "dy": 0.0, "scale": 1.0}
        self.labels: dict[str, Any] = {}
        self.body.add_widget(FitLabel(text=_(
            "1. Imprima la página de calibración.  2. Mida cuánto se corren las marcas.  "
            "3. Ajuste aquí y guarde.  4. Compruebe con una hoja de muestra."),
            color=t.palette.muted, size_hint_y=None, height=t.touch * 0.9))
        panel = Panel(orientation="vertical", bg=t.palette.surface, border=t.palette.border,
                      padding=t.gap, spacing=t.gap)
        for key, title in (("dx", _("Horizontal (mm, + a la derecha)")),
                           ("dy", _("Vertical (mm, + hacia abajo)")),
                           ("scale", _("Escala (1 = tamaño real)"))):
            panel.add_widget(self._stepper(key, title))
        self.body.add_widget(panel)
        page = TouchButton(icon="print", text=_("Página de calibración"), style="secondary",
                           kid="calibration_page")
        page.bind(on_release=lambda *_: self._print("calibration"))
        check = TouchButton(icon="print", text=_("Hoja de muestra"), style="secondary",
                            kid="calibration_specimen")
        check.bind(on_release=lambda *_: self._print("specimen"))
        save = TouchButton(icon="check", text=_("Guardar"), kid="calibration_save")
        save.bind(on_release=lambda *_: self._save())
        self.body.add_widget(row(page, check, save))

    def _stepper(self, key: str, title: str) -> BoxLayout:
        t = theme()
        small, big = STEPS[key]
        line = BoxLayout(spacing=t.gap)
        line.add_widget(line_label(title, font_size=t.font_small if t.compact else t.font_body))
        for step, text in ((-big, "−" + _fmt(key, big)), (-small, "−" + _fmt(key, small))):
            line.add_widget(self._nudge(key, step, text))
        value = FitLabel(text="", bold=True, halign="center", size_hint_x=None,
                         width=t.touch * 1.7, kid=f"calibration_{key}")
        self.labels[key] = value
        line.add_widget(value)
        for step, text in ((small, "+" + _fmt(key, small)), (big, "+" + _fmt(key, big))):
            line.add_widget(self._nudge(key, step, text))
        return line

    def _nudge(self, key: str, step: float, text: str) -> TouchButton:
        t = theme()
        sign = "plus" if step > 0 else "minus"
        button = TouchButton(text=text, style="secondary", size_hint_x=None,
                             width=t.touch * 1.45, font_size=t.font_small, padding=(2, 0),
                             kid=f"nudge_{key}_{sign}_{abs(step):g}")
        button.bind(on_release=lambda *_: self._change(key, step))
        return button

    def enter(self, **_params: Any) -> None:
        station = self.app.station
        cal = calibration_for(station, print_tasks.printer_key(station))
        self.values = {"dx": cal.dx_mm, "dy": cal.dy_mm, "scale": cal.scale}
        self._show()

    def _change(self, key: str, step: float) -> None:
        digits = 3 if key == "scale" else 1
        self.values[key] = round(self.values[key] + step, digits)
        self._show()

    def _show(self) -> None:
        for key, label in self.labels.items():
            value = self.values[key]
            label.text = f"{value:.3f}" if key == "scale" else f"{value:+.1f} mm"

    def _save(self) -> None:
        station = self.app.station
        printer = print_tasks.printer_key(station)
        v = self.values
        cal: Calibration = store_calibration(
            station, printer, f"dx={v['dx']},dy={v['dy']},scale={v['scale']}")
        dialogs.show(kind="ok", title=_("Calibración guardada"), kid="calibration_saved",
                     message=_("Se aplica a todas las hojas siguientes de «{printer}»: "
                               "horizontal {dx:+.1f} mm, vertical {dy:+.1f} mm, escala "
                               "{scale:.3f}.").format(printer=printer, dx=cal.dx_mm,
                                                      dy=cal.dy_mm, scale=cal.scale))

    def _print(self, kind: str) -> None:
        station = self.app.station
        self.app.run_job(Job(
            _("Página de prueba"),
            lambda progress: print_tasks.print_test_page(station, kind, on_progress=progress),
            on_done=self._printed, on_error=self._failed))

    def _printed(self, status: JobStatus) -> None:
        dialogs.show(kind="ok" if status.state == "completed" else "warn",
                     title=_("Página enviada"), kid="calibration_printed",
                     message=_("La impresora recibió la página de prueba.")
                     if status.state == "completed" else status.message_es)

    def _failed(self, error: BaseException) -> None:
        if not isinstance(error, DomainError):
            raise error
        dialogs.show_error(error)


def _fmt(key: str, step: float) -> str:
    return f"{step:g}"
