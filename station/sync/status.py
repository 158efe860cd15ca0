"""``station status``: what waits to go up, when the last sync succeeded, folios left."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from station.core.folios import remaining
from station.services.station import Station
from station.store import ledger, sync_state


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

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def describe(self) -> str:
        if not self.enrolled:
            head = "Estación sin servicio central (trabaja sola)."
        else:
            head = f"Estación {self.station_id}, conectada a {self.central_url}."
        last = self.last_success_at or "nunca"
        lines = [head, f"Eventos por enviar: {self.pending_events}"
                       + (f" (el más antiguo del {self.oldest_pending_at})"
                          if self.oldest_pending_at else ""),
                 f"Última sincronización correcta: {last}",
                 f"Folios disponibles: {self.folios_left}"]
        if self.last_error:
            lines.append(f"Último problema: {self.last_error}")
        return "\n".join(lines)


def sync_status(station: Station) -> SyncStatus:
    with station.db.read() as conn:
        pending, oldest = sync_state.pending_count(conn)
        left = remaining(ledger.folio_blocks(conn), ledger.used_per_block(conn))
        revocations = conn.execute("SELECT count(*) FROM revocations").fetchone()[0]
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
            config_version=sync_state.get_int(conn, "config_version"))
