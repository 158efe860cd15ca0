"""A station joins with a one-time code, proving it holds the key it registers."""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter, Request

from central.api.deps import Ctx, Db, RawBody, check_signed, read_signature, utcnow
from central.crud import stations
from central.errors import ApiError
from central.models import TrustEntry
from central.schemas import EnrollIn
from foundation.contract.responses import EnrollAnswer
from foundation.credential.keys import key_id_for

router = APIRouter(prefix="/api/v1", tags=["enroll"])


@router.post("/enroll", response_model=EnrollAnswer)
def enroll(body_in: EnrollIn, request: Request, body: RawBody, session: Db,
           ctx: Ctx) -> dict[str, object]:
    """Register the station's Ed25519 key; the request is signed with that same key."""
    try:
        public_key = base64.b64decode(body_in.public_key, validate=True)
    except (binascii.Error, ValueError):
        public_key = b""
    if len(public_key) != 32:
        raise ApiError(422, "bad-public-key", "La llave pública debe ser Ed25519 (32 bytes en "
                                              "base64).")
    signed = read_signature(request)
    if signed.key_id != key_id_for(public_key):
        raise ApiError(401, "bad-signature", "La solicitud no está firmada con la llave que "
                                             "se quiere inscribir.")
    check_signed(request, body, signed, public_key, session)
    station = stations.enroll(session, code=body_in.code, public_key=public_key,
                              issuing_since=body_in.issuing_since,
                              central_key=ctx.central_key, now=utcnow())
    session.flush()
    entry = session.get(TrustEntry, station.key_id)
    assert entry is not None
    scope = stations.scope_ccts(session, station=station, routing=ctx.routing)
    session.commit()
    return {"station_id": station.id, "name": station.name, "kind": station.kind,
            "school_cct": station.school_cct, "drse": station.drse, "scope": scope,
            "central_public_key": base64.b64encode(ctx.central_key.public_bytes()).decode(),
            "trust_entry": stations.trust_entry_json(entry)}
