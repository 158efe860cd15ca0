"""Sync with the central service: what waits to go up, the last sync, folios left, sync now.

A station works offline for days; this screen says how far behind it is, in words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kivy.uix.boxlayout import BoxLayout

from station.core.errors import StationError
from station.services import diagnostics
from station.sync.engine import SyncReport, client_for, run_sync
from station.sync.status import SyncStatus, sync_status
from station.ui import dialogs
from station.ui.i18n import _
from station.ui.machine import State
from station.ui.screens.base import KioskScreen, row
from station.ui.widgets import Notice, Panel, TouchButton, line_label, theme
from station.ui.worker import Job


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
        self._show(sync_status(self.app.station))

    def _show(self, status: SyncStatus) -> None:
        t = theme()
        p = t.palette
        self.body.clear_widgets()
        if not status.enrolled:
            notice = Notice(kind="info", kid="sync_notice", message=_(
                "Esta estación trabaja sola, sin servicio central. Todo queda guardado aquí; "
                "los reportes de problemas se entregan a la DRSE desde la carpeta «reports»."))
        elif status.last_error:
            notice = Notice(kind="warn", kid="sync_notice", message=_(
                "La última sincronización no terminó: {error}").format(error=status.last_error))
        else:
            notice = Notice(kind="ok", kid="sync_notice", message=_(
                "Conectada a {url}. Última sincronización: {last}.").format(
                    url=status.central_url, last=when(status.last_success_at)))
        self.body.add_widget(notice)
        facts = [
            (_("Eventos por enviar"), str(status.pending_events)),
            (_("Pendiente desde"), when(status.oldest_pending_at) if status.oldest_pending_at
             else "—"),
            (_("Última sincronización correcta"), when(status.last_success_at)),
            (_("Folios disponibles"), str(status.folios_left)),
            (_("Credenciales dadas de baja conocidas"), str(status.revocations)),
            (_("Reportes de problemas guardados"),
             str(len(diagnostics.list_reports(self.app.station)))),
        ]
        table = Panel(orientation="vertical", bg=p.surface, border=p.border, padding=t.gap,
                      size_hint_y=None, height=len(facts) * t.font_body * 1.7 + 2 * t.gap)
        for label, value in facts:
            line = BoxLayout(size_hint_y=None, height=t.font_body * 1.7)
            line.add_widget(line_label(label, color=p.muted, size_hint_x=2))
            line.add_widget(line_label(value, bold=True))
            table.add_widget(line)
        self.body.add_widget(table)
        self.body.add_widget(BoxLayout())
        now = TouchButton(icon="sync", text=_("Sincronizar ahora"), kid="sync_now",
                          disabled=not status.enrolled)
        now.bind(on_release=lambda *_: self._sync(now))
        self.body.add_widget(row(now))

    def _sync(self, button: TouchButton) -> None:
        station = self.app.station
        button.disabled = True
        button.text = _("Sincronizando…")
        self.app.run_job(Job(_("Sincronización"),
                             lambda _p: run_sync(station, client_for(station)),
                             on_done=self._synced, on_error=self._failed))

    def _synced(self, report: SyncReport) -> None:
        if self.app.machine.state is State.SYNC:
            self.enter()
        dialogs.show(kind="ok" if report.ok else "warn", title=_("Sincronización"),
                     message=report.describe(), kid="sync_done")

    def _failed(self, error: BaseException) -> None:
        if not isinstance(error, StationError):
            raise error
        if self.app.machine.state is State.SYNC:
            self.enter()
        dialogs.show_error(error)
