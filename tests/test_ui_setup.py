"""A station out of the box (no user) is set up by touch: enrollment with a real central
(uvicorn on loopback, SQLite), the first DRSE administrator, sign-in with the PIN; and the
service's own rule that only the first administrator can be created without a signed-in one.

The kiosk runs two scenarios in parallel: ``setup_enroll`` at 800×480 (a wrong code, then a
good one, in the wizard) and ``setup_offline`` at 1280×800 ("Sin conexión por ahora", then
"Inscribir estación" on the sync screen).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from plugin_central import ADMIN_TOKEN, LiveCentral, enrollment_code, import_demo
from plugin_ui import collect, launch_autopilot

from foundation.errors import InputError
from station.services import accounts
from station.services.station import open_station
from station.store import sync_state

ADMIN = {"name": "LIC. SOFÍA NAVARRO", "pin": "5173"}
SCENARIOS = {"800x480": "setup_enroll", "1280x800": "setup_offline"}


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveCentral, str]]:
    from central.api.app import create_app
    from central.db import upgrade
    from central.settings import CentralSettings

    folder = tmp_path_factory.mktemp("central")
    url = f"sqlite:///{folder / 'central.sqlite3'}"
    upgrade(url)
    settings = CentralSettings(data_dir=folder / "data", database_url=url,
                               admin_token=ADMIN_TOKEN, folio_block_size=80)
    escuelas, _alumnos = import_demo(settings, folder / "export", students=4)
    cct = escuelas.read_text("utf-8-sig").splitlines()[1].split(",")[0]
    app = create_app(settings, migrate=False)
    with LiveCentral(app) as live:
        yield live, cct
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def runs(kiosk_env: dict[str, str], screens_dir: Path, central: tuple[LiveCentral, str],
         tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    live, cct = central
    base = tmp_path_factory.mktemp("kiosk-setup")
    out: dict[str, dict[str, Any]] = {}
    for size, scenario in SCENARIOS.items():
        data = base / f"station-{size}"
        open_station(data).close()  # a fresh data folder: no school, no user, not enrolled
        config = {"central": live.url, "bad_code": "ABCDEFGHJKMN", "admin": ADMIN,
                  "good_code": enrollment_code(live.url, school_cct=cct)}
        (data / "autopilot.json").write_text(json.dumps(config, ensure_ascii=False), "utf-8")
        shots = screens_dir / size
        shots.mkdir(parents=True, exist_ok=True)
        out[size] = {"data": data, "config": config,
                     "launched": launch_autopilot(data, size, shots, scenario, kiosk_env)}
    for run in out.values():
        run["report"] = collect(*run.pop("launched"), timeout_s=150)
    return out


@pytest.fixture(params=list(SCENARIOS))
def run(request: pytest.FixtureRequest, runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return runs[request.param]


def _station_state(data: Path) -> dict[str, Any]:
    station = open_station(data)
    try:
        with station.db.read() as conn:
            state = {key: sync_state.get_state(conn, key) for key in ("station_id", "central_url")}
            state["events"] = [r[0] for r in conn.execute("SELECT kind FROM events ORDER BY seq")]
        state["users"] = accounts.list_users(station)
        state["settings_id"] = station.settings["station.id"]
    finally:
        station.close()
    return state


def test_setup_by_touch_enrolls_and_creates_the_first_admin(run: dict[str, Any]) -> None:
    report = run["report"]
    assert report["ok"], f"{report['failures']}\n{report['steps'][-8:]}\n{report['stderr_tail']}"
    data = report["data"]
    assert "todavía no tiene usuarios" in data["offer"] and "station users" not in data["offer"]
    state = _station_state(run["data"])
    # Enrolled through the same service as `station enroll`: identity, central, trust.
    assert state["station_id"] and state["station_id"] == data["enrolled"]["station_id"]
    assert state["central_url"] == run["config"]["central"]
    assert state["settings_id"] == state["station_id"]
    assert "station_enrolled" in state["events"]
    assert state["station_id"] in data["enrolled"]["message"]
    # The first admin exists, is the only user, and signed in with the PIN typed twice.
    [admin] = state["users"]
    assert (admin.name, admin.role, admin.active) == (ADMIN["name"], "admin", True)
    assert data["signed_in"] == {"name": ADMIN["name"], "role": "admin"}
    assert data["offered_after"] is False


def test_a_wrong_code_says_why_and_writes_nothing(runs: dict[str, dict[str, Any]]) -> None:
    data = runs["800x480"]["report"]["data"]
    assert "no existe" in data["bad_code"]["message"]
    assert "después desde Ajustes > Sincronización" in data["bad_code"]["message"]
    assert data["bad_code"]["enrolled"] is None
    assert data["url_kept"] == runs["800x480"]["config"]["central"].upper()


def test_offline_first_then_enrolled_from_the_sync_screen(runs: dict[str, dict[str, Any]]
                                                          ) -> None:
    data = runs["1280x800"]["report"]["data"]
    assert data["offline_enrolled"] is None
    assert data["sync_notice"].startswith("Conectada a http://127.0.0.1:")


def test_setup_screens_without_overflow_or_small_targets(run: dict[str, Any]) -> None:
    report = run["report"]
    names = ["60-configurar-estacion", "60-inscribir-estacion", "62-primer-administrador",
             "62-pin-del-administrador"]
    if "bad_code" in report["data"]:
        names += ["61-direccion-central", "61-codigo-equivocado", "61-estacion-inscrita"]
    else:
        names += ["63-sincronizacion-inscribir", "64-direccion-central", "64-estacion-inscrita"]
    for name in names:
        assert name in report["shots"], name
        assert Path(report["shots"][name]["path"]).stat().st_size > 10_000
    assert report["overflow"] == [] and report["small_targets"] == []


def test_only_the_first_admin_is_created_without_a_signed_in_admin(tmp_path: Path) -> None:
    station = open_station(tmp_path / "station")
    try:
        with pytest.raises(InputError):
            accounts.add_first_admin(station, "ANA", "1234")  # a run: the PIN rules apply
        assert accounts.needs_setup(station)
        first = accounts.add_first_admin(station, "ANA RAMÍREZ", "4826")
        assert first.role == "admin" and not accounts.needs_setup(station)
        with station.db.read() as conn:
            before = conn.execute("SELECT count(*) FROM kiosk_users").fetchone()[0]
        with pytest.raises(accounts.SetupDone) as refused:
            accounts.add_first_admin(station, "OTRO ADMIN", "7391")
        assert "ya tiene usuarios" in refused.value.message
        with station.db.read() as conn:
            assert conn.execute("SELECT count(*) FROM kiosk_users").fetchone()[0] == before == 1
    finally:
        station.close()


def test_two_taps_at_once_create_one_first_admin(tmp_path: Path) -> None:
    """Two stations objects on the same data folder (two writers), started together."""
    open_station(tmp_path / "s").close()
    stations = [open_station(tmp_path / "s") for _ in range(2)]
    results: list[object] = []
    gate = threading.Barrier(2)

    def tap(index: int) -> None:
        gate.wait()
        try:
            results.append(accounts.add_first_admin(stations[index], f"ADMIN {index}", "4826"))
        except accounts.SetupDone as exc:
            results.append(exc)

    threads = [threading.Thread(target=tap, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    try:
        assert len(accounts.list_users(stations[0])) == 1
    finally:
        for station in stations:
            station.close()
    assert sorted(type(r).__name__ for r in results) == ["SetupDone", "UserRecord"]
