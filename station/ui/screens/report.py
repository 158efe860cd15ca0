"""Report a problem to the DRSE: what kind, a few words, and a diagnostic bundle without any
student's data (see :mod:`station.services.diagnostics`)."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from foundation.scrub import CATEGORIES
from station.services import diagnostics
from station.services.diagnostics import ProblemReport
from station.ui.i18n import _
from station.ui.keyboard import OnScreenKeyboard, SearchField
from station.ui.machine import State
from station.ui.screens.base import KioskScreen, row
from station.ui.usb_copy import UsbCopyButton
from station.ui.widgets import FitLabel, Notice, TouchButton, theme
from station.ui.worker import Job

CATEGORY_WORDS = {
    "impresora": (_("Impresora u hojas"), "print"),
    "camara": (_("Cámara o fotos"), "camera"),
    "enmicadora": (_("Enmicadora o insumos"), "box"),
    "datos": (_("Datos de alumnos o folios"), "list"),
    "pantalla": (_("Pantalla o estación"), "gear"),
    "otro": (_("Otro problema"), "info"),
}


class ReportScreen(KioskScreen):
    state = State.REPORT
    title = _("Reportar un problema")

    def enter(self, **_params: Any) -> None:
        self._choose_category()

    def _choose_category(self) -> None:
        t = theme()
        self.body.clear_widgets()
        self.body.add_widget(FitLabel(text=_("¿Con qué es el problema?"), bold=True,
                                      font_size=t.font_large, size_hint_y=None,
                                      height=t.touch * 0.7))
        grid = GridLayout(cols=2 if t.compact else 3, spacing=t.gap)
        for key in CATEGORIES:
            words, icon = CATEGORY_WORDS[key]
            button = TouchButton(text=words, icon=icon, style="secondary",
                                 kid=f"category_{key}", size_hint_y=1)
            button.bind(on_release=lambda _b, k=key: self._describe(k))
            grid.add_widget(button)
        self.body.add_widget(grid)
        self.body.add_widget(FitLabel(text=_(
            "El reporte lleva el estado de la estación y de la impresora, sin datos de los "
            "alumnos."), color=t.palette.muted, font_size=t.font_small, size_hint_y=None,
            height=t.touch * 0.6))

    def _describe(self, category: str) -> None:
        t = theme()
        self.category = category
        self.body.clear_widgets()
        self.body.add_widget(FitLabel(
            text=_("{kind}: describa lo que pasó (opcional)").format(
                kind=CATEGORY_WORDS[category][0]),
            bold=True, size_hint_y=None, height=t.touch * 0.6))
        self.field = SearchField(hint=_("Por ejemplo: NO JALA EL PAPEL"), kid="report_text",
                                 active=True, max_length=200, icon="keyboard")
        create = TouchButton(text=_("Crear reporte"), icon="flag", kid="report_create",
                             size_hint_x=0.45)
        create.bind(on_release=lambda *_: self._create())
        self.body.add_widget(row(self.field, create))
        self.body.add_widget(OnScreenKeyboard(on_key=self.field.type, digits=True,
                                              on_done=self._create))

    def _create(self) -> None:
        station = self.app.station
        category, text = self.category, self.field.text
        failures = list(self.app.failures)
        self.body.clear_widgets()
        self.body.add_widget(Notice(kind="info", message=_("Preparando el reporte…")))
        self.app.run_job(Job(_("Reporte"), lambda _p: diagnostics.build_bundle(
            station, category=category, description=text, failures=failures),
            on_done=self._created))

    def _created(self, report: ProblemReport) -> None:
        t = theme()
        self.body.clear_widgets()
        audit = (_("La revisión de los folios salió bien.") if report.audit_ok
                 else _("La revisión de los folios encontró problemas; van en el reporte."))
        self.body.add_widget(Notice(kind="ok", kid="report_done", message=_(
            "Reporte guardado en la estación con el nombre {name}. {audit} Si la estación "
            "está conectada, se envía sola a su DRSE al sincronizar; si no, cópielo a una "
            "memoria USB y entréguela a su DRSE.").format(name=report.path.name, audit=audit)))
        done = TouchButton(text=_("Terminar"), icon="home", kid="report_finish")
        done.bind(on_release=lambda *_: self.app.go(State.HOME))
        path = report.path
        self.usb = UsbCopyButton(self.app, lambda: path, kid="report_usb")
        self.body.add_widget(BoxLayout(size_hint_y=None, height=t.gap))
        self.body.add_widget(row(self.usb, done))
