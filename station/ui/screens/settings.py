"""Settings (director and DRSE administrator only): printer, calibration, camera, sync; the
station's users (DRSE administrator only)."""

from __future__ import annotations

from typing import Any

from kivy.uix.gridlayout import GridLayout

from station.ui.i18n import _
from station.ui.machine import State
from station.ui.screens.base import KioskScreen
from station.ui.widgets import FitLabel, Tile, theme


class SettingsScreen(KioskScreen):
    state = State.SETTINGS
    title = _("Ajustes")

    def build(self) -> None:
        t = theme()
        self.body.add_widget(FitLabel(text=_("¿Qué desea ajustar?"), bold=True,
                                      font_size=t.font_large, size_hint_y=None,
                                      height=t.touch * 0.7))
        self.grid = GridLayout(cols=2 if t.compact else 3, spacing=t.pad)
        self.body.add_widget(self.grid)

    def enter(self, **_params: Any) -> None:
        app = self.app
        self.grid.clear_widgets()
        for state, kid, title, subtitle, icon in (
            (State.PRINTER, "settings_printer", _("Impresora"),
             _("Estado, tinta, hoja de muestra"), "print"),
            (State.CALIBRATION, "settings_calibration", _("Calibración"),
             _("Que la impresión caiga en su lugar"), "card"),
            (State.CAMERA, "settings_camera", _("Cámara"), _("Elegir y probar la cámara"),
             "camera"),
            (State.SYNC, "settings_sync", _("Sincronización"),
             _("Estado del envío a oficinas centrales"), "sync"),
            (State.USERS, "settings_users", _("Usuarios"),
             _("Agregar, nuevo PIN, desactivar"), "users"),
        ):
            if app.available(state):
                tile = Tile(title=title, subtitle=subtitle, icon=icon, kid=kid)
                tile.bind(on_release=lambda _t, s=state: app.go(s))
                self.grid.add_widget(tile)
