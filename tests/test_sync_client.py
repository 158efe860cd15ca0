"""A station and central over real HTTP on loopback: enroll, sync, folios, revocations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from plugin_central import STAFF, enrollment_code, import_demo
from sqlalchemy import select

from central.models import Card
from central.settings import CentralSettings
from foundation.sqldb import make_engine, make_sessionmaker
from station.cli import main as station_cli
from station.context import Station, open_station
from station.core.errors import FolioExhausted
from station.services.demo_data import demo_export_rows
from station.services.issuance import Issuer, select_students
from station.store import ledger, sync_state
from station.sync.client import CentralClient, SyncError
from station.sync.engine import client_for, run_sync
from station.sync.enroll import enroll
from station.sync.revocations import revocation_reason


def _central_events(url: str, station_id: str) -> list[dict[str, Any]]:
    answer = requests.get(f"{url}/api/v1/admin/stations/{station_id}/events", headers=STAFF,
                          params={"limit": 10000}, timeout=10)
    return list(answer.json()["events"])


def _station_events(station: Station) -> list[dict[str, Any]]:
    with station.db.read() as conn:
        return [{"seq": r[0], "at": r[1], "kind": r[2], "payload": json.loads(r[3])}
                for r in conn.execute("SELECT seq, at, kind, payload FROM events ORDER BY seq")]


@pytest.fixture
def synced(live_central: Any, central_settings: CentralSettings,
           tmp_path: Path) -> Any:
    """Central with the demo roster and photos; a fresh station enrolled for 14DPR9901D."""
    from central.cli import main as central_cli

    escuelas, _alumnos = import_demo(central_settings, tmp_path / "export", photos=True)
    env = {"CENTRAL_DATA_DIR": str(central_settings.data_dir),
           "CENTRAL_DATABASE_URL": central_settings.database_url}
    out = CliRunner().invoke(central_cli, ["import-photos", str(escuelas.parent / "fotos")],
                             env=env)
    assert out.exit_code == 0 and "Fotos vinculadas: 30" in out.output, out.output
    station = open_station(tmp_path / "station")
    result = enroll(station, central_url=live_central.url,
                    code=enrollment_code(live_central.url, school_cct="14DPR9901D"))
    assert result.station_id == "EST-00001"
    yield station, live_central
    station.close()


def test_first_sync_brings_roster_photos_trust_and_folios(synced: Any) -> None:
    station, _central = synced
    report = run_sync(station, client_for(station))
    assert report.ok, report.errors
    with station.db.read() as conn:
        schools = ledger.list_schools(conn)
        pending = ledger.pending_students(conn, "14DPR9901D")
        photos = ledger.photo_hashes(conn, [s.curp for s in pending])
        blocks = ledger.folio_blocks(conn)
    assert [s.cct for s in schools] == ["14DPR9901D"]
    expected = [a for a in demo_export_rows(students=30)[1] if a["cct"] == "14DPR9901D"]
    assert len(pending) == report.students == len(expected) > 5
    assert len(photos) == len(pending) == report.photos_down
    assert all(station.photos.has(h) for h in photos.values())
    assert [b.first for b in blocks][:1] == [1_000_000]
    assert sum(b.size for b in blocks) >= int(station.settings["folios.request_when_below"])
    assert station.trust.get(station.key.key_id).station_id == "EST-00001"
    # Nothing new: no photo is fetched again, and the sync is quick.
    again = run_sync(station, client_for(station))
    assert again.ok and again.photos_down == 0 and again.students == 0
    # quick, not a benchmark: parallel workers share the cores (bench/bench_sync_first.py)
    assert again.seconds < 5.0


def test_issued_cards_reach_central_exactly_once(synced: Any,
                                                 central_settings: CentralSettings) -> None:
    station, central = synced
    assert run_sync(station, client_for(station)).ok
    school, students = select_students(station, "14DPR9901D", None)
    produced = Issuer(station, printer="pdf").produce(school, students[:10])
    folios = [f for sheet in produced for f in sheet.folios]
    assert min(folios) >= 1_000_000
    client = client_for(station)
    first = run_sync(station, client)
    assert first.ok and first.pushed > 0
    # A lost acknowledgement: the station forgets it and sends everything again.
    with station.db.write() as conn:
        sync_state.set_state(conn, "acked_through", 0)
    assert run_sync(station, client).ok
    central_events = _central_events(central.url, "EST-00001")
    station_events = _station_events(station)
    assert [(e["seq"], e["kind"], e["payload"]) for e in central_events] == \
        [(e["seq"], e["kind"], e["payload"]) for e in station_events]
    engine = make_engine(central_settings.database_url)
    with make_sessionmaker(engine)() as session:
        cards = list(session.scalars(select(Card).order_by(Card.folio)))
    engine.dispose()
    assert [c.folio for c in cards] == sorted(folios)
    assert {c.status for c in cards} == {"active"}


def test_staff_undo_makes_the_student_pending_again(synced: Any) -> None:
    station, central = synced
    client = client_for(station)
    assert run_sync(station, client).ok
    school, students = select_students(station, "14DPR9901D", None)
    sheet = Issuer(station, printer="pdf").produce(school, students[:1])[0]
    assert run_sync(station, client).ok
    folio = sheet.folios[0]
    card = requests.get(f"{central.url}/api/v1/admin/cards", headers=STAFF,
                        params={"folio": folio}, timeout=10).json()["cards"][0]
    undo = requests.post(f"{central.url}/api/v1/admin/cards/{card['id']}/undo-issued",
                         headers=STAFF, json={"staff": "Control escolar",
                                              "reason": "impresión de prueba"}, timeout=10)
    assert undo.status_code == 200 and undo.json()["status"] == "undone"
    assert revocation_reason(station, folio, station.key.key_id) is None
    assert run_sync(station, client).ok
    reason = revocation_reason(station, folio, station.key.key_id)
    assert reason is not None and "impresión de prueba" in reason
    with station.db.read() as conn:
        assert ledger.card_status(conn, folio)[0] == "revoked"
        assert students[0].curp in {s.curp for s in ledger.pending_students(conn, "14DPR9901D")}


def test_offline_station_issues_from_its_blocks_then_says_so(synced: Any) -> None:
    station, central = synced
    station.settings["folios.request_when_below"] = 16  # one block of 80 folios
    assert run_sync(station, client_for(station)).ok
    central.server.should_exit = True  # central goes away
    central.thread.join(timeout=10)
    school, students = select_students(station, "14DPR9901D", None)
    with station.db.read() as conn:
        left = sum(b.size for b in ledger.folio_blocks(conn))
    issuer = Issuer(station, printer="pdf")
    sheets = left // 8
    for _ in range(sheets):
        issuer.produce(school, students[:1])
        with station.db.write() as conn:  # let the same student be printed again
            conn.execute("UPDATE cards SET status = 'revoked' WHERE curp = ?",
                         (students[0].curp,))
    with pytest.raises(FolioExhausted) as exc:
        issuer.produce(school, students[:1])
    assert "oficina central" in exc.value.message and "Sincronizar ahora" in exc.value.way_out
    offline = run_sync(station, CentralClient(central.url, key=station.key, attempts=2,
                                              max_delay_s=1))
    assert not offline.ok and "No se pudo comunicar" in offline.errors[0]
    with station.db.read() as conn:
        pending, _ = sync_state.pending_count(conn)
    assert pending > sheets


def test_cli_enroll_sync_status(live_central: Any, central_settings: CentralSettings,
                                tmp_path: Path) -> None:
    import_demo(central_settings, tmp_path / "export")
    data = tmp_path / "station"
    runner = CliRunner()
    status = runner.invoke(station_cli, ["--data", str(data), "status", "--json"])
    assert status.exit_code == 0 and json.loads(status.output)["enrolled"] is False
    code = enrollment_code(live_central.url, drse="ALTOS SUR (TEPATITLÁN)")
    out = runner.invoke(station_cli, ["--data", str(data), "enroll", "--central",
                                      live_central.url, "--code", code])
    assert out.exit_code == 0, out.output
    assert "EST-00001" in out.output and "DRSE ALTOS SUR" in out.output
    assert 'url = "' + live_central.url in (data / "station.toml").read_text("utf-8")
    again = runner.invoke(station_cli, ["--data", str(data), "enroll", "--central",
                                        live_central.url, "--code", code, "--json"])
    assert again.exit_code == 1 and "ya está inscrita" in json.loads(again.output)["error"]
    sync = runner.invoke(station_cli, ["--data", str(data), "sync", "--json"])
    assert sync.exit_code == 0, sync.output
    assert json.loads(sync.output)["students"] > 0
    status = json.loads(runner.invoke(station_cli, ["--data", str(data), "status",
                                                    "--json"]).output)
    assert status["enrolled"] and status["station_id"] == "EST-00001"
    assert status["last_success_at"] and status["folios_left"] >= 400
    assert status["pending_events"] > 0  # what the sync itself recorded (roster, folios)
    watch = runner.invoke(station_cli, ["--data", str(data), "sync", "--watch", "--interval",
                                        "0.01", "--max-runs", "2", "--json"])
    assert watch.exit_code == 0, watch.output
    status = json.loads(runner.invoke(station_cli, ["--data", str(data), "status",
                                                    "--json"]).output)
    assert status["pending_events"] == 0


def test_sync_error_words_when_central_refuses(synced: Any) -> None:
    station, central = synced
    requests.post(f"{central.url}/api/v1/admin/stations/EST-00001/withdraw", headers=STAFF,
                  json={"staff": "Ana", "reason": "cambio de equipo"}, timeout=10)
    with pytest.raises(SyncError) as exc:
        client_for(station).get_json("/api/v1/sync/hello")
    assert exc.value.code == "station-withdrawn" and "cambio de equipo" in exc.value.message
