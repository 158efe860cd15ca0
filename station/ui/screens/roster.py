"""A school's students: search by name with the on-screen keyboard, filter by status, select
students (or all pending ones) for printing, open one student."""

from __future__ import annotations

from typing import Any

from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.recycleview.views import RecycleDataViewBehavior
from kivy.uix.scrollview import ScrollView

from foundation.errors import NotFound
from station.services import lookup
from station.ui import status_words
from station.ui.i18n import _, ngettext
from station.ui.icons import Icon
from station.ui.keyboard import OnScreenKeyboard, SearchField
from station.ui.lists import recycle_list
from station.ui.machine import State
from station.ui.screens.base import KioskScreen
from station.ui.widgets import (
    Badge,
    FitLabel,
    Surface,
    TouchButton,
    _centered,
    line_label,
    text_width,
    theme,
)


class RosterRow(RecycleDataViewBehavior, Surface, BoxLayout):
    """☐ | name, grade and group | status | ›"""

    def __init__(self, **kwargs: Any) -> None:
        t = theme()
        p = t.palette
        super().__init__(bg=p.surface, border=p.border, radius=t.radius, spacing=t.gap,
                         padding=(0, 0, t.gap, 0), **kwargs)
        self.init_surface()
        self.curp = ""
        self.check = TouchButton(icon="unchecked", text="", style="quiet", kid="row_check",
                                 size_hint=(None, 1), width=t.touch)
        self.check.bind(on_release=lambda *_: self.screen.toggle(self.curp))
        self.add_widget(self.check)
        self.open = _RowButton(orientation="horizontal", spacing=t.gap, kid="row_open")
        self.open.bind(on_release=lambda *_: self.screen.open_student(self.curp))
        texts = BoxLayout(orientation="vertical", padding=(0, t.gap // 2))
        self.name = line_label(bold=True)
        self.detail = line_label(color=p.muted, font_size=t.font_small)
        texts.add_widget(self.name)
        texts.add_widget(self.detail)
        self.open.add_widget(texts)
        self.badge_box = BoxLayout(size_hint_x=None, width=t.touch * 2.6)
        self.badge = Badge()
        self.badge_box.add_widget(_centered(self.badge))
        self.open.add_widget(self.badge_box)
        side = t.touch * 0.4
        chevron = BoxLayout(size_hint_x=None, width=side)
        chevron.add_widget(_centered(Icon(name="next", color=p.muted, size_hint=(None, None),
                                          size=(side, side))))
        self.open.add_widget(chevron)
        self.add_widget(self.open)

    @property
    def screen(self) -> RosterScreen:
        return RosterScreen.current

    def refresh_view_attrs(self, rv: Any, index: int, data: dict[str, Any]) -> None:
        p = theme().palette
        self.curp = data["curp"]
        self.check.payload = self.open.payload = data["curp"]
        self.name.text = data["name"]
        self.detail.text = data["detail"]
        self.badge.set(*data["badge"])
        selected = data["selected"]
        self.check.icon = "checked" if selected else "unchecked"
        self.check.style = "primary" if selected else "quiet"
        self.bg = p.selected if selected else p.surface
        self.border = p.primary if selected else p.border
        self.index = index  # the base class would setattr every data key: not wanted here


class _RowButton(ButtonBehavior, BoxLayout):
    kid = StringProperty("")
    payload = ObjectProperty(None, allownone=True)


class RosterScreen(KioskScreen):
    state = State.ROSTER
    title = _("Alumnos")
    current: RosterScreen

    def build(self) -> None:
        RosterScreen.current = self
        t = theme()
        self.cct = ""
        self.entries: list[lookup.RosterEntry] = []
        self.selected: set[str] = set()
        self.filter = "pending"
        top = BoxLayout(size_hint_y=None, height=t.touch, spacing=t.gap)
        self.search = SearchField(hint=_("Buscar por nombre"), kid="search",
                                  size_hint_x=0.42 if t.compact else 0.36)
        self.search.bind(on_release=lambda *_: self._keyboard(True),
                         text=lambda *_: self._refill())
        top.add_widget(self.search)
        self.chips = BoxLayout(size_hint_x=None, spacing=t.gap)
        self.chips.bind(minimum_width=self.chips.setter("width"))
        chips_scroll = ScrollView(do_scroll_y=False, bar_width=max(4, t.gap // 2))
        chips_scroll.add_widget(self.chips)
        top.add_widget(chips_scroll)
        self.body.add_widget(top)
        self.list = recycle_list(RosterRow, row_height=t.touch * 1.15, kid="roster_list")
        self.empty = FitLabel(text="", halign="center", color=t.palette.muted,
                              kid="roster_empty")
        self.body.add_widget(self.list)
        self.actions = BoxLayout(size_hint_y=None, height=t.touch, spacing=t.gap)
        self.count = FitLabel(font_size=t.font_small, color=t.palette.muted, kid="roster_count")
        self.print_selected = TouchButton(icon="print", kid="print_selected", style="secondary")
        self.print_selected.bind(on_release=lambda *_: self._print(list(self.selected)))
        self.print_pending = TouchButton(icon="print", kid="print_pending")
        self.print_pending.bind(on_release=lambda *_: self._print(self._ready()))
        for widget in (self.count, self.print_selected, self.print_pending):
            self.actions.add_widget(widget)
        self.body.add_widget(self.actions)
        self.keyboard = OnScreenKeyboard(on_key=self.search.type,
                                         on_done=lambda: self._keyboard(False))

    def enter(self, cct: str | None = None, **_params: Any) -> None:
        RosterScreen.current = self
        cct = cct or self.app.session.cct
        if not cct:
            raise NotFound(_("Elija primero una escuela."))
        if cct != self.cct:
            self.selected.clear()
            self.search.text = ""
            self.filter = "pending"
        self.cct = self.app.session.cct = cct
        school = lookup.school(self.app.station, cct)
        self.set_title(status_words.nice_name(school.nombre))
        self.entries = lookup.roster(self.app.station, cct)
        self.selected &= {e.curp for e in self.entries}
        self._keyboard(False)
        self._chips()
        self._refill()

    def leave(self) -> None:
        self._keyboard(False)

    # -- filters and list ---------------------------------------------------------------

    def _chips(self) -> None:
        t = theme()
        self.chips.clear_widgets()
        counts = {name: len(lookup.filter_roster(self.entries, status=name))
                  for name in lookup.FILTERS}
        for name in lookup.FILTERS:
            label = f"{status_words.FILTER_LABELS[name]} ({counts[name]})"
            chip = TouchButton(text=label, kid=f"filter_{name}", size_hint_x=None,
                               style="primary" if name == self.filter else "secondary",
                               font_size=t.font_small, padding=(t.pad, 0))
            chip.width = max(t.touch * 1.5, text_width(label, t.font_small, bold=True)
                             + 2 * t.pad + 6)
            chip.bind(on_release=lambda _c, n=name: self._set_filter(n))
            self.chips.add_widget(chip)

    def _set_filter(self, name: str) -> None:
        self.filter = name
        self._chips()
        self._refill()

    def _refill(self) -> None:
        shown = lookup.filter_roster(self.entries, query=self.search.text, status=self.filter)
        self.list.data = [{
            "curp": e.curp, "name": e.list_name,
            "detail": status_words.student_line(e),
            "badge": status_words.entry_badge(e),
            "selected": e.curp in self.selected,
        } for e in shown]
        self.list.refresh_from_data()
        body = self.body
        if not shown and self.empty.parent is None:
            body.add_widget(self.empty, index=body.children.index(self.list))
            body.remove_widget(self.list)
        elif shown and self.list.parent is None:
            body.add_widget(self.list, index=body.children.index(self.empty))
            body.remove_widget(self.empty)
        self.empty.text = (_("Nadie coincide con «{text}».").format(text=self.search.text)
                           if self.search.text else _("No hay alumnos en esta lista."))
        self._actions()

    def _ready(self) -> list[str]:
        """Pending students who have a photo: the ones a print can take now."""
        return [e.curp for e in self.entries if e.needs_card and e.has_photo]

    def _actions(self) -> None:
        n = len(self.selected)
        ready = len(self._ready())
        self.count.text = ngettext("{n} seleccionado", "{n} seleccionados", n).format(n=n)
        self.print_selected.text = _("Imprimir selección")
        self.print_selected.disabled = n == 0
        self.print_pending.text = _("Imprimir pendientes con foto ({n})").format(n=ready)
        self.print_pending.disabled = ready == 0

    # -- actions ------------------------------------------------------------------------

    def toggle(self, curp: str) -> None:
        self.selected ^= {curp}
        for item in self.list.data:
            if item["curp"] == curp:
                item["selected"] = curp in self.selected
        self.list.refresh_from_data()
        self._actions()

    def open_student(self, curp: str) -> None:
        self.app.go(State.STUDENT, curp=curp)

    def _print(self, curps: list[str]) -> None:
        order = {e.curp: i for i, e in enumerate(self.entries)}
        chosen = sorted(curps, key=lambda c: order.get(c, 0))
        self.app.go(State.PRINT_PREVIEW, cct=self.cct, curps=chosen)

    def _keyboard(self, show: bool) -> None:
        self.search.active = show
        if show and self.keyboard.parent is None:
            self.body.remove_widget(self.actions)
            self.body.add_widget(self.keyboard)
        elif not show and self.keyboard.parent is not None:
            self.body.remove_widget(self.keyboard)
            self.body.add_widget(self.actions)
