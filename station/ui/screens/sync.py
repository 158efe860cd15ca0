"""Sync with the central service: what waits to go up, the last sync, folios left, problem
reports sent or refused, central's settings kept out, withdrawal, the software version and
its updates (read-only: updates install at night by themselves), sync now.

A station works offline for days; this screen says how far behind it is, in words.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.scrollview import ScrollView

from foundation.errors import DomainError
from station.services import central_link, software
from station.ui import dialogs, sync_words
from station.ui.i18n import _
from station.ui.icons import Icon
from station.ui.machine import State
from station.ui.screens.base import KioskScreen, row
from station.ui.widgets import FitLabel, Notice, Panel, TouchButton, theme
from station.ui.worker import Job

if TYPE_CHECKING:
    from station.sync.engine import SyncReport
    from station.sync.status import SyncStatus


def _section(title: str, lines: list[sync_words.Line]) -> Panel:
    """A titled panel of lines: icon in the line's tone, label, value (wrapped, never cut)."""
    t = theme()
    p = t.palette
    panel = Panel(orientation="vertical", bg=p.surface, border=p.border,
                  padding=(t.gap, t.gap, t.gap * 2, t.gap),
                  spacing=t.gap // 2, size_hint_y=None)
    panel.bind(minimum_height=panel.setter("height"))
    panel.add_widget(FitLabel(text=title, bold=True, auto_height=True, kid="section_title"))
    for line in lines:
        strong, _soft = p.tone(line.tone)
        box = BoxLayout(size_hint_y=None, spacing=t.gap)
        side = t.font_body * 1.1
        icon_box = BoxLayout(size_hint_x=None, width=side)
        icon_box.add_widget(Icon(name=line.icon, color=strong if line.tone != "neutral"
                                 else p.muted, size_hint_y=None, height=side,
                                 pos_hint={"top": 1}))
        label = FitLabel(text=line.label, color=p.muted, auto_height=True, size_hint_x=0.45,
                         valign="top", pos_hint={"top": 1}, kid=f"{line.kid}_label")
        value = FitLabel(text=line.value, bold=True, auto_height=True, size_hint_x=0.55,
                         valign="top", pos_hint={"top": 1},
                         color=strong if line.tone in ("bad", "warn") else p.text,
                         kid=f"{line.kid}_value")
        for widget in (icon_box, label, value):
            box.add_widget(widget)

        def fit(*_args: Any, box: BoxLayout = box, label: Any = label, value: Any = value,
                ) -> None:
            box.height = max(t.font_body * 1.6, label.height, value.height)

        label.bind(height=fit)
        value.bind(height=fit)
        fit()
        panel.add_widget(box)
    return panel


def when(stamp: str | None) -> str:
    """An ISO time from the ledger as local day and hour; "nunca" when there is none.

    >>> when(None)
    'nunca'
    """
    if not stamp:
        return _("nunca")
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return moment.astimezone().strftime("%d/%m/%Y %H:%M")


class SyncScreen(KioskScreen):
    state = State.SYNC
    title = _("Sincronización")

    def enter(self, **_params: Any) -> None:
        self._show(central_link.link_status(self.app.station))

    def _show(self, status: SyncStatus) -> None:
        t = theme()
        self.body.clear_widgets()
        if status.withdrawn:  # above everything, outside the scroll: it changes what sync does
            self.body.add_widget(Notice(kind="bad", kid="sync_withdrawn",
                                        message=sync_words.WITHDRAWN_BANNER + "."))
        content = BoxLayout(orientation="vertical", spacing=t.gap, size_hint_y=None)
        content.bind(minimum_height=content.setter("height"))
        content.add_widget(self._notice(status))
        for text in sync_words.other_notices(status):
            content.add_widget(Notice(kind="warn", kid="sync_other_notice",
                                      message=text[:1].upper() + text[1:] + "."))
        facts = [
            sync_words.Line("pending", "clock", "neutral", _("Registros por enviar"),
                            str(status.pending_events)),
            sync_words.Line("pending_since", "clock", "neutral", _("Pendiente desde"),
                            when(status.oldest_pending_at) if status.oldest_pending_at
                            else "—"),
            sync_words.Line("last_ok", "sync", "neutral", _("Última sincronización correcta"),
                            when(status.last_success_at)),
            sync_words.Line("folios", "card", "neutral", _("Folios disponibles"),
                            str(status.folios_left)),
            sync_words.Line("revocations", "cross", "neutral",
                            _("Credenciales dadas de baja conocidas"), str(status.revocations)),
        ]
        content.add_widget(_section(_("Sincronización"), facts))
        content.add_widget(_section(_("Reportes de problemas"), sync_words.report_lines(status)))
        config = sync_words.config_lines(status)
        if config:
            content.add_widget(_section(_("Configuración del servicio central"), config))
        content.add_widget(_section(_("Programa de la estación"), sync_words.software_lines(
            software.software_status(self.app.station))))
        self.scroll = ScrollView(do_scroll_x=False, bar_width=max(6, t.gap))
        self.scroll.add_widget(content)
        self.body.add_widget(self.scroll)
        now = TouchButton(icon="sync", text=_("Sincronizar ahora"), kid="sync_now",
                          disabled=not status.enrolled)
        now.bind(on_release=lambda *_: self._sync(now))
        user = self.app.machine.user
        if not status.enrolled and user is not None and user.may("users"):
            enroll = TouchButton(icon="plus", text=_("Inscribir estación"), kid="sync_enroll")
            enroll.bind(on_release=lambda *_: self._enroll())
            self.body.add_widget(row(enroll, now))
        else:
            self.body.add_widget(row(now))

    def _enroll(self) -> None:
        """The setup's enrollment step (DRSE administrator only: it binds the station)."""
        from station.ui.screens.setup import EnrollStep

        def finished(_result: object) -> None:
            self.set_title(self.title)
            if self.app.machine.state is State.SYNC:
                self.enter()

        EnrollStep(self, finished, skip_text=_("Cancelar")).show()

    def _notice(self, status: SyncStatus) -> Notice:
        if not status.enrolled:
            return Notice(kind="info", kid="sync_notice", message=_(
                "Esta estación trabaja sola, sin servicio central. Todo queda guardado aquí; "
                "cuando haga un reporte de problemas, avise a su DRSE para que lo recoja."))
        if status.last_error:
            return Notice(kind="warn", kid="sync_notice", message=_(
                "La última sincronización no terminó: {error}").format(error=status.last_error))
        return Notice(kind="ok", kid="sync_notice", message=_(
            "Conectada a {url}. Última sincronización: {last}.").format(
                url=status.central_url, last=when(status.last_success_at)))

    def _sync(self, button: TouchButton) -> None:
        station = self.app.station
        button.disabled = True
        button.text = _("Sincronizando…")
        self.app.run_job(Job(_("Sincronización"),
                             lambda _p: central_link.sync_now(station),
                             on_done=self._synced, on_error=self._failed))

    def _synced(self, report: SyncReport) -> None:
        if self.app.machine.state is State.SYNC:
            self.enter()
        dialogs.show(kind="ok" if report.ok else "warn", title=_("Sincronización"),
                     message=report.describe(), kid="sync_done")

    def _failed(self, error: BaseException) -> None:
        if not isinstance(error, DomainError):
            raise error
        if self.app.machine.state is State.SYNC:
            self.enter()
        dialogs.show_error(error)
