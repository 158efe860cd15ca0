"""One student: photo, school, card status and history, and what can be done for them."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.image import Image

from station.services import lifecycle, lookup
from station.ui import status_words
from station.ui.i18n import _
from station.ui.machine import State
from station.ui.screens.base import KioskScreen
from station.ui.widgets import Badge, FitLabel, Panel, TouchButton, _centered, theme


def photo_widget(path: Any, *, kid: str) -> Panel:
    """The stored photo in a frame, or the words "Sin foto"."""
    t = theme()
    p = t.palette
    frame = Panel(bg=p.surface, border=p.border, padding=t.gap, kid=kid)
    if path is not None and path.is_file():
        frame.add_widget(Image(source=str(path), fit_mode="contain", nocache=True))
    else:
        frame.add_widget(FitLabel(text=_("Sin foto en esta estación"), halign="center",
                                  color=p.muted))
    return frame


class StudentScreen(KioskScreen):
    state = State.STUDENT
    title = _("Alumno")

    def enter(self, curp: str = "", **_params: Any) -> None:
        t = theme()
        p = t.palette
        detail = lookup.student(self.app.station, curp)
        s = detail.student
        self.curp = curp
        self.body.clear_widgets()
        main = BoxLayout(spacing=t.pad)
        main.add_widget(photo_widget(detail.photo, kid="student_photo"))
        main.children[0].size_hint_x = 0.32
        info = BoxLayout(orientation="vertical", spacing=t.gap)
        info.add_widget(FitLabel(text=s.full_name, bold=True, font_size=t.font_title,
                                 size_hint_y=None, height=t.touch * 1.2, kid="student_name"))
        info.add_widget(FitLabel(text=" · ".join((
            status_words.nice_name(detail.school.nombre), detail.school.cct,
            _("{grado}° {grupo}").format(grado=s.grado, grupo=s.grupo))), color=p.muted,
            size_hint_y=None, height=t.font_body * 3, kid="student_school"))
        folio = detail.active_folio
        line = next((x for x in lifecycle.school_lists(self.app.station, detail.school.cct)
                     .students if x.curp == curp), None)
        self.moved = line is not None and line.card_other_school
        if self.moved:  # the card is of the school they left: says so, never "vigente"
            assert line is not None
            badge = Badge(text=line.words[:1].upper() + line.words[1:], kind="warn",
                          icon="school", kid="student_moved")
        elif folio is not None:
            badge = Badge(text=_("Credencial vigente · folio {folio:07d}").format(folio=folio),
                          kind="ok", icon="check")
        elif detail.photo is None:
            badge = Badge(text=_("Sin foto: no se puede imprimir"), kind="bad", icon="camera")
        else:
            badge = Badge(text=_("Pendiente de credencial"), kind="warn", icon="clock")
        line = BoxLayout(size_hint_y=None, height=badge.height)
        line.add_widget(badge)
        line.add_widget(BoxLayout())
        info.add_widget(line)
        history = [c for c in detail.cards if c.status != "active"]
        if history:
            words = [f"{c.folio:07d}: {status_words.CARD_STATUS[c.status][0]}"
                     + (f" ({c.reason})" if c.reason else "") for c in history[:3]]
            info.add_widget(FitLabel(text=_("Antes: ") + "; ".join(words), color=p.muted,
                                     font_size=t.font_small, size_hint_y=None,
                                     height=t.font_small * 3, kid="student_history"))
        info.add_widget(BoxLayout())
        main.add_widget(info)
        self.body.add_widget(main)
        self.body.add_widget(self._actions(detail))

    def _actions(self, detail: lookup.StudentDetail) -> GridLayout:
        t = theme()
        buttons: list[TouchButton] = []
        if (detail.active_folio is None or self.moved) and detail.photo is not None:
            button = TouchButton(icon="print", text=_("Imprimir su credencial"),
                                 kid="student_print")
            button.bind(on_release=lambda *_: self.app.go(
                State.PRINT_PREVIEW, cct=detail.school.cct, curps=[detail.student.curp]))
            buttons.append(button)
        if self.app.available(State.PHOTO):
            button = TouchButton(icon="camera", text=_("Tomar foto"), style="secondary",
                                 kid="student_photo_take")
            button.bind(on_release=lambda *_: self.app.go(State.PHOTO,
                                                          curp=detail.student.curp))
            buttons.append(button)
        if self.app.available(State.HOLOGRAMS) and detail.active_folio is not None \
                and not self.moved:  # no hologram on a card of the former school
            button = TouchButton(icon="hologram", text=_("Hologramas"), style="secondary",
                                 kid="student_holograms")
            button.bind(on_release=lambda *_: self.app.go(State.HOLOGRAMS,
                                                          cct=detail.school.cct))
            buttons.append(button)
        if self.app.available(State.LIFECYCLE):
            button = TouchButton(icon="document", text=_("Trámites"), style="secondary",
                                 kid="student_lifecycle")
            button.bind(on_release=lambda *_: self.app.go(State.LIFECYCLE,
                                                          curp=detail.student.curp))
            buttons.append(button)
        cols = min(3, max(1, len(buttons)))
        rows = max(1, -(-len(buttons) // cols))
        grid = GridLayout(cols=cols, spacing=t.gap, size_hint_y=None,
                          height=rows * t.touch + (rows - 1) * t.gap)
        for button in buttons:
            grid.add_widget(button)
        if not buttons:
            grid.add_widget(_centered(FitLabel(text="", size_hint=(None, None))))
        return grid
