"""Problem reports: a diagnostic bundle the DRSE can read, without any student's data.

Seed 004 (técnicos 10–12) sends problems school → DRSE → state IT. The bundle is a zip in
``<data>/reports/`` (0600) with:

- ``reporte.json`` — what the person said (category, description with CURPs scrubbed), the
  station (id, kind, school or DRSE), software versions, every setting, the folio audit,
  counts (schools, students, cards, sheets by state, events not yet synced), free disk, the
  printer's and the camera's state in words, and the references of recent failures;
- ``kiosk.log`` — the last lines of the kiosk's log (already free of CURPs; scrubbed again).

No ledger, no photo, no name of a student, no key. The next sync uploads each bundle to
central (:mod:`station.sync.reports_up`), where the DRSE staff read it; on a station that is
not enrolled the file stays in ``reports/`` (the kiosk shows where it is).

:func:`log_path` is shared with the kiosk's log (``station.ui.logs``); both scrub CURPs with
:func:`foundation.scrub.scrub`.

>>> report = build_bundle(station, category="impresora", description="no imprime")  # doctest: +SKIP
>>> report.path.name                                                              # doctest: +SKIP
'reporte-20260901-101500.zip'
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from foundation.scrub import CATEGORIES, scrub
from station.core.folios import audit
from station.services.station import Station
from station.store import ledger

LOG_LINES = 300
_PACKAGES = ("control-escolar-credenciales", "kivy", "opencv-python-headless", "reportlab",
             "pillow", "pycups", "zxing-cpp", "cryptography", "numpy")  # fmt: skip


@dataclass(frozen=True, slots=True)
class ProblemReport:
    path: Path
    created_at: str
    category: str
    audit_ok: bool

    def to_json(self) -> dict[str, object]:
        return {"path": str(self.path), "created_at": self.created_at,
                "category": self.category, "audit_ok": self.audit_ok}


def log_path(data_dir: Path) -> Path:
    """The kiosk's log file in a station's data folder."""
    return data_dir / "logs" / "kiosk.log"


def reports_dir(station: Station) -> Path:
    folder = station.data_dir / "reports"
    folder.mkdir(exist_ok=True, mode=0o700)
    return folder


def versions() -> dict[str, str]:
    found = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in _PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "no instalado"
    return found


def _counts(station: Station) -> dict[str, Any]:
    with station.db.read() as conn:
        one = lambda sql: int(conn.execute(sql).fetchone()[0])  # noqa: E731
        sheets = {r[0]: r[1] for r in conn.execute(
            "SELECT state, count(*) FROM sheets GROUP BY state")}
        counts: dict[str, Any] = {
            "schools": one("SELECT count(*) FROM schools"),
            "students_enrolled": one("SELECT count(*) FROM students WHERE estatus='INSCRITO'"),
            "students_without_photo": one("SELECT count(*) FROM students WHERE "
                                          "estatus='INSCRITO' AND photo_hash IS NULL"),
            "cards_active": one("SELECT count(*) FROM cards WHERE status='active'"),
            "sheets": sheets,
            "events": one("SELECT count(*) FROM events"),
        }
        report = audit(ledger.folio_blocks(conn), ledger.folio_uses(conn),
                       ledger.card_records(conn))
    counts["audit"] = report.to_json()
    return counts


def _printer(station: Station) -> dict[str, Any]:
    from foundation.errors import DomainError
    from station.services.kiosk_print import printer_status

    try:
        status = printer_status(station)
    except DomainError as error:
        return {"ok": False, "message": error.user_message()}
    return {"ok": True, "queue": status.queue, "state": status.state,
            "reasons": list(status.reasons), "message": status.message_es,
            "ink": {m.name: m.level for m in status.markers}}


def build_bundle(station: Station, *, category: str, description: str = "",
                 failures: list[str] | None = None,
                 printer: Callable[[Station], dict[str, Any]] | None = _printer,
                 now: datetime | None = None) -> ProblemReport:
    """Write the diagnostic zip for a problem the person described; see the module docstring."""
    when = (now or datetime.now()).replace(microsecond=0)
    counts = _counts(station)
    disk = shutil.disk_usage(station.data_dir)
    body = {
        "created_at": when.isoformat(),
        "category": category,
        "category_es": CATEGORIES.get(category, category),
        "description": scrub(description.strip())[:2000],
        "station": {"id": station.settings["station.id"], "kind": station.settings["station.kind"],
                    "school_cct": station.settings["station.school_cct"],
                    "drse": station.settings["station.drse"]},
        "versions": versions(),
        "settings": dict(station.settings),
        "counts": counts,
        "disk_free_mb": disk.free // 2**20,
        "printer": printer(station) if printer else None,
        "camera": {"device": station.settings["camera.device"]},
        "recent_failures": list(failures or [])[-20:],
    }
    folder = reports_dir(station)
    path = folder / f"reporte-{when:%Y%m%d-%H%M%S}.zip"
    tmp = path.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("reporte.json", json.dumps(body, ensure_ascii=False, indent=2,
                                                   default=str))
        bundle.writestr("kiosk.log", "\n".join(scrub(line) for line in _log_tail(station)))
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return ProblemReport(path, body["created_at"], category, bool(counts["audit"]["ok"]))


def _log_tail(station: Station, lines: int = LOG_LINES) -> list[str]:
    path = log_path(station.data_dir)
    if not path.exists():
        return []
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        return handle.read().splitlines()[-lines:]


def list_reports(station: Station) -> list[Path]:
    """The bundles written so far, oldest first."""
    return sorted(reports_dir(station).glob("reporte-*.zip"))
