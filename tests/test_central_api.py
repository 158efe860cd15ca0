"""Central's API: settings, OpenAPI, enrollment, signed requests and refusals (SQLite + PG)."""

from __future__ import annotations

import base64
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from plugin_central import STAFF, enroll_key, import_demo, signed
from sqlalchemy import func, select

from central.models import Card, EnrollmentCode, RequestNonce, Station, StationEvent
from central.settings import DEV_ADMIN_TOKEN, CentralSettings
from foundation.credential.keys import StationKey
from foundation.server_settings import SettingsRefused
from foundation.sqldb import make_engine, make_sessionmaker

EVENT = {"seq": 1, "prev_seq": 0, "at": "2026-09-01T10:00:00+00:00", "kind": "sheet_issued",
         "payload": {"sheet": 1, "cct": "14DPR9901D", "issued_on": "2026-09-01",
                     "cards": [{"folio": 1000000, "curp": "X" * 18}], "cancelled": []}}


def _count(settings: CentralSettings, model: Any) -> int:
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine)() as session:
        n = session.scalar(select(func.count()).select_from(model)) or 0
    engine.dispose()
    return int(n)


@pytest.fixture
def key(tmp_path: Path) -> StationKey:
    return StationKey.generate(tmp_path / "k1" / "station.key")


@pytest.fixture
def other_key(tmp_path: Path) -> StationKey:
    return StationKey.generate(tmp_path / "k2" / "station.key")


@pytest.fixture
def roster(central_settings: CentralSettings, tmp_path: Path) -> None:
    import_demo(central_settings, tmp_path / "export")


def test_production_refuses_default_secrets(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CENTRAL_MODE", "production")
    monkeypatch.setenv("CENTRAL_DATA_DIR", str(tmp_path))
    with pytest.raises(SettingsRefused, match="CENTRAL_ADMIN_TOKEN tiene el valor de"):
        CentralSettings.load()
    monkeypatch.setenv("CENTRAL_ADMIN_TOKEN", "corto")
    with pytest.raises(SettingsRefused, match="al menos 24"):
        CentralSettings.load()
    monkeypatch.setenv("CENTRAL_ADMIN_TOKEN", "x" * 40)
    with pytest.raises(SettingsRefused, match="central keygen"):
        CentralSettings.load()
    StationKey.generate(tmp_path / "keys" / "central.key")
    assert CentralSettings.load().mode == "production"
    monkeypatch.delenv("CENTRAL_MODE")
    monkeypatch.delenv("CENTRAL_ADMIN_TOKEN")
    dev = CentralSettings.load()
    assert dev.admin_token.get_secret_value() == DEV_ADMIN_TOKEN  # development only


def test_settings_from_a_toml_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "central.toml"
    config.write_text(f'data_dir = "{tmp_path}"\nfolio_block_size = 500\n', "utf-8")
    monkeypatch.setenv("CENTRAL_CONFIG", str(config))
    settings = CentralSettings.load()
    assert settings.folio_block_size == 500
    assert settings.database_url == f"sqlite:///{tmp_path / 'central.sqlite3'}"


def test_openapi_is_published(api: Any) -> None:
    doc = api.get("/openapi.json").json()
    assert {"/api/v1/enroll", "/api/v1/sync/events", "/api/v1/sync/roster",
            "/api/v1/sync/folio-blocks", "/api/v1/admin/cards/{card_id}/undo-issued"} \
        <= set(doc["paths"])
    # The contract is described, not "object": the pushed batch is a union of the event
    # kinds, and the answers the station reads are their models.
    schemas = doc["components"]["schemas"]
    assert {"SheetIssuedEvent", "CardRevokedEvent", "SuppliesRequestedEvent", "IngestAnswer",
            "RosterPage", "TrustPage", "EnrollAnswer", "FolioBlockAnswer"} <= set(schemas)
    push = doc["paths"]["/api/v1/sync/events"]["post"]
    answer = push["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/IngestAnswer"}
    kinds = schemas["EventBatch"]["properties"]["events"]["items"]["discriminator"]["mapping"]
    assert {"sheet_issued", "photo_linked", "kiosk_user_locked"} <= set(kinds)
    assert schemas["PhotoLinked"]["properties"]["curp"]["pattern"] == "^[A-Z0-9]{18}$"


def test_enrollment_certifies_the_key(api: Any, roster: None, key: StationKey,
                                      central_settings: CentralSettings) -> None:
    answer = enroll_key(api, key)
    assert answer["station_id"] == "EST-00001"
    assert answer["scope"] == ["14DPR9901D"]
    entry = answer["trust_entry"]
    assert entry["key_id"] == key.key_id.hex()
    assert base64.b64decode(entry["public_key"]) == key.public_bytes()
    from foundation.contract.responses import TrustEntryAnswer
    from station.sync.trust_sync import check_certificate

    check_certificate(TrustEntryAnswer.model_validate(entry),
                      base64.b64decode(answer["central_public_key"]))
    hello = signed(api, key, "GET", "/api/v1/sync/hello")
    assert hello.status_code == 200 and hello.json()["station_id"] == "EST-00001"


def test_enrollment_codes_are_one_time_and_expire(api: Any, roster: None, key: StationKey,
                                                  other_key: StationKey,
                                                  central_settings: CentralSettings) -> None:
    code = api.post("/api/v1/admin/enrollment-codes", headers=STAFF, json={
        "kind": "escuela", "school_cct": "14DPR9901D", "station_name": "A",
        "staff": "Ana"}).json()["code"]

    def enroll(k: StationKey, c: str) -> Any:
        return signed(api, k, "POST", "/api/v1/enroll", body={
            "code": c, "public_key": base64.b64encode(k.public_bytes()).decode()})

    assert enroll(key, code).status_code == 200
    again = enroll(other_key, code)
    assert again.status_code == 409 and again.json()["error"]["code"] == "enrollment-code-used"
    expired = api.post("/api/v1/admin/enrollment-codes", headers=STAFF, json={
        "kind": "escuela", "school_cct": "14DPR9901D", "station_name": "B",
        "staff": "Ana"}).json()["code"]
    engine = make_engine(central_settings.database_url)
    with make_sessionmaker(engine)() as session, session.begin():
        for row in session.scalars(select(EnrollmentCode)):
            row.expires_at = row.created_at - timedelta(hours=1)
    engine.dispose()
    late = enroll(other_key, expired)
    assert late.status_code == 410
    assert late.json()["error"]["code"] == "enrollment-code-expired"
    assert "venció" in late.json()["error"]["message"]
    unknown = enroll(other_key, "AAAA-BBBB-CCCC")
    assert unknown.status_code == 404
    assert _count(central_settings, Station) == 1


def test_enrollment_must_be_signed_by_the_key_it_registers(api: Any, roster: None,
                                                           key: StationKey,
                                                           other_key: StationKey) -> None:
    code = api.post("/api/v1/admin/enrollment-codes", headers=STAFF, json={
        "kind": "escuela", "school_cct": "14DPR9901D", "station_name": "A",
        "staff": "Ana"}).json()["code"]
    answer = signed(api, other_key, "POST", "/api/v1/enroll", body={
        "code": code, "public_key": base64.b64encode(key.public_bytes()).decode()})
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "bad-signature"


def test_staff_api_needs_the_token(api: Any) -> None:
    answer = api.get("/api/v1/admin/stations", headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "staff-token"


def test_replayed_tampered_and_stale_requests_are_refused(
        api: Any, roster: None, key: StationKey, other_key: StationKey,
        central_settings: CentralSettings) -> None:
    enroll_key(api, key)
    body = {"events": [EVENT]}
    import json

    from foundation.contract import protocol

    data = json.dumps(body).encode()
    headers = protocol.signed_headers("POST", "/api/v1/sync/events", data, key_id=key.key_id,
                                      sign=key.sign, timestamp=int(time.time()))
    headers["Content-Type"] = "application/json"
    first = api.post("/api/v1/sync/events", content=data, headers=headers)
    assert first.status_code == 200, first.text
    replay = api.post("/api/v1/sync/events", content=data, headers=headers)
    assert replay.status_code == 409
    assert replay.json()["error"]["code"] == "replayed-request"
    # Same headers, other body: the signature covers the body's hash.
    tampered = api.post("/api/v1/sync/events", content=data.replace(b"1000000", b"1000001"),
                        headers={**headers, "X-Nonce": "ab" * 16})
    assert tampered.status_code == 401 and tampered.json()["error"]["code"] == "bad-signature"
    # Re-signed by another key while claiming this station's key id.
    resigned = protocol.signed_headers("POST", "/api/v1/sync/events", data,
                                       key_id=key.key_id, sign=other_key.sign,
                                       timestamp=int(time.time()))
    answer = api.post("/api/v1/sync/events", content=data,
                      headers={**resigned, "Content-Type": "application/json"})
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "bad-signature"
    stale = signed(api, key, "POST", "/api/v1/sync/events", body=body,
                   timestamp=int(time.time()) - 3600)
    assert stale.status_code == 401 and stale.json()["error"]["code"] == "clock-skew"
    assert abs(stale.json()["error"]["server_time"] - time.time()) < 5
    unknown = signed(api, other_key, "POST", "/api/v1/sync/events", body=body)
    assert unknown.status_code == 401 and unknown.json()["error"]["code"] == "unknown-station"
    unsigned = api.post("/api/v1/sync/events", json=body)
    assert unsigned.status_code == 401
    assert _count(central_settings, StationEvent) == 1
    assert _count(central_settings, Card) == 1


_AT = b'"at": "2026-09-01T10:00:00+00:00"'


@pytest.mark.parametrize(("raw", "code", "words"), [
    (b'{"events": [', "malformed-json", "no es JSON válido"),
    (b'{"events": [{"seq": "1", "prev_seq": 0, ' + _AT + b', "kind": "sheet_confirmed",'
     b' "payload": {"sheet": 1}}]}',
     "invalid-body", "«events.0.sheet_confirmed.seq» debe ser un número entero"),
    (b'{"events": [{"seq": 1, "prev_seq": 0, ' + _AT + b', "kind": "sheet_confirmed",'
     b' "payload": []}]}', "invalid-body", "debe ser un objeto JSON"),
    (b'{"events": [], "extra": 1}', "invalid-body", "no se esperaba este campo"),
    (b'{"events": [{"seq": 1, "prev_seq": 0, ' + _AT + b', "kind": "sheet_burnt",'
     b' "payload": {"sheet": 1}}]}',
     "invalid-body", "«events.0» no es un tipo de evento conocido"),
    (b'{"events": [{"seq": 1, "prev_seq": 0, ' + _AT + b', "kind": "sheet_confirmed",'
     b' "payload": {"sheet": 1, "curp": "GOXL150826HJCNXNC2"}}]}',
     "invalid-body", "«events.0.sheet_confirmed.payload.curp» no se esperaba este campo"),
    (b'{"events": [{"seq": 1, "prev_seq": 0, ' + _AT + b', "kind": "sheet_spoiled",'
     b' "payload": {"sheet": "1", "reason": "atasco"}}]}',
     "invalid-body", "«events.0.sheet_spoiled.payload.sheet» debe ser un número entero"),
    (b'{"events": [{"seq": 9223372036854775808, "prev_seq": 0, ' + _AT +
     b', "kind": "sheet_confirmed", "payload": {"sheet": 1}}]}',
     "invalid-body", "«events.0.sheet_confirmed.seq» es demasiado grande"),
    (b'{"events": [{"seq": 2, "prev_seq": 0, ' + _AT + b', "kind": "sheet_confirmed",'
     b' "payload": {"sheet": 1}},'
     b' {"seq": 4, "prev_seq": 3, ' + _AT + b', "kind": "sheet_confirmed",'
     b' "payload": {"sheet": 1}}]}',
     "bad-sequence", "deben ir seguidos"),
])
def test_bad_bodies_get_a_reason_and_write_nothing(
        api: Any, roster: None, key: StationKey, central_settings: CentralSettings,
        raw: bytes, code: str, words: str) -> None:
    enroll_key(api, key, block=False)
    answer = signed(api, key, "POST", "/api/v1/sync/events", raw=raw)
    assert 400 <= answer.status_code < 500, answer.text
    error = answer.json()["error"]
    assert error["code"] == code and words in error["message"], error
    assert _count(central_settings, StationEvent) == 0
    # An authenticated request's nonce is kept even when its body is refused (it can never be
    # sent again); unparseable JSON is refused before authentication.
    assert _count(central_settings, RequestNonce) == (1 if code == "malformed-json" else 2)


def test_oversized_bodies_are_refused_before_reading(api: Any, roster: None,
                                                     key: StationKey,
                                                     central_settings: CentralSettings) -> None:
    enroll_key(api, key)
    big = b'{"events": [' + b" " * (central_settings.max_body_bytes + 10) + b"]}"
    answer = signed(api, key, "POST", "/api/v1/sync/events", raw=big)
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "body-too-large"
    assert _count(central_settings, StationEvent) == 0


def test_a_station_cannot_act_for_another_school(api: Any, roster: None, key: StationKey,
                                                 central_settings: CentralSettings) -> None:
    enroll_key(api, key)  # school 14DPR9901D
    event = {**EVENT, "payload": {**EVENT["payload"], "cct": "14EPR9902E"}}
    answer = signed(api, key, "POST", "/api/v1/sync/events", body={"events": [event]})
    # Stored (the ledger never rewrites its past), acknowledged, not applied, and said why:
    # a whole-batch refusal would block the station's every later push.
    assert answer.status_code == 200, answer.text
    refused = answer.json()["refused"]
    assert [(r["seq"], r["code"]) for r in refused] == [(1, "school-out-of-scope")]
    assert "14EPR9902E" in refused[0]["message"] and answer.json()["acked_through"] == 1
    assert _count(central_settings, StationEvent) == 1 and _count(central_settings, Card) == 0


def test_drse_station_scope_follows_normativo_2(api: Any, roster: None, key: StationKey) -> None:
    answer = enroll_key(api, key, school=None, drse="ALTOS SUR (TEPATITLÁN)")
    assert answer["kind"] == "drse"
    assert answer["scope"] == ["14EPR9902E"]  # primaria of 143 students: under 475
    roster = signed(api, key, "GET", "/api/v1/sync/roster").json()
    assert {s["cct"] for s in roster["schools"]} == {"14EPR9902E"}
    assert roster["students"] and {s["cct"] for s in roster["students"]} == {"14EPR9902E"}


def test_withdrawn_station_is_refused(api: Any, roster: None, key: StationKey) -> None:
    answer = enroll_key(api, key)
    withdrawn = api.post(f"/api/v1/admin/stations/{answer['station_id']}/withdraw",
                         headers=STAFF, json={"staff": "Ana", "reason": "equipo robado"})
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"]
    refused = signed(api, key, "GET", "/api/v1/sync/hello")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "station-withdrawn"
    assert "equipo robado" in refused.json()["error"]["message"]


def test_migrations_match_the_models(central_db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from central.models import Base

    engine = make_engine(central_db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_folio_blocks_stop_where_the_cards_qr_ends(central_settings: CentralSettings,
                                                   roster: None, key: StationKey) -> None:
    """A card's QR holds its folio in 32 bits: central never hands out a block past 2**32-1,
    and a refused request does not move the counter."""
    from fastapi.testclient import TestClient

    from central.api.app import create_app

    settings = central_settings.model_copy(update={"folio_first": 2**32 - 100})
    app = create_app(settings, migrate=False)
    try:
        with TestClient(app) as client:
            enroll_key(client, key)  # its first block: 2**32-100 … 2**32-21
            for _ in range(2):
                answer = signed(client, key, "POST", "/api/v1/sync/folio-blocks",
                                body={"ordinal": 2})
                assert answer.status_code == 409, answer.text
                assert answer.json()["error"]["code"] == "folio-space-exhausted"
                assert "folios de credencial" in answer.json()["error"]["message"]
    finally:
        app.state.engine.dispose()
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine)() as session:
        from central.models import Counter, FolioBlock
        assert session.get(Counter, "folio").value == 2**32 - 21
        assert session.scalar(select(func.count()).select_from(FolioBlock)) == 1
    engine.dispose()
