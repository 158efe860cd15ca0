"""A student's procedures (trámites): decline or request the card (normativo 4), report a loss
(normativo 8), record a paid replacement and print it (normativo 9).

Whoever is signed in is recorded as the person who took the declaration; the services check
every rule (a refusal shows its reason and changes nothing).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from station.core.cycles import Need
from station.core.dates import show_day
from station.services import lifecycle, lifecycle_cards, lookup
from station.ui import dialogs
from station.ui.date_picker import DatePicker
from station.ui.dialogs import Choice
from station.ui.i18n import _
from station.ui.keyboard import TextForm
from station.ui.machine import State
from station.ui.screens.base import KioskScreen, row
from station.ui.widgets import FitLabel, Notice, TouchButton, theme

WHO = (("tutor", _("Madre, padre o tutor")), ("alumno", _("El alumno")))
REASONS = (("lost", _("Extravío")), ("stolen", _("Robo")), ("damaged", _("Daño")))


class LifecycleScreen(KioskScreen):
    state = State.LIFECYCLE
    title = _("Trámites del alumno")

    def enter(self, curp: str = "", **_params: Any) -> None:
        self.curp = curp or getattr(self, "curp", "")
        self._menu()

    # -- what can be done -----------------------------------------------------------------

    def _need(self) -> tuple[lookup.StudentDetail, Need | None]:
        detail = lookup.student(self.app.station, self.curp)
        lines = lifecycle.school_lists(self.app.station, detail.school.cct).students
        line = next((s for s in lines if s.curp == self.curp), None)
        self.line = line  # its ``words`` say why (e.g. a student who changed school)
        return detail, line.need if line is not None else None

    def _menu(self, notice: Notice | None = None) -> None:
        t = theme()
        detail, need = self._need()
        user = self.app.machine.user
        self.body.clear_widgets()
        self.body.add_widget(FitLabel(text=detail.student.full_name, bold=True,
                                      font_size=t.font_title, size_hint_y=None,
                                      height=t.touch * 0.9, kid="life_name"))
        status = self.line.words if self.line is not None else _("sin datos del ciclo")
        self.body.add_widget(FitLabel(text=_("Este ciclo: {status}.").format(status=status),
                                      color=t.palette.muted, size_hint_y=None,
                                      height=t.touch * 0.7, kid="life_status"))
        if notice is not None:
            self.body.add_widget(notice)
        buttons: list[TouchButton] = []

        def add(kid: str, text: str, icon: str, action: Any, style: str = "secondary") -> None:
            button = TouchButton(text=text, icon=icon, style=style, kid=kid, size_hint_y=1)
            button.bind(on_release=lambda *_: action())
            buttons.append(button)

        may = user.may if user else (lambda _a: False)
        if may("decline"):
            if need is Need.DECLINED:
                add("life_withdraw", _("Retirar la renuncia"), "back", self._withdraw)
            else:
                add("life_decline", _("No desea la credencial"), "cross", self._decline)
        if may("request") and need in (Need.CARD, Need.HOLOGRAM, Need.RECEIPT):
            add("life_request", _("Pide su credencial"), "document", self._request)
        if may("loss") and detail.active_folio is not None:
            add("life_loss", _("Reportar extravío o robo"), "warning", self._loss)
        if may("replacement") and detail.cards:
            add("life_replacement", _("Reposición con recibo"), "card", self._replacement)
        if need is Need.CARD and detail.photo is not None and may("print"):
            add("life_print", _("Imprimir su credencial"), "print", self._print, "primary")
        if not buttons:
            self.body.add_widget(Notice(kind="info", message=_(
                "No hay trámites que usted pueda hacer para este alumno."), kid="life_none"))
        rows = -(-len(buttons) // 2)
        grid = GridLayout(cols=2, spacing=t.gap, size_hint_y=None,
                          height=rows * t.touch * 1.2 + max(0, rows - 1) * t.gap)
        for button in buttons:
            grid.add_widget(button)
        self.body.add_widget(grid)
        self.body.add_widget(BoxLayout())

    def _done(self, message: str) -> None:
        self._menu(Notice(kind="ok", message=message, kid="life_done"))

    def _taken_by(self) -> str:
        user = self.app.machine.user
        return user.name if user else ""

    def _who(self, title: str, then: Any) -> None:
        dialogs.show(kind="info", title=title, kid="who",
                     message=_("¿Quién lo declara?"), columns=2,
                     choices=[*(Choice(words, "user", "secondary",
                                       lambda v=value: then(v), f"who_{value}")
                                for value, words in WHO),
                              Choice(_("Cancelar"), "back", "quiet", None, "who_cancel")])

    # -- decline and request (normativo 4) -------------------------------------------------

    def _decline(self) -> None:
        def record(who: str) -> None:
            lifecycle.decline(self.app.station, self.curp, on=self.app.station.today(),
                              declared_by=who, taken_by=self._taken_by())
            self._done(_("Quedó registrado que no desea la credencial. Puede retirarse la "
                         "renuncia cuando lo pidan."))
        self._who(_("No desea la credencial"), record)

    def _withdraw(self) -> None:
        lifecycle.withdraw_decline(self.app.station, self.curp, on=self.app.station.today(),
                                   taken_by=self._taken_by())
        self._done(_("La renuncia se retiró: el alumno vuelve a estar pendiente."))

    def _request(self) -> None:
        def record(who: str) -> None:
            lifecycle.request_card(self.app.station, self.curp, on=self.app.station.today(),
                                   requested_by=who, taken_by=self._taken_by())
            self._done(_("Solicitud registrada con la fecha de hoy. Una solicitud no atendida "
                         "aparece en los reportes."))
        self._who(_("Pide su credencial"), record)

    # -- loss and replacement (normativos 8, 9) --------------------------------------------

    def _loss(self) -> None:
        def record(stolen: bool) -> None:
            answer = lifecycle_cards.report_loss(self.app.station, curp=self.curp,
                                                 stolen=stolen, on=self.app.station.today(),
                                                 taken_by=self._taken_by())
            self._done(_("La credencial con folio {folio:07d} quedó cancelada. Para una "
                         "nueva se necesita el recibo de pago.").format(folio=answer["folio"]))

        dialogs.show(kind="warn", title=_("Reportar extravío o robo"), kid="loss", columns=3,
                     message=_("La credencial quedará cancelada de inmediato: cualquier "
                               "estación la rechazará."),
                     choices=[Choice(_("Extravío"), "warning", "danger",
                                     lambda: record(False), "loss_lost"),
                              Choice(_("Robo"), "warning", "danger", lambda: record(True),
                                     "loss_stolen"),
                              Choice(_("Cancelar"), "back", "quiet", None, "loss_cancel")])

    def _replacement(self) -> None:
        dialogs.show(kind="info", title=_("Reposición"), kid="reason", columns=2,
                     message=_("¿Por qué se repone la credencial?"),
                     choices=[*(Choice(words, "", "secondary",
                                       lambda v=value: self._receipt(v), f"reason_{value}")
                                for value, words in REASONS),
                              Choice(_("Cancelar"), "back", "quiet", None, "reason_cancel")])

    def _receipt(self, reason: str) -> None:
        fee = self.app.station.settings["fees.replacement_mxn"]
        self.body.clear_widgets()
        self.body.add_widget(TextForm(
            prompt=_("Folio del recibo de pago original (${fee} MXN)").format(fee=fee),
            hint=_("Como aparece en el recibo"), icon="document", kid="receipt",
            save_text=_("Siguiente"), on_cancel=self._menu,
            on_save=lambda text: self._receipt_date(reason, text)))

    def _receipt_date(self, reason: str, receipt: str) -> None:
        t = theme()
        today = self.app.station.today()
        self.body.clear_widgets()
        shown = FitLabel(text="", bold=True, size_hint_y=None, height=t.touch * 0.7,
                         kid="receipt_day")

        def say(day: date) -> None:
            shown.text = _("Fecha del recibo: {day}").format(day=show_day(day))

        # Day, month and year each move on their own: no tapping one day at a time.
        picker = DatePicker(value=today, earliest=today.replace(year=today.year - 3),
                            latest=today, kid="receipt", on_change=say)
        say(today)
        self.body.add_widget(shown)
        self.body.add_widget(picker)
        self.body.add_widget(BoxLayout())
        cancel = TouchButton(text=_("Cancelar"), icon="cross", style="secondary",
                             kid="receipt_cancel")
        cancel.bind(on_release=lambda *_: self._menu())
        save = TouchButton(text=_("Registrar la reposición"), icon="check",
                           kid="receipt_save")
        save.bind(on_release=lambda *_: self._record_replacement(reason, receipt,
                                                                 picker.value))
        self.body.add_widget(row(cancel, save))

    def _record_replacement(self, reason: str, receipt: str, day: date) -> None:
        rep = lifecycle_cards.request_replacement(
            self.app.station, curp=self.curp, reason=reason, receipt=receipt,
            receipt_date=day, on=self.app.station.today(), taken_by=self._taken_by())
        self._done(_("Reposición registrada (recibo {receipt}, ${fee} MXN). Ya puede imprimir "
                     "la nueva credencial.").format(receipt=rep.receipt_ref, fee=rep.fee_mxn))

    def _print(self) -> None:
        detail = lookup.student(self.app.station, self.curp)
        self.app.go(State.PRINT_PREVIEW, cct=detail.school.cct, curps=[self.curp])
