"""Problem reports stations upload: the zip by content hash in central's data folder, a row
with the station, its school or DRSE, and the person's words.

The kiosk writes the zip (``station/services/diagnostics.py``): ``reporte.json`` and the
kiosk's log, no student data. Central reads only ``reporte.json`` (category, description,
created_at) and scrubs CURPs from the description once more.

>>> check_report_name("reporte-20260901-101500.zip")
'reporte-20260901-101500.zip'
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.errors import ApiError
from central.models import ProblemReport, School, Station
from foundation.atomic_files import write_atomic
from foundation.contract.protocol import MAX_REPORT_BYTES
from foundation.scrub import scrub

MAX_UNPACKED_BYTES = 20 * 1024 * 1024
"""What a report may expand to: a zip bomb is refused before it is read."""
_NAME = re.compile(r"^[A-Za-z0-9._-]{1,80}$")


def check_report_name(name: str) -> str:
    if not _NAME.match(name) or name.startswith("."):
        raise ApiError(422, "bad-report-name", "El nombre del reporte de problema no es válido.")
    return name


def report_file(data_dir: Path, report: ProblemReport) -> Path:
    """Where the zip of ``report`` is kept under central's data folder."""
    return data_dir / "problem-reports" / f"{report.sha256}.zip"


def _malformed(why: str) -> ApiError:
    return ApiError(422, "bad-report",
                    f"El reporte de problema no se puede leer ({why}); la estación lo conserva "
                    "para entregarlo a la DRSE por otro medio.")


def read_summary(data: bytes) -> dict[str, str]:
    """Category, description and created_at from the zip's ``reporte.json`` (422 otherwise)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as bundle:
            if sum(i.file_size for i in bundle.infolist()) > MAX_UNPACKED_BYTES:
                raise _malformed("descomprimido sería demasiado grande")
            body: Any = json.loads(bundle.read("reporte.json").decode("utf-8"))
    except KeyError:
        raise _malformed("no trae reporte.json") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError):
        raise _malformed("no es un archivo zip válido o su reporte.json está dañado") from None
    if not isinstance(body, dict):
        raise _malformed("reporte.json no es un objeto")
    out = {}
    for key in ("category", "description", "created_at"):
        value = body.get(key, "")
        if not isinstance(value, str):
            raise _malformed(f"el campo {key} no es texto")
        out[key] = value
    out["category"] = out["category"][:40] or "otro"
    out["description"] = scrub(out["description"])[:2000]
    out["created_at"] = out["created_at"][:40]
    return out


def store_problem_report(session: Session, *, station: Station, data_dir: Path, name: str,
                         data: bytes, expected_hash: str,
                         now: datetime) -> tuple[ProblemReport, bool]:
    """Keep one report (idempotent by station and SHA-256); (row, newly stored)."""
    check_report_name(name)
    if len(data) > MAX_REPORT_BYTES:
        raise ApiError(413, "report-too-large",
                       f"El reporte de problema pesa {len(data)} bytes y el máximo es "
                       f"{MAX_REPORT_BYTES} bytes; entréguelo a la DRSE en una memoria USB.")
    digest = hashlib.sha256(data).hexdigest()
    if digest != expected_hash:
        raise ApiError(422, "report-hash-mismatch",
                       "El reporte recibido no corresponde a su huella (SHA-256): llegó "
                       "incompleto o alterado.")
    old = session.scalar(select(ProblemReport).where(ProblemReport.station_id == station.id,
                                                     ProblemReport.sha256 == digest))
    if old is not None:
        return old, False
    summary = read_summary(data)
    drse = station.drse
    if station.school_cct:
        school = session.get(School, station.school_cct)
        drse = school.drse if school is not None else drse
    row = ProblemReport(station_id=station.id, school_cct=station.school_cct, drse=drse,
                        report_name=name, sha256=digest, size=len(data),
                        category=summary["category"], description=summary["description"],
                        created_at=summary["created_at"], received_at=now)
    path = report_file(data_dir, row)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        write_atomic(path, data, mode=0o600)
    session.add(row)
    session.flush()
    return row, True


def list_problem_reports(session: Session, *, region_code: str | None) -> list[ProblemReport]:
    """Reports newest first; only those of one DRSE (``regions.name``) when ``region_code``.

    >>> list_problem_reports(session, region_code="ALTOS SUR (TEPATITLÁN)")  # doctest: +SKIP
    [ProblemReport(...), ...]
    """
    query = select(ProblemReport).order_by(ProblemReport.received_at.desc(),
                                           ProblemReport.id.desc())
    if region_code is not None:
        query = query.where(ProblemReport.drse == region_code)
    return list(session.scalars(query))


def read_problem_report(session: Session, *, report_id: int) -> ProblemReport:
    """One report's row (404 when there is none); its zip is :func:`report_file`."""
    row = session.get(ProblemReport, report_id)
    if row is None:
        raise ApiError(404, "problem-report-not-found",
                       f"No existe el reporte de problema {report_id}.")
    return row


def problem_report_json(row: ProblemReport) -> dict[str, object]:
    return {"id": row.id, "station_id": row.station_id, "school_cct": row.school_cct,
            "drse": row.drse, "report_name": row.report_name, "sha256": row.sha256,
            "size": row.size, "category": row.category, "description": row.description,
            "created_at": row.created_at, "received_at": row.received_at.isoformat()}
