"""The school's report for the current cycle: the counts on screen, and "Guardar PDF" /
"Guardar en Excel" into the station's exports folder, then "Copiar a memoria USB" (a verified
copy, :mod:`station.services.usb_copy`) from the dialog that says it was saved.

The counts and the files are :mod:`station.services.reports`' (through
:mod:`station.services.kiosk_admin`), the same as ``station report``.
"""

from __future__ import annotations

from typing import Any

from kivy.uix.gridlayout import GridLayout

from foundation.errors import DomainError, NotFound
from station.services import kiosk_admin, lookup
from station.services.kiosk_admin import SavedReport
from station.services.reports import COUNT_LABELS
from station.ui import dialogs
from station.ui.dialogs import Choice
from station.ui.i18n import _
from station.ui.machine import State
from station.ui.screens.base import KioskScreen, row
from station.ui.status_words import nice_name
from station.ui.usb_copy import UsbCopyButton
from station.ui.widgets import FitLabel, Panel, TouchButton, line_label, theme
from station.ui.worker import Job


class SchoolReportScreen(KioskScreen):
    state = State.SCHOOL_REPORT
    title = _("Reporte de la escuela")

    def build(self) -> None:
        self.cct = ""

    def enter(self, cct: str | None = None, **_params: Any) -> None:
        schools = lookup.schools(self.app.station)
        only = schools[0].school.cct if len(schools) == 1 else None
        cct = cct or self.app.session.cct or only
        if not cct:
            raise NotFound(_("Elija primero la escuela."))
        self.cct = self.app.session.cct = cct
        self._show()

    def _show(self) -> None:
        t = theme()
        p = t.palette
        report = kiosk_admin.school_report(self.app.station, self.cct)
        school = report.lists.school
        self.set_title(_("Reporte del ciclo {cycle}").format(cycle=report.lists.cycle))
        self.body.clear_widgets()
        self.body.add_widget(FitLabel(text=f"{nice_name(school.nombre)} · {school.cct}",
                                      bold=True, font_size=t.font_large, size_hint_y=None,
                                      height=t.touch * 0.8, kid="report_school"))
        counts = report.counts()
        grid = GridLayout(cols=4, spacing=t.gap)
        for key, label in COUNT_LABELS:
            cell = Panel(orientation="vertical", bg=p.surface, border=p.border,
                         padding=(t.gap, t.gap // 2), kid=f"count_{key}")
            number = FitLabel(text=str(counts[key]), bold=True, font_size=t.font_title,
                              halign="center", color=p.primary, kid=f"count_{key}_value")
            cell.add_widget(number)
            cell.add_widget(line_label(label, font_size=t.font_small, color=p.muted,
                                       halign="center"))
            grid.add_widget(cell)
        self.body.add_widget(grid)
        self.body.add_widget(FitLabel(text=_(
            "Se guarda en la estación; después puede copiarlo a una memoria USB."),
            color=p.muted, font_size=t.font_small, size_hint_y=None, height=t.touch * 0.6))
        self.pdf = TouchButton(text=_("Guardar PDF"), icon="document", kid="report_save_pdf")
        self.pdf.bind(on_release=lambda *_: self._save("pdf"))
        self.xlsx = TouchButton(text=_("Guardar en Excel"), icon="list", style="secondary",
                                kid="report_save_xlsx")
        self.xlsx.bind(on_release=lambda *_: self._save("xlsx"))
        self.body.add_widget(row(self.xlsx, self.pdf))

    def _save(self, kind: str) -> None:
        station, cct = self.app.station, self.cct
        for button in (self.pdf, self.xlsx):
            button.disabled = True
        self.app.run_job(Job(
            _("Reporte"),
            lambda _p: kiosk_admin.save_school_report(station, cct, kind, media_root=None),
            on_done=self._saved, on_error=self._failed, keeps_awake=False))

    def _enable(self) -> None:
        for button in (self.pdf, self.xlsx):
            button.disabled = False

    def _saved(self, saved: SavedReport) -> None:
        self._enable()
        self.usb = UsbCopyButton(self.app, lambda: saved.path, kid="report_usb")
        dialogs.show(kind="ok", title=_("Reporte guardado"), kid="report_saved",
                     message=_("El reporte se guardó {where}.").format(where=saved.where_es),
                     choices=[Choice(_("Copiar a memoria USB"), "document", "secondary",
                                     self.usb.copy, "report_saved_usb"),
                              Choice(_("Entendido"), "check", kid="report_saved_ok")])

    def _failed(self, error: BaseException) -> None:
        self._enable()
        if not isinstance(error, DomainError):
            raise error
        dialogs.show_error(error)

