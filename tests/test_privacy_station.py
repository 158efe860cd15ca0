"""Minors' personal data on the station (issue 18): retention purge, dry run, the audit and
verification after it, the tombstone, on real ledger files through the real command line.

The retention period is made to pass by moving the students' ``inactive_since`` back, as the
nightly runs of a year would have left it."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from plugin_lifecycle import cli, cli_json, day, ledger_snapshot, write_settings
from plugin_station import prepare_station

from foundation.contract.events import parse_payload
from station.context import open_station
from station.core.model import Estatus
from station.services.demo_data import make_placeholder_portrait
from station.services.privacy import purge
from station.store import ledger, privacy_records

STUDENTS = 24  # the first school: more than one sheet


def _sql(data: Path, statement: str, *args: object) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(data / "ledger.sqlite3")
    try:
        with conn:
            return [tuple(r) for r in conn.execute(statement, args)]
    finally:
        conn.close()


def _pages(pdf: Path, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(out / "p")], check=True)
    return sorted(out.glob("p*.png"))


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A station whose school's cards are printed and confirmed; pages of the print file
    rendered (to verify the old cards later)."""
    root = tmp_path_factory.mktemp("privacy")
    data = root / "template"
    cct, curps = prepare_station(data, students=STUDENTS, seed=18)
    out = root / "lote.pdf"
    answer = cli_json(data, "print", "--school", cct, "--all-pending", "--pdf", str(out))
    sheets = [s["sheet"] for s in answer["sheets"]]
    cli(data, "confirm", "--sheet", *map(str, sheets))
    folios = {c["curp"]: c["folio"] for c in _cards(data)}
    return {"template": data, "cct": cct, "curps": curps, "pages": _pages(out, root / "png"),
            "sheets": answer["sheets"], "folios": folios}


def _cards(data: Path) -> list[dict[str, Any]]:
    return [{"folio": f, "curp": c} for f, c in _sql(data, "SELECT folio, curp FROM cards")]


@pytest.fixture
def station_copy(printed: dict[str, Any], tmp_path: Path) -> Path:
    data = tmp_path / "station"
    shutil.copytree(printed["template"], data)
    return data


def _withdraw(data: Path, curps: list[str]) -> None:
    station = open_station(data)
    try:
        with station.db.write() as conn:
            found = ledger.get_students(conn, curps)
            ledger.upsert_roster(conn, [], [s.__class__(**{**_fields(s),
                                                          "estatus": Estatus.BAJA})
                                            for s in found.values()])
    finally:
        station.close()


def _fields(s: Any) -> dict[str, Any]:
    return {f: getattr(s, f) for f in s.__slots__}


def _age(data: Path, days: int) -> None:
    """Move every running retention clock ``days`` back (time passing)."""
    since = (date.today() - timedelta(days=days)).isoformat()
    _sql(data, "UPDATE students SET inactive_since = ? WHERE inactive_since IS NOT NULL",
         since)


def _every_cell(data: Path) -> str:
    return json.dumps(ledger_snapshot(data), ensure_ascii=False, default=str)


def _photo_files(data: Path) -> set[str]:
    return {p.stem for p in (data / "photos").rglob("*.jpg")}


def test_withdrawn_students_data_is_purged_after_the_period_and_cards_still_answer(
        printed: dict[str, Any], station_copy: Path) -> None:
    data, cct = station_copy, printed["cct"]
    lost, left = printed["curps"][0], printed["curps"][-1]  # first and last sheet
    stays = printed["curps"][1]
    cli(data, "card", "lost", "--folio", str(printed["folios"][lost]), "--date", day(),
        "--by", "Ana Pérez")
    names = {c: _sql(data, "SELECT primer_apellido || ' ' || nombre FROM students"
                     " WHERE curp = ?", c)[0][0] for c in (lost, left)}
    photos = {c: _sql(data, "SELECT photo_hash FROM students WHERE curp = ?", c)[0][0]
              for c in (lost, left, stays)}
    _withdraw(data, [lost, left])

    # The first nightly run starts their clock: nothing is due yet.
    first = cli_json(data, "privacy", "purge")
    assert first["purged"] == 0 and first["students"] == []
    since = _sql(data, "SELECT count(*) FROM students WHERE inactive_since = ?",
                 date.today().isoformat())
    assert since == [(2,)]

    # A year and a day later, the dry run lists them by internal id and folio and deletes
    # nothing at all.
    _age(data, 366)
    before, files_before = ledger_snapshot(data), _photo_files(data)
    dry = cli(data, "privacy", "purge", "--dry-run").output
    dry_json = cli_json(data, "privacy", "purge", "--dry-run")
    assert ledger_snapshot(data) == before and _photo_files(data) == files_before
    assert sorted(s["folios"][0] for s in dry_json["students"]) == sorted(
        printed["folios"][c] for c in (lost, left))
    assert f"Escuela {cct}: 2 alumnos" in dry and "se borrarían" in dry
    for c in (lost, left):
        assert c not in dry + json.dumps(dry_json) and names[c] not in dry

    # The real run: rows and photo files gone, folios and card states kept.
    audit_before = cli_json(data, "audit")
    assert len(printed["sheets"]) > 1 and list((data / "sheets").glob("*.pdf"))
    done = cli(data, "privacy", "purge").output
    assert "Depurados: 2 alumnos" in done and lost not in done
    remaining = _photo_files(data)
    assert photos[lost] not in remaining and photos[left] not in remaining
    assert photos[stays] in remaining
    every = _every_cell(data)
    for c in (lost, left):
        assert c not in every, "a purged CURP is still in the ledger"
        assert names[c] not in every, "a purged name is still in the ledger"
    assert _sql(data, "SELECT count(*) FROM purge_pending_files") == [(0,)]
    assert not list((data / "sheets").glob("*.pdf")), "print files show the purged faces"

    audit_after = cli_json(data, "audit")
    assert audit_after["ok"], audit_after["problems"]
    for count in ("issued", "cancelled", "spoiled", "unused"):
        assert audit_after[count] == audit_before[count]
    statuses = dict(_sql(data, "SELECT folio, status FROM cards"))
    assert statuses[printed["folios"][lost]] == "revoked"
    assert statuses[printed["folios"][left]] == "active"

    verdicts = {v["folio"]: v for page in printed["pages"]
                for v in cli_json(data, "verify", str(page))}
    assert verdicts[printed["folios"][lost]]["verdict"] == "revoked"
    assert verdicts[printed["folios"][left]]["verdict"] == "valid"
    assert verdicts[printed["folios"][stays]]["verdict"] == "valid"

    kinds = _sql(data, "SELECT kind, payload FROM events WHERE kind = 'student_data_purged'")
    assert len(kinds) == 2
    for kind, payload in kinds:
        event = parse_payload(kind, json.loads(payload))
        assert event.reason == "retention" and event.cct == cct and len(event.folios) == 1

    again = cli_json(data, "privacy", "purge")
    assert again["purged"] == 0 and again["students"] == []


def test_a_retention_tombstone_blocks_an_old_row_but_not_a_return(
        printed: dict[str, Any], station_copy: Path, tmp_path: Path) -> None:
    data = station_copy
    gone = printed["curps"][3]
    _withdraw(data, [gone])
    cli(data, "privacy", "purge")
    _age(data, 400)
    assert cli_json(data, "privacy", "purge")["purged"] == 1

    station = open_station(data)
    try:
        with station.db.read() as conn:
            cycle = conn.execute("SELECT ciclo FROM students LIMIT 1").fetchone()[0]
            old = privacy_records.screen_roster(conn, station.folder.privacy_key,
                                                [(gone, "BAJA", cycle)], cycle=cycle)
            back = privacy_records.screen_roster(conn, station.folder.privacy_key,
                                                 [(gone, "INSCRITO", cycle)], cycle=cycle)
    finally:
        station.close()
    assert old.skip == {gone} and old.lift == ()

    # A photo folder that still has the student's file: not stored, not linked.
    folder = tmp_path / "fotos"
    folder.mkdir()
    (folder / f"{gone}.jpg").write_bytes(make_placeholder_portrait("OTRA FOTO", gone))
    files = _photo_files(data)
    imported = cli_json(data, "import-photos", str(folder))
    assert imported["stored"] == 0 and imported["not_in_roster"] == [f"{gone}.jpg"]
    assert _photo_files(data) == files and gone not in _every_cell(data)
    assert back.skip == set() and len(back.lift) == 1
    assert oct((data / "keys" / "privacy.key").stat().st_mode & 0o777) == "0o600"


def test_a_student_missing_from_the_new_cycles_roster_starts_the_clock(
        printed: dict[str, Any], station_copy: Path) -> None:
    data = station_copy
    curps = printed["curps"]
    write_settings(data, cycle__current="2027-2028")
    station = open_station(data)
    try:
        # Before the school's new roster arrives nobody is known to have left.
        with station.db.write() as conn:
            assert privacy_records.mark_inactivity(conn, cycle="2027-2028",
                                                   today=date.today()) == (0, 0)
            found = ledger.get_students(conn, curps[:4])
            ledger.upsert_roster(conn, [], [s.__class__(**{**_fields(s), "ciclo": "2027-2028"})
                                            for s in found.values()])
            started, _ = privacy_records.mark_inactivity(conn, cycle="2027-2028",
                                                         today=date.today())
            assert started == len(curps) - 4
            # One of them is enrolled again: their clock stops.
            again = ledger.get_students(conn, curps[5:6])[curps[5]]
            ledger.upsert_roster(conn, [], [again.__class__(**{**_fields(again),
                                                                "ciclo": "2027-2028"})])
            assert privacy_records.mark_inactivity(conn, cycle="2027-2028",
                                                   today=date.today()) == (0, 1)
    finally:
        station.close()


def test_a_connected_station_waits_for_central_to_hold_the_students_events(
        printed: dict[str, Any], station_copy: Path) -> None:
    data = station_copy
    gone = printed["curps"][2]
    write_settings(data, sync__central_url="http://127.0.0.1:9")
    _withdraw(data, [gone])
    cli(data, "privacy", "purge")
    _age(data, 400)
    waiting = cli_json(data, "privacy", "purge")
    assert waiting["purged"] == 0 and len(waiting["waiting_for_sync"]) == 1
    assert "En espera de sincronizar: 1 alumno" in cli(data, "privacy", "purge").output
    _sql(data, "INSERT INTO sync_state (key, value, updated_at) VALUES ('acked_through',"
         " (SELECT max(seq) FROM events), 'x') ON CONFLICT(key) DO UPDATE SET"
         " value = excluded.value")
    assert cli_json(data, "privacy", "purge")["purged"] == 1


def test_a_short_retention_period_is_refused_in_words(station_copy: Path) -> None:
    write_settings(station_copy, privacy__retention_days=10)
    out = cli(station_copy, "privacy", "purge", "--dry-run", ok=False).output
    assert "al menos 30, no 10" in out and "Traceback" not in out


def test_the_purge_knows_every_table_that_holds_a_curp(station_copy: Path) -> None:
    """A new table with a ``curp`` column must be added to the purge (or it keeps CURPs)."""
    tables = [r[0] for r in _sql(station_copy, "SELECT name FROM sqlite_master WHERE"
                                 " type = 'table' AND name NOT LIKE 'sqlite_%'")]
    with_curp = {t for t in tables
                 if any(c[1] == "curp" for c in _sql(station_copy, f"PRAGMA table_info({t})"))}
    assert with_curp == {"students", *privacy_records.CURP_COLUMNS}


def test_purge_service_without_due_students_writes_no_key(station_copy: Path) -> None:
    station = open_station(station_copy)
    try:
        outcome = purge(station)
    finally:
        station.close()
    assert outcome.purged == 0 and not (station_copy / "keys" / "privacy.key").exists()


def test_the_nightly_timer_runs_the_purge() -> None:
    units = Path(__file__).resolve().parents[1] / "systemd"
    service = (units / "station-privacy.service").read_text("utf-8")
    timer = (units / "station-privacy.timer").read_text("utf-8")
    assert "ExecStart=/opt/station/current/venv/bin/station privacy purge\n" in service
    assert "--dry-run" not in service and "OnCalendar=*-*-* 02:30:00" in timer
    setup = (units.parent / "image-build/files/station-setup.sh").read_text("utf-8")
    assert "station-privacy.timer" in setup
