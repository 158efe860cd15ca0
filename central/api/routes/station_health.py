"""``POST /api/v1/sync/health``: the station's health after each sync (signed like every
sync request); central keeps the last one per station for «Estaciones»."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from central.api.deps import AuthStation, Ctx, utcnow
from central.crud import station_health

router = APIRouter(tags=["sync"])
Short = Annotated[str, Field(max_length=300)]


class Throttled(BaseModel):
    source: str = Field(max_length=20)
    value: int | None = None
    warnings: list[Short] = Field(default_factory=list, max_length=10)


class StationHealthIn(BaseModel):
    version: str = Field(pattern=r"^[0-9]{1,6}(\.[0-9]{1,6}){0,3}$")
    disk_free_mb: int = Field(ge=0)
    disk_total_mb: int = Field(ge=0)
    throttled: Throttled
    printer_ok: bool
    printer_message: Short = ""
    camera_present: bool
    update_state: str = Field(max_length=30)
    update_version: str = Field(default="", max_length=30)
    warnings: list[Short] = Field(default_factory=list, max_length=20)


@router.post("/api/v1/sync/health")
def receive_health(body: StationHealthIn, station: AuthStation, ctx: Ctx) -> dict[str, str]:
    station_health.record(ctx.settings.data_dir, station.id, body.model_dump(), utcnow())
    return {"status": "ok"}
