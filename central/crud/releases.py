"""Station releases at central: publish a signed bundle, roll it out, hear from stations.

A bundle is accepted only when its manifest verifies against one of the release public keys
in ``<data_dir>/release-keys/*.pub`` (the state's release engineer signs; central never
holds that private key). Bundles are stored by content hash. A new release starts
``paused`` at 0 %: nothing is offered until staff set its rollout.

Offer rule: the newest ``active`` release of the station's channel that is newer than what
the station runs and that targets it (named station, its DRSE, or its cohort below the
percentage; ``station.core.releases.Targets``).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.errors import ApiError
from central.models import Release, School, Station, StationRelease, StationSoftware
from foundation.errors import InputError
from foundation.releases.bundle import BundleRefused, load_release_keys, sha256_file, verify_bundle
from foundation.releases.manifest import Manifest, is_newer, parse_version, version_key
from station.core.releases import RELEASE_STAGES, ROLLOUT_STATES, Targets, upgrade_refusal

STATE_ES = {"paused": "en pausa", "active": "en curso", "halted": "detenida"}


def keys_dir(data_dir: Path) -> Path:
    return data_dir / "release-keys"


def bundles_dir(data_dir: Path) -> Path:
    return data_dir / "releases"


def bundle_path(data_dir: Path, sha256: str) -> Path:
    return bundles_dir(data_dir) / f"{sha256}.tar"


def publish(session: Session, *, data_dir: Path, bundle: Path, channel: str, staff: str,
            now: datetime) -> Release:
    """Verify and store a bundle; a new release row, paused at 0 %."""
    keys = load_release_keys(keys_dir(data_dir))
    if not keys:
        raise ApiError(409, "no-release-keys",
                       f"No hay llaves públicas de versiones en {keys_dir(data_dir)}; agregue "
                       "la del ingeniero de versiones con 'central release trust-key'.")
    try:
        verified = verify_bundle(bundle, keys)
    except BundleRefused as exc:
        raise ApiError(422, f"release-{exc.code}", exc.message) from None
    manifest = verified.manifest
    digest = sha256_file(bundle)
    if session.scalar(select(Release).where(Release.version == manifest.version)):
        raise ApiError(409, "release-exists",
                       f"La versión {manifest.version} ya está publicada; una versión "
                       "publicada no se reemplaza: firme una versión nueva.")
    target = bundle_path(data_dir, digest)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = target.with_suffix(".part")
    shutil.copyfile(bundle, tmp)
    tmp.replace(target)
    row = Release(version=manifest.version, sha256=digest, size=target.stat().st_size,
                  manifest=json.dumps(manifest.to_json(), ensure_ascii=False),
                  signer_key_id=verified.key_id, min_upgrade_from=manifest.min_upgrade_from,
                  channel=channel, state="paused", targets=json.dumps(Targets().to_json()),
                  published_at=now, published_by=staff, updated_at=now)
    session.add(row)
    session.flush()
    return row


def get_release(session: Session, version: str) -> Release:
    row = session.scalar(select(Release).where(Release.version == version))
    if row is None:
        raise ApiError(404, "release-not-found", f"No existe la versión {version}.")
    return row


def set_rollout(session: Session, *, version: str, percent: int | None = None,
                drse: list[str] | None = None, stations: list[str] | None = None,
                channel: str | None = None, state: str | None = None,
                now: datetime) -> Release:
    """Change who gets the release and whether it is offered (pause/resume/halt).

    A halted release stays halted: it is never offered again (sign a new version).
    """
    row = get_release(session, version)
    if state is not None and state not in ROLLOUT_STATES:
        raise ApiError(422, "bad-state", f"Estado de despliegue desconocido: {state}.")
    if row.state == "halted" and state != "halted":
        raise ApiError(409, "release-halted",
                       f"La versión {version} fue detenida y no se vuelve a ofrecer; "
                       "publique una versión corregida.")
    old = Targets.from_json(json.loads(row.targets))
    try:
        targets = Targets.from_json({
            "percent": old.percent if percent is None else percent,
            "drse": old.drse if drse is None else [d.strip() for d in drse if d.strip()],
            "stations": old.stations if stations is None else
            [s.strip() for s in stations if s.strip()]})
    except InputError as exc:
        raise ApiError(422, "bad-rollout", exc.message) from None
    row.targets = json.dumps(targets.to_json(), ensure_ascii=False)
    if channel:
        row.channel = channel
    if state:
        row.state = state
    row.updated_at = now
    return row


def _station_drse(session: Session, station: Station) -> str | None:
    if station.drse:
        return station.drse
    if station.school_cct:
        return session.scalar(select(School.drse).where(School.cct == station.school_cct))
    return None


def note_version(session: Session, station: Station, version: str, now: datetime) -> None:
    try:
        parse_version(version)
    except InputError:
        raise ApiError(422, "bad-version", f"Versión no válida: {version[:40]}.") from None
    row = session.get(StationSoftware, station.id)
    if row is None:
        session.add(StationSoftware(station_id=station.id, version=version, reported_at=now))
    else:
        row.version, row.reported_at = version, now


def _progress(session: Session, station_id: str, release_id: int) -> StationRelease:
    row = session.get(StationRelease, (station_id, release_id))
    if row is None:
        row = StationRelease(station_id=station_id, release_id=release_id, last_stage="",
                             detail="")
        session.add(row)
    return row


def offer_for(session: Session, station: Station, *, channel: str, installed: str,
              now: datetime) -> Release | None:
    """The release to offer this station now (recorded as offered), or None."""
    note_version(session, station, installed, now)
    drse = _station_drse(session, station)
    candidates = session.scalars(select(Release).where(Release.channel == channel,
                                                       Release.state == "active"))
    best: Release | None = None
    for row in candidates:
        if not is_newer(row.version, installed):
            continue
        if not Targets.from_json(json.loads(row.targets)).includes(station.id, drse):
            continue
        if upgrade_refusal(_manifest(row), installed) is not None:
            continue
        if best is None or version_key(row.version) > version_key(best.version):
            best = row
    if best is not None:
        progress = _progress(session, station.id, best.id)
        if progress.offered_at is None:
            progress.offered_at = now
            progress.last_stage = progress.last_stage or "offered"
    return best


def _manifest(row: Release) -> Any:
    return Manifest.from_json(json.loads(row.manifest))


def may_download(session: Session, station: Station, sha256: str) -> Release:
    """The release behind ``sha256`` when it was offered to this station and is not halted."""
    row = session.scalar(select(Release).where(Release.sha256 == sha256))
    progress = session.get(StationRelease, (station.id, row.id)) if row else None
    if row is None or progress is None or progress.offered_at is None:
        raise ApiError(404, "release-not-offered",
                       "Esa versión no se ofreció a esta estación.")
    if row.state == "halted":
        raise ApiError(410, "release-halted",
                       f"La versión {row.version} fue detenida por la oficina estatal; "
                       "no se instala.")
    return row


def record_report(session: Session, station: Station, *, version: str, stage: str,
                  detail: str, installed: str, now: datetime) -> None:
    """A station's signed report of one attempt; each stage keeps its first time."""
    if stage not in RELEASE_STAGES:
        raise ApiError(422, "bad-stage", f"Etapa desconocida: {stage[:40]}.")
    row = get_release(session, version)
    note_version(session, station, installed, now)
    progress = _progress(session, station.id, row.id)
    column = f"{stage}_at"
    if getattr(progress, column) is None:
        setattr(progress, column, now)
    progress.last_stage, progress.detail = stage, detail[:2000]


@dataclass(frozen=True, slots=True)
class ReleaseSummary:
    version: str
    channel: str
    state: str
    targets: Targets
    sha256: str
    size: int
    published_at: datetime
    published_by: str
    counts: dict[str, int]
    failures: list[tuple[str, str, str]]
    """(station, stage, detail) of the latest failed or rolled-back attempts."""

    @property
    def state_es(self) -> str:
        return STATE_ES.get(self.state, self.state)

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "channel": self.channel, "state": self.state,
                "targets": self.targets.to_json(), "sha256": self.sha256, "size": self.size,
                "published_at": self.published_at.isoformat(),
                "published_by": self.published_by, "counts": self.counts,
                "failures": [{"station": s, "stage": st, "detail": d}
                             for s, st, d in self.failures]}


def summaries(session: Session) -> list[ReleaseSummary]:
    """Every release, newest first, with how many stations reached each stage."""
    rows = sorted(session.scalars(select(Release)), key=lambda r: version_key(r.version),
                  reverse=True)
    out = []
    for row in rows:
        progress = list(session.scalars(select(StationRelease).where(
            StationRelease.release_id == row.id)))
        counts = {stage: sum(1 for p in progress if getattr(p, f"{stage}_at") is not None)
                  for stage in RELEASE_STAGES}
        failures = [(p.station_id, p.last_stage, p.detail) for p in progress
                    if p.last_stage in ("failed", "rolled_back")][:50]
        out.append(ReleaseSummary(row.version, row.channel, row.state,
                                  Targets.from_json(json.loads(row.targets)), row.sha256,
                                  row.size, row.published_at, row.published_by, counts,
                                  failures))
    return out


def installed_versions(session: Session) -> dict[str, int]:
    """How many stations run each version (as they last said)."""
    counts: dict[str, int] = {}
    for version in session.scalars(select(StationSoftware.version)):
        counts[version] = counts.get(version, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: version_key(kv[0]), reverse=True))
