"""Holograms of the cycle: who still needs one, and the serial applied to each card.

The cycle's hologram is what makes a card valid for the cycle (normativos 5, 6); each serial
is recorded against the card it went on (:mod:`station.services.lifecycle_cards`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.recycleview.views import RecycleDataViewBehavior

from foundation.errors import NotFound
from station.core.cycles import Need
from station.services import lifecycle, lifecycle_cards, lookup
from station.services.kiosk_admin import HOLOGRAM_SPOIL_REASONS
from station.ui import dialogs
from station.ui.i18n import _, ngettext
from station.ui.keyboard import TextForm
from station.ui.lists import recycle_list
from station.ui.machine import State
from station.ui.screens.base import KioskScreen, row
from station.ui.status_words import nice_name, stock_words
from station.ui.widgets import FitLabel, Surface, TouchButton, line_label, theme

if TYPE_CHECKING:
    from station.store.lifecycle_records import StudentLine


class HologramRow(RecycleDataViewBehavior, Surface, BoxLayout):
    """Name, grade and folio | Registrar"""

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
        self.apply = TouchButton(icon="hologram", text=_("Registrar"), style="secondary",
                                 kid="holo_apply", size_hint=(None, None),
                                 width=t.touch * 2.6, height=t.touch)
        self.apply.bind(on_release=lambda *_: HologramsScreen.current.ask_serial(self.payload))
        box = BoxLayout(size_hint_x=None, width=self.apply.width, padding=(0, t.gap // 2))
        box.add_widget(self.apply)
        self.add_widget(box)

    def refresh_view_attrs(self, rv: Any, index: int, data: dict[str, Any]) -> None:
        self.payload = self.apply.payload = data["curp"]
        self.name.text = data["name"]
        self.detail.text = data["detail"]
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
            bulk = TouchButton(icon="hologram", text=_("Asignar en orden de la lista"),
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
            prompt=_("Primer número de serie del rollo (se asignan en orden de la lista)"),
            hint=_("Por ejemplo H000100"), icon="hologram", extra="-", kid="first_serial",
            save_text=_("Asignar"), on_cancel=self._show_list, on_save=self._confirm_bulk))

    def _confirm_bulk(self, first: str) -> None:
        count = len(self.needing)
        self._show_list()
        dialogs.confirm(
            title=_("¿Asignar hologramas?"), kid="confirm_bulk", yes=_("Sí, asignar"),
            message=ngettext(
                "Se registrará {n} holograma desde el {first}, en el orden de la lista.",
                "Se registrarán {n} hologramas consecutivos desde el {first}, en el orden de "
                "la lista. Péguelos en ese mismo orden.", count).format(n=count, first=first),
            on_yes=lambda: self._bulk(first))

    def _bulk(self, first: str) -> None:
        user = self.app.machine.user
        applied = lifecycle_cards.assign_holograms(
            self.app.station, self.cct, first, on=self.app.station.today(),
            taken_by=user.name if user else "")
        self._show_list()
        dialogs.show(kind="ok", title=_("Hologramas registrados"), kid="holo_bulk_done",
                     message=ngettext("Se registró {n} holograma.",
                                      "Se registraron {n} hologramas.",
                                      len(applied)).format(n=len(applied)))

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
