"""A new PIN typed twice on the pad (never shown): the Users screen and the first-run setup.

The PIN rules are the accounts service's (:func:`station.services.accounts.check_pin`); this
only asks twice and says, in words, what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.uix.boxlayout import BoxLayout

from station.services import accounts
from station.ui.i18n import _
from station.ui.keyboard import PinPad
from station.ui.widgets import FitLabel, Notice, Panel, TouchButton, theme

Say = Callable[[str, str], None]
"""``say(kind, text)``: show a notice above the way out (kind: info, warn, ok)."""


def pin_twice(body: BoxLayout, *, title: str, kid: str, back: TouchButton, hint: str,
              on_pin: Callable[[str, Say], None]) -> None:
    """Fill ``body`` with the two-step PIN form; ``on_pin(pin, say)`` once both match.

    ``kid`` prefixes the widgets the autopilot finds (``<kid>_title``, ``<kid>_message``);
    ``back`` is the way out (cancel, change the name…), already bound by the caller.
    """
    t = theme()
    p = t.palette
    body.clear_widgets()
    line = BoxLayout(spacing=t.pad * 2)
    left = Panel(orientation="vertical", bg=p.surface, border=p.border, padding=t.pad,
                 spacing=t.gap, size_hint_x=0.9)
    left.add_widget(FitLabel(text=title, bold=True, font_size=t.font_large,
                             size_hint_y=None, height=t.touch, kid=f"{kid}_title"))
    slot = BoxLayout(orientation="vertical")
    left.add_widget(slot)
    left.add_widget(back)
    line.add_widget(left)
    first: list[str] = []

    def say(kind: str, text: str) -> None:
        slot.clear_widgets()
        slot.add_widget(Notice(kind=kind, message=text, kid=f"{kid}_message"))

    def entered(pin: str) -> None:
        pad.clear()
        problem = accounts.check_pin(pin) if pin else _("Primero escriba el PIN.")
        if problem:
            first.clear()
            say("warn", problem)
        elif not first:
            first.append(pin)
            say("info", _("Escríbalo otra vez para confirmarlo."))
        elif pin != first[0]:
            first.clear()
            say("warn", _("Los dos PIN no son iguales. Escríbalo de nuevo."))
        else:
            on_pin(pin, say)

    pad = PinPad(on_enter=entered)
    line.add_widget(pad)
    body.add_widget(line)
    say("info", hint)
