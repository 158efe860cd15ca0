"""After printing: sheet by sheet, did it come out right? Spoil the bad ones and reprint them.

CUPS cannot see paper, so the operator confirms each sheet against its picture on screen.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from kivy.core.image import Image as CoreImage
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from foundation.errors import DomainError
from station.services import lookup, preview, print_tasks
from station.ui import dialogs
from station.ui.dialogs import Choice
from station.ui.i18n import _, ngettext
from station.ui.machine import State
from station.ui.screens.base import KioskScreen, row
from station.ui.screens.print_preview import ZOOM_DPI, ZoomFrame
from station.ui.widgets import FitLabel, Notice, TouchButton, line_label, theme
from station.ui.worker import Job

if TYPE_CHECKING:
    from station.store.sheet_records import SheetRecord

REASON_WORDS = {
    "atasco de papel": _("Papel atorado"),
    "tinta corrida o falta de tinta": _("Tinta corrida o sin tinta"),
    "impresión desalineada": _("Desalineada"),
    "hoja manchada o rota": _("Manchada o rota"),
    "otra falla de impresión": _("Otra falla"),
}


class ReviewScreen(KioskScreen):
    state = State.PRINT_REVIEW
    back_allowed = False
    title = _("Revisar las hojas impresas")

    def build(self) -> None:
        self.sheets: list[SheetRecord] = []
        self.confirmed: list[int] = []
        self.spoiled: list[int] = []

    def enter(self, **_params: Any) -> None:
        self.confirmed, self.spoiled = [], []
        self._next()

    def _next(self) -> None:
        self.sheets = lookup.sheets_to_review(self.app.station)
        if self.sheets:
            self._show(self.sheets[0])
        else:
            self._summary()

    # -- one sheet -------------------------------------------------------------------------

    def _show(self, sheet: SheetRecord) -> None:
        t = theme()
        p = t.palette
        self.body.clear_widgets()
        main = BoxLayout(spacing=t.pad)
        frame = ZoomFrame(bg=p.surface, border=p.border, padding=t.gap, size_hint_x=0.42,
                          kid="review_zoom", orientation="vertical")
        self.image = Image(fit_mode="contain")
        frame.add_widget(self.image)
        frame.add_widget(line_label(_("Toque para ampliar"), halign="center",
                                    color=p.muted, font_size=t.font_small,
                                    size_hint_y=None, height=t.font_small * 1.6))
        frame.bind(on_release=lambda *_: self._zoom(sheet))
        main.add_widget(frame)
        side = BoxLayout(orientation="vertical", spacing=t.gap)
        folios = [pos.folio for pos in sheet.positions if pos.state != "cancelled"]
        cancelled = len(sheet.positions) - len(folios)
        side.add_widget(FitLabel(text=_("Hoja {id}").format(id=sheet.id), bold=True,
                                 font_size=t.font_title, size_hint_y=0.6, kid="review_sheet"))
        lines = []
        if folios:
            lines.append(_("Folios {a:07d} a {b:07d}").format(a=min(folios), b=max(folios)))
        if cancelled:
            lines.append(ngettext("{n} lugar cancelado", "{n} lugares cancelados",
                                  cancelled).format(n=cancelled))
        lines.append(ngettext("Queda {n} hoja por revisar", "Quedan {n} hojas por revisar",
                              len(self.sheets)).format(n=len(self.sheets)))
        side.add_widget(FitLabel(text=" · ".join(lines), color=p.muted, size_hint_y=0.6))
        side.add_widget(self._job_notice(sheet))
        if sheet.state == "generated":
            question = _("Esta hoja no llegó a la impresora.")
            good = TouchButton(icon="print", text=_("Enviar de nuevo"), kid="review_resend")
            good.bind(on_release=lambda *_: self.app.go(State.PRINT_PROGRESS,
                                                        resend=[sheet.id]))
        else:
            question = _("Compare el papel con la imagen. ¿Salió bien?")
            good = TouchButton(icon="check", text=_("Sí, salió bien"), style="ok",
                               kid="review_good")
            good.bind(on_release=lambda *_: self._confirm(sheet))
        side.add_widget(FitLabel(text=question, bold=True, font_size=t.font_large,
                                 kid="review_question"))
        bad = TouchButton(icon="cross", text=_("No, salió mal"), style="danger",
                          kid="review_bad")
        bad.bind(on_release=lambda *_: self._ask_reason(sheet))
        main.add_widget(side)
        self.body.add_widget(main)
        self.body.add_widget(row(bad, good))
        station = self.app.station
        dpi = 60 if t.compact else 90
        self.app.run_job(Job(_("Imagen de la hoja"),
                             lambda _p: preview.render_sheet_file(station, sheet.id, dpi=dpi),
                             on_done=self._picture, on_error=self._failed, keeps_awake=False))

    def _zoom(self, sheet: SheetRecord) -> None:
        station = self.app.station
        self.app.run_job(Job(
            _("Imagen de la hoja"),
            lambda _p: preview.render_sheet_file(station, sheet.id, dpi=ZOOM_DPI),
            on_done=lambda png: dialogs.show_picture(
                title=_("Hoja {id}").format(id=sheet.id), png=png, kid="review_picture"),
            on_error=self._failed, keeps_awake=False))

    def _job_notice(self, sheet: SheetRecord) -> Notice:
        outcome = self.app.session.outcome
        job = outcome.job(sheet.id) if outcome is not None else None
        if job is None:
            text = (_("Enviada a la impresora.") if sheet.state == "sent"
                    else _("Todavía no se envía a la impresora."))
            return Notice(kind="info", message=text, kid="review_job")
        kind = {"completed": "ok", "not-sent": "bad"}.get(job.state, "warn")
        return Notice(kind=kind, message=job.message, kid="review_job")

    def _picture(self, png: bytes) -> None:
        if self.app.machine.state is State.PRINT_REVIEW:
            self.image.texture = CoreImage(io.BytesIO(png), ext="png", nocache=True).texture

    def _failed(self, error: BaseException) -> None:
        if not isinstance(error, DomainError):
            raise error
        dialogs.show_error(error)

    def _confirm(self, sheet: SheetRecord) -> None:
        print_tasks.confirm_sheets(self.app.station, [sheet.id])
        self.confirmed.append(sheet.id)
        self._next()

    def _ask_reason(self, sheet: SheetRecord) -> None:
        choices = [Choice(REASON_WORDS.get(reason, reason), "", "secondary",
                          lambda r=reason: self._spoil(sheet, r), f"reason_{i}")
                   for i, reason in enumerate(print_tasks.SPOIL_REASONS)]
        choices.append(Choice(_("Cancelar"), "back", "quiet", None, "reason_cancel"))
        dialogs.show(kind="warn", title=_("¿Qué le pasó a la hoja {id}?").format(id=sheet.id),
                     message=_("Sus folios quedarán anulados con este motivo y los alumnos "
                               "volverán a estar pendientes para reimprimirlos."),
                     choices=choices, columns=2, kid="reason")

    def _spoil(self, sheet: SheetRecord, reason: str) -> None:
        print_tasks.spoil_sheet(self.app.station, sheet.id, reason)
        self.spoiled.append(sheet.id)
        self._next()

    # -- the end ---------------------------------------------------------------------------

    def _summary(self) -> None:
        t = theme()
        self.body.clear_widgets()
        good, bad = len(self.confirmed), len(self.spoiled)
        if good or bad:
            text = _("Revisión terminada: {good} bien, {bad}.").format(
                good=good, bad=ngettext("{n} dañada", "{n} dañadas", bad).format(n=bad))
        else:
            text = _("No hay hojas por revisar.")
        self.body.add_widget(FitLabel(text=text, font_size=t.font_title, bold=True,
                                      size_hint_y=None, height=t.touch * 1.2,
                                      kid="review_done"))
        if bad:
            self.body.add_widget(Notice(kind="warn", message=_(
                "Los alumnos de las hojas dañadas quedaron pendientes. Reimprímalos ahora con "
                "folios nuevos."), kid="review_spoiled"))
        else:
            self.body.add_widget(Notice(kind="ok", message=_(
                "Todas las credenciales revisadas quedaron registradas."), kid="review_ok"))
        self.body.add_widget(BoxLayout())
        finish = TouchButton(icon="home", text=_("Terminar"), style="secondary",
                             kid="review_finish")
        finish.bind(on_release=lambda *_: self.app.go(State.HOME))
        buttons = [finish]
        if bad:
            again = TouchButton(icon="print", kid="review_reprint", text=ngettext(
                "Reimprimir {n} hoja", "Reimprimir {n} hojas", bad).format(n=bad))
            spoiled = list(self.spoiled)
            again.bind(on_release=lambda *_: self.app.go(State.PRINT_PREVIEW,
                                                         reprint_of=spoiled))
            buttons.append(again)
        self.body.add_widget(row(*buttons))
