"""A date picked by touch: day, month and year, each with its own − and + (a receipt from
last month is two taps away, not thirty).

The arithmetic is :func:`station.core.dates.stepped` (no Kivy there, so its doctests run): a
day past the month's end becomes its last day (31 → 30 in April), and the date stays between
``earliest`` and ``latest``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from kivy.uix.boxlayout import BoxLayout

from station.core.dates import stepped
from station.ui.i18n import _
from station.ui.widgets import FitLabel, TouchButton, theme

MONTHS = (_("enero"), _("febrero"), _("marzo"), _("abril"), _("mayo"), _("junio"), _("julio"),
          _("agosto"), _("septiembre"), _("octubre"), _("noviembre"), _("diciembre"))


class DatePicker(BoxLayout):
    """Three columns — day, month, year — each ``+`` over the value over ``−``.

    Keys for the autopilot: ``<kid>_<part>_plus`` / ``_minus`` and ``<kid>_value``.
    """

    def __init__(self, *, value: date, earliest: date, latest: date, kid: str,
                 on_change: Callable[[date], None] | None = None, **kwargs: Any) -> None:
        t = theme()
        kwargs.setdefault("spacing", t.gap)
        kwargs.setdefault("size_hint_y", None)
        kwargs.setdefault("height", 3 * t.touch + 2 * t.gap)
        super().__init__(**kwargs)
        self.value, self.earliest, self.latest = value, earliest, latest
        self.kid, self._on_change = kid, on_change
        self._labels: dict[str, FitLabel] = {}
        self._buttons: dict[tuple[str, int], TouchButton] = {}
        for part, share in (("day", 1.0), ("month", 1.6), ("year", 1.2)):
            column = BoxLayout(orientation="vertical", spacing=t.gap, size_hint_x=share)
            for delta in (+1, 0, -1):
                if delta == 0:
                    label = FitLabel(halign="center", bold=True, font_size=t.font_large,
                                     size_hint_y=None, height=t.touch,
                                     kid=f"{kid}_{part}_value")
                    self._labels[part] = label
                    column.add_widget(label)
                    continue
                button = TouchButton(text="+" if delta > 0 else "−", style="secondary",
                                     kid=f"{kid}_{part}_{'plus' if delta > 0 else 'minus'}",
                                     font_size=t.font_title)
                button.bind(on_release=lambda *_a, p=part, d=delta: self.step(p, d))
                self._buttons[(part, delta)] = button
                column.add_widget(button)
            self.add_widget(column)
        self._show()

    def step(self, part: str, delta: int) -> None:
        self.value = stepped(self.value, part, delta, earliest=self.earliest,
                             latest=self.latest)
        self._show()
        if self._on_change:
            self._on_change(self.value)

    def _show(self) -> None:
        self._labels["day"].text = str(self.value.day)
        self._labels["month"].text = MONTHS[self.value.month - 1]
        self._labels["year"].text = str(self.value.year)
        for (part, delta), button in self._buttons.items():
            moved = stepped(self.value, part, delta, earliest=self.earliest,
                            latest=self.latest)
            button.disabled = moved == self.value  # at a bound: nothing to move to
