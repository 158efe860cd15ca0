"""The sync screen shows what `station status` and `station update status` know, from a real
station data folder, and the kiosk confirms a release's health after its first frame.

The states are written the way the station writes them (problem report zips by
``diagnostics.build_bundle``, their upload state by ``reports_up``, central's configuration by
``apply_config``, the withdrawal by ``sync_state``, the updater's ``status.json`` by
``write_status``); then the real kiosk runs the ``sync_news`` scenario at both sizes, in
parallel: at 800×480 started from a release slot (a temp releases root whose ``current`` is
this version), at 1280×800 without one (a dev checkout).
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from plugin_station import prepare_station
from plugin_ui import SIZES, USERS, collect, launch_autopilot

from station import __version__
from station.context import open_station, update_settings
from station.services import accounts, diagnostics
from station.store import sync_state
from station.sync import reports_up
from station.sync.config_apply import apply_config
from station.ui import sync_words
from station.update.health import marker, running_release
from station.update.layout import Layout, write_status

CENTRAL = "https://credenciales.sej.jalisco.gob.mx"
REFUSED_REASON = "el archivo pasa del tamaño permitido (413)"
DEFER = "fuera del horario de mantenimiento (02:00-05:00); se instalará dentro de ese horario"
ROLLED = "la versión 9.8.0 no confirmó su arranque en 120 s"


NEW_CCT = "14EPR9904G"


def _move_student(station: Any, folder: Path, curp: str) -> None:
    """Give ``curp`` a card here, then re-import SCEJAL's export with the student enrolled in
    a second school: their only card is now of the school they left."""
    from station.services import print_tasks
    from station.services.issuance import Issuer, select_students
    from station.services.roster_import import import_roster

    with station.db.read() as conn:
        cct = conn.execute("SELECT cct FROM students WHERE curp = ?", (curp,)).fetchone()[0]
    school, chosen = select_students(station, cct, [curp])
    print_tasks.confirm_sheets(station, [Issuer(station, printer="pdf").produce(
        school, chosen)[0].sheet_id])
    export = folder / "export"
    tables = {}
    for name in ("escuelas.csv", "alumnos.csv"):
        with (export / name).open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            tables[name] = (reader.fieldnames, list(reader))
    schools = tables["escuelas.csv"][1]
    schools.append(dict(schools[0], cct=NEW_CCT, matricula="120",
                        nombre='ESCUELA PRIMARIA DE DEMOSTRACIÓN "NIÑOS HÉROES"'))
    for row in tables["alumnos.csv"][1]:
        if row["curp"] == curp:
            row.update(cct=NEW_CCT, nuevo_ingreso="NO")
    moved = folder / "export-moved"
    moved.mkdir()
    for name, (columns, rows) in tables.items():
        with (moved / name).open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(columns or []))
            writer.writeheader()
            writer.writerows(rows)
    result = import_roster(station, moved / "escuelas.csv", moved / "alumnos.csv")
    assert result.imported and not result.problems, result.describe()


def _prepare(folder: Path) -> dict[str, Any]:
    cct, curps = prepare_station(folder, students=6)
    station = open_station(folder)
    try:
        _move_student(station, folder, curps[0])
        users = {}
        for key, (name, role, pin) in USERS.items():
            user = accounts.add_user(station, name, role, pin)
            users[key] = {"id": user.id, "name": user.name, "pin": pin}
        names = [diagnostics.build_bundle(station, category="impresora", printer=None,
                                          now=datetime(2026, 11, 20, 9, 0, s)).path.name
                 for s in (1, 2, 3)]
        reports_up._mark(station, names[0], {"state": "sent"})
        reports_up._mark(station, names[1], {"state": "refused", "reason": REFUSED_REASON})
        update_settings(station, {"sync.central_url": CENTRAL})
        outcome = apply_config(station, {"card.template": "jalisco-basica/v99",
                                         "camera.device": "/dev/video7"}, 7)
        with station.db.write() as conn:
            sync_state.set_state(conn, "station_id", "ESC-PRUEBA-01")
            sync_state.set_state(conn, "last_success_at", "2026-11-20T08:00:00+00:00")
            sync_state.set_state(conn, "withdrawn", "2026-11-20T08:00:00+00:00")
    finally:
        station.close()
    write_status(Layout.of(folder), {
        "last_check": "2026-11-20T08:00:00",
        "offer": {"version": "9.9.0", "sha256": "ab" * 32},
        "last": {"result": "deferred", "version": "9.9.0", "reason": DEFER,
                 "at": "2026-11-20T08:00:00"},
        "refused": {"9.8.0": ROLLED}})
    config = {"cct": cct, "users": users, "reports": names, "moved": curps[0],
              "new_cct": NEW_CCT,
              "config_refused": outcome.refused}
    (folder / "autopilot.json").write_text(json.dumps(config, ensure_ascii=False), "utf-8")
    return config


def _releases_root(base: Path, *, in_slot: bool) -> Path:
    root = base / "opt-station"
    root.mkdir(parents=True)
    if in_slot:
        (root / "releases" / __version__ / "venv").mkdir(parents=True)
        Layout(root, base).point(root / "current", __version__)
    return root


@pytest.fixture(scope="module")
def runs(kiosk_env: dict[str, str], screens_dir: Path,
         tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    base = tmp_path_factory.mktemp("kiosk-sync")
    out: dict[str, dict[str, Any]] = {}
    for size, in_slot in zip(SIZES, (True, False), strict=True):
        data = base / f"station-{size}"
        config = _prepare(data)
        root = _releases_root(base / f"root-{size}", in_slot=in_slot)
        env = dict(kiosk_env, STATION_RELEASES_ROOT=str(root))
        shots = screens_dir / size
        shots.mkdir(parents=True, exist_ok=True)
        out[size] = {"data": data, "config": config, "root": root, "in_slot": in_slot,
                     "out": shots,
                     "launched": launch_autopilot(data, size, shots, "sync_news", env)}
    for run in out.values():
        run["report"] = collect(*run.pop("launched"), timeout_s=120)
    return out


@pytest.fixture(params=SIZES)
def run(request: pytest.FixtureRequest, runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return runs[request.param]


def test_sync_screen_shows_reports_withdrawal_settings_and_software(run: dict[str, Any]
                                                                    ) -> None:
    report = run["report"]
    assert report["ok"], f"{report['error']}\n{report['steps'][-8:]}\n{report['stderr_tail']}"
    texts = report["data"]["sync_texts"]
    assert texts["sync_withdrawn"] == sync_words.WITHDRAWN_BANNER + "."
    assert "dada de baja" in texts["sync_withdrawn"] and "sync_other_notice" not in texts
    assert texts["sync_notice"].startswith(f"Conectada a {CENTRAL}. Última sincronización: 20/11")
    assert (texts["reports_waiting_value"], texts["reports_sent_value"]) == ("1", "1")
    refused_name = run["config"]["reports"][1]
    assert texts["report_refused_0_label"] == f"Reporte rechazado: {refused_name}"
    assert REFUSED_REASON in texts["report_refused_0_value"]
    assert "memoria USB" in texts["report_refused_0_value"]
    keys = {r["key"]: r["reason"] for r in run["config"]["config_refused"]}
    assert set(keys) == {"card.template", "camera.device"}
    shown = {texts[f"config_refused_{i}_label"].split(": ", 1)[1]:
             texts[f"config_refused_{i}_value"] for i in range(2)}
    assert shown == {sync_words.setting_name(k): r for k, r in keys.items()}
    assert "camera.device" not in " ".join(shown)  # the kiosk names settings in words
    assert "jalisco-basica/v99" in shown[sync_words.setting_name("card.template")]
    assert texts["config_version_value"] == "versión 7"
    assert texts["software_installed_value"] == __version__
    assert texts["software_offer_value"] == f"9.9.0: en espera ({DEFER})"
    assert texts["software_refused_0_label"] == "Versión 9.8.0 no instalada"
    assert texts["software_refused_0_value"] == ROLLED
    # Read-only: no update button for anyone (update.check would reach central).
    assert not [b for b in report["data"]["sync_buttons"] if "update" in b]


def test_sync_screens_saved_without_overflow_or_small_targets(run: dict[str, Any]) -> None:
    report = run["report"]
    for name, state in (("50-sincronizacion-avisos", "sync"),
                        ("51-sincronizacion-software", "sync"),
                        ("52-alumno-cambio-de-escuela-lista", "roster"),
                        ("53-alumno-cambio-de-escuela", "student"),
                        ("54-tramites-cambio-de-escuela", "lifecycle")):
        shot = report["shots"][name]
        assert shot["state"] == state and Path(shot["path"]).stat().st_size > 10_000
    assert report["overflow"] == [] and report["small_targets"] == []


def test_a_moved_student_reads_changed_school_everywhere(run: dict[str, Any]) -> None:
    moved = run["report"]["data"]["moved"]
    words = "cambió de escuela: necesita credencial de su nueva escuela"
    assert moved["row"]["badge"] == ["Cambió de escuela", "warn", "school"]
    assert moved["row"]["detail"].endswith(words)
    assert moved["student_badge"] == words[:1].upper() + words[1:]
    assert moved["student_print"] is True  # their only card shows the former school
    assert moved["life_status"] == f"Este ciclo: {words}."


def test_health_marker_only_when_running_from_a_release_slot(run: dict[str, Any]) -> None:
    health = run["report"]["data"]["health"]
    layout = Layout.of(run["data"], run["root"])
    assert running_release(layout) is run["in_slot"]
    path = marker(layout, __version__)
    if run["in_slot"]:
        written = json.loads(path.read_text("utf-8"))
        assert written["by"] == "kiosk" and written["version"] == __version__
        assert written["at"] >= health["first_frame_at"] > 0
        assert health["marker"] == written
        assert oct(path.stat().st_mode & 0o777) == "0o600"
    else:
        assert health["marker"] is None and not path.exists()
        assert list((run["data"] / "updates" / "health").iterdir()) == []


def test_no_marker_on_a_dev_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The kiosk's own check with the updater's default root, as in a checkout (and in the
    tour): nothing written; with a slot of another version in ``current``: nothing either."""
    from station.update.health import confirm_if_release

    monkeypatch.delenv("STATION_RELEASES_ROOT", raising=False)
    if not Path("/opt/station/current").exists():
        assert confirm_if_release(tmp_path, by="kiosk") is None
    root = tmp_path / "root"
    (root / "releases" / "0.0.1").mkdir(parents=True)
    Layout(root, tmp_path).point(root / "current", "0.0.1")
    assert confirm_if_release(tmp_path, by="kiosk", root=root) is None
    assert not (tmp_path / "updates").exists()


def _status(**changes: Any) -> Any:
    from station.sync.status import SyncStatus

    base = dict(enrolled=True, station_id="E", central_url="u", pending_events=0,
                oldest_pending_at=None, acked_through=0, last_success_at=None,
                last_attempt_at=None, last_error=None, folios_left=0, revocations=0,
                trusted_keys=0, config_version=0, config_applied_version=0, config_refused=[],
                card_template="t", reports_waiting=0, reports_refused=[], reports_sent=0,
                events_refused=[], withdrawn=False, notices=[])
    return SyncStatus(**{**base, **changes})


@pytest.mark.parametrize(("last", "word", "tone"), [
    ({"result": "installed", "version": "1.3.0"}, "Instalada 1.3.0", "ok"),
    ({"result": "failed", "version": "1.3.0", "reason": "sin espacio"},
     "Falló 1.3.0: sin espacio", "bad"),
    ({"result": "rolled_back", "version": "1.3.0", "reason": "no confirmó"},
     "No arrancó bien: se regresó a la anterior 1.3.0: no confirmó", "bad"),
])
def test_software_last_result_in_words(last: dict[str, str], word: str, tone: str) -> None:
    lines = sync_words.software_lines({"installed": "1.2.0", "offer": None, "last": last,
                                       "refused": {"1.3.0": "x"}, "window": ""})
    shown = {line.kid: line for line in lines}
    assert (shown["software_last"].value, shown["software_last"].tone) == (word, tone)
    assert "software_refused_0" not in shown  # the same version is not said twice


def test_software_offer_waits_for_the_window_or_is_hidden_when_refused() -> None:
    info = {"installed": "1.2.0", "offer": {"version": "1.3.0"}, "last": None, "refused": {},
            "window": "02:00-05:00"}
    offer = {line.kid: line.value for line in sync_words.software_lines(info)}
    assert offer["software_offer"] == ("1.3.0: se instalará en el horario de mantenimiento "
                                       "(02:00-05:00)")
    info["refused"] = {"1.3.0": "firma no válida"}
    kids = [line.kid for line in sync_words.software_lines(info)]
    assert "software_offer" not in kids and "software_refused_0" in kids


def test_other_notices_are_only_the_ones_not_already_shown() -> None:
    status = _status(withdrawn=True, config_refused=[{"key": "a.b", "reason": "no existe"}],
                     notices=["estación dada de baja: solo se envían los registros pendientes",
                              "el ajuste a.b del servicio central no se aplicó: no existe",
                              "la impresora de central no existe"])
    assert sync_words.other_notices(status) == ["la impresora de central no existe"]
    waiting = {line.kid: line for line in sync_words.report_lines(_status(reports_waiting=2))}
    assert (waiting["reports_waiting"].tone, waiting["reports_waiting"].icon) == ("warn",
                                                                                  "clock")


def test_a_student_who_changed_school_says_so_in_the_roster() -> None:
    from station.core.cycles import Need, need_words
    from station.services.lookup import RosterEntry
    from station.ui import status_words

    entry = RosterEntry("CURP", "LOPEZ ANA", 3, "B", False, True, None, Need.CARD)
    moved = RosterEntry("CURP", "LOPEZ ANA", 3, "B", False, True, None, Need.CARD,
                        card_other_school=True)
    assert status_words.entry_badge(moved) == ("Cambió de escuela", "warn", "school")
    line = status_words.student_line(moved)
    assert line == "3° B · cambió de escuela: necesita credencial de su nueva escuela"
    assert need_words(Need.CARD, card_other_school=True) in line
    assert status_words.entry_badge(entry)[0] == "Pendiente"
    assert "cambió" not in status_words.student_line(entry)
