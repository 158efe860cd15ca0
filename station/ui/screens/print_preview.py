"""Before printing: the exact sheets (same renderer, no folio used yet), the printer's state,
and one button to print them."""

from __future__ import annotations

import io
import threading
from typing import TYPE_CHECKING, Any

from kivy.core.image import Image as CoreImage
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from foundation.errors import DomainError
from station.core.errors import PrinterError
from station.services import preview, print_tasks
from station.services.print_tasks import Batch
from station.services.printer_check import CALL, error_trouble, status_trouble
from station.ui import dialogs
from station.ui.i18n import _, ngettext
from station.ui.machine import State
from station.ui.screens.base import KioskScreen, row
from station.ui.status_words import nice_name
from station.ui.widgets import (
    FitLabel,
    Notice,
    NoticeSlot,
    Panel,
    TouchButton,
    line_label,
    theme,
)
from station.ui.worker import Job

if TYPE_CHECKING:
    from station.printer.cups_queue import QueueStatus

ZOOM_DPI = 110


class ZoomFrame(ButtonBehavior, Panel):
    """A framed picture that opens larger when touched."""


def printer_notice(status: QueueStatus | DomainError) -> Notice:
    """The printer's state in words, with a tone and an icon."""
    if isinstance(status, DomainError):
        return Notice(kind="bad", message=status.user_message(), kid="printer_notice")
    low = [m for m in status.markers if m.is_low]
    blocked = status.state == "stopped" or not status.accepting
    kind = "bad" if blocked else ("warn" if low or status.reasons else "ok")
    words = _("Impresora «{queue}»: {state}").format(queue=status.queue,
                                                       state=status.message_es)
    if low:
        words += " " + _("Tinta baja: {names}.").format(names=", ".join(m.name for m in low))
    return Notice(kind=kind, message=words, kid="printer_notice")


_RENDER_LOCK = threading.Lock()


def _render(station: Any, plan: Any, sheet_no: int, *, printer: str, dpi: int) -> bytes:
    """One sheet's preview, one at a time: turning pages quickly starts several jobs, and
    the PDF renderer shares decoded template images between threads (a race seen as a
    failed PNG decode of the logo)."""
    with _RENDER_LOCK:
        return preview.render_preview(station, plan, sheet_no, printer=printer, dpi=dpi)


class PreviewScreen(KioskScreen):
    state = State.PRINT_PREVIEW
    title = _("Vista previa de la impresión")

    def build(self) -> None:
        t = theme()
        p = t.palette
        self.batches: list[Batch] = []
        self.pages: list[tuple[int, int]] = []
        self.index = 0
        self.images: dict[int, bytes] = {}
        self.printer_ok = False
        main = BoxLayout(spacing=t.pad)
        frame = ZoomFrame(bg=p.surface, border=p.border, padding=t.gap, size_hint_x=0.42,
                          kid="preview_zoom", orientation="vertical")
        self.image = Image(fit_mode="contain")
        frame.add_widget(self.image)
        frame.add_widget(line_label(_("Toque para ampliar"), halign="center",
                                    color=p.muted, font_size=t.font_small,
                                    size_hint_y=None, height=t.font_small * 1.6))
        frame.bind(on_release=lambda *_: self._zoom())
        main.add_widget(frame)
        side = BoxLayout(orientation="vertical", spacing=t.gap)
        self.summary = FitLabel(font_size=t.font_large, bold=True, kid="preview_summary",
                                size_hint_y=None, height=t.touch * 0.8)
        self.detail = FitLabel(color=p.muted, kid="preview_detail", valign="top")
        side.add_widget(self.summary)
        side.add_widget(self.detail)
        self.prev = TouchButton(icon="prev", text=_("Anterior"), style="secondary",
                                kid="preview_prev")
        self.prev.bind(on_release=lambda *_: self._page(-1))
        self.page_label = FitLabel(halign="center", bold=True, kid="preview_page")
        self.next = TouchButton(icon="next", text=_("Siguiente"), style="secondary",
                                kid="preview_next")
        self.next.bind(on_release=lambda *_: self._page(1))
        side.add_widget(row(self.prev, self.page_label, self.next))
        self.notice_box = NoticeSlot()
        side.add_widget(self.notice_box)
        main.add_widget(side)
        self.body.add_widget(main)
        self.cancel = TouchButton(icon="cross", text=_("Cancelar"), style="secondary",
                                  kid="preview_cancel")
        self.cancel.bind(on_release=lambda *_: self.app.back())
        self.retry = TouchButton(icon="sync", text=_("Revisar impresora"), style="secondary",
                                 kid="preview_retry")
        self.retry.bind(on_release=lambda *_: self._check_printer(resume=self.resumable))
        self.resumable = False
        self.go_print = TouchButton(icon="print", text=_("Imprimir"), kid="preview_print")
        self.go_print.bind(on_release=lambda *_: self._confirm())
        self.body.add_widget(row(self.cancel, self.retry, self.go_print))

    def enter(self, cct: str | None = None, curps: list[str] | None = None,
              reprint_of: list[int] | None = None, **_params: Any) -> None:
        self.batches, self.pages, self.images, self.index = [], [], {}, 0
        self.image.texture = None
        self.summary.text = _("Preparando la vista previa…")
        self.detail.text = ""
        self.page_label.text = ""
        self.go_print.disabled = self.prev.disabled = self.next.disabled = True
        self._set_notice(Notice(kind="info", message=_("Revisando la impresora…")))
        station = self.app.station

        def work(_progress: Any) -> list[Batch]:
            if reprint_of:
                return [Batch(preview.plan_reprint(station, sid), sid) for sid in reprint_of]
            assert cct is not None
            return [Batch(preview.plan_print(station, cct, curps))]

        self.app.run_job(Job(_("Vista previa"), work, on_done=self._planned,
                             on_error=self._failed, keeps_awake=False))
        self._check_printer()

    def leave(self) -> None:
        # The pictures of the sheets are only for looking before printing; coming back
        # plans and draws them again.
        self.images = {}
        self.image.texture = None

    def _failed(self, error: BaseException) -> None:
        if not isinstance(error, DomainError):
            raise error
        dialogs.show_error(error, then=self.app.back)

    def _planned(self, batches: list[Batch]) -> None:
        if self.app.machine.state is not State.PRINT_PREVIEW:
            return
        self.batches = batches
        self.pages = [(b, s) for b, batch in enumerate(batches)
                      for s in range(len(batch.plan.sheets))]
        cards = sum(b.plan.cards for b in batches)
        sheets = len(self.pages)
        cancelled = sum(b.plan.cancelled for b in batches)
        self.summary.text = (ngettext("{n} credencial", "{n} credenciales", cards).format(n=cards)
                             + " · " + ngettext("{n} hoja", "{n} hojas", sheets).format(n=sheets))
        detail = [nice_name(batches[0].plan.school.nombre)]
        if cancelled:
            detail.append(ngettext(
                "{n} lugar en blanco se cancelará (lleva la marca CANCELADA).",
                "{n} lugares en blanco se cancelarán (llevan la marca CANCELADA).",
                cancelled).format(n=cancelled))
        detail.append(_("Los folios se asignan al imprimir."))
        self.detail.text = "\n".join(detail)
        self.go_print.text = ngettext("Imprimir {n} hoja", "Imprimir {n} hojas",
                                      sheets).format(n=sheets)
        self._update_print_button()
        self._show_page()

    def _page(self, step: int) -> None:
        self.index = max(0, min(len(self.pages) - 1, self.index + step))
        self._show_page()

    def _show_page(self) -> None:
        total = len(self.pages)
        self.page_label.text = _("Hoja {i} de {n}").format(i=self.index + 1, n=total)
        self.prev.disabled = self.index == 0
        self.next.disabled = self.index >= total - 1
        if self.index in self.images:
            self._show_image(self.index, self.images[self.index])
            return
        self.image.texture = None
        station = self.app.station
        batch_no, sheet_no = self.pages[self.index]
        plan = self.batches[batch_no].plan
        index = self.index
        printer = print_tasks.printer_key(station)
        dpi = 60 if theme().compact else 90
        self.app.run_job(Job(
            _("Vista previa"),
            lambda _p: _render(station, plan, sheet_no, printer=printer, dpi=dpi),
            on_done=lambda png: self._show_image(index, png), on_error=self._failed,
            keeps_awake=False))

    def _show_image(self, index: int, png: bytes) -> None:
        self.images[index] = png
        if index == self.index and self.app.machine.state is State.PRINT_PREVIEW:
            self.image.texture = CoreImage(io.BytesIO(png), ext="png", nocache=True).texture

    def _zoom(self) -> None:
        if not self.pages:
            return
        station = self.app.station
        batch_no, sheet_no = self.pages[self.index]
        plan = self.batches[batch_no].plan
        printer = print_tasks.printer_key(station)
        title = _("Hoja {i} de {n}").format(i=self.index + 1, n=len(self.pages))
        self.app.run_job(Job(
            _("Vista previa"),
            lambda _p: _render(station, plan, sheet_no, printer=printer, dpi=ZOOM_DPI),
            on_done=lambda png: dialogs.show_picture(title=title, png=png,
                                                     kid="preview_picture"),
            on_error=self._failed, keeps_awake=False))

    def _check_printer(self, *, resume: bool = False) -> None:
        """Ask the printer how it is; with ``resume`` (the button says «Reanudar») enable the
        queue and let it accept jobs first — any signed-in user may (issue 16)."""
        station = self.app.station
        self.printer_ok = False
        self._update_print_button()

        def work(_progress: Any) -> QueueStatus | DomainError:
            try:
                if resume:
                    return print_tasks.resume_printer(station)
                return print_tasks.printer_status(station)
            except PrinterError as error:
                return error

        self.app.run_job(Job(_("Impresora"), work, on_done=self._printer_checked,
                             keeps_awake=False))

    def _printer_checked(self, status: QueueStatus | DomainError) -> None:
        from station.ui.screens.printer_trouble import TroubleBox, action_words

        trouble = (error_trouble(status) if isinstance(status, DomainError)
                   else status_trouble(status))
        self.resumable = trouble is not None and trouble.action != CALL
        self.retry.text, self.retry.icon = (action_words(trouble) if self.resumable and trouble
                                            else (_("Revisar impresora"), "sync"))
        if trouble is not None:
            self.notice_box.show(TroubleBox(trouble, with_button=False))
        else:
            self._set_notice(printer_notice(status))
        self.printer_ok = not isinstance(status, DomainError) and status.accepting \
            and status.state != "stopped"
        self._update_print_button()

    def _update_print_button(self) -> None:
        self.go_print.disabled = not (self.printer_ok and self.batches)

    def _set_notice(self, notice: Notice) -> None:
        self.notice_box.show(notice)

    def _confirm(self) -> None:
        sheets = len(self.pages)
        dialogs.confirm(
            title=_("¿Imprimir ahora?"),
            message=ngettext(
                "Se asignarán folios a {n} hoja y sus credenciales quedarán registradas como "
                "expedidas. Coloque las hojas Teslin en la impresora.",
                "Se asignarán folios a {n} hojas y sus credenciales quedarán registradas como "
                "expedidas. Coloque las hojas Teslin en la impresora.", sheets).format(n=sheets),
            yes=_("Sí, imprimir"), no=_("Todavía no"), kid="confirm_print",
            on_yes=lambda: self.app.go(State.PRINT_PROGRESS, batches=list(self.batches)))
