"""Sync gaps (issues 4 and 6) over real HTTP on loopback, SQLite and PostgreSQL central:
problem reports uploaded, central configuration applied, withdrawn stations, students who
moved out of a station's scope."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import shutil
import time
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from plugin_central import STAFF, enroll_key, enrollment_code, import_demo, signed
from sqlalchemy import select

from central.crud.problem_reports import list_problem_reports, read_problem_report
from central.crud.roster import import_roster
from central.crud.stations import now_utc
from central.db import next_rev
from central.models import Card, ConfigItem
from central.settings import CentralSettings
from foundation import card_templates
from foundation.contract import protocol
from foundation.credential.keys import StationKey
from foundation.sqldb import make_engine, make_sessionmaker
from station.cli import main as station_cli
from station.context import open_station
from station.importers.roster_files import load_roster
from station.services import diagnostics
from station.services.issuance import Issuer, select_students
from station.store import ledger
from station.store.data_folder import DataFolder
from station.sync.client import SyncError
from station.sync.engine import client_for, run_sync
from station.sync.enroll import enroll

SCHOOL = "14DPR9901D"
SCHOOL_DRSE = "CENTRO 2 ZAPOPAN"


def _status(data: Path) -> dict[str, Any]:
    out = CliRunner().invoke(station_cli, ["--data", str(data), "status", "--json"])
    assert out.exit_code == 0, out.output
    return dict(json.loads(out.output))


@pytest.fixture
def synced(live_central: Any, central_settings: CentralSettings, tmp_path: Path) -> Any:
    """Central with the demo roster and photos; a station enrolled for 14DPR9901D, synced."""
    from central.cli import main as central_cli

    escuelas, alumnos = import_demo(central_settings, tmp_path / "export", photos=True)
    env = {"CENTRAL_DATA_DIR": str(central_settings.data_dir),
           "CENTRAL_DATABASE_URL": central_settings.database_url}
    out = CliRunner().invoke(central_cli, ["import-photos", str(escuelas.parent / "fotos")],
                             env=env)
    assert out.exit_code == 0, out.output
    station = open_station(tmp_path / "station")
    enroll(station, central_url=live_central.url,
           code=enrollment_code(live_central.url, school_cct=SCHOOL))
    assert run_sync(station, client_for(station)).ok
    yield station, live_central, (escuelas, alumnos)
    station.close()


# --- 1. problem reports ----------------------------------------------------------------------

def test_problem_reports_reach_central_once_and_bad_ones_are_kept(
        synced: Any, central_settings: CentralSettings) -> None:
    station, central, _ = synced
    good = [diagnostics.build_bundle(station, category=c, description=d, printer=None,
                                     now=datetime(2026, 9, 1, 10, m))
            for m, (c, d) in enumerate([("impresora", "no imprime GOXL150826HJCNXNC2"),
                                        ("camara", "la cámara no enciende")])]
    folder = DataFolder.private(station.folder.reports)
    (folder / "reporte-20260901-110000.zip").write_bytes(b"esto no es un zip")
    (folder / "reporte-20260901-120000.zip").write_bytes(os.urandom(protocol.MAX_REPORT_BYTES
                                                                    + 10))
    assert _status(station.data_dir)["reports_waiting"] == 4

    report = run_sync(station, client_for(station))
    assert report.ok, report.errors
    assert (report.reports_up, report.reports_refused) == (2, 2)
    status = _status(station.data_dir)
    assert status["reports_waiting"] == 0 and status["reports_sent"] == 2
    refused = {r["report"]: r["reason"] for r in status["reports_refused"]}
    assert "no se puede leer" in refused["reporte-20260901-110000.zip"]
    assert "memoria USB" in refused["reporte-20260901-120000.zip"]
    assert all(n in " ".join(status["notices"]) for n in refused)
    assert (folder / "reporte-20260901-110000.zip").exists()  # kept for the DRSE

    listed = requests.get(f"{central.url}/api/v1/admin/problem-reports", headers=STAFF,
                          timeout=10).json()["problem_reports"]
    assert sorted(r["report_name"] for r in listed) == sorted(g.path.name for g in good)
    printer_row = next(r for r in listed if r["category"] == "impresora")
    assert printer_row["description"] == "no imprime [CURP]"
    assert (printer_row["station_id"], printer_row["school_cct"], printer_row["drse"]) == \
        ("EST-00001", SCHOOL, SCHOOL_DRSE)
    download = requests.get(f"{central.url}/api/v1/admin/problem-reports/"
                            f"{printer_row['id']}/download", headers=STAFF, timeout=10)
    assert download.content == good[0].path.read_bytes()
    stored = central_settings.data_dir / "problem-reports" / f"{printer_row['sha256']}.zip"
    assert stored.stat().st_mode & 0o777 == 0o600
    assert requests.get(f"{central.url}/api/v1/admin/problem-reports", timeout=10
                        ).status_code == 401
    other = requests.get(f"{central.url}/api/v1/admin/problem-reports", headers=STAFF,
                         params={"drse": "ALTOS SUR (TEPATITLÁN)"}, timeout=10).json()
    assert other["problem_reports"] == []

    # Nothing is sent twice; a lost acknowledgement resends, central keeps one copy.
    assert run_sync(station, client_for(station)).reports_up == 0
    with station.db.write() as conn:
        conn.execute("DELETE FROM sync_state WHERE key = ?", (f"report:{good[1].path.name}",))
    assert run_sync(station, client_for(station)).reports_up == 1
    engine = make_engine(central_settings.database_url)
    with make_sessionmaker(engine)() as session:
        rows = list_problem_reports(session, region_code=SCHOOL_DRSE)
        assert len(rows) == 2 and list_problem_reports(session, region_code="X") == []
        assert read_problem_report(session, report_id=rows[0].id).sha256 == rows[0].sha256
    engine.dispose()


def _report_zip(description: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("reporte.json", json.dumps({"category": "otro", "created_at": "x",
                                                    "description": description}))
    return buffer.getvalue()


def test_report_upload_refuses_oversized_forged_replayed(api: Any, central_settings: Any,
                                                          tmp_path: Path) -> None:
    import_demo(central_settings, tmp_path / "export")
    key = StationKey.generate(tmp_path / "k" / "station.key")
    enroll_key(api, key)
    path = "/api/v1/sync/problem-reports/"

    big = os.urandom(protocol.MAX_REPORT_BYTES + 1)
    answer = signed(api, key, "PUT", path + hashlib.sha256(big).hexdigest(), raw=big,
                    params={"name": "reporte-1.zip"})
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "report-too-large"
    assert "máximo" in answer.json()["error"]["message"]

    data = _report_zip("todo bien")
    digest = hashlib.sha256(data).hexdigest()
    url = f"{path}{digest}?name=reporte-2.zip"
    headers = protocol.signed_headers("PUT", url, data, key_id=key.key_id, sign=key.sign,
                                      timestamp=int(time.time()))
    forged = api.put(url, content=data + b"x", headers=headers)
    assert forged.status_code == 401 and forged.json()["error"]["code"] == "bad-signature"
    headers = protocol.signed_headers("PUT", url, data, key_id=key.key_id, sign=key.sign,
                                      timestamp=int(time.time()))
    first = api.put(url, content=data, headers=headers)
    assert first.status_code == 200 and first.json()["duplicate"] is False
    replay = api.put(url, content=data, headers=headers)
    assert replay.status_code == 409 and replay.json()["error"]["code"] == "replayed-request"
    stranger = StationKey.generate(tmp_path / "s" / "station.key")
    unknown = signed(api, stranger, "PUT", url, raw=data)
    assert unknown.status_code == 401 and unknown.json()["error"]["code"] == "unknown-station"
    mismatch = signed(api, key, "PUT", f"{path}{'0' * 64}", raw=data,
                      params={"name": "reporte-3.zip"})
    assert mismatch.status_code == 422
    again = signed(api, key, "PUT", url, raw=data)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    listed = api.get("/api/v1/admin/problem-reports", headers=STAFF).json()["problem_reports"]
    assert [r["report_name"] for r in listed] == ["reporte-2.zip"]


# --- 2. configuration applied ---------------------------------------------------------------

def _publish(url: str, key: str, value: object) -> int:
    answer = requests.put(f"{url}/api/v1/admin/config/{key}", headers=STAFF, timeout=10,
                          json={"staff": "Ana", "value": value})
    assert answer.status_code == 200, answer.text
    return int(answer.json()["version"])


def _publish_unchecked(settings: CentralSettings, key: str, value: object) -> int:
    """What a central running newer software may publish: values this station cannot take.

    Central's own API refuses them (test below), so they are written straight to its database.
    """
    sessions = make_sessionmaker(make_engine(settings.database_url))
    with sessions() as session:
        rev = next_rev(session, "config")
        item = session.get(ConfigItem, key)
        if item is None:
            session.add(ConfigItem(key=key, value=json.dumps(value), rev=rev))
        else:
            item.value, item.rev = json.dumps(value), rev
        session.commit()
    return rev


def test_central_configuration_is_applied_and_bad_values_kept_out(
        synced: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        central_settings: CentralSettings) -> None:
    station, central, _ = synced
    # A station software that ships a second template version (a copy of v1 as v2).
    templates = tmp_path / "templates"
    shutil.copytree(card_templates.TEMPLATES_DIR, templates)
    v2 = templates / "jalisco-basica" / "v2"
    shutil.copytree(templates / "jalisco-basica" / "v1", v2)
    spec = json.loads((v2 / "template.json").read_text("utf-8"))
    (v2 / "template.json").write_text(json.dumps({**spec, "version": 2}), "utf-8")
    monkeypatch.setattr(card_templates, "TEMPLATES_DIR", templates)

    _publish(central.url, "fees.replacement_mxn", 35)
    _publish(central.url, "cycle.current", "2027-2028")
    raw = central_settings
    _publish_unchecked(raw, "printer.queue", "Otra")                    # the station's own
    _publish_unchecked(raw, "routing.primaria_min_students", "muchos")  # wrong type
    _publish_unchecked(raw, "ajuste.inventado", 1)                      # unknown
    version = _publish_unchecked(raw, "card.template", "jalisco-basica/v2")  # only this station
    report = run_sync(station, client_for(station))
    assert report.ok, report.errors
    assert report.config_applied == ["card.template", "cycle.current", "fees.replacement_mxn"]
    status = _status(station.data_dir)
    assert status["config_applied_version"] == version == status["config_version"]
    reasons = {r["key"]: r["reason"] for r in status["config_refused"]}
    assert sorted(reasons) == ["ajuste.inventado", "printer.queue",
                               "routing.primaria_min_students"]
    assert "no existe" in reasons["ajuste.inventado"]
    assert "propio de cada estación" in reasons["printer.queue"]
    assert "número entero" in reasons["routing.primaria_min_students"]
    reopened = open_station(station.data_dir)  # written to station.toml, in one write
    assert (reopened.settings["fees.replacement_mxn"], reopened.settings["cycle.current"],
            reopened.settings["card.template"], reopened.settings["printer.queue"],
            reopened.settings["routing.primaria_min_students"]) == \
        (35, "2027-2028", "jalisco-basica/v2", "", 475)
    reopened.close()
    school, students = select_students(station, SCHOOL, None)
    Issuer(station, printer="pdf").produce(school, students[:1])
    with station.db.read() as conn:
        assert [r[0] for r in conn.execute("SELECT template FROM sheets")] == \
            ["jalisco-basica/v2"]

    _publish_unchecked(raw, "card.template", "jalisco-basica/v9")
    assert run_sync(station, client_for(station)).ok
    status = _status(station.data_dir)
    assert status["card_template"] == "jalisco-basica/v2"
    assert ("la plantilla jalisco-basica/v9 no está instalada en esta estación; actualice la "
            "estación") in " ".join(status["notices"])
    # Nothing changes while central's version stays the same.
    assert run_sync(station, client_for(station)).config_applied == []


def test_central_refuses_a_bad_value_and_a_cleared_key_goes_back_to_factory(
        synced: Any) -> None:
    station, central, _ = synced
    url = f"{central.url}/api/v1/admin/config"
    refused = requests.put(f"{url}/routing.primaria_min_students", headers=STAFF, timeout=10,
                           json={"staff": "Ana", "value": "muchos"})
    assert refused.status_code == 422 and "routing.primaria_min_students" in refused.text
    assert requests.put(f"{url}/printer.queue", headers=STAFF, timeout=10,
                        json={"staff": "Ana", "value": "Otra"}).status_code == 422
    _publish(central.url, "fees.replacement_mxn", 35)
    assert run_sync(station, client_for(station)).config_applied == ["fees.replacement_mxn"]
    assert station.settings["fees.replacement_mxn"] == 35

    cleared = requests.delete(f"{url}/fees.replacement_mxn", headers=STAFF, timeout=10,
                              json={"staff": "Ana"})
    assert cleared.status_code == 200, cleared.text
    assert run_sync(station, client_for(station)).ok
    status = _status(station.data_dir)
    assert status["config_applied_version"] == cleared.json()["version"]
    reopened = open_station(station.data_dir)
    assert reopened.settings["fees.replacement_mxn"] == 28  # the factory value again
    assert "fees.replacement_mxn" not in (station.data_dir / "station.toml").read_text("utf-8")
    reopened.close()
    assert requests.delete(f"{url}/fees.replacement_mxn", headers=STAFF, timeout=10,
                           json={"staff": "Ana"}).status_code == 404


# --- 3. withdrawn station ---------------------------------------------------------------------

def test_withdrawn_station_sends_what_it_holds_and_gets_nothing_new(
        synced: Any, central_settings: CentralSettings) -> None:
    station, central, _ = synced
    school, students = select_students(station, SCHOOL, None)
    produced = Issuer(station, printer="pdf").produce(school, students[:3])
    folios = sorted(f for sheet in produced for f in sheet.folios)
    answer = requests.post(f"{central.url}/api/v1/admin/stations/EST-00001/withdraw",
                           headers=STAFF, json={"staff": "Ana", "reason": "cambio de equipo"},
                           timeout=10)
    assert answer.status_code == 200
    report = run_sync(station, client_for(station))
    assert report.ok and report.pushed > 0 and report.withdrawn, report.to_json()
    status = _status(station.data_dir)
    assert status["pending_events"] == 0 and status["withdrawn"] is True
    assert "estación dada de baja: solo se envían los registros pendientes" in status["notices"]
    engine = make_engine(central_settings.database_url)
    with make_sessionmaker(engine)() as session:
        cards = sorted(c.folio for c in session.scalars(select(Card)))
    engine.dispose()
    assert cards == folios
    client = client_for(station)
    for method, path, body in [("POST", "/api/v1/sync/folio-blocks", {"ordinal": 99}),
                               ("GET", "/api/v1/sync/roster", None)]:
        with pytest.raises(SyncError) as exc:
            client.call(method, path, json_body=body)
        assert exc.value.status == 403 and exc.value.code == "station-withdrawn"
        assert "solo puede enviar sus registros pendientes" in exc.value.message
    with pytest.raises(SyncError) as exc:
        client.call("POST", "/api/v1/sync/folio-blocks", json_body={"ordinal": 99})
    assert "bloques de folios" in exc.value.message and "cambio de equipo" in exc.value.message


# --- 4. students moved out of scope ------------------------------------------------------------

def _reimport(settings: CentralSettings, export: tuple[Path, Path],
              change: dict[str, str]) -> None:
    check = load_roster(*export)
    assert check.ok
    students = [dataclasses.replace(s, cct=change[s.curp]) if s.curp in change else s
                for s in check.students]
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine)() as session, session.begin():
        import_roster(session, schools=check.schools, students=students, now=now_utc())
    engine.dispose()


def test_students_moved_to_another_school_stop_being_pending(
        synced: Any, central_settings: CentralSettings) -> None:
    station, _central, export = synced
    school, students = select_students(station, SCHOOL, None)
    sheet = Issuer(station, printer="pdf").produce(school, students[:1])[0]
    with station.db.read() as conn:
        before = [s.curp for s in ledger.pending_students(conn, SCHOOL)]
    moved = {students[0].curp: "14EPR9902E", before[0]: "14ETV9903F"}
    _reimport(central_settings, export, moved)
    report = run_sync(station, client_for(station))
    assert report.ok and report.moved_out == 2, report.to_json()
    assert "2 alumnos cambiaron a una escuela" in report.describe()
    with station.db.read() as conn:
        after = [s.curp for s in ledger.pending_students(conn, SCHOOL)]
        card = conn.execute("SELECT status FROM cards WHERE folio = ?",
                            (sheet.folios[0],)).fetchone()
    assert after == [c for c in before if c not in moved]
    assert card[0] == "active"  # the issued card's history stays
    assert run_sync(station, client_for(station)).moved_out == 0
    _reimport(central_settings, export, {})  # they come back
    assert run_sync(station, client_for(station)).ok
    with station.db.read() as conn:
        assert before[0] in {s.curp for s in ledger.pending_students(conn, SCHOOL)}


def test_drse_station_drops_a_school_routed_elsewhere(
        live_central: Any, central_settings: CentralSettings, tmp_path: Path) -> None:
    export = import_demo(central_settings, tmp_path / "export")
    station = open_station(tmp_path / "drse")
    enroll(station, central_url=live_central.url,
           code=enrollment_code(live_central.url, drse="ALTOS SUR (TEPATITLÁN)"))
    assert run_sync(station, client_for(station)).ok
    with station.db.read() as conn:
        assert len(ledger.pending_students(conn, "14EPR9902E")) == 9
    check = load_roster(*export)
    grown = [dataclasses.replace(s, matricula=600) if s.cct == "14EPR9902E" else s
             for s in check.schools]
    engine = make_engine(central_settings.database_url)
    with make_sessionmaker(engine)() as session, session.begin():
        import_roster(session, schools=grown, students=check.students, now=now_utc())
    engine.dispose()
    report = run_sync(station, client_for(station))
    assert report.ok and report.moved_out == 9, report.to_json()
    with station.db.read() as conn:
        assert ledger.pending_students(conn, "14EPR9902E") == []
    station.close()



def test_the_same_report_sent_twice_at_once_is_stored_once(synced: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from station.sync.reports_up import REPORTS

    station, central, _ = synced
    bundle = diagnostics.build_bundle(station, category="impresora", description="no imprime",
                                      printer=None, now=datetime(2026, 9, 1, 9, 0))
    data = bundle.path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()

    def send(_: int) -> dict[str, Any]:
        client = client_for(station)  # one HTTP session per thread, as two processes would
        return client.call("PUT", f"{REPORTS}/{digest}", params={"name": bundle.path.name},
                           data=data, content_type="application/zip").json()

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(send, range(4)))
    assert sorted(a["duplicate"] for a in answers) == [False, True, True, True]
    assert len({a["id"] for a in answers}) == 1
    listed = requests.get(f"{central.url}/api/v1/admin/problem-reports", headers=STAFF,
                          timeout=10).json()["problem_reports"]
    assert [r["sha256"] for r in listed].count(digest) == 1
