"""A printer problem on screen: the headline that names it in warning colours, the fix in
words a secretary understands, and the touch that does it where the station can (issue 16).

The words and the action come from the service (:class:`station.services.printer_check.Trouble`);
this module only draws them, the same on the printer, preview and progress screens.
"""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from station.services.printer_check import CALL, RESUME, Trouble
from station.ui.i18n import _
from station.ui.icons import Icon
from station.ui.widgets import FitLabel, Panel, TouchButton, _centered, text_height, theme


def action_words(trouble: Trouble) -> tuple[str, str]:
    """(button text, icon) of the trouble's action."""
    if trouble.action == RESUME:
        return _("Reanudar"), "print"
    if trouble.action == CALL:
        return _("Revisar de nuevo"), "sync"
    return _("Intentar de nuevo"), "sync"


class TroubleBox(Panel):
    """Headline, fix and (``with_button``) the action button ``trouble_action``.

    ``on_action`` runs when the button is touched; the box has no rules of its own.
    """

    def __init__(self, trouble: Trouble, *, on_action: Any = None, with_button: bool = True,
                 with_headline: bool = True, detail: str = "", **kwargs: Any) -> None:
        t = theme()
        p = t.palette
        strong, soft = p.tone("warn")
        kwargs.setdefault("orientation", "vertical")
        kwargs.setdefault("padding", (t.pad, t.gap))
        kwargs.setdefault("spacing", t.gap)
        super().__init__(bg=soft, border=strong, size_hint_y=None, **kwargs)
        self.trouble = trouble
        self.kid = "trouble"
        head = BoxLayout(size_hint_y=None, height=round(t.font_large * 1.7), spacing=t.gap)
        side = round(t.font_large * 1.3)
        icon_box = BoxLayout(size_hint_x=None, width=side)
        icon_box.add_widget(_centered(Icon(name="warning", color=strong, size_hint=(None, None),
                                           size=(side, side))))
        head.add_widget(icon_box)
        self.headline = FitLabel(text=trouble.headline, bold=True, font_size=t.font_large,
                                 color=strong, kid="trouble_headline")
        head.add_widget(self.headline)
        self.head = head if with_headline else None
        if with_headline:  # (the progress screen's own headline says it there)
            self.add_widget(head)
        fix = trouble.fix + (f"\n{detail}" if detail else "")
        self.fix = FitLabel(text=fix, color=p.text, kid="trouble_fix", valign="top",
                            size_hint_y=None)
        self.add_widget(self.fix)
        self.button: TouchButton | None = None
        if with_button:
            words, icon = action_words(trouble)
            self.button = TouchButton(text=words, icon=icon, kid="trouble_action",
                                      size_hint_x=None, width=max(t.touch * 4.2, 0))
            if on_action is not None:
                self.button.bind(on_release=lambda *_: on_action(trouble))
            holder = BoxLayout(size_hint_y=None, height=t.touch)
            holder.add_widget(self.button)
            holder.add_widget(BoxLayout())
            self.add_widget(holder)
        self.bind(width=self._size)
        self._size()

    def _size(self, *_args: Any) -> None:
        t = theme()
        inner = max(10.0, self.width - 2 * t.pad)
        self.fix.height = text_height(self.fix.text, t.font_body, inner) + 4
        rows = [self.fix.height] + ([self.head.height] if self.head is not None else [])
        if self.button is not None:
            rows.append(t.touch)
        self.height = sum(rows) + t.gap * (len(rows) - 1) + 2 * t.gap
