"""Signed station requests: push events, photos and problem reports; pull roster, photos,
trust, revocations, configuration, and folio blocks. Every route acts only inside the
station's scope.

A withdrawn station may still push what it holds (events, photos, problem reports: its cards
stay valid and must reach central); everything else answers 403 ``station-withdrawn``.
"""

from __future__ import annotations

import base64
import json
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.api.deps import AnyStation, Ctx, Db, RawBody, ReadDb, Seq, utcnow
from central.crud import cards as card_ops
from central.crud import (
    double_use,
    folios,
    holograms,
    photos,
    privacy_erase,
    problem_reports,
    roster,
    stations,
)
from central.crud import events as event_ops
from central.crud.privacy_digest import curps_in, privacy_key_of
from central.db import retrying
from central.errors import ApiError
from central.models import ConfigItem, Counter, Station, Student
from central.schemas import FolioBlockIn
from foundation.contract import photo_batch
from foundation.contract.events import EventBatch
from foundation.contract.photo_batch import PhotoBatchHeader, PhotoBatchRequest, PhotoPart
from foundation.contract.responses import (
    ConfigAnswer,
    FolioBlockAnswer,
    HelloAnswer,
    IngestAnswer,
    PhotoStored,
    ProblemReportStored,
    RevocationPage,
    RosterPage,
    TrustPage,
    WantedPhotos,
)

router = APIRouter(prefix="/api/v1/sync", tags=["sync"])
_DIGEST = r"^[0-9a-f]{64}$"


def _active(station: Station, what: str) -> Station:
    """Refuse a withdrawn station anything but pushing what it holds."""
    if station.withdrawn_at is not None:
        raise ApiError(403, "station-withdrawn",
                       f"La estación {station.id} fue dada de baja del servicio "
                       f"({station.withdrawn_reason}): ya no recibe {what}; solo puede enviar "
                       "sus registros pendientes. Sus credenciales siguen válidas.")
    return station


def _locked(session: Session, station: Station) -> Station:
    """Serialize a station's writes (PostgreSQL row lock; SQLite already writes one at a time)."""
    locked = session.get(Station, station.id, with_for_update=True, populate_existing=True)
    assert locked is not None
    return locked


@router.get("/hello", response_model=HelloAnswer)
def hello(station: AnyStation, session: ReadDb, ctx: Ctx) -> dict[str, object]:
    """Who central thinks this station is, what it may act for, and central's clock."""
    _active(station, "plantilla, folios ni fotos")
    scope = stations.scope_ccts(session, station=station, routing=ctx.routing)
    session.commit()
    return {"station_id": station.id, "kind": station.kind, "school_cct": station.school_cct,
            "drse": station.drse, "scope": scope, "acked_through": station.applied_through,
            "server_time": utcnow().isoformat()}


@router.post("/events", response_model=IngestAnswer)
def push_events(batch: EventBatch, station: AnyStation, session: Db,
                ctx: Ctx) -> dict[str, object]:
    """Store a batch of ledger events; idempotent by (station, seq), one transaction, run again
    when it lost a race with another station's push."""
    events = [event_ops.Event.pushed(e) for e in batch.events]

    def work() -> dict[str, object]:
        locked = _locked(session, station)
        result = event_ops.ingest(session, station=locked, routing=ctx.routing, now=utcnow(),
                                  events=events, folio_first=ctx.settings.folio_first)
        # A station that had not applied a cancellation yet sent the child's CURP again.
        privacy_erase.scrub_erased(session, key=privacy_key_of(ctx), curps=curps_in(batch),
                                   stations=[locked.id])
        session.commit()
        return result.to_json()

    return retrying(session, work)


@router.get("/roster", response_model=RosterPage)
def pull_roster(station: AnyStation, session: ReadDb, ctx: Ctx,
                cursor: Annotated[str, Query(max_length=200)] = "") -> dict[str, object]:
    """Schools and students of the station's scope changed after ``cursor``, and the CURPs of
    students who moved to a school outside the scope (``departed``)."""
    _active(station, "la plantilla de alumnos")
    scope = stations.scope_ccts(session, station=station, routing=ctx.routing)
    digest = roster.scope_digest(scope)
    start = roster.Cursor.parse(cursor, digest)
    schools, students, end, more = roster.roster_page(
        session, ccts=scope, cursor=start, limit=ctx.settings.pull_page_size)
    departed, end = roster.departed_page(session, ccts=scope, start=start, end=end, more=more)
    session.commit()
    return {"scope": scope, "restarted": bool(cursor) and start.rev == 0,
            "schools": [roster.school_json(s) for s in schools],
            "students": [roster.student_json(s) for s in students],
            "departed": departed, "cursor": end.format(digest), "more": more}


@router.get("/photos/wanted", response_model=WantedPhotos)
def wanted_photos(station: AnyStation, session: ReadDb, ctx: Ctx) -> dict[str, object]:
    """Photos this station linked that central does not hold, of students of its scope:
    upload them."""
    scope = stations.scope_ccts(session, station=station, routing=ctx.routing)
    wanted = photos.wanted_from(session, station_id=station.id, ccts=scope)
    session.commit()
    return {"photos": [{"hash": h, "curp": c} for h, c in wanted]}


@router.get("/photos/{photo_hash}")
def get_photo(photo_hash: Annotated[str, PathParam(pattern=_DIGEST)],
              station: AnyStation, session: ReadDb,
              ctx: Ctx) -> FileResponse:
    """A photo of a student in the station's scope."""
    _active(station, "fotos")
    scope = stations.scope_ccts(session, station=station, routing=ctx.routing)
    if not photos.photo_in_scope(session, photo_hash=photo_hash, ccts=scope):
        raise ApiError(403, "photo-out-of-scope",
                       f"La foto pedida no es de un alumno de las escuelas de {station.id}.")
    path = photos.photo_path(session, store=ctx.photos, photo_hash=photo_hash)
    session.commit()
    media = "image/png" if path.suffix == ".png" else "image/jpeg"
    return FileResponse(path, media_type=media)


@router.post("/photos/batch", response_class=Response, responses={200: {
    "content": {photo_batch.MEDIA_TYPE: {}},
    "description": "A JSON line (PhotoBatchHeader), then the photos' bytes in its order "
                   "(foundation/contract/photo_batch.py)."}})
def get_photo_batch(request: PhotoBatchRequest, station: AnyStation, session: ReadDb,
                    ctx: Ctx) -> Response:
    """Up to ``PHOTO_BATCH_MAX`` photos of students in the station's scope in one answer;
    the hashes it will not send (unknown or out of scope, alike) come back as ``missing``."""
    _active(station, "fotos")
    wanted = list(dict.fromkeys(request.hashes))  # each once, in the station's order
    scope = stations.scope_ccts(session, station=station, routing=ctx.routing)
    held = photos.photos_in_scope(session, hashes=wanted, ccts=scope)
    session.commit()
    parts: list[PhotoPart] = []
    blobs: list[bytes] = []
    missing: list[str] = []
    later: list[str] = []
    total = 0
    for digest in wanted:
        if digest not in held:
            missing.append(digest)
            continue
        if blobs and total >= photo_batch.PHOTO_BATCH_BYTES:
            later.append(digest)
            continue
        try:  # the path from the row's ext: no directory probing per photo
            data = (ctx.photos.root / digest[:2] / f"{digest}.{held[digest]}").read_bytes()
        except OSError:
            data = b""
        if not data:  # a row without its file (a purge in progress): not sent
            missing.append(digest)
            continue
        parts.append(PhotoPart(hash=digest, size=len(data)))
        blobs.append(data)
        total += len(data)
    header = PhotoBatchHeader(photos=parts, missing=missing, later=later)
    return Response(b"".join([photo_batch.frame(header), *blobs]),
                    media_type=photo_batch.MEDIA_TYPE)


@router.put("/photos/{photo_hash}", response_model=PhotoStored)
def put_photo(photo_hash: Annotated[str, PathParam(pattern=_DIGEST)],
              curp: Annotated[str, Query(pattern=r"^[A-Z0-9]{18}$")],
              body: RawBody, station: AnyStation,
              session: Db,
              ctx: Ctx) -> dict[str, object]:
    """A photo taken at the station, for one of its students."""
    student = session.get(Student, curp)
    if student is None:
        raise ApiError(404, "student-not-found", f"El alumno de la foto ({curp[:4]}…) no está "
                                                 "en la plantilla del servicio central.")
    stations.require_in_scope(session, station=station, routing=ctx.routing,
                              ccts={student.cct})
    if len(body) > ctx.settings.max_photo_bytes:
        raise ApiError(413, "body-too-large", "La foto es demasiado grande.")
    now = utcnow()
    digest = photos.store_photo(session, store=ctx.photos, data=body, source=station.id,
                                now=now, expected_hash=photo_hash)
    photos.link_photo(session, curp=curp, photo_hash=digest, now=now)
    session.commit()
    return {"hash": digest, "curp": curp}


@router.get("/trust", response_model=TrustPage)
def pull_trust(station: AnyStation, session: ReadDb, ctx: Ctx,
               cursor: Seq = 0) -> dict[str, object]:
    """Certified station keys changed after ``cursor`` (new, withdrawn)."""
    _active(station, "la lista de confianza")
    limit = ctx.settings.pull_page_size
    entries = stations.trust_since(session, cursor=cursor, limit=limit + 1)
    session.commit()
    more = len(entries) > limit
    entries = entries[:limit]
    return {"central_public_key": base64.b64encode(ctx.central_key.public_bytes()).decode(),
            "entries": [stations.trust_entry_json(e) for e in entries],
            "cursor": entries[-1].rev if entries else cursor, "more": more}


@router.get("/revocations", response_model=RevocationPage)
def pull_revocations(station: AnyStation, session: ReadDb, ctx: Ctx,
                     cursor: Seq = 0) -> dict[str, object]:
    """Cards revoked after ``cursor``, by any station or by central staff."""
    _active(station, "revocaciones")
    limit = ctx.settings.pull_page_size
    rows = card_ops.revocations_since(session, cursor=cursor, limit=limit + 1)
    session.commit()
    more = len(rows) > limit
    rows = rows[:limit]
    return {"revocations": [{"key_id": r.key_id, "folio": r.folio, "cause": r.cause,
                             "reason": r.reason, "revoked_at": r.revoked_at.isoformat()}
                            for r in rows],
            "cursor": rows[-1].rev if rows else cursor, "more": more}


@router.get("/config", response_model=ConfigAnswer)
def pull_config(station: AnyStation, session: ReadDb, ctx: Ctx,
                notices_after: Seq = 0) -> dict[str, object]:
    """Configuration central publishes (thresholds, fee, cycle, card template version), the
    hologram ranges this station may use, and central's notices after ``notices_after``."""
    _active(station, "configuración")
    items = list(session.scalars(select(ConfigItem).order_by(ConfigItem.key)))
    # The counter, not the newest item: clearing a key must give stations a new version too.
    version = session.scalar(select(Counter.value).where(Counter.name == "config")) or 0
    scope = stations.scope_ccts(session, station=station, routing=ctx.routing)
    ranges = holograms.station_ranges(session, station=station, ccts=scope)
    notices = double_use.notices_after(session, station_id=station.id, cursor=notices_after)
    session.commit()
    return {"version": int(version), "items": {i.key: json.loads(i.value) for i in items},
            "hologram_ranges": [{"cycle": r.cycle, "first": r.serial(r.first),
                                 "last": r.serial(r.last)} for r in ranges],
            "notices": [{"id": n.id, "kind": n.kind, "message": n.message,
                         "created_at": n.created_at.isoformat()} for n in notices]}


@router.post("/folio-blocks", response_model=FolioBlockAnswer)
def folio_block(request: FolioBlockIn, station: AnyStation, session: Db,
                ctx: Ctx) -> dict[str, object]:
    """The station's folio block number ``ordinal`` (the same one again if asked again)."""
    _active(station, "bloques de folios")
    station = _locked(session, station)
    block = folios.block_for(session, station=station, ordinal=request.ordinal,
                             size=ctx.settings.folio_block_size, now=utcnow())
    session.commit()
    return {"ordinal": block.ordinal, "first": block.first_folio, "last": block.last_folio}


@router.put("/problem-reports/{report_hash}", response_model=ProblemReportStored)
def put_problem_report(report_hash: Annotated[str, PathParam(pattern=_DIGEST)],
                       name: Annotated[str, Query(min_length=1, max_length=80)],
                       body: RawBody, station: AnyStation, session: Db,
                       ctx: Ctx) -> dict[str, object]:
    """A problem report written at the station (zip); stored once per (station, SHA-256).

    413 ``report-too-large`` over the limit, 422 ``bad-report`` when it cannot be read: the
    station keeps such a report and does not send it again.
    """
    # Locked first: the same report sent twice at once is stored once, the other is a duplicate.
    station = _locked(session, station)
    row, fresh = problem_reports.store_problem_report(
        session, station=station, data_dir=ctx.settings.data_dir, name=name, data=body,
        expected_hash=report_hash, now=utcnow())
    session.commit()
    return {"id": row.id, "sha256": row.sha256, "duplicate": not fresh}
