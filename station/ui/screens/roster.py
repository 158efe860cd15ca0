"""A school's students: search by name with the on-screen keyboard, filter by status, grade
and group, select students (one by one, or every one the list shows) for printing, open one
student.

The filters wrap onto a second line where the screen is narrow (800×480): every chip stays on
screen. A print takes the students who are ready and names the others with the reason, in the
words of :func:`station.services.batch_selection.select_ready` (the command line's
``--all-pending`` uses it too): one student without a photo never stops the batch.
"""

from __future__ import annotations

from typing import Any

from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.recycleview.views import RecycleDataViewBehavior
from kivy.uix.stacklayout import StackLayout

from foundation.errors import DomainError, NotFound
from station.services import lookup
from station.services.batch_selection import NO_PHOTO, ReadySelection, select_ready
from station.ui import dialogs, status_words
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
        self.grado: int | None = None
        self.grupo: str | None = None
        # Search, grade, group, status chips: one flow that wraps to a second line rather
        # than pushing chips off a narrow screen.
        self.bar = StackLayout(size_hint_y=None, spacing=t.gap)
        self.bar.bind(minimum_height=self.bar.setter("height"))
        self.search = SearchField(hint=_("Buscar por nombre"), kid="search",
                                  size_hint_x=None, width=t.width * 0.3)
        self.search.bind(on_release=lambda *_: self._keyboard(True),
                         text=lambda *_: self._refill())
        self.body.add_widget(self.bar)
        self.list = recycle_list(RosterRow, row_height=t.touch * 1.15, kid="roster_list")
        self.empty = FitLabel(text="", halign="center", color=t.palette.muted,
                              kid="roster_empty")
        self.body.add_widget(self.list)
        self.actions = BoxLayout(size_hint_y=None, height=t.touch, spacing=t.gap)
        self.select_shown = TouchButton(kid="select_shown", style="secondary",
                                        font_size=t.font_small)
        self.select_shown.bind(on_release=lambda *_: self._select_shown())
        self.print_selected = TouchButton(icon="print", kid="print_selected", style="secondary")
        self.print_selected.bind(on_release=lambda *_: self._print(list(self.selected)))
        self.print_pending = TouchButton(icon="print", kid="print_pending")
        self.print_pending.bind(on_release=lambda *_: self._print(None))
        for widget in (self.select_shown, self.print_selected, self.print_pending):
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
            self.grado = self.grupo = None
        self.cct = self.app.session.cct = cct
        school = lookup.school(self.app.station, cct)
        self.set_title(status_words.nice_name(school.nombre))
        self.entries = lookup.roster(self.app.station, cct)
        self.selected &= {e.curp for e in self.entries}
        self.many_schools = (not self.app.station.settings["station.school_cct"]
                             and lookup.count_schools(self.app.station) > 1)
        self._keyboard(False)
        self._refill()

    def leave(self) -> None:
        self._keyboard(False)

    # -- filters and list ---------------------------------------------------------------

    def _chip(self, text: str, kid: str, action: Any, *, on: bool = False,
              icon: str = "") -> TouchButton:
        t = theme()
        chip = TouchButton(text=text, kid=kid, icon=icon, size_hint_x=None,
                           style="primary" if on else "secondary", font_size=t.font_small,
                           padding=(t.pad, 0))
        chip.width = max(t.touch * 1.5, text_width(text, t.font_small, bold=True) + 2 * t.pad
                         + 6 + (t.touch * 0.42 + t.gap if icon else 0))
        chip.bind(on_release=lambda *_: action())
        return chip

    def _in_class(self) -> list[lookup.RosterEntry]:
        """The entries of the chosen grade and group (all when none is chosen)."""
        return [e for e in self.entries if (self.grado is None or e.grado == self.grado)
                and (self.grupo is None or e.grupo == self.grupo)]

    def _fill_bar(self) -> None:
        self.bar.clear_widgets()
        self.bar.add_widget(self.search)
        if self.search.active:  # typing: the keyboard needs the room
            return
        if self.many_schools:
            self.bar.add_widget(self._chip(_("Otra escuela"), "change_school",
                                           self._change_school, icon="school"))
        in_class = self._in_class()
        grado = (_("Grado: todos") if self.grado is None
                 else _("Grado: {grado}°").format(grado=self.grado))
        grupo = (_("Grupo: todos") if self.grupo is None
                 else _("Grupo: {grupo}").format(grupo=self.grupo))
        self.bar.add_widget(self._chip(grado, "filter_grado", self._choose_grado,
                                       on=self.grado is not None))
        self.bar.add_widget(self._chip(grupo, "filter_grupo", self._choose_grupo,
                                       on=self.grupo is not None))
        for name in lookup.FILTERS:
            n = len(lookup.filter_roster(in_class, status=name))
            label = f"{status_words.FILTER_LABELS[name]} ({n})"
            self.bar.add_widget(self._chip(label, f"filter_{name}",
                                           lambda n=name: self._set_filter(n),
                                           on=name == self.filter))

    def _set_filter(self, name: str) -> None:
        self.filter = name
        self._refill()

    def _shown(self) -> list[lookup.RosterEntry]:
        return lookup.filter_roster(self._in_class(), query=self.search.text, status=self.filter)

    def _refill(self) -> None:
        shown = self._shown()
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
        self._fill_bar()
        self._actions(shown)

    def _ready(self) -> list[str]:
        """Pending students who have a photo: the ones a print can take now."""
        return [e.curp for e in self.entries if e.needs_card and e.has_photo]

    def _actions(self, shown: list[lookup.RosterEntry]) -> None:
        n = len(self.selected)
        ready = len(self._ready())
        every = bool(shown) and all(e.curp in self.selected for e in shown)
        self.select_shown.text = (_("Quitar las marcas") if every else ngettext(
            "Marcar al de la lista", "Marcar a los {n} de la lista",
            len(shown)).format(n=len(shown)))
        self.select_shown.icon = "unchecked" if every else "checked"
        self.select_shown.disabled = not shown
        self.print_selected.text = _("Imprimir selección ({n})").format(n=n)
        self.print_selected.disabled = n == 0
        self.print_pending.text = _("Imprimir pendientes con foto ({n})").format(n=ready)
        self.print_pending.disabled = ready == 0

    # -- grade, group, school -------------------------------------------------------------

    def _choose_grado(self) -> None:
        grades = sorted({e.grado for e in self.entries})
        choices = [dialogs.Choice(_("Todos"), style="secondary", kid="grado_all",
                                  action=lambda: self._set_class(None, None))]
        choices += [dialogs.Choice(_("{grado}°").format(grado=g), kid=f"grado_{g}",
                                   action=lambda g=g: self._set_class(g, None))
                    for g in grades]
        dialogs.show(kind="info", title=_("Grado"), message=_("¿Qué grado quiere ver?"),
                     choices=choices, kid="grado", columns=min(4, len(choices)))

    def _choose_grupo(self) -> None:
        groups = sorted({e.grupo for e in self.entries
                         if self.grado is None or e.grado == self.grado})
        choices = [dialogs.Choice(_("Todos"), style="secondary", kid="grupo_all",
                                  action=lambda: self._set_class(self.grado, None))]
        choices += [dialogs.Choice(g, kid=f"grupo_{g}",
                                   action=lambda g=g: self._set_class(self.grado, g))
                    for g in groups]
        where = (_("del {grado}° grado").format(grado=self.grado) if self.grado is not None
                 else _("de todos los grados"))
        dialogs.show(kind="info", title=_("Grupo"),
                     message=_("¿Qué grupo quiere ver, {where}?").format(where=where),
                     choices=choices, kid="grupo", columns=min(4, len(choices)))

    def _set_class(self, grado: int | None, grupo: str | None) -> None:
        self.grado, self.grupo = grado, grupo
        self._refill()

    def _select_shown(self) -> None:
        shown = {e.curp for e in self._shown()}
        if shown <= self.selected:
            self.selected -= shown
        else:
            self.selected |= shown
        self._refill()

    def _change_school(self) -> None:
        self.app.go(State.SCHOOLS, then=State.ROSTER.value)

    # -- actions ------------------------------------------------------------------------

    def toggle(self, curp: str) -> None:
        self.selected ^= {curp}
        for item in self.list.data:
            if item["curp"] == curp:
                item["selected"] = curp in self.selected
        self.list.refresh_from_data()
        self._actions(self._shown())

    def open_student(self, curp: str) -> None:
        self.app.go(State.STUDENT, curp=curp)

    def _print(self, curps: list[str] | None) -> None:
        """Print the ready ones of ``curps`` (every pending student when None); say first
        who is left out and why."""
        try:
            selection = select_ready(self.app.station, self.cct, only=curps)
        except DomainError as error:
            dialogs.show_error(error)
            return
        ready = {s.curp for s in selection.students}
        known = ready | {n.curp for n in selection.not_ready}
        # Ticked students who need no card now (one with a card of the cycle, say): their
        # row's own words are the reason.
        others = [(e.list_name, status_words.entry_badge(e)[0].lower())
                  for e in self.entries if curps is not None and e.curp in curps
                  and e.curp not in known]
        left_out = [(n.name, n.reason) for n in selection.not_ready] + others
        order = {e.curp: i for i, e in enumerate(self.entries)}
        chosen = sorted(ready, key=lambda c: order.get(c, 0))

        def go() -> None:
            self.app.go(State.PRINT_PREVIEW, cct=self.cct, curps=chosen)

        if not left_out or (curps is None and all(r != NO_PHOTO for _n, r in left_out)):
            go()  # the pending list's own leftovers (declined...) are no news: the chips say
            return
        dialogs.show(kind="warn", title=_("No todos están listos"),
                     message=partial_message(selection, left_out), kid="partial",
                     choices=[dialogs.Choice(_("Cancelar"), "cross", "secondary", None,
                                             "partial_no"),
                              dialogs.Choice(ngettext("Imprimir al alumno listo",
                                                      "Imprimir a los {n} listos",
                                                      len(chosen)).format(n=len(chosen)),
                                             "print", action=go, kid="partial_yes")])

    def _keyboard(self, show: bool) -> None:
        self.search.active = show
        self.search.width = theme().width * (0.6 if show else 0.3)  # room for what is typed
        if show and self.keyboard.parent is None:
            self.body.remove_widget(self.actions)
            self.body.add_widget(self.keyboard)
        elif not show and self.keyboard.parent is not None:
            self.body.remove_widget(self.keyboard)
            self.body.add_widget(self.actions)
        self._fill_bar()


SHOWN_NAMES = 5
"""Names listed in the partial-print dialog; the rest are counted (the dialog must fit)."""


def partial_message(selection: ReadySelection, left_out: list[tuple[str, str]]) -> str:
    """Who is printed, who is not and why, and what to do for those without a photo."""
    ready = len(selection.students)
    lines = [ngettext("Se imprimirá {n} alumno.", "Se imprimirán {n} alumnos.",
                      ready).format(n=ready),
             ngettext("{n} alumno no se imprime ahora:", "{n} alumnos no se imprimen ahora:",
                      len(left_out)).format(n=len(left_out))]
    lines += [f"• {status_words.nice_name(name)}: {reason}"
              for name, reason in left_out[:SHOWN_NAMES]]
    rest = len(left_out) - SHOWN_NAMES
    if rest > 0:
        lines.append(ngettext("… y {n} más", "… y {n} más", rest).format(n=rest))
    if any(reason == NO_PHOTO for _name, reason in left_out):
        lines.append(_("A quien no tiene foto, tómesela con «Tomar foto» en su ficha."))
    return "\n".join(lines)
