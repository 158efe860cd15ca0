"""``station enroll``: join central with a one-time code and become a synced station.

The station proves it holds its key (the request is signed with it), pins central's public
key, writes its identity and central's address into ``station.toml``, and closes its local
folio blocks at the last folio used so that from now on only central's blocks are used (no
two stations ever hold the same folio).
"""

from __future__ import annotations

import base64
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import tomli_w

from foundation.atomic_files import write_atomic
from foundation.contract.events import FolioBlockClosed, StationEnrolled
from foundation.contract.responses import EnrollAnswer
from foundation.errors import InputError
from station.services.station import Station
from station.store import sync_state
from station.store.ledger import append_event
from station.sync.client import CentralClient, SyncError
from station.sync.trust_sync import apply_trust_entries


@dataclass(frozen=True, slots=True)
class Enrollment:
    station_id: str
    kind: str
    school_cct: str | None
    drse: str | None
    scope: list[str]

    def to_json(self) -> dict[str, Any]:
        return {"station_id": self.station_id, "kind": self.kind,
                "school_cct": self.school_cct, "drse": self.drse, "scope": self.scope}

    def describe(self) -> str:
        serves = f"la escuela {self.school_cct}" if self.kind == "escuela" \
            else f"la DRSE {self.drse} ({len(self.scope)} escuela(s))"
        return (f"Estación inscrita como {self.station_id}; imprime para {serves}. "
                "Ahora sincronice con 'station sync'.")


def update_settings_file(path: Path, values: dict[str, object]) -> None:
    """Set ``section.name`` keys in station.toml, keeping the others (comments are lost)."""
    try:
        doc: dict[str, Any] = tomllib.loads(path.read_text("utf-8")) if path.exists() else {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"El archivo de ajustes {path} no se puede leer: {exc}.",
                         way_out="Corríjalo y vuelva a inscribir la estación.") from exc
    for key, value in values.items():
        section, name = key.split(".", 1)
        doc.setdefault(section, {})[name] = value
    write_atomic(path, tomli_w.dumps(doc).encode("utf-8"), mode=0o600)


def close_local_blocks(conn: Any) -> None:
    """Shrink local folio blocks to the folios used (drop unused ones): central numbers next."""
    for block_id, first, last in conn.execute(
            "SELECT id, first_folio, last_folio FROM folio_blocks WHERE source = 'local'"
    ).fetchall():
        used = conn.execute("SELECT count(*) FROM folio_uses WHERE block_id = ?",
                            (block_id,)).fetchone()[0]
        if used == 0:
            conn.execute("DELETE FROM folio_blocks WHERE id = ?", (block_id,))
        elif first + used - 1 < last:
            conn.execute("UPDATE folio_blocks SET last_folio = ? WHERE id = ?",
                         (first + used - 1, block_id))
        append_event(conn, FolioBlockClosed(first=first, last=last, used=used))


def enroll(station: Station, *, central_url: str, code: str,
           client: CentralClient | None = None) -> Enrollment:
    client = client or CentralClient(central_url, key=station.key)
    with station.db.read() as conn:
        if sync_state.get_state(conn, "station_id"):
            raise SyncError(f"Esta estación ya está inscrita como "
                            f"{sync_state.get_state(conn, 'station_id')}.",
                            code="station-already-enrolled")
        first_card = conn.execute("SELECT min(issued_on) FROM cards").fetchone()[0]
    body: dict[str, Any] = {"code": code.strip(),
                            "public_key": base64.b64encode(station.key.public_bytes()).decode()}
    if first_card:
        body["issuing_since"] = date.fromisoformat(first_card).isoformat()
    answer = client.post_answer(EnrollAnswer, "/api/v1/enroll", body)
    central_key = base64.b64decode(answer.central_public_key)
    apply_trust_entries(station, [answer.trust_entry], central_key)
    result = Enrollment(answer.station_id, answer.kind, answer.school_cct, answer.drse,
                        list(answer.scope))
    settings = {"station.id": result.station_id, "station.kind": result.kind,
                "sync.central_url": central_url.rstrip("/")}
    if result.kind == "escuela":
        settings["station.school_cct"] = result.school_cct or ""
    else:
        settings["station.drse"] = result.drse or ""
    update_settings_file(station.data_dir / "station.toml", settings)
    station.settings.update(settings)
    with station.db.write() as conn:
        sync_state.set_state(conn, "station_id", result.station_id)
        sync_state.set_state(conn, "central_public_key", answer.central_public_key)
        sync_state.set_state(conn, "central_url", central_url.rstrip("/"))
        close_local_blocks(conn)
        append_event(conn, StationEnrolled(station_id=result.station_id,
                                           central=central_url.rstrip("/")))
    return result
