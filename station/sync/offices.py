"""The DRSE procedures at sync (issue 13): send the school's signed oficios (procedure 1) that
wait, then read how central and the DRSE handled this station's requests (a return or a
rejection comes with its reason) and, on a DRSE station, the validated batches to produce.

An oficio central refuses for good (a school that prints its own cards, a scan it cannot
read) is not sent again: it keeps central's reason as its news. A central older than these
routes answers 404: nothing to read, the rest of the sync goes on.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from foundation.contract.responses import OfficeNews, OfficeRequestStored
from station.context import Station
from station.store import delivery_records, office_records, sync_state
from station.store.office_records import News, OfficeBatch
from station.sync.client import CentralClient, SyncError

SEND = "/api/v1/sync/office-requests"
SCANS = "/api/v1/sync/delivery-scans"
_SCAN_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".png": "image/png"}
NEWS = "/api/v1/sync/office-news"
_REFUSED_FOR_GOOD = frozenset({403, 404, 409, 413, 422})


@dataclass(slots=True)
class OfficeSync:
    sent: int = 0
    acknowledgements: int = 0
    """Signed delivery acknowledgements uploaded (DRSE station)."""
    changed: list[News] = field(default_factory=list)
    new_batches: int = 0


def push_oficios(station: Station, client: CentralClient) -> int:
    with station.db.read() as conn:
        waiting = office_records.unsent_oficios(conn)
    sent = 0
    for o in waiting:
        assert o.scan_name is not None
        scan = (station.folder.documents / o.scan_name).read_bytes()
        body = {"ref": o.id, "cct": o.cct, "cycle": o.cycle, "oficio": o.oficio,
                "director": o.director, "curps": o.curps,
                "scan": base64.b64encode(scan).decode()}
        try:
            answer = client.post_answer(OfficeRequestStored, SEND, body)
        except SyncError as exc:
            if exc.status == 404 and exc.code != "school-not-found":
                return sent  # a central older than the route: the oficio waits, unchanged
            if exc.status not in _REFUSED_FOR_GOOD:
                raise
            with station.db.write() as conn:
                office_records.mark_sent(conn, o.id, 0)
                office_records.save_news(conn, [{
                    "procedure": "oficio", "ref": o.id, "number": 0, "state": "no_enviada",
                    "words": "El servicio central no la recibió", "reason": exc.message}])
            continue
        with station.db.write() as conn:
            office_records.mark_sent(conn, o.id, answer.number)
        sent += 1
    return sent


def push_acknowledgements(station: Station, client: CentralClient) -> int:
    """Upload the signed acknowledgements of closed deliveries (DRSE station) once each; one
    central cannot read stays here, marked, and is not sent again."""
    if station.settings["station.kind"] != "drse":
        return 0
    with station.db.read() as conn:
        done = sync_state.states_with_prefix(conn, "acuse:")
        closed = [d for d in delivery_records.list_all(conn)
                  if d.scan_name and f"acuse:{d.id}" not in done]
    sent = 0
    for d in closed:
        assert d.scan_name is not None
        path = station.folder.deliveries / d.scan_name
        if not path.is_file():
            continue
        try:
            client.call("PUT", f"{SCANS}/{d.id}", data=path.read_bytes(),
                        content_type=_SCAN_TYPES.get(path.suffix.lower(),
                                                     "application/octet-stream"))
            mark = "enviado"
        except SyncError as exc:
            if exc.code != "bad-scan" and exc.status != 413:
                if exc.status == 404:
                    continue  # central lacks the delivery (or the route): next sync
                raise
            mark = f"rechazado: {exc.message}"
        with station.db.write() as conn:
            sync_state.set_state(conn, f"acuse:{d.id}", mark)
        sent += mark == "enviado"
    return sent


def pull_news(station: Station, client: CentralClient) -> tuple[list[News], int]:
    """(requests whose state changed, batches new to this station)."""
    try:
        news = client.get_answer(OfficeNews, NEWS)
    except SyncError as exc:
        if exc.status == 404:
            return [], 0
        raise
    batches = [OfficeBatch(b.request, b.cct, b.cycle, list(b.cards), list(b.holograms))
               for b in news.batches]
    with station.db.write() as conn:
        changed = office_records.save_news(conn, [i.model_dump() for i in news.requests])
        new = office_records.save_batches(conn, batches)
    return changed, new


def sync_offices(station: Station, client: CentralClient) -> OfficeSync:
    """Send waiting oficios, then read the news; a school station that never asked its DRSE
    for anything has nothing to read (one request fewer per sync)."""
    out = OfficeSync()
    out.sent = push_oficios(station, client)
    out.acknowledgements = push_acknowledgements(station, client)
    with station.db.read() as conn:
        asked = office_records.has_requests(conn)
    if asked or station.settings["station.kind"] == "drse":
        out.changed, out.new_batches = pull_news(station, client)
    return out
