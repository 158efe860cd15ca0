"""``station status``: what waits to go up (events, problem reports), when the last sync
succeeded, folios left, central's configuration applied or refused, withdrawal."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from station.context import Station
from station.core.folios import remaining
from station.store import central_notices, ledger, sync_state
from station.sync.config_apply import config_refusals
from station.sync.reports_up import reports_state


@dataclass(frozen=True, slots=True)
class SyncStatus:
    enrolled: bool
    station_id: str
    central_url: str
    pending_events: int
    oldest_pending_at: str | None
    acked_through: int
    last_success_at: str | None
    last_attempt_at: str | None
    last_error: str | None
    folios_left: int
    revocations: int
    trusted_keys: int
    config_version: int
    config_applied_version: int
    config_refused: list[dict[str, str]]
    """Central's settings kept out, each ``{key, reason}``."""
    card_template: str
    reports_waiting: int
    reports_refused: list[dict[str, str]]
    """Problem reports central refused, each ``{report, reason}``: deliver them by hand."""
    reports_sent: int
    events_refused: list[dict[str, object]]
    """Events central stored but did not apply, each ``{seq, kind, code, message}``."""
    withdrawn: bool
    notices: list[str]
    """Everything above that needs a person, in words."""
    central_notices: list[dict[str, object]] = field(default_factory=list)
    """What central told this station (``{id, kind, message, created_at}``), newest last."""
    hologram_ranges: list[str] = field(default_factory=list)
    """The hologram ranges central assigned to this station (empty: it accepts any roll)."""

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def describe(self) -> str:
        if not self.enrolled:
            head = "Estación sin servicio central (trabaja sola)."
        else:
            head = f"Estación {self.station_id}, conectada a {self.central_url}."
        last = self.last_success_at or "nunca"
        lines = [head, f"Registros por enviar: {self.pending_events}"
                       + (f" (el más antiguo del {self.oldest_pending_at})"
                          if self.oldest_pending_at else ""),
                 f"Última sincronización correcta: {last}",
                 f"Folios disponibles: {self.folios_left}"]
        lines.append(f"Reportes de problemas por enviar: {self.reports_waiting}")
        if self.last_error:
            lines.append(f"Último problema: {self.last_error}")
        if self.hologram_ranges:
            lines.append("Hologramas asignados por la oficina central: "
                         + ", ".join(self.hologram_ranges))
        lines += [f"Aviso: {n}" for n in self.notices]
        lines += [f"Aviso del servicio central ({str(n['created_at'])[:10]}): {n['message']}"
                  for n in self.central_notices]
        return "\n".join(lines)


def _notices(withdrawn: str | None, config_refused: list[dict[str, str]],
             reports_refused: list[dict[str, str]],
             events_refused: list[dict[str, object]]) -> list[str]:
    from station.sync.engine import WITHDRAWN_ES

    out = [WITHDRAWN_ES.lower()] if withdrawn else []
    for r in config_refused:
        out.append(r["reason"] if r["key"] == "card.template"
                   else f"el ajuste {r['key']} del servicio central no se aplicó: {r['reason']}")
    out += [f"el reporte {r['report']} no se pudo enviar ({r['reason']}); entréguelo a la "
            "DRSE en una memoria USB" for r in reports_refused]
    out += [f"el servicio central no aplicó el evento {r['seq']} ({r['kind']}): {r['message']}"
            for r in events_refused[-20:]]
    return out


def sync_status(station: Station) -> SyncStatus:
    reports = reports_state(station)
    with station.db.read() as conn:
        pending, oldest = sync_state.pending_count(conn)
        left = remaining(ledger.folio_blocks(conn), ledger.used_per_block(conn))
        revocations = sync_state.revocation_count(conn)
        withdrawn = sync_state.get_state(conn, "withdrawn") or None
        refused = config_refusals(conn)
        events_refused = sync_state.event_refusals(conn)
        told = [n.to_json() for n in central_notices.notices(conn, limit=20)]
        ranges = [r.describe() for r in central_notices.assigned_ranges(conn)]
        return SyncStatus(
            enrolled=bool(sync_state.get_state(conn, "station_id")),
            station_id=station.settings["station.id"],
            central_url=station.settings["sync.central_url"],
            pending_events=pending, oldest_pending_at=oldest,
            acked_through=sync_state.get_int(conn, "acked_through"),
            last_success_at=sync_state.get_state(conn, "last_success_at"),
            last_attempt_at=sync_state.get_state(conn, "last_attempt_at"),
            last_error=sync_state.get_state(conn, "last_error") or None,
            folios_left=left, revocations=int(revocations), trusted_keys=len(station.trust),
            config_version=sync_state.get_int(conn, "config_version"),
            config_applied_version=sync_state.get_int(conn, "config_applied_version"),
            config_refused=refused, card_template=station.settings["card.template"],
            reports_waiting=len(reports.waiting), reports_refused=reports.refused,
            reports_sent=reports.sent, events_refused=events_refused,
            withdrawn=withdrawn is not None,
            notices=_notices(withdrawn, refused, reports.refused, events_refused),
            central_notices=told, hologram_ranges=ranges)
