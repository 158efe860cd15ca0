"""FAILSAFE: something unexpected failed. Calm words, a reference for support, the way home."""

from __future__ import annotations

from typing import Any

from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout

from station.ui.i18n import _
from station.ui.icons import Icon
from station.ui.machine import State
from station.ui.screens.base import KioskScreen
from station.ui.widgets import FitLabel, Panel, TouchButton, _centered, theme


class FailsafeScreen(KioskScreen):
    state = State.FAILSAFE
    title = _("Credenciales escolares")

    def build(self) -> None:
        t = theme()
        p = t.palette
        outer = AnchorLayout()
        panel = Panel(orientation="vertical", bg=p.surface, border=p.border,
                      padding=t.pad * 2, spacing=t.pad, size_hint=(0.9, 0.95))
        head = BoxLayout(size_hint_y=None, height=t.touch * 1.1, spacing=t.pad)
        side = t.touch
        box = BoxLayout(size_hint_x=None, width=side)
        box.add_widget(_centered(Icon(name="warning", color=p.warn, size_hint=(None, None),
                                      size=(side, side))))
        head.add_widget(box)
        head.add_widget(FitLabel(text=_("Algo salió mal"), font_size=t.font_title, bold=True,
                                 color=p.text, kid="failsafe_title"))
        panel.add_widget(head)
        panel.add_widget(FitLabel(text=_(
            "La estación encontró un problema inesperado y detuvo esta tarea. Lo que ya "
            "estaba confirmado en pantalla quedó guardado. Puede volver al inicio y "
            "continuar."), kid="failsafe_message", valign="top"))
        self.reference = FitLabel(color=p.muted, font_size=t.font_small, size_hint_y=None,
                                  height=t.font_small * 3, kid="failsafe_reference")
        panel.add_widget(self.reference)
        home = TouchButton(text=_("Volver al inicio"), icon="home", kid="failsafe_home")
        home.bind(on_release=lambda *_: self.app.machine.recover())
        panel.add_widget(home)
        outer.add_widget(panel)
        self.body.add_widget(outer)

    def enter(self, reference: str = "", **_params: Any) -> None:
        self.reference.text = _(
            "Si vuelve a pasar, use «Reportar un problema» e indique la referencia {ref}."
        ).format(ref=reference or "—")
