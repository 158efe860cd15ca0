"""Folio blocks, one active card per student, staff actions, withdrawal (SQLite + PG)."""

from __future__ import annotations

import base64
import itertools
import json
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from plugin_central import STAFF, enroll_key, import_demo, signed

from central.settings import CentralSettings
from foundation.contract import protocol
from foundation.contract.responses import TrustPage
from foundation.credential.card import CredentialClaims
from foundation.credential.keys import StationKey
from foundation.credential.sign import issue_qr_text
from foundation.credential.trust import TrustList
from foundation.credential.verify import Verdict, verify_qr_text
from station.importers.roster_files import load_roster
from station.services.demo_data import demo_export_rows, write_demo_export
from station.sync.trust_sync import apply_trust_entries

SCHOOL = "14DPR9901D"


@pytest.fixture
def roster(central_settings: CentralSettings, tmp_path: Path) -> list[str]:
    import_demo(central_settings, tmp_path / "export")
    return [a["curp"] for a in demo_export_rows(students=30)[1] if a["cct"] == SCHOOL]


def _keys(tmp_path: Path, n: int) -> list[StationKey]:
    return [StationKey.generate(tmp_path / f"k{i}" / "station.key") for i in range(n)]


def _issued(seq: int, sheet: int, day: str, cards: list[tuple[int, str]],
            key: StationKey) -> dict[str, Any]:
    return {"seq": seq, "prev_seq": seq - 1, "at": f"{day}T10:00:00+00:00",
            "kind": "sheet_issued",
            "payload": {"sheet": sheet, "cct": SCHOOL, "issued_on": day,
                        "key_id": key.key_id.hex(), "reprint_of": None, "cancelled": [],
                        "cards": [{"folio": f, "curp": c} for f, c in cards]}}


def _push(api: Any, key: StationKey, events: list[dict[str, Any]]) -> dict[str, Any]:
    answer = signed(api, key, "POST", "/api/v1/sync/events", body={"events": events})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_folio_blocks_never_overlap_and_a_retry_gets_the_same_block(
        live_central: Any, central_settings: CentralSettings, tmp_path: Path,
        roster: list[str]) -> None:
    keys = _keys(tmp_path, 3)
    for key in keys:
        with requests.Session() as http:
            _enroll_live(http, live_central.url, key)
    got: list[tuple[str, int, int, int]] = []
    lock = threading.Lock()

    def ask(key: StationKey) -> None:
        with requests.Session() as http:
            for ordinal in range(1, 7):
                for _ in range(2):  # every request twice: a lost answer retried
                    body = json.dumps({"ordinal": ordinal}).encode()
                    headers = protocol.signed_headers(
                        "POST", "/api/v1/sync/folio-blocks", body, key_id=key.key_id,
                        sign=key.sign, timestamp=int(__import__("time").time()))
                    answer = http.post(f"{live_central.url}/api/v1/sync/folio-blocks",
                                       data=body, timeout=30,
                                       headers={**headers, "Content-Type": "application/json"})
                    assert answer.status_code == 200, answer.text
                    with lock:
                        got.append((key.key_id.hex(), ordinal, answer.json()["first"],
                                    answer.json()["last"]))

    threads = [threading.Thread(target=ask, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    blocks = sorted({(first, last) for _, _, first, last in got})
    assert len(blocks) == 3 * 6
    assert all(last - first + 1 == central_settings.folio_block_size for first, last in blocks)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(blocks))
    assert blocks[0][0] == central_settings.folio_first
    by_request: dict[tuple[str, int], set[tuple[int, int]]] = {}
    for kid, ordinal, first, last in got:
        by_request.setdefault((kid, ordinal), set()).add((first, last))
    assert all(len(v) == 1 for v in by_request.values())
    skip = signed_live(live_central.url, keys[0], "/api/v1/sync/folio-blocks", {"ordinal": 9})
    assert skip.status_code == 409 and skip.json()["error"]["code"] == "folio-block-order"


def _enroll_live(http: requests.Session, url: str, key: StationKey) -> None:
    code = http.post(f"{url}/api/v1/admin/enrollment-codes", headers=STAFF, timeout=10, json={
        "kind": "escuela", "school_cct": SCHOOL, "station_name": "P",
        "staff": "Ana"}).json()["code"]
    answer = signed_live(url, key, "/api/v1/enroll", {
        "code": code, "public_key": base64.b64encode(key.public_bytes()).decode()})
    assert answer.status_code == 200, answer.text


def signed_live(url: str, key: StationKey, path: str, body: object) -> requests.Response:
    import time

    data = json.dumps(body).encode()
    headers = protocol.signed_headers("POST", path, data, key_id=key.key_id, sign=key.sign,
                                      timestamp=int(time.time()))
    return requests.post(url + path, data=data, timeout=30,
                         headers={**headers, "Content-Type": "application/json"})


@pytest.mark.parametrize("newer_first", [False, True])
def test_two_stations_issuing_for_one_student_offline_converge(
        api: Any, roster: list[str], tmp_path: Path, newer_first: bool) -> None:
    a, b = _keys(tmp_path, 2)
    enroll_key(api, a)
    enroll_key(api, b)
    curp = roster[0]
    older = (a, [_issued(1, 1, "2026-09-01", [(1_000_000, curp), (1_000_001, roster[1])], a)])
    newer = (b, [_issued(1, 1, "2026-09-03", [(1_000_080, curp)], b)])
    for key, events in ([newer, older] if newer_first else [older, newer]):
        _push(api, key, events)
    _push(api, a, older[1])  # a duplicate changes nothing
    cards = api.get("/api/v1/admin/cards", headers=STAFF, params={"curp": curp}).json()["cards"]
    status = {c["folio"]: c["status"] for c in cards}
    assert status == {1_000_000: "replaced", 1_000_080: "active"}
    other = api.get("/api/v1/admin/cards", headers=STAFF,
                    params={"curp": roster[1]}).json()["cards"]
    assert [c["status"] for c in other] == ["active"]
    conflicts = api.get("/api/v1/admin/conflicts", headers=STAFF).json()["conflicts"]
    assert len(conflicts) == 1 and conflicts[0]["curp"] == curp
    assert conflicts[0]["kept"]["folio"] == 1_000_080
    assert conflicts[0]["replaced"]["station_id"] == "EST-00001"
    revoked = signed(api, b, "GET", "/api/v1/sync/revocations").json()["revocations"]
    assert [(r["key_id"], r["folio"], r["cause"]) for r in revoked] == \
        [(a.key_id.hex(), 1_000_000, "replaced")]
    assert "folio 1000080" in revoked[0]["reason"]
    # The staff page's view of the same conflict: tests/test_central_web.py.


def test_events_applied_in_order_whatever_order_batches_arrive(
        api: Any, roster: list[str], tmp_path: Path) -> None:
    (a,) = _keys(tmp_path, 1)
    enroll_key(api, a)
    first = _issued(1, 1, "2026-09-01", [(1_000_000, roster[0])], a)
    spoil = {"seq": 2, "prev_seq": 1, "at": "2026-09-01T10:05:00+00:00",
             "kind": "sheet_spoiled", "payload": {"sheet": 1, "reason": "atasco"}}
    reprint = _issued(3, 2, "2026-09-01", [(1_000_008, roster[0])], a)
    ahead = _push(api, a, [spoil, reprint])  # arrives first: waits for event 1
    assert ahead["stored"] == 2 and ahead["applied"] == 0 and ahead["acked_through"] == 0
    done = _push(api, a, [first])
    assert done["applied"] == 3 and done["acked_through"] == 3
    cards = api.get("/api/v1/admin/cards", headers=STAFF,
                    params={"curp": roster[0]}).json()["cards"]
    assert {c["folio"]: c["status"] for c in cards} == {1_000_000: "spoiled",
                                                         1_000_008: "active"}
    changed = {**first, "payload": {**first["payload"], "sheet": 9}}
    clash = signed(api, a, "POST", "/api/v1/sync/events", body={"events": [changed]})
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "sequence-conflict"


def test_staff_revoke_and_withdrawal_keep_earlier_cards_valid(
        api: Any, roster: list[str], tmp_path: Path) -> None:
    a, b = _keys(tmp_path, 2)
    enroll_key(api, a)
    enroll_key(api, b)
    _push(api, a, [_issued(1, 1, "2026-09-01", [(1_000_000, roster[0])], a)])
    card = api.get("/api/v1/admin/cards", headers=STAFF,
                   params={"folio": 1_000_000}).json()["cards"][0]
    bad = api.post(f"/api/v1/admin/cards/{card['id']}/revoke", headers=STAFF,
                   json={"staff": "Ana", "reason": ""})
    assert bad.status_code == 422
    revoked = api.post(f"/api/v1/admin/cards/{card['id']}/revoke", headers=STAFF,
                       json={"staff": "Ana", "reason": "credencial alterada"})
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    again = api.post(f"/api/v1/admin/cards/{card['id']}/undo-issued", headers=STAFF,
                     json={"staff": "Ana", "reason": "prueba"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "card-not-active"
    api.post("/api/v1/admin/stations/EST-00001/withdraw", headers=STAFF,
             json={"staff": "Ana", "reason": "equipo dado de baja"})
    page = TrustPage.model_validate_json(signed(api, b, "GET", "/api/v1/sync/trust").content)
    trust = TrustList()
    apply_to = type("S", (), {"trust": trust, "trust_path": tmp_path / "trust.json"})()
    apply_trust_entries(apply_to, page.entries,  # type: ignore[arg-type]
                        base64.b64decode(page.central_public_key))
    entry = trust.get(a.key_id)
    today = date.today()
    assert entry is not None and entry.valid_until == today

    def verify(day: date) -> Verdict:
        text = issue_qr_text(CredentialClaims(1_000_001, "ANA", SCHOOL, day), a)
        return verify_qr_text(text, trust=trust, today=today + timedelta(days=400)).verdict

    assert verify(today) is Verdict.VALID  # issued before withdrawal: still valid
    assert verify(today + timedelta(days=1)) is Verdict.UNKNOWN_KEY


def test_central_importer_reports_the_same_row_problems_as_the_station(
        central_settings: CentralSettings, tmp_path: Path) -> None:
    from central.cli import main as central_cli

    escuelas, alumnos = write_demo_export(tmp_path / "export", students=12)
    text = alumnos.read_text("utf-8-sig").splitlines()
    text[3] = text[3].replace(",INSCRITO,", ",INSCRITA,")
    alumnos.write_text("\n".join(text) + "\n", "utf-8-sig")
    expected = [p.message_es for p in load_roster(escuelas, alumnos).problems]
    assert expected
    env = {"CENTRAL_DATA_DIR": str(central_settings.data_dir),
           "CENTRAL_DATABASE_URL": central_settings.database_url}
    out = CliRunner().invoke(central_cli, ["import-roster", str(escuelas), str(alumnos),
                                           "--json"], env=env)
    assert out.exit_code == 1
    answer = json.loads(out.output)
    assert answer["imported"] is False
    assert [p["message"] for p in answer["problems"]] == expected
    ok = CliRunner().invoke(central_cli, ["import-roster", str(escuelas), str(alumnos),
                                          "--accept-valid"], env=env)
    assert ok.exit_code == 0 and "11 alumnos nuevos" in ok.output, ok.output


def test_lifecycle_events_fill_holograms_receipts_and_revocations(
        api: Any, roster: list[str], tmp_path: Path, central_settings: CentralSettings) -> None:
    from central.models import Hologram, Receipt
    from foundation.sqldb import make_engine, make_sessionmaker

    (a,) = _keys(tmp_path, 1)
    enroll_key(api, a)
    _push(api, a, [
        _issued(1, 1, "2026-09-01", [(1_000_000, roster[0])], a),
        {"seq": 2, "prev_seq": 1, "at": "2026-09-02T09:00:00+00:00", "kind": "hologram_applied",
         "payload": {"serial": "H26-000123", "curp": roster[0], "folio": 1_000_000,
                     "cycle": "2026-2027", "on": "2026-09-02"}},
        {"seq": 3, "prev_seq": 2, "at": "2026-10-01T09:00:00+00:00", "kind": "card_revoked",
         "payload": {"folio": 1_000_000, "reason": "reportada como extraviada"}},
        {"seq": 4, "prev_seq": 3, "at": "2026-10-02T09:00:00+00:00", "kind": "replacement_paid",
         "payload": {"curp": roster[0], "old_folio": 1_000_000, "receipt": "REC-77",
                     "fee_mxn": 28, "reason": "lost", "receipt_date": "2026-10-02",
                     "taken_by": "Directora"}}])
    engine = make_engine(central_settings.database_url)
    with make_sessionmaker(engine)() as session:
        hologram = session.get(Hologram, "H26-000123")
        receipt = session.get(Receipt, "REC-77")
        assert hologram is not None and hologram.folio == 1_000_000
        assert receipt is not None and receipt.amount_mxn == 28
    engine.dispose()
    card = api.get("/api/v1/admin/cards", headers=STAFF,
                   params={"folio": 1_000_000}).json()["cards"][0]
    assert card["status"] == "revoked"
    revoked = signed(api, a, "GET", "/api/v1/sync/revocations").json()["revocations"]
    assert [(r["folio"], r["reason"]) for r in revoked] == \
        [(1_000_000, "reportada como extraviada")]
