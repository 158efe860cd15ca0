"""Choose the school (a DRSE station serves many): search by name or CCT."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.recycleview.views import RecycleDataViewBehavior

from station.services import lookup
from station.ui.i18n import _, ngettext
from station.ui.icons import Icon
from station.ui.keyboard import OnScreenKeyboard, SearchField
from station.ui.lists import recycle_list
from station.ui.machine import State
from station.ui.screens.base import KioskScreen
from station.ui.status_words import nice_name
from station.ui.widgets import Badge, FitLabel, Selectable, _centered, line_label, theme


class SchoolRow(RecycleDataViewBehavior, Selectable):
    def __init__(self, **kwargs: Any) -> None:
        t = theme()
        p = t.palette
        super().__init__(kid="school_row", **kwargs)
        side = t.touch * 0.5
        box = BoxLayout(size_hint_x=None, width=side)
        box.add_widget(_centered(Icon(name="school", color=p.primary, size_hint=(None, None),
                                      size=(side, side))))
        self.add_widget(box)
        texts = BoxLayout(orientation="vertical", padding=(0, t.gap // 2))
        self.name = line_label(bold=True)
        self.detail = line_label(color=p.muted, font_size=t.font_small)
        texts.add_widget(self.name)
        texts.add_widget(self.detail)
        self.add_widget(texts)
        self.badge_box = BoxLayout(size_hint_x=None, width=t.touch * 3)
        self.badge = Badge()
        self.badge_box.add_widget(_centered(self.badge))
        self.add_widget(self.badge_box)
        self.bind(on_release=lambda *_: SchoolsScreen.current.choose(self.payload))

    def refresh_view_attrs(self, rv: Any, index: int, data: dict[str, Any]) -> None:
        self.payload = data["cct"]
        self.name.text = data["name"]
        self.detail.text = data["detail"]
        self.badge.set(*data["badge"])
        self.index = index  # the base class would setattr every data key: not wanted here


class SchoolsScreen(KioskScreen):
    state = State.SCHOOLS
    title = _("Elija la escuela")
    current: SchoolsScreen

    def build(self) -> None:
        SchoolsScreen.current = self
        t = theme()
        self.summaries: list[lookup.SchoolSummary] = []
        self.search = SearchField(hint=_("Buscar por nombre o CCT"), kid="school_search")
        self.search.bind(on_release=lambda *_: self._keyboard(True),
                         text=lambda *_: self._refill())
        self.body.add_widget(self.search)
        self.list = recycle_list(SchoolRow, row_height=t.touch * 1.15, kid="school_list")
        self.body.add_widget(self.list)
        self.empty = FitLabel(halign="center", color=t.palette.muted, kid="schools_empty")
        self.keyboard = OnScreenKeyboard(on_key=self.search.type, digits=True,
                                         on_done=lambda: self._keyboard(False))

    def enter(self, then: str = "roster", **_params: Any) -> None:
        SchoolsScreen.current = self
        self.then = State(then)
        self.summaries = lookup.schools(self.app.station)
        self._keyboard(False)
        self._refill()

    def leave(self) -> None:
        self._keyboard(False)

    def _refill(self) -> None:
        wanted = lookup.normalize(self.search.text)
        shown = [s for s in self.summaries
                 if not wanted or lookup.matches(f"{s.school.nombre} {s.school.cct}", wanted)]
        self.list.data = [{
            "cct": s.school.cct, "name": nice_name(s.school.nombre),
            "detail": " · ".join((s.school.cct, nice_name(s.school.turno.value),
                                  nice_name(s.school.municipio))),
            "badge": ((ngettext("{n} pendiente", "{n} pendientes", s.pending).format(
                n=s.pending), "warn", "clock") if s.pending
                      else (_("Al día"), "ok", "check")),
        } for s in shown]
        self.list.refresh_from_data()
        if not self.summaries:
            self.empty.text = _("Esta estación todavía no tiene escuelas. Llame a su DRSE y "
                                "pídales que importen en esta estación la plantilla de SCEJAL "
                                "de su escuela.")
        else:
            self.empty.text = _("Ninguna escuela coincide con «{text}».").format(
                text=self.search.text)
        if not shown and self.empty.parent is None:
            self.body.add_widget(self.empty, index=self.body.children.index(self.list))
        elif shown and self.empty.parent is not None:
            self.body.remove_widget(self.empty)

    def choose(self, cct: str) -> None:
        self.app.session.cct = cct
        self.app.go(self.then, cct=cct)

    def _keyboard(self, show: bool) -> None:
        self.search.active = show
        if show and self.keyboard.parent is None:
            self.body.add_widget(self.keyboard)
        elif not show and self.keyboard.parent is not None:
            self.body.remove_widget(self.keyboard)
