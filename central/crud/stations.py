"""Stations: one-time enrollment codes, enrollment, the trust list, withdrawal, scope."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.db import next_rev
from central.errors import ApiError
from central.models import EnrollmentCode, Region, School, Station, TrustEntry
from foundation.contract.protocol import trust_entry_message
from foundation.credential.keys import StationKey, key_id_for
from station.core.model import Nivel
from station.core.routing import Thresholds, route

_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U: read aloud safely


def now_utc() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def code_hash(code: str) -> str:
    """Codes are stored hashed, normalised: case and dashes do not matter.

    >>> code_hash("abcd-efgh") == code_hash("ABCDEFGH")
    True
    """
    plain = "".join(code.split()).replace("-", "").upper()
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def create_enrollment_code(
    session: Session, *, kind: str, school_cct: str | None, drse: str | None,
    station_name: str, staff: str, hours: int, now: datetime,
) -> tuple[str, EnrollmentCode]:
    """A new one-time code, bound to a school (``escuela``) or a DRSE (``drse``)."""
    if kind == "escuela":
        if not school_cct or session.get(School, school_cct) is None:
            raise ApiError(404, "school-not-found",
                           f"La escuela con CCT {school_cct} no está en el servicio central; "
                           "importe primero la plantilla de SCEJAL.")
        drse = None
    elif kind == "drse":
        if not drse or session.get(Region, drse) is None:
            raise ApiError(404, "drse-not-found", f"No existe la DRSE «{drse}» en el servicio "
                                                  "central; importe primero las escuelas.")
        school_cct = None
    else:
        raise ApiError(422, "invalid-kind", "El tipo de estación debe ser 'escuela' o 'drse'.")
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
    row = EnrollmentCode(code_hash=code_hash(code), kind=kind, school_cct=school_cct, drse=drse,
                         station_name=station_name, created_by=staff, created_at=now,
                         expires_at=now + timedelta(hours=hours))
    session.add(row)
    return code, row


def certify(central_key: StationKey, entry: TrustEntry) -> bytes:
    return central_key.sign(trust_entry_message(
        key_id=entry.key_id, public_key=entry.public_key, station_id=entry.station_id,
        school=entry.school, valid_from=entry.valid_from.isoformat(),
        valid_until=entry.valid_until.isoformat() if entry.valid_until else None))


def enroll(
    session: Session, *, code: str, public_key: bytes, issuing_since: date | None,
    central_key: StationKey, now: datetime,
) -> Station:
    """Register ``public_key`` with a one-time code; certify it into the trust list."""
    row = session.get(EnrollmentCode, code_hash(code), with_for_update=True)
    if row is None:
        raise ApiError(404, "enrollment-code-unknown",
                       "El código de inscripción no existe; revise que lo escribió completo.")
    kid = key_id_for(public_key).hex()
    if row.used_at is not None:
        same = session.get(Station, row.station_id) if row.station_id else None
        if same is not None and same.key_id == kid:
            return same  # the answer was lost and the station asks again: same enrollment
        raise ApiError(409, "enrollment-code-used",
                       "Ese código de inscripción ya se usó; pida uno nuevo a la oficina central.")
    if _aware(row.expires_at) < now:
        raise ApiError(410, "enrollment-code-expired",
                       f"El código de inscripción venció el {_aware(row.expires_at):%d/%m/%Y %H:%M}"
                       " (UTC); pida uno nuevo a la oficina central.")
    existing = session.scalar(select(Station).where(Station.key_id == kid))
    if existing is not None:
        raise ApiError(409, "station-already-enrolled",
                       f"Esta estación ya está inscrita como {existing.id}.")
    station_id = f"EST-{next_rev(session, 'station'):05d}"
    station = Station(id=station_id, name=row.station_name, kind=row.kind,
                      school_cct=row.school_cct, drse=row.drse, key_id=kid,
                      public_key=public_key, enrolled_at=now, applied_through=0,
                      last_seen_at=now)
    session.add(station)
    session.flush()
    row.used_at, row.station_id = now, station_id
    today = now.date()
    since = today if issuing_since is None else max(min(issuing_since, today),
                                                     today - timedelta(days=366))
    entry = TrustEntry(key_id=kid, public_key=public_key, station_id=station_id,
                       school=row.school_cct or f"DRSE {row.drse}", valid_from=since,
                       valid_until=None, certificate=b"", rev=next_rev(session, "trust"))
    entry.certificate = certify(central_key, entry)
    session.add(entry)
    return station


def withdraw(session: Session, *, station_id: str, reason: str, central_key: StationKey,
             now: datetime) -> Station:
    """Take a station out of service: its key stops signing from today; its cards stay valid."""
    station = session.get(Station, station_id, with_for_update=True)
    if station is None:
        raise ApiError(404, "station-not-found", f"No existe la estación {station_id}.")
    if station.withdrawn_at is not None:
        raise ApiError(409, "station-already-withdrawn",
                       f"La estación {station_id} ya se retiró el "
                       f"{_aware(station.withdrawn_at):%d/%m/%Y}.")
    station.withdrawn_at, station.withdrawn_reason = now, reason
    entry = session.get(TrustEntry, station.key_id, with_for_update=True)
    if entry is not None:
        entry.valid_until = max(now.date(), entry.valid_from)
        entry.certificate = certify(central_key, entry)
        entry.rev = next_rev(session, "trust")
    return station


def trust_since(session: Session, *, cursor: int, limit: int) -> list[TrustEntry]:
    return list(session.scalars(select(TrustEntry).where(TrustEntry.rev > cursor)
                                .order_by(TrustEntry.rev).limit(limit)))


def trust_entry_json(entry: TrustEntry) -> dict[str, object]:
    return {"key_id": entry.key_id,
            "public_key": base64.b64encode(entry.public_key).decode("ascii"),
            "station_id": entry.station_id, "school": entry.school,
            "valid_from": entry.valid_from.isoformat(),
            "valid_until": entry.valid_until.isoformat() if entry.valid_until else None,
            "certificate": base64.b64encode(entry.certificate).decode("ascii"),
            "rev": entry.rev}


def scope_ccts(session: Session, *, station: Station, routing: Thresholds) -> list[str]:
    """The schools a station may act for: its own, or those its DRSE prints for."""
    if station.kind == "escuela":
        return [station.school_cct] if station.school_cct else []
    rows = session.execute(select(School.cct, School.nivel, School.matricula, School.internet)
                           .where(School.drse == station.drse).order_by(School.cct))
    return [r.cct for r in rows
            if route(Nivel(r.nivel), r.matricula, r.internet, routing).where == "drse"]


def require_in_scope(session: Session, *, station: Station, routing: Thresholds,
                     ccts: set[str]) -> None:
    """Refuse (403) when any of ``ccts`` is outside what ``station`` may act for."""
    if not ccts:
        return
    allowed = set(scope_ccts(session, station=station, routing=routing))
    outside = sorted(ccts - allowed)
    if outside:
        whose = (f"la escuela {station.school_cct}" if station.kind == "escuela"
                 else f"las escuelas que imprime la DRSE {station.drse}")
        raise ApiError(403, "school-out-of-scope",
                       f"La estación {station.id} sólo puede actuar para {whose}; "
                       f"no para {', '.join(outside[:5])}.", ccts=outside[:20])
