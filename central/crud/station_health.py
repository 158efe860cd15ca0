"""The health each station sends with its sync (station/services/fleet_health.py): kept as
the last report per station, one small JSON file under ``<data_dir>/station-health/``
(no table: only the latest report matters, and nothing else joins on it), and judged here
so that every station is measured by the same thresholds.

>>> view = judge({"version": "0.2.0", "disk_free_mb": 300, "printer_ok": True,
...               "camera_present": True, "update_state": "installed",
...               "throttled": {"warnings": ["bajo voltaje ahora"]}}, received_age_h=1)
>>> view.state, view.warnings
('aviso', ['poco espacio en disco (300 MB libres)', 'bajo voltaje ahora'])
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from foundation.atomic_files import write_atomic

LOW_DISK_MB = 1024
STALE_HOURS = 24.0
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,80}$")
UPDATE_PROBLEMS = {"failed": "la última actualización falló",
                   "rolled_back": "la última actualización no arrancó y se regresó a la "
                                  "versión anterior",
                   "refused": "la última actualización fue rechazada"}


@dataclass
class HealthView:
    state: str
    """«bien», «aviso» (something to act on) or «sin datos»."""
    warnings: list[str] = field(default_factory=list)
    version: str = ""
    update_state: str = ""
    disk_free_mb: int | None = None
    received_at: str = ""


def folder(data_dir: Path) -> Path:
    return data_dir / "station-health"


def record(data_dir: Path, station_id: str, body: dict[str, Any], now: datetime) -> None:
    if not _SAFE_ID.match(station_id):
        raise ValueError(f"station id not usable as a file name: {station_id!r}")
    place = folder(data_dir)
    place.mkdir(parents=True, exist_ok=True)
    report = {**body, "received_at": now.isoformat(timespec="seconds")}
    write_atomic(place / f"{station_id}.json", json.dumps(report, ensure_ascii=False).encode())


def judge(report: dict[str, Any], *, received_age_h: float) -> HealthView:
    warnings: list[str] = []
    free = report.get("disk_free_mb")
    if isinstance(free, int) and free < LOW_DISK_MB:
        warnings.append(f"poco espacio en disco ({free} MB libres)")
    warnings += [str(w) for w in (report.get("throttled") or {}).get("warnings", [])]
    if report.get("printer_ok") is False:
        warnings.append("impresora: " + str(report.get("printer_message") or "no responde"))
    if report.get("camera_present") is False:
        warnings.append("no se encontró la cámara")
    problem = UPDATE_PROBLEMS.get(str(report.get("update_state")))
    if problem:
        warnings.append(problem)
    if received_age_h > STALE_HOURS:
        warnings.append(f"sin reporte de salud desde hace {received_age_h / 24:.0f} días")
    return HealthView("aviso" if warnings else "bien", warnings, str(report.get("version", "")),
                      str(report.get("update_state", "")), free if isinstance(free, int)
                      else None, str(report.get("received_at", "")))


def load_all(data_dir: Path, station_ids: list[str], now: datetime) -> dict[str, HealthView]:
    views: dict[str, HealthView] = {}
    for sid in station_ids:
        try:
            report = json.loads((folder(data_dir) / f"{sid}.json").read_text("utf-8"))
            received = datetime.fromisoformat(report["received_at"])
        except (OSError, ValueError, KeyError):
            views[sid] = HealthView("sin datos")
            continue
        age = (now - received).total_seconds() / 3600
        views[sid] = judge(report, received_age_h=age)
    return views
