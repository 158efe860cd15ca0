"""Upload the kiosk's problem reports (``<data>/reports/reporte-*.zip``) to central.

A report is marked sent only after central acknowledged it, so a sync cut half-way sends it
again next time (central keeps one copy per station and SHA-256). A report central refuses
for good (too large, unreadable) stays on disk, is marked refused with central's reason, is
shown by ``station status`` and is not sent again: the DRSE gets it on a USB stick.

State lives in ``sync_state`` under ``report:<file name>`` (JSON).

>>> sent, refused = push_reports(station, client)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from foundation.contract.protocol import MAX_REPORT_BYTES
from station.services.diagnostics import list_reports
from station.services.station import Station
from station.store import sync_state
from station.store.ledger import now_iso
from station.sync.client import CentralClient, SyncError

REPORTS = "/api/v1/sync/problem-reports"
_PREFIX = "report:"
_REFUSED_FOR_GOOD = frozenset({413, 422})


@dataclass(frozen=True, slots=True)
class ReportsState:
    waiting: list[str]
    refused: list[dict[str, str]]
    sent: int


def _states(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    rows = conn.execute("SELECT key, value FROM sync_state WHERE key LIKE ?", (_PREFIX + "%",))
    return {key.removeprefix(_PREFIX): json.loads(value) for key, value in rows}


def reports_state(station: Station) -> ReportsState:
    """Reports waiting to go up, refused ones (with central's reason), how many were sent."""
    with station.db.read() as conn:
        states = _states(conn)
    waiting = [p.name for p in list_reports(station) if p.name not in states]
    refused = [{"report": name, "reason": s.get("reason", "")}
               for name, s in sorted(states.items()) if s.get("state") == "refused"]
    sent = sum(1 for s in states.values() if s.get("state") == "sent")
    return ReportsState(waiting, refused, sent)


def _mark(station: Station, name: str, state: dict[str, Any]) -> None:
    with station.db.write() as conn:
        sync_state.set_state(conn, _PREFIX + name,
                             json.dumps({**state, "at": now_iso()}, ensure_ascii=False))


def push_reports(station: Station, client: CentralClient) -> tuple[int, int]:
    """Send every report not sent or refused yet; (sent, refused now)."""
    sent = refused = 0
    with station.db.read() as conn:
        done = set(_states(conn))
    for path in list_reports(station):
        if path.name in done:
            continue
        data = path.read_bytes()
        if len(data) > MAX_REPORT_BYTES:
            _mark(station, path.name, {
                "state": "refused", "code": "report-too-large",
                "reason": f"pesa {len(data)} bytes y el máximo es {MAX_REPORT_BYTES}; "
                          "entréguelo a la DRSE en una memoria USB"})
            refused += 1
            continue
        digest = hashlib.sha256(data).hexdigest()
        try:
            answer = client.call("PUT", f"{REPORTS}/{digest}", params={"name": path.name},
                                 data=data, content_type="application/zip").json()
        except SyncError as exc:
            if exc.status not in _REFUSED_FOR_GOOD:
                raise  # offline, busy, withdrawn…: try again next sync
            _mark(station, path.name, {"state": "refused", "code": exc.code,
                                       "reason": exc.message})
            refused += 1
            continue
        _mark(station, path.name, {"state": "sent", "sha256": digest,
                                   "central_id": int(answer["id"])})
        sent += 1
    return sent, refused
