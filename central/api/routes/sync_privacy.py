"""``GET /api/v1/privacy-orders``: the ARCO orders (cancelación, rectificación) for students of
the signed station's schools — its own school, or every school of its DRSE for a DRSE station
(it may have printed any of them) — after the cursor the station last applied (issue 18).

Also answered under ``/api/v1/sync/privacy-orders``, beside the other pulls.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from central.api.deps import AnyStation, Ctx, Db, Seq
from central.api.routes.sync import _active
from central.crud import privacy_arco
from central.models import School, Station
from foundation.contract.responses import PrivacyOrderPage

router = APIRouter(tags=["sync"])


def _order_ccts(session: Db, station: Station) -> list[str]:
    if station.kind == "escuela":
        return [station.school_cct] if station.school_cct else []
    return list(session.scalars(select(School.cct).where(School.drse == station.drse)))


@router.get("/api/v1/privacy-orders", response_model=PrivacyOrderPage)
@router.get("/api/v1/sync/privacy-orders", response_model=PrivacyOrderPage,
            include_in_schema=False)
def pull_privacy_orders(station: AnyStation, session: Db, ctx: Ctx, after: Seq = 0,
                        limit: Annotated[int, Query(ge=1, le=5000)] = 500
                        ) -> dict[str, object]:
    _active(station, "órdenes de datos personales")
    rows, cursor, more = privacy_arco.orders_after(
        session, ccts=_order_ccts(session, station), after=after,
        limit=min(limit, ctx.settings.pull_page_size))
    session.commit()
    return {"orders": [{"id": r.id, "kind": r.kind, "curp": r.curp, "cct": r.cct,
                        "fields": json.loads(r.fields) if r.fields else None,
                        "reason": r.reason, "ordered_at": r.ordered_at.isoformat()}
                       for r in rows],
            "cursor": cursor, "more": more}
