"""After printing: sheet by sheet, did it come out right? Spoil the bad ones and reprint them.

CUPS cannot see paper, so the operator confirms each sheet against its picture on screen.
Sheets are numbered as the preview numbered them ("Hoja 1 de 2": by the batch just printed,
the ledger's sheet number only as a small second line); "Sí, salió bien" waits for the sheet's
picture, since the operator compares the paper with it; and a confirmation can be taken back
(«Deshacer») for :data:`UNDO_S` seconds or until the next answer, through
:func:`station.services.print_tasks.undo_confirm`.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
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

UNDO_S = 12.0
"""How long «Deshacer» stays offered after "Sí, salió bien" (the next answer ends it too)."""

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
        self.batch: list[int] = []
        self.current: SheetRecord | None = None
        self.picture_of: int | None = None
        self.undoable: int | None = None
        self.undo_offered: list[int] = []  # sheets whose «Deshacer» was shown (tests read it)
        self._undo_clock: Any = None

    def enter(self, **_params: Any) -> None:
        self.confirmed, self.spoiled = [], []
        self._forget_undo()
        # The batch the preview numbered: the sheets this print made, in their order; coming
        # from home (no print in this session), the sheets waiting, oldest first.
        outcome = self.app.session.outcome
        made = [p.sheet_id for p in outcome.produced] if outcome is not None else []
        waiting = [s.id for s in lookup.sheets_to_review(self.app.station)]
        self.batch = made if set(made) & set(waiting) else waiting
        self._next()

    def leave(self) -> None:
        self._forget_undo()

    def _next(self) -> None:
        waiting = lookup.sheets_to_review(self.app.station)
        order = {sid: i for i, sid in enumerate(self.batch)}
        # The batch first, as numbered; then any sheet left from an earlier print.
        self.sheets = sorted(waiting, key=lambda s: (order.get(s.id, len(order)), s.id))
        if self.sheets:
            self._show(self.sheets[0])
        else:
            self.current = None
            self._summary()

    def number_words(self, sheet: SheetRecord) -> str:
        """"Hoja 1 de 2", as the preview said it; a sheet from an earlier print says so."""
        if sheet.id in self.batch:
            return _("Hoja {i} de {n}").format(i=self.batch.index(sheet.id) + 1,
                                               n=len(self.batch))
        return _("Hoja de una impresión anterior")

    # -- one sheet -------------------------------------------------------------------------

    def _show(self, sheet: SheetRecord) -> None:
        t = theme()
        p = t.palette
        self.current = sheet
        self.picture_of = None
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
        side.add_widget(FitLabel(text=self.number_words(sheet), bold=True,
                                 font_size=t.font_title, size_hint_y=0.6, kid="review_sheet"))
        lines = [_("planilla n.º {id}").format(id=sheet.id)]
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
                               kid="review_good", disabled=True)  # until its picture is shown
            good.bind(on_release=lambda *_: self._confirm(sheet))
        self.good = good
        side.add_widget(FitLabel(text=question, bold=True, font_size=t.font_large,
                                 kid="review_question"))
        bad = TouchButton(icon="cross", text=_("No, salió mal"), style="danger",
                          kid="review_bad")
        bad.bind(on_release=lambda *_: self._ask_reason(sheet))
        main.add_widget(side)
        self.body.add_widget(main)
        self.body.add_widget(row(*self._undo_button(), bad, good))
        station = self.app.station
        dpi = 60 if t.compact else 90
        sid = sheet.id
        self.app.run_job(Job(_("Imagen de la hoja"),
                             lambda _p: preview.render_sheet_file(station, sid, dpi=dpi),
                             on_done=lambda png: self._picture(sid, png),
                             on_error=lambda e: self._picture_failed(sid, e),
                             keeps_awake=False))

    def _zoom(self, sheet: SheetRecord) -> None:
        station = self.app.station
        self.app.run_job(Job(
            _("Imagen de la hoja"),
            lambda _p: preview.render_sheet_file(station, sheet.id, dpi=ZOOM_DPI),
            on_done=lambda png: dialogs.show_picture(
                title=self.number_words(sheet), png=png, kid="review_picture"),
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

    def _picture(self, sheet_id: int, png: bytes) -> None:
        """A sheet's picture arrived: shown, and its "salió bien" enabled, only if that sheet
        is still the one on screen (a late picture of the previous sheet is dropped)."""
        current = self.current
        if (self.app.machine.state is not State.PRINT_REVIEW or current is None
                or current.id != sheet_id):
            return
        self.image.texture = CoreImage(io.BytesIO(png), ext="png", nocache=True).texture
        self.picture_of = sheet_id
        self.good.disabled = False

    def _picture_failed(self, sheet_id: int, error: BaseException) -> None:
        # Without the picture the operator can still compare with the paper: not stuck.
        if self.current is not None and self.current.id == sheet_id:
            self.good.disabled = False
        self._failed(error)

    def _failed(self, error: BaseException) -> None:
        if not isinstance(error, DomainError):
            raise error
        dialogs.show_error(error)

    def _confirm(self, sheet: SheetRecord) -> None:
        self._forget_undo()
        print_tasks.confirm_sheets(self.app.station, [sheet.id])
        self.confirmed.append(sheet.id)
        self.undoable = sheet.id
        self._undo_clock = Clock.schedule_once(lambda _dt: self._expire_undo(), UNDO_S)
        self._next()

    # -- «Deshacer» ------------------------------------------------------------------------

    def _undo_button(self) -> list[TouchButton]:
        if self.undoable is None:
            return []
        self.undo_offered.append(self.undoable)
        self.undo = TouchButton(icon="back", text=_("Deshacer"), style="secondary",
                                kid="review_undo")
        self.undo.bind(on_release=lambda *_: self._undo())
        return [self.undo]

    def _undo(self) -> None:
        sheet_id = self.undoable
        self._forget_undo()
        if sheet_id is None:
            return
        print_tasks.undo_confirm(self.app.station, sheet_id)
        if sheet_id in self.confirmed:
            self.confirmed.remove(sheet_id)
        self._next()  # the batch's order brings that sheet back first

    def _expire_undo(self) -> None:
        self._undo_clock = None
        self.undoable = None
        undo = getattr(self, "undo", None)
        if undo is not None and undo.parent is not None:
            undo.parent.remove_widget(undo)

    def _forget_undo(self) -> None:
        """The next answer (or leaving) ends the chance to undo."""
        if self._undo_clock is not None:
            self._undo_clock.cancel()
        self._expire_undo()

    def _ask_reason(self, sheet: SheetRecord) -> None:
        choices = [Choice(REASON_WORDS.get(reason, reason), "", "secondary",
                          lambda r=reason: self._spoil(sheet, r), f"reason_{i}")
                   for i, reason in enumerate(print_tasks.SPOIL_REASONS)]
        choices.append(Choice(_("Cancelar"), "back", "quiet", None, "reason_cancel"))
        dialogs.show(kind="warn", title=_("¿Qué le pasó a la {sheet}?").format(
                         sheet=self.number_words(sheet).lower()),
                     message=_("Sus folios quedarán anulados con este motivo y los alumnos "
                               "volverán a estar pendientes para reimprimirlos."),
                     choices=choices, columns=2, kid="reason")

    def _spoil(self, sheet: SheetRecord, reason: str) -> None:
        self._forget_undo()
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
        elif good:
            self.body.add_widget(Notice(kind="ok", message=ngettext(
                "Quedó registrado que la hoja salió bien.",
                "Quedó registrado que las {n} hojas salieron bien.", good).format(n=good),
                kid="review_ok"))
        self.body.add_widget(BoxLayout())
        finish = TouchButton(icon="home", text=_("Terminar"), style="secondary",
                             kid="review_finish")
        finish.bind(on_release=lambda *_: self.app.go(State.HOME))
        buttons = [*self._undo_button(), finish]
        if bad:
            again = TouchButton(icon="print", kid="review_reprint", text=ngettext(
                "Reimprimir {n} hoja", "Reimprimir {n} hojas", bad).format(n=bad))
            spoiled = list(self.spoiled)
            again.bind(on_release=lambda *_: self.app.go(State.PRINT_PREVIEW,
                                                         reprint_of=spoiled))
            buttons.append(again)
        self.body.add_widget(row(*buttons))
