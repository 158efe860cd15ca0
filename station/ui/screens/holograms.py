"""Holograms of the cycle: who still needs one, and the serial applied to each card.

The cycle's hologram is what makes a card valid for the cycle (normativos 5, 6); each serial
is recorded against the card it went on (:mod:`station.services.lifecycle_cards`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.recycleview.views import RecycleDataViewBehavior

from foundation.errors import DomainError, NotFound
from station.core.cycles import Need
from station.services import hologram_list, lifecycle, lifecycle_cards, lookup, print_tasks
from station.services.kiosk_admin import HOLOGRAM_SPOIL_REASONS
from station.ui import dialogs
from station.ui.i18n import _, ngettext
from station.ui.keyboard import TextForm
from station.ui.lists import recycle_list
from station.ui.machine import State
from station.ui.screens.base import KioskScreen, row
from station.ui.status_words import nice_name, stock_words
from station.ui.widgets import FitLabel, Surface, TouchButton, line_label, theme
from station.ui.worker import Job

if TYPE_CHECKING:
    from station.store.lifecycle_records import StudentLine


class _StudentRow(RecycleDataViewBehavior, Surface, BoxLayout):
    """A list row: the student's name over grade and folio, then the row's own buttons."""

    def __init__(self, **kwargs: Any) -> None:
        t = theme()
        p = t.palette
        super().__init__(bg=p.surface, border=p.border, radius=t.radius, spacing=t.gap,
                         padding=(t.pad, 0, t.gap, 0), **kwargs)
        self.init_surface()
        texts = BoxLayout(orientation="vertical", padding=(0, t.gap // 2))
        self.name = line_label(bold=True)
        self.detail = line_label(color=p.muted, font_size=t.font_small)
        texts.add_widget(self.name)
        texts.add_widget(self.detail)
        self.add_widget(texts)

    def add_button(self, button: TouchButton) -> TouchButton:
        box = BoxLayout(size_hint_x=None, width=button.width, padding=(0, theme().gap // 2))
        box.add_widget(button)
        self.add_widget(box)
        return button


class HologramRow(_StudentRow):
    """Name, grade and folio | Registrar"""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        t = theme()
        self.apply = self.add_button(TouchButton(
            icon="hologram", text=_("Registrar"), style="secondary", kid="holo_apply",
            size_hint=(None, None), width=t.touch * 2.6, height=t.touch))
        self.apply.bind(on_release=lambda *_: HologramsScreen.current.ask_serial(self.payload))

    def refresh_view_attrs(self, rv: Any, index: int, data: dict[str, Any]) -> None:
        self.payload = self.apply.payload = data["curp"]
        self.name.text = data["name"]
        self.detail.text = data["detail"]
        self.index = index


class PlanRow(_StudentRow):
    """Name, grade and folio | serial | Pegado | Otro"""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        t = theme()
        self.serial = line_label(bold=True, font_size=t.font_large, size_hint_x=None,
                                 width=t.touch * 2.4)
        self.add_widget(self.serial)
        self.done = self.add_button(TouchButton(
            icon="check", text=_("Pegado"), kid="plan_stuck", size_hint=(None, None),
            width=t.touch * 2.3, height=t.touch))
        self.done.bind(on_release=lambda *_: HologramsScreen.current.stuck(self.payload))
        self.other = self.add_button(TouchButton(
            icon="warning", text=_("Otro"), style="secondary", kid="plan_other",
            size_hint=(None, None), width=t.touch * 2, height=t.touch))
        self.other.bind(on_release=lambda *_: HologramsScreen.current.other(self.payload))

    def refresh_view_attrs(self, rv: Any, index: int, data: dict[str, Any]) -> None:
        self.payload = self.done.payload = self.other.payload = data["curp"]
        self.name.text = data["name"]
        self.detail.text = data["detail"]
        self.serial.text = data["serial"]
        self.index = index


class HologramsScreen(KioskScreen):
    state = State.HOLOGRAMS
    title = _("Hologramas del ciclo")
    current: HologramsScreen

    def build(self) -> None:
        HologramsScreen.current = self
        self.cct = ""
        self.needing: list[StudentLine] = []

    def enter(self, cct: str | None = None, **_params: Any) -> None:
        HologramsScreen.current = self
        cct = cct or self.app.session.cct or self._only_school()
        if not cct:
            raise NotFound(_("Elija primero la escuela en «Alumnos y credenciales»."))
        self.cct = self.app.session.cct = cct
        self._show_list()

    def _only_school(self) -> str | None:
        schools = lookup.schools(self.app.station)
        return schools[0].school.cct if len(schools) == 1 else None

    def _show_list(self) -> None:
        t = theme()
        station = self.app.station
        lists = lifecycle.school_lists(station, self.cct)
        self.needing = lists.by_need(Need.HOLOGRAM)
        stock = next((c.stock for c in lifecycle_cards.hologram_stock(station)
                      if c.cycle == lists.cycle), 0)
        self.set_title(_("Hologramas del ciclo {cycle}").format(cycle=lists.cycle))
        self.body.clear_widgets()
        summary = ngettext("{n} alumno necesita holograma", "{n} alumnos necesitan holograma",
                           len(self.needing)).format(n=len(self.needing))
        self.body.add_widget(FitLabel(
            text=f"{nice_name(lists.school.nombre)} · {summary} · "
                 + _("existencia: {n}").format(n=stock_words(stock)),
            bold=True, size_hint_y=None, height=t.touch * 0.8, kid="holo_summary"))
        if self.needing:
            view = recycle_list(HologramRow, row_height=t.touch * 1.15, kid="holo_list")
            view.data = [{"curp": s.curp, "name": s.name, "detail": " · ".join((
                _("{grado}° {grupo}").format(grado=s.grado, grupo=s.grupo),
                _("folio {folio:07d}").format(folio=s.folio) if s.folio else ""))}
                for s in self.needing]
            self.body.add_widget(view)
        else:
            self.body.add_widget(FitLabel(text=_(
                "Todos los alumnos con credencial tienen el holograma de este ciclo."),
                halign="center", color=t.palette.muted, kid="holo_none"))
        spoil = TouchButton(icon="warning", text=_("Holograma dañado"), style="secondary",
                            kid="holo_spoil")
        spoil.bind(on_release=lambda *_: self._ask_spoiled())
        buttons = [spoil]
        if self.needing:
            bulk = TouchButton(icon="hologram", text=_("Lista para pegarlos"),
                               kid="holo_bulk")
            bulk.bind(on_release=lambda *_: self._ask_first())
            buttons.append(bulk)
        self.body.add_widget(row(*buttons))

    def ask_serial(self, curp: str) -> None:
        line = next(s for s in self.needing if s.curp == curp)
        self.body.clear_widgets()
        self.body.add_widget(TextForm(
            prompt=_("Número de serie del holograma de {name}").format(name=line.name),
            hint=_("Por ejemplo H000123"), icon="hologram", extra="-", kid="serial",
            on_cancel=self._show_list, on_save=lambda text: self._apply(curp, text)))

    def _apply(self, curp: str, serial: str) -> None:
        user = self.app.machine.user
        applied = lifecycle_cards.apply_hologram(
            self.app.station, serial, curp=curp, on=self.app.station.today(),
            taken_by=user.name if user else "")
        self._show_list()
        dialogs.show(kind="ok", title=_("Holograma registrado"), kid="holo_done",
                     message=_("Holograma {serial} registrado.").format(
                         serial=applied.serial))

    def _ask_first(self) -> None:
        self.body.clear_widgets()
        self.body.add_widget(TextForm(
            prompt=_("Primer número de serie del rollo (se hace la lista para pegarlos)"),
            hint=_("Por ejemplo H000100"), icon="hologram", extra="-", kid="first_serial",
            save_text=_("Hacer la lista"), on_cancel=self._show_list,
            on_save=self._start_plan))

    # -- the list to stick them by: recorded only when the operator says they are stuck ----

    def _start_plan(self, first: str) -> None:
        hologram_list.sticking_plan(self.app.station, self.cct, first)  # a bad serial: refused
        self.first, self.skipped, self.used = first, set(), set()
        self._show_plan()

    def _plan(self) -> list[hologram_list.StickRow]:
        return hologram_list.sticking_plan(self.app.station, self.cct, self.first,
                                           skip_students=self.skipped, skip_serials=self.used)

    def _show_plan(self) -> None:
        t = theme()
        self.rows = self._plan()
        if not self.rows:
            self._show_list()
            return
        self.body.clear_widgets()
        self.body.add_widget(FitLabel(text=_(
            "Pegue cada holograma en la credencial de su renglón y confírmelo: se registra "
            "solo lo que usted confirma."), size_hint_y=None, height=t.touch * 0.9,
            kid="plan_hint"))
        view = recycle_list(PlanRow, row_height=t.touch * 1.15, kid="plan_list")
        view.data = [{"curp": r.curp, "name": r.name, "serial": r.serial,
                      "detail": " · ".join(p for p in (
                          _("{grado}° {grupo}").format(grado=r.grado, grupo=r.grupo),
                          _("folio {folio:07d}").format(folio=r.folio) if r.folio else "")
                          if p)} for r in self.rows]
        self.body.add_widget(view)
        back = TouchButton(icon="back", text=_("Volver"), style="secondary", kid="plan_back")
        back.bind(on_release=lambda *_: self._show_list())
        printed = TouchButton(icon="print", text=_("Imprimir la lista"), style="secondary",
                              kid="plan_print")
        printed.bind(on_release=lambda *_: self._print_plan())
        every = TouchButton(icon="check", kid="plan_all", text=ngettext(
            "Ya lo pegué", "Ya pegué los {n}", len(self.rows)).format(n=len(self.rows)))
        every.bind(on_release=lambda *_: self._confirm_all())
        self.body.add_widget(row(back, printed, every))

    def stuck(self, curp: str) -> None:
        """One hologram confirmed on its card: recorded now, and off the list."""
        chosen = [r for r in self.rows if r.curp == curp]
        self._record(chosen)

    def _confirm_all(self) -> None:
        n = len(self.rows)
        dialogs.confirm(
            title=_("¿Ya están pegados?"), kid="plan_confirm", yes=_("Sí, están pegados"),
            message=ngettext("Se registrará el holograma de la lista como pegado.",
                             "Se registrarán los {n} hologramas de la lista como pegados, "
                             "cada uno en la credencial de su renglón.", n).format(n=n),
            on_yes=lambda: self._record(list(self.rows), done=True))

    def _record(self, rows: list[hologram_list.StickRow], *, done: bool = False) -> None:
        user = self.app.machine.user
        applied = hologram_list.record_stuck(self.app.station, rows,
                                             on=self.app.station.today(),
                                             taken_by=user.name if user else "")
        self.used |= {str(a.serial) for a in applied}
        self._show_plan()
        if done or not self.rows:
            dialogs.show(kind="ok", title=_("Hologramas registrados"), kid="holo_bulk_done",
                         message=ngettext("Se registró {n} holograma como pegado.",
                                          "Se registraron {n} hologramas como pegados.",
                                          len(applied)).format(n=len(applied)))

    def other(self, curp: str) -> None:
        """The hologram of this row tore, or the student is not here."""
        line = next(r for r in self.rows if r.curp == curp)
        dialogs.show(
            kind="warn", title=_("¿Qué pasó con el {serial}?").format(serial=line.serial),
            message=_("Un holograma dañado queda registrado y el alumno recibe el siguiente "
                      "del rollo. Un alumno ausente sale de la lista y nada se registra."),
            kid="plan_other", columns=2, choices=[
                *(dialogs.Choice(reason, "", "secondary",
                                 lambda r=reason: self._spoil_in_plan(line.serial, r),
                                 f"plan_spoil_{i}")
                  for i, reason in enumerate(HOLOGRAM_SPOIL_REASONS)),
                dialogs.Choice(_("No está el alumno"), "cross", "secondary",
                               lambda: self._skip(curp), "plan_skip"),
                dialogs.Choice(_("Cancelar"), "back", "quiet", None, "plan_other_cancel")])

    def _spoil_in_plan(self, serial: str, reason: str) -> None:
        user = self.app.machine.user
        lifecycle_cards.spoil_hologram(self.app.station, serial, reason=reason,
                                       on=self.app.station.today(),
                                       taken_by=user.name if user else "")
        self.used.add(serial)
        self._show_plan()

    def _skip(self, curp: str) -> None:
        self.skipped.add(curp)
        self._show_plan()

    def _print_plan(self) -> None:
        station, cct, rows = self.app.station, self.cct, list(self.rows)

        def work(progress: Any) -> Any:
            pdf = hologram_list.sticking_pdf(station, cct, rows, on=station.today())
            return print_tasks.print_document(station, pdf, title="Lista de hologramas",
                                              on_progress=progress)

        self.app.run_job(Job(_("Imprimir la lista de hologramas"), work,
                             on_done=self._plan_printed, on_error=self._plan_failed))

    def _plan_printed(self, status: Any) -> None:
        dialogs.show(kind="ok" if status.state == "completed" else "warn",
                     title=_("Lista enviada a la impresora"), kid="plan_printed",
                     message=_("La impresora recibió la lista de hologramas.")
                     if status.state == "completed" else status.message_es)

    def _plan_failed(self, error: BaseException) -> None:
        if not isinstance(error, DomainError):
            raise error
        dialogs.show_error(error)

    # -- a damaged hologram ----------------------------------------------------------------

    def _ask_spoiled(self) -> None:
        self.body.clear_widgets()
        self.body.add_widget(TextForm(
            prompt=_("Número de serie del holograma dañado o perdido"),
            hint=_("Por ejemplo H000123"), icon="hologram", extra="-", kid="spoil_serial",
            save_text=_("Siguiente"), on_cancel=self._show_list, on_save=self._ask_reason))

    def _ask_reason(self, serial: str) -> None:
        if not serial:
            return
        self._show_list()
        dialogs.show(
            kind="warn", title=_("¿Qué le pasó al {serial}?").format(serial=serial),
            message=_("Queda registrado como dañado y ya no se puede poner en una credencial."),
            kid="spoil_reason", columns=2, choices=[
                dialogs.Choice(reason, "", "secondary",
                               lambda r=reason: self._spoil(serial, r), f"spoil_reason_{i}")
                for i, reason in enumerate(HOLOGRAM_SPOIL_REASONS)] + [
                dialogs.Choice(_("Cancelar"), "cross", "quiet", None, "spoil_reason_cancel")])

    def _spoil(self, serial: str, reason: str) -> None:
        user = self.app.machine.user
        spoiled = lifecycle_cards.spoil_hologram(
            self.app.station, serial, reason=reason, on=self.app.station.today(),
            taken_by=user.name if user else "")
        self._show_list()
        dialogs.show(kind="ok", title=_("Holograma dañado registrado"), kid="holo_spoiled",
                     message=_("El holograma {serial} del ciclo {cycle} quedó registrado como "
                               "dañado ({reason}).").format(serial=spoiled["serial"],
                                                           cycle=spoiled["cycle"],
                                                           reason=spoiled["reason"]))
