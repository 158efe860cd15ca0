"""Supplies of the kit (técnicos 1–6): stock and ink, warnings, material received, and the
resupply request with its justification from the ledger, printed for the director to sign."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.uix.boxlayout import BoxLayout

from foundation.errors import DomainError
from station.core.supplies import Item
from station.services import lifecycle_cards, print_tasks, supplies, supplies_request
from station.ui import dialogs
from station.ui.dialogs import Choice
from station.ui.i18n import _
from station.ui.keyboard import NumberPad, TextForm
from station.ui.machine import State
from station.ui.screens.base import KioskScreen, row
from station.ui.status_words import stock_words
from station.ui.widgets import FitLabel, Notice, Panel, TouchButton, line_label, theme
from station.ui.worker import Job

if TYPE_CHECKING:
    from station.printer.cups_queue import JobStatus

ITEM_WORDS = {Item.TESLIN: _("Hojas Teslin"), Item.MICAS: _("Micas"),
              Item.TINTA: _("Cartuchos de tinta"), Item.HOLOGRAMAS: _("Hologramas")}


class SuppliesScreen(KioskScreen):
    state = State.SUPPLIES
    title = _("Insumos")

    def enter(self, **_params: Any) -> None:
        self._status()

    def _status(self) -> None:
        self.body.clear_widgets()
        self.body.add_widget(Notice(kind="info", message=_("Revisando existencias y tinta…")))
        station = self.app.station
        self.app.run_job(Job(_("Insumos"), lambda _p: supplies.supplies_status(station),
                             on_done=self._show, on_error=self._failed, keeps_awake=False))

    def _show(self, status: supplies.SuppliesStatus) -> None:
        t = theme()
        p = t.palette
        self.body.clear_widgets()
        table = Panel(orientation="vertical", bg=p.surface, border=p.border, padding=t.gap,
                      spacing=2, size_hint_y=None)
        lines = [(ITEM_WORDS[item], line.stock, line.received, line.used)
                 for item, line in status.lines.items() if item is not Item.HOLOGRAMAS]
        header = BoxLayout(size_hint_y=None, height=t.font_small * 1.8)
        for text in (_("Material"), _("Existencia"), _("Recibido"), _("Usado")):
            header.add_widget(line_label(text, color=p.muted, font_size=t.font_small,
                                         bold=True))
        table.add_widget(header)
        for name, stock, received, used in lines:
            line = BoxLayout(size_hint_y=None, height=t.font_body * 1.7)
            line.add_widget(line_label(name, bold=True))
            for value in (stock_words(stock), received, used):
                line.add_widget(line_label(str(value)))
            table.add_widget(line)
        holo = BoxLayout(size_hint_y=None, height=t.font_body * 1.7)
        holo.add_widget(line_label(_("Hologramas del ciclo {cycle}").format(cycle=status.cycle),
                                   bold=True, size_hint_x=3))
        holo.add_widget(line_label(stock_words(status.holograms_this_cycle)))
        table.add_widget(holo)
        table.height = (header.height + len(lines) * t.font_body * 1.7 + holo.height
                        + 2 * t.gap + 2 * (len(lines) + 1))
        self.body.add_widget(table)
        ink = ", ".join(f"{i.name} {'?' if i.level is None else f'{i.level} %'}"
                        for i in status.ink or [])
        words = status.warnings + ([_("Tinta: {levels}.").format(levels=ink)] if ink else
                                   [_("Tinta: {note}.").format(note=status.ink_note)]
                                   if status.ink_note else [])
        self.body.add_widget(Notice(kind="warn" if status.warnings else "ok",
                                    message=" ".join(words) or _("Existencias suficientes."),
                                    kid="supplies_notice"))
        self.body.add_widget(BoxLayout())
        receive = TouchButton(icon="box", text=_("Registrar lo recibido"), style="secondary",
                              kid="supplies_receive")
        receive.bind(on_release=lambda *_: self._choose_item())
        request = TouchButton(icon="document", text=_("Solicitud de material"),
                              kid="supplies_request")
        request.bind(on_release=lambda *_: self._request())
        self.body.add_widget(row(receive, request))

    def _failed(self, error: BaseException) -> None:
        if not isinstance(error, DomainError):
            raise error
        dialogs.show_error(error, then=self._status)

    # -- material received --------------------------------------------------------------

    def _choose_item(self) -> None:
        choices = [Choice(ITEM_WORDS[item], "box", "secondary",
                          lambda i=item: self._quantity(i), f"item_{item.value}")
                   for item in (Item.TESLIN, Item.MICAS, Item.TINTA)]
        choices.append(Choice(ITEM_WORDS[Item.HOLOGRAMAS], "hologram", "secondary",
                              self._holograms_first, "item_hologramas"))
        dialogs.show(kind="info", title=_("¿Qué material llegó?"), kid="item", columns=2,
                     message=_("Registre lo que llegó para que el inventario cuadre."),
                     choices=[*choices, Choice(_("Cancelar"), "back", "quiet", None,
                                               "item_cancel")])

    def _quantity(self, item: Item) -> None:
        t = theme()
        self.body.clear_widgets()
        self.body.add_widget(FitLabel(text=_("¿Cuántos llegaron? ({item})").format(
            item=ITEM_WORDS[item]), bold=True, size_hint_y=None, height=t.touch * 0.7))
        pad = NumberPad(on_enter=lambda n: self._reference(item, n), ok_text=_("Siguiente"),
                        size_hint_x=0.6, pos_hint={"center_x": 0.5})
        self.body.add_widget(pad)
        cancel = TouchButton(text=_("Cancelar"), icon="cross", style="secondary",
                             kid="quantity_cancel")
        cancel.bind(on_release=lambda *_: self._status())
        self.body.add_widget(row(cancel))

    def _reference(self, item: Item, quantity: int) -> None:
        self.body.clear_widgets()
        self.body.add_widget(TextForm(
            prompt=_("Número de remisión u oficio con que llegó ({n} {item})").format(
                n=quantity, item=ITEM_WORDS[item]),
            hint=_("Por ejemplo REM 1234"), icon="document", kid="reference",
            on_cancel=self._status, on_save=lambda ref: self._receive(item, quantity, ref)))

    def _receive(self, item: Item, quantity: int, reference: str) -> None:
        user = self.app.machine.user
        supplies.receive(self.app.station, item.value, quantity, reference=reference,
                         on=self.app.station.today(), taken_by=user.name if user else "")
        self._status()

    def _holograms_first(self) -> None:
        self.body.clear_widgets()
        self.body.add_widget(TextForm(
            prompt=_("Primer número de serie del rollo de hologramas"),
            hint=_("Por ejemplo H000100"), icon="hologram", extra="-", kid="roll_first",
            save_text=_("Siguiente"), on_cancel=self._status, on_save=self._holograms_last))

    def _holograms_last(self, first: str) -> None:
        self.body.clear_widgets()
        self.body.add_widget(TextForm(
            prompt=_("Último número de serie del rollo (desde {first})").format(first=first),
            hint=_("Por ejemplo H000199"), icon="hologram", extra="-", kid="roll_last",
            on_cancel=self._status, on_save=lambda last: self._holograms(first, last)))

    def _holograms(self, first: str, last: str) -> None:
        user = self.app.machine.user
        lifecycle_cards.receive_holograms(self.app.station, first, last, cycle=None,
                                          reference="kiosco", on=self.app.station.today(),
                                          taken_by=user.name if user else "")
        self._status()

    # -- resupply request ---------------------------------------------------------------

    def _request(self) -> None:
        station = self.app.station
        user = self.app.machine.user
        signer = user.name if user is not None and user.may("settings") else ""

        def work(_progress: Any) -> Any:
            req = supplies.build_request(station, since=None, asked={}, director=signer)
            return supplies_request.issue_request(station, req, None)

        self.app.run_job(Job(_("Solicitud de material"), work, on_done=self._requested,
                             on_error=self._failed))

    def _requested(self, pdf: Any) -> None:
        dialogs.show(kind="ok", title=_("Solicitud de material lista"), kid="request_done",
                     message=_("Se guardó la solicitud {name} con la justificación de uso. "
                               "Imprímala, fírmela y entréguela a la DRSE.").format(
                                   name=pdf.name),
                     choices=[Choice(_("Más tarde"), "cross", "secondary", None,
                                     "request_later"),
                              Choice(_("Imprimir"), "print", "primary",
                                     lambda: self._print(pdf), "request_print")])

    def _print(self, pdf: Any) -> None:
        station = self.app.station
        self.app.run_job(Job(_("Imprimir solicitud"), lambda progress: (
            print_tasks.print_document(station, pdf, title="Solicitud de material",
                                       on_progress=progress)),
            on_done=self._printed, on_error=self._failed))

    def _printed(self, status: JobStatus) -> None:
        dialogs.show(kind="ok" if status.state == "completed" else "warn",
                     title=_("Solicitud enviada a la impresora"),
                     message=_("La impresora recibió la solicitud.")
                     if status.state == "completed" else status.message_es,
                     kid="request_printed")
