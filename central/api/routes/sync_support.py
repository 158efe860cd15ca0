"""Signed station request: where the station's questions and escalated problem reports stand
(técnicos 10–12), changed after the station's cursor (a ``support`` change number)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from central.api.deps import AnyStation, Db
from central.crud import support
from foundation.contract.responses import SupportPage

router = APIRouter(prefix="/api/v1/sync", tags=["sync"])


@router.get("/support", response_model=SupportPage)
def pull_support(station: AnyStation, session: Db,
                 after: Annotated[int, Query(ge=0)] = 0) -> dict[str, object]:
    """Answers reach even a withdrawn station: they are the end of what it asked."""
    messages, cursor = support.messages_for_station(session, station_id=station.id, after=after)
    session.commit()
    return {"messages": messages, "cursor": cursor}
