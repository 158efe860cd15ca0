"""``station enroll``: join central with a one-time code and become a synced station.

The station proves it holds its key (the request is signed with it), pins central's public
key, writes its identity and central's address into ``station.toml``, and closes its local
folio blocks at the last folio used so that from now on only central's blocks are used (no
two stations ever hold the same folio).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date
from gettext import ngettext
from typing import Any

from foundation.contract.events import StationEnrolled
from foundation.contract.responses import EnrollAnswer
from station.context import Station, update_settings
from station.store import ledger, sync_state
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
            else f"la DRSE {self.drse} (" + ngettext(
                "{n} escuela", "{n} escuelas", len(self.scope)).format(n=len(self.scope)) + ")"
        return (f"Estación inscrita como {self.station_id}; imprime para {serves}. "
                "Ahora sincronícela.")


def enroll(station: Station, *, central_url: str, code: str,
           client: CentralClient | None = None) -> Enrollment:
    client = client or CentralClient(central_url, key=station.key)
    with station.db.read() as conn:
        if sync_state.get_state(conn, "station_id"):
            raise SyncError(f"Esta estación ya está inscrita como "
                            f"{sync_state.get_state(conn, 'station_id')}.",
                            code="station-already-enrolled")
        first_card = ledger.first_issue_date(conn)
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
    update_settings(station, settings, source="inscripción con la oficina central")
    with station.db.write() as conn:
        sync_state.set_state(conn, "station_id", result.station_id)
        sync_state.set_state(conn, "central_public_key", answer.central_public_key)
        sync_state.set_state(conn, "central_url", central_url.rstrip("/"))
        ledger.close_local_blocks(conn)
        ledger.append_event(conn, StationEnrolled(station_id=result.station_id,
                                                  central=central_url.rstrip("/")))
    return result
