"""Issue 17: the first sync's photos in batches — central's ``POST /api/v1/sync/photos/batch``
(framing, scope, replay, limits), read-only sessions that do not take SQLite's write lock,
and the station's side (a cut mid-answer keeps what arrived whole, bad bytes refused and
named, an older central served one GET per photo). Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from answer_proxy import AnswerProxy
from click.testing import CliRunner
from plugin_central import enroll_key, import_demo, signed
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from test_sync_client import synced  # noqa: F401  (fixture)

from central.settings import CentralSettings
from foundation.contract import photo_batch, protocol
from foundation.contract.photo_batch import BATCH_PATH, BatchReader
from foundation.credential.keys import StationKey
from foundation.sqldb import make_engine, make_sessionmaker
from station.store import sync_state
from station.sync.client import CentralClient
from station.sync.engine import run_sync

ZAPOPAN, TEPA = "14DPR9901D", "14EPR9902E"


def _photos_by_school(settings: CentralSettings) -> dict[str, list[str]]:
    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT cct, photo_hash FROM students "
                                 "WHERE photo_hash IS NOT NULL ORDER BY curp")).all()
    engine.dispose()
    out: dict[str, list[str]] = {}
    for cct, digest in rows:
        out.setdefault(cct, []).append(digest)
    return out


def _import_photos(settings: CentralSettings, folder: Path) -> None:
    from central.cli import main as central_cli

    escuelas, _ = import_demo(settings, folder, photos=True)
    out = CliRunner().invoke(central_cli, ["import-photos", str(escuelas.parent / "fotos")],
                             env={"CENTRAL_DATA_DIR": str(settings.data_dir),
                                  "CENTRAL_DATABASE_URL": settings.database_url})
    assert out.exit_code == 0, out.output


def test_batch_route_frames_scope_photos_and_refuses_the_rest(
        api: Any, central_settings: CentralSettings, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _import_photos(central_settings, tmp_path / "export")
    by_school = _photos_by_school(central_settings)
    mine, theirs = by_school[ZAPOPAN][:4], by_school[TEPA][:1]
    key = StationKey.generate(tmp_path / "k" / "station.key")
    enroll_key(api, key)
    unknown = "0" * 64
    answer = signed(api, key, "POST", BATCH_PATH,
                    body={"hashes": [mine[0], theirs[0], unknown, *mine[1:], mine[0]]})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == photo_batch.MEDIA_TYPE
    reader = BatchReader()
    got = reader.feed(answer.content)
    assert reader.complete and reader.header is not None
    # Each of mine once, in the order asked; another school's photo and an unknown hash are
    # both just "missing" (no way to tell which).
    assert [h for h, _ in got] == mine
    assert all(hashlib.sha256(data).hexdigest() == h for h, data in got)
    assert reader.header.missing == [theirs[0], unknown] and reader.header.later == []

    # Over the byte budget the rest are "later" (at least one photo always comes).
    monkeypatch.setattr(photo_batch, "PHOTO_BATCH_BYTES", 1)
    small = BatchReader()
    parts = small.feed(signed(api, key, "POST", BATCH_PATH, body={"hashes": mine}).content)
    assert [h for h, _ in parts] == mine[:1] and small.header is not None
    assert small.header.later == mine[1:]

    too_many = signed(api, key, "POST", BATCH_PATH, body={"hashes": [unknown] * 51})
    assert too_many.status_code == 422
    assert "se pidieron 51 fotos" in too_many.json()["error"]["message"]
    assert "máximo es 50" in too_many.json()["error"]["message"]

    # Replayed and forged requests are refused like every signed route.
    body = json.dumps({"hashes": mine[:1]}).encode()
    headers = protocol.signed_headers("POST", BATCH_PATH, body, key_id=key.key_id,
                                      sign=key.sign, timestamp=int(time.time()))
    headers["Content-Type"] = "application/json"
    assert api.post(BATCH_PATH, content=body, headers=headers).status_code == 200
    replay = api.post(BATCH_PATH, content=body, headers=headers)
    assert (replay.status_code, replay.json()["error"]["code"]) == (409, "replayed-request")
    forged = dict(headers, **{protocol.H_NONCE: protocol.new_nonce()})
    other = json.dumps({"hashes": theirs}).encode()
    refused = api.post(BATCH_PATH, content=other, headers=forged)
    assert (refused.status_code, refused.json()["error"]["code"]) == (401, "bad-signature")


def test_read_only_sessions_do_not_wait_for_a_writer(
        central_settings: CentralSettings) -> None:
    """A writer holds its transaction open (on SQLite: the write lock): a read-only session
    reads the last committed state at once, and cannot write; writers still queue."""
    engine = make_engine(central_settings.database_url)
    writes, reads = make_sessionmaker(engine), make_sessionmaker(engine, read_only=True)
    try:
        writer = writes()
        writer.begin()
        writer.execute(text("INSERT INTO counters (name, value) VALUES ('prueba', 1)"))
        started = time.perf_counter()
        with reads() as session, session.begin():
            seen = session.scalar(text("SELECT count(*) FROM counters WHERE name = 'prueba'"))
        assert seen == 0 and time.perf_counter() - started < 5
        with pytest.raises(DBAPIError, match=r"(?i)read.?only"), reads() as session, \
                session.begin():
            session.execute(text("INSERT INTO counters (name, value) VALUES ('otro', 1)"))
        writer.commit()
        writer.close()
        with writes() as session, session.begin():  # the same connections write again
            session.execute(text("UPDATE counters SET value = 2 WHERE name = 'prueba'"))
        with reads() as session, session.begin():
            assert session.scalar(text("SELECT value FROM counters WHERE name = 'prueba'")) == 2
    finally:
        engine.dispose()


def test_the_same_signed_batch_sent_twice_at_once_is_served_once(
        live_central: Any, api: Any, central_settings: CentralSettings,
        tmp_path: Path) -> None:
    """The nonce is still spent in a writer's transaction: of two copies racing, one is
    answered and the other refused as a replay."""
    import_demo(central_settings, tmp_path / "export")
    key = StationKey.generate(tmp_path / "k" / "station.key")
    enroll_key(api, key)
    body = json.dumps({"hashes": ["0" * 64]}).encode()
    headers = protocol.signed_headers("POST", BATCH_PATH, body, key_id=key.key_id,
                                      sign=key.sign, timestamp=int(time.time()))
    headers["Content-Type"] = "application/json"
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def send() -> None:
        barrier.wait()
        statuses.append(requests.post(live_central.url + BATCH_PATH, data=body,
                                      headers=headers, timeout=60).status_code)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert sorted(statuses) == [200, 409]


_REFUSAL = json.dumps({"error": {"code": "method-not-allowed", "message": "Ese método no "
                                  "se permite en esta dirección."}}).encode()
OLDER_ANSWER = (b"HTTP/1.1 405 Method Not Allowed\r\ncontent-type: application/json\r\n"
                b"allow: GET, PUT\r\ncontent-length: " + str(len(_REFUSAL)).encode()
                + b"\r\nconnection: close\r\n\r\n" + _REFUSAL)
"""A central before issue 17 matched POST /photos/batch to GET/PUT /photos/{hash}: 405."""


class TamperingProxy(AnswerProxy):
    """Forwards to central, one request per connection; the first photo batch answer is
    cut after two whole photos (``cut``) or has a byte of its second photo changed
    (``corrupt``); ``older`` answers every batch request as a central before issue 17."""

    def __init__(self, upstream: str, mode: str) -> None:
        self.mode, self.tampered = mode, 0
        self.announced = self.whole = 0
        super().__init__(upstream)

    def change(self, request: bytes, answer: bytes) -> bytes:
        if not request.startswith(b"POST " + BATCH_PATH.encode()):
            return answer
        if self.mode == "older":
            return OLDER_ANSWER  # what central answered before issue 17
        if not self.tampered:
            self.tampered += 1
            return self._tamper(answer)
        return answer

    def _tamper(self, answer: bytes) -> bytes:
        body_at = answer.index(b"\r\n\r\n") + 4
        line_end = answer.index(b"\n", body_at) + 1
        sizes = [p["size"] for p in json.loads(answer[body_at:line_end])["photos"]]
        self.announced, self.whole = len(sizes), min(2, len(sizes) - 1)
        start = line_end + sum(sizes[:self.whole])  # where the photo to damage begins
        if self.mode == "cut":  # whole photos, then half of the next one
            return answer[:start + sizes[self.whole] // 2]
        at = start + sizes[self.whole] // 2
        return answer[:at] + bytes([answer[at] ^ 0xFF]) + answer[at + 1:]


class Spy(requests.Session):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str]] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any,  # type: ignore[override]
                **kwargs: Any) -> requests.Response:
        self.seen.append((str(method), urlsplit(str(url)).path))
        return super().request(method, url, *args, **kwargs)


def _linked(station: Any) -> dict[str, str | None]:
    with station.db.read() as conn:
        curps = [r[0] for r in conn.execute("SELECT curp FROM students WHERE cct = ?",
                                            (ZAPOPAN,))]
        return {c: sync_state.photo_hash_of(conn, c) for c in curps}


def test_a_cut_keeps_whole_photos_and_an_older_central_gets_single_gets(
        synced: Any, central_app: Any) -> None:  # noqa: F811
    """The first sync's connection drops in the middle of a batch answer: the photos that
    arrived whole are kept, the sync says it was cut; the next one gets the rest from a
    central without the batch route, one GET each."""
    station, central = synced
    expected = set(_photos_by_school(central_app.state.ctx.settings)[ZAPOPAN])
    assert len(expected) >= 6  # three batches of at least two photos
    proxy, spy = TamperingProxy(central.url, "cut"), Spy()
    try:
        report = run_sync(station, CentralClient(proxy.url, key=station.key, session=spy))
    finally:
        proxy.close()
    assert not report.ok and any("se cortó" in e for e in report.errors), report.errors
    kept = {d for d in expected if station.photos.has(d)}
    assert proxy.announced > proxy.whole >= 1
    # Every other batch whole, and the cut one's photos up to the cut.
    assert len(kept) == len(expected) - (proxy.announced - proxy.whole)
    assert not list(station.photos.root.rglob(".tmp-*"))  # nothing half-written
    assert ("POST", BATCH_PATH) in spy.seen
    assert not [p for m, p in spy.seen if m == "GET" and p.startswith("/api/v1/sync/photos/")
                and not p.endswith("/wanted")]

    # The rest comes at the next sync, from a central older than the batch route.
    older, spy = TamperingProxy(central.url, "older"), Spy()
    try:
        again = run_sync(station, CentralClient(older.url, key=station.key, session=spy))
    finally:
        older.close()
    assert again.ok, again.errors
    assert again.photos_down == len(expected) - len(kept)
    singles = [p for m, p in spy.seen if m == "GET" and p.startswith("/api/v1/sync/photos/")
               and not p.endswith("/wanted")]
    assert len(singles) == again.photos_down, spy.seen[4:]
    assert all(station.photos.has(d) for d in expected)
    assert set(_linked(station).values()) == expected


def test_a_photo_whose_bytes_do_not_match_is_refused_named_and_fetched_next_time(
        synced: Any, central_app: Any) -> None:  # noqa: F811
    station, central = synced
    expected = set(_photos_by_school(central_app.state.ctx.settings)[ZAPOPAN])
    proxy = TamperingProxy(central.url, "corrupt")
    try:
        report = run_sync(station, CentralClient(proxy.url, key=station.key))
    finally:
        proxy.close()
    assert report.ok, report.errors
    assert [p["code"] for p in report.photos_refused] == ["photo-hash-mismatch"]
    bad = next(d for d in expected if d.startswith(report.photos_refused[0]["photo"]))
    assert not station.photos.has(bad)
    assert report.photos_down == len(expected) - 1
    words = report.describe()
    assert f"Foto {bad[:12]} no recibida" in words and "huella" in words
    linked = _linked(station)
    assert set(linked.values()) == expected  # linked all the same: fetched again next time
    assert not any(curp in words for curp in linked)
    assert json.dumps(report.to_json())  # the problems travel in the sync's JSON too

    again = run_sync(station, CentralClient(central.url, key=station.key))
    assert again.ok and again.photos_down == 1 and again.photos_refused == []
    assert station.photos.has(bad) and set(_linked(station).values()) == expected
