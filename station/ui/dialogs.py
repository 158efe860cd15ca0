"""Modal messages: a station error with its way out, a question with big answers.

Only one dialog shows at a time (a new one replaces the old); the idle sign-out and the
failsafe close them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.modalview import ModalView

from foundation.errors import DomainError
from station.ui.i18n import _
from station.ui.icons import Icon
from station.ui.widgets import FitLabel, Panel, TouchButton, _centered, text_height, theme

_open: list[ModalView] = []


@dataclass(frozen=True, slots=True)
class Choice:
    text: str
    icon: str = ""
    style: str = "primary"
    action: Callable[[], None] | None = None
    kid: str = ""


def close_all() -> None:
    for view in list(_open):
        view.dismiss(animation=False)
    _open.clear()


def is_open() -> bool:
    return bool(_open)


def show(*, kind: str, title: str, message: str, choices: Sequence[Choice] = (),
         kid: str = "dialog", columns: int = 0) -> ModalView:
    """A centred panel over a dimmed screen; every choice closes it, then runs its action."""
    close_all()
    t = theme()
    p = t.palette
    strong, _soft = p.tone(kind)
    from kivy.core.window import Window

    width = Window.width * (0.88 if t.compact else 0.62)
    choices = list(choices or (Choice(_("Entendido"), "check", kid=f"{kid}_ok"),))
    cols = columns or len(choices)
    rows = -(-len(choices) // cols)
    buttons_h = rows * t.touch + (rows - 1) * t.gap
    pad = t.pad * 1.5
    message_h = text_height(message, t.font_body, width - 2 * pad) + t.gap
    height = min(Window.height * 0.94,
                 2 * pad + t.touch * 0.9 + message_h + buttons_h + 2 * t.pad)
    view = ModalView(auto_dismiss=False, background_color=p.scrim, background="",
                     size_hint=(None, None), size=(width, height))
    view.kid = kid  # type: ignore[attr-defined]
    panel = Panel(orientation="vertical", bg=p.surface, padding=pad, spacing=t.pad)
    head = BoxLayout(size_hint_y=None, height=t.touch * 0.9, spacing=t.pad)
    icon = {"ok": "ok_circle", "warn": "warning", "bad": "bad_circle"}.get(kind, "info")
    side = t.touch * 0.75
    icon_box = BoxLayout(size_hint_x=None, width=side)
    icon_box.add_widget(_centered(Icon(name=icon, color=strong, size_hint=(None, None),
                                       size=(side, side))))
    head.add_widget(icon_box)
    head.add_widget(FitLabel(text=title, bold=True, font_size=t.font_title, color=strong))
    panel.add_widget(head)
    panel.add_widget(FitLabel(text=message, kid=f"{kid}_message"))
    grid = GridLayout(cols=cols, spacing=t.gap, size_hint_y=None, height=buttons_h)
    for choice in choices:
        button = TouchButton(text=choice.text, icon=choice.icon, style=choice.style,
                             kid=choice.kid or f"{kid}_ok")
        button.bind(on_release=lambda _b, c=choice: _choose(view, c))
        grid.add_widget(button)
    panel.add_widget(grid)
    view.add_widget(panel)
    view.bind(on_dismiss=lambda v: _open.remove(v) if v in _open else None)
    _open.append(view)
    view.open(animation=False)
    return view


def _choose(view: ModalView, choice: Choice) -> None:
    view.dismiss(animation=False)
    if choice.action:
        choice.action()


def show_error(error: DomainError, *, then: Callable[[], None] | None = None) -> ModalView:
    """A refusal or a problem the operator can solve: what happened and the way out."""
    message = error.message + (f"\n\n{error.way_out}" if error.way_out else "")
    return show(kind="warn", title=_("No se pudo completar"), message=message,
                choices=[Choice(_("Entendido"), "check", action=then, kid="dialog_ok")])


def confirm(*, title: str, message: str, yes: str, on_yes: Callable[[], None],
            no: str | None = None, kind: str = "info", yes_style: str = "primary",
            kid: str = "confirm") -> Any:
    """A yes/no question; "no" only closes the dialog."""
    return show(kind=kind, title=title, message=message, kid=kid, choices=[
        Choice(no or _("Cancelar"), "cross", "secondary", None, f"{kid}_no"),
        Choice(yes, "check", yes_style, on_yes, f"{kid}_yes"),
    ])


def show_picture(*, title: str, png: bytes, kid: str = "picture") -> ModalView:
    """A picture as wide as the screen, scrolled with the finger; one button closes it."""
    import io

    from kivy.core.image import Image as CoreImage
    from kivy.core.window import Window
    from kivy.uix.image import Image
    from kivy.uix.scrollview import ScrollView

    close_all()
    t = theme()
    p = t.palette
    view = ModalView(auto_dismiss=False, background_color=p.scrim, background="",
                     size_hint=(0.98, 0.98))
    view.kid = kid  # type: ignore[attr-defined]
    panel = Panel(orientation="vertical", bg=p.surface, padding=t.gap, spacing=t.gap)
    head = BoxLayout(size_hint_y=None, height=t.touch, spacing=t.pad)
    head.add_widget(FitLabel(text=title, bold=True, font_size=t.font_large))
    close = TouchButton(text=_("Cerrar"), icon="cross", style="secondary", kid=f"{kid}_close",
                        size_hint_x=None, width=t.touch * 2.4)
    close.bind(on_release=lambda *_: view.dismiss(animation=False))
    head.add_widget(close)
    panel.add_widget(head)
    texture = CoreImage(io.BytesIO(png), ext="png", nocache=True).texture
    width = Window.width * 0.98 - 2 * t.gap - 12
    image = Image(texture=texture, size_hint=(None, None), fit_mode="contain",
                  size=(width, width * texture.height / max(1, texture.width)))
    scroll = ScrollView(do_scroll_x=False, bar_width=max(8, t.gap))
    scroll.add_widget(image)
    panel.add_widget(scroll)
    view.add_widget(panel)
    view.bind(on_dismiss=lambda v: _open.remove(v) if v in _open else None)
    _open.append(view)
    view.open(animation=False)
    return view
