"""Station releases: stations ask for an offer, download the bundle (HTTP Range), report each
attempt — all signed with the station's key; staff see and steer the rollout (bearer token).

Publishing a bundle is a CLI step on the server (``central release publish``): bundles are
larger than the API's body limit and the signature is checked before anything is stored.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from central.answers import ReleaseList, RolloutAnswer
from central.api.deps import AuthStation, Ctx, Db, Staff, utcnow
from central.crud import releases as release_ops
from central.errors import ApiError
from foundation.contract.responses import ReleaseOffer, ReleaseReportRecorded

router = APIRouter(tags=["releases"])
_VERSION = r"^[0-9]{1,6}(\.[0-9]{1,6}){0,3}$"
_CHANNEL = r"^[a-z0-9-]{1,20}$"


class ReleaseReport(BaseModel):
    version: str = Field(pattern=_VERSION)
    stage: str = Field(max_length=20)
    detail: str = Field(default="", max_length=2000)
    installed: str = Field(pattern=_VERSION)


class RolloutIn(BaseModel):
    percent: int | None = Field(default=None, ge=0, le=100)
    drse: list[str] | None = None
    stations: list[str] | None = None
    channel: str | None = Field(default=None, pattern=_CHANNEL)
    state: str | None = None
    staff: str = Field(default="api", max_length=120)


def _offer_json(row: Any) -> dict[str, Any]:
    return {"version": row.version, "sha256": row.sha256, "size": row.size,
            "min_upgrade_from": row.min_upgrade_from,
            "url": f"/api/v1/sync/releases/{row.sha256}.tar"}


@router.get("/api/v1/sync/releases/offer", response_model=ReleaseOffer)
def offer(station: AuthStation, session: Db,
          version: Annotated[str, Query(pattern=_VERSION)],
          channel: Annotated[str, Query(pattern=_CHANNEL)] = "stable") -> dict[str, Any]:
    """The release this station should install now, or ``{"release": null}``."""
    row = release_ops.offer_for(session, station, channel=channel, installed=version,
                                now=utcnow())
    session.commit()
    return {"release": _offer_json(row) if row else None}


@router.get("/api/v1/sync/releases/{sha256}.tar")
def download(station: AuthStation, session: Db, ctx: Ctx,
             sha256: Annotated[str, PathParam(pattern=r"^[0-9a-f]{64}$")]) -> FileResponse:
    """The bundle; ``Range: bytes=N-`` resumes a cut download (206)."""
    row = release_ops.may_download(session, station, sha256)
    session.commit()
    path = release_ops.bundle_path(ctx.settings.data_dir, row.sha256)
    if not path.is_file():
        raise ApiError(404, "release-missing", "El paquete de esa versión no está en el "
                                               "servidor; avise a la oficina estatal.")
    return FileResponse(path, media_type="application/x-tar",
                        filename=f"credenciales-{row.version}.tar")


@router.post("/api/v1/sync/releases/report", response_model=ReleaseReportRecorded)
def report(station: AuthStation, session: Db, body: ReleaseReport) -> dict[str, Any]:
    release_ops.record_report(session, station, version=body.version, stage=body.stage,
                              detail=body.detail, installed=body.installed, now=utcnow())
    session.commit()
    return {"recorded": True}


@router.get("/api/v1/admin/releases", response_model=ReleaseList)
def list_releases(_: Staff, session: Db) -> dict[str, Any]:
    return {"releases": [s.to_json() for s in release_ops.summaries(session)],
            "installed": release_ops.installed_versions(session)}


@router.post("/api/v1/admin/releases/{version}/rollout", response_model=RolloutAnswer)
def rollout(_: Staff, session: Db, body: RolloutIn,
            version: Annotated[str, PathParam(pattern=_VERSION)]) -> dict[str, Any]:
    """Targets and state; ``state``: ``active`` (resume), ``paused``, ``halted``."""
    from central.crud import staff as staff_ops

    now = utcnow()
    row = release_ops.set_rollout(session, version=version, percent=body.percent,
                                  drse=body.drse, stations=body.stations,
                                  channel=body.channel, state=body.state, now=now)
    staff_ops.record(session, staff=body.staff, action="release-rollout", target=version,
                     reason=_describe(body), now=now)
    session.commit()
    return {"version": row.version, "state": row.state, "channel": row.channel,
            "targets": row.targets}


def _describe(body: RolloutIn) -> str:
    parts = [f"{k}={v}" for k, v in body.model_dump(exclude={"staff"}).items() if v is not None]
    return re.sub(r"\s+", " ", ", ".join(parts))[:500]
