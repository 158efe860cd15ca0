"""Fleet health: what a station sends with its sync (disk, under-voltage/throttling, printer,
camera, version, update state) and how central's «Estaciones» page shows it, with a warning
state. Real station data folder, real central (TestClient over a migrated SQLite file),
signed requests with a real station key; the Raspberry Pi firmware's throttling file is a
real file at a temporary path (this machine is not a Pi).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from plugin_central import enroll_key, signed
from test_central_web import accounts, signed_in  # noqa: F401  (fixture and helper)

from central.settings import CentralSettings
from foundation.credential.keys import StationKey
from station.services import fleet_health

sqlite_only = pytest.mark.parametrize("central_db_url", ["sqlite"], indirect=True)


def test_throttling_from_sysfs_and_camera_from_sysfs(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    firmware = tmp_path / "get_throttled"
    firmware.write_text("50005\n")
    monkeypatch.setattr(fleet_health, "FIRMWARE_THROTTLED", firmware)
    monkeypatch.setattr(fleet_health.shutil, "which", lambda _name: None)  # no vcgencmd
    found = fleet_health.read_throttled()
    assert found["source"] == "sysfs" and found["value"] == 0x50005
    assert "bajo voltaje ahora" in found["warnings"]
    firmware.write_text("0\n")
    assert fleet_health.read_throttled()["warnings"] == []
    firmware.unlink()
    hwmon = tmp_path / "hwmon" / "hwmon3"
    hwmon.mkdir(parents=True)
    (hwmon / "name").write_text("rpi_volt\n")
    (hwmon / "in0_lcrit_alarm").write_text("1\n")
    monkeypatch.setattr(fleet_health, "HWMON", tmp_path / "hwmon")
    assert fleet_health.read_throttled() == {"source": "hwmon", "value": 1,
                                             "warnings": ["bajo voltaje ahora"]}
    v4l = tmp_path / "video4linux"
    v4l.mkdir()
    assert not fleet_health.camera_present("auto", sysfs=v4l)
    (v4l / "video0").mkdir()
    assert fleet_health.camera_present("auto", sysfs=v4l)
    assert fleet_health.camera_present("/dev/video0", sysfs=v4l)
    assert not fleet_health.camera_present("2", sysfs=v4l)


def test_station_gathers_its_health(prepared_station: tuple[Any, str, list[str]]) -> None:
    station, _, _ = prepared_station
    body = fleet_health.gather(station, printer=lambda _s: {"ok": False,
                                                           "message": "sin papel"})
    assert body["version"] and body["disk_free_mb"] > 0
    assert body["printer_ok"] is False and "impresora: sin papel" in body["warnings"]
    assert body["update_state"] == "sin actualizaciones"
    # The real printer check: no queue configured is said in words.
    real = fleet_health.gather(station)
    assert real["printer_message"] == "no hay impresora configurada"


def test_real_printer_reachable_then_paused(prepared_station: tuple[Any, str, list[str]],
                                            virtual_printer: Any) -> None:
    station, _, _ = prepared_station
    station.settings = {**station.settings, "printer.queue": virtual_printer.queue,
                        "printer.cups_server": virtual_printer.cups_server}
    assert fleet_health.gather(station)["printer_ok"] is True
    virtual_printer.pause_queue()
    try:
        body = fleet_health.gather(station)
    finally:
        virtual_printer.resume_queue()
    assert body["printer_ok"] is False and "en pausa" in body["printer_message"]


def _health(**changes: Any) -> dict[str, Any]:
    body = {"version": "0.2.0", "disk_free_mb": 20_000, "disk_total_mb": 30_000,
            "throttled": {"source": "sysfs", "value": 0, "warnings": []},
            "printer_ok": True, "printer_message": "Lista", "camera_present": True,
            "update_state": "installed", "update_version": "0.2.0", "warnings": []}
    return body | changes


@sqlite_only
def test_central_keeps_the_last_report_and_the_page_warns(
        api: Any, accounts: None, central_settings: CentralSettings,  # noqa: F811
        tmp_path: Path) -> None:
    good, weak, silent = (StationKey.generate(tmp_path / f"{n}.key") for n in "abc")
    ids = [enroll_key(api, k, block=False)["station_id"] for k in (good, weak, silent)]
    assert signed(api, good, "POST", "/api/v1/sync/health", body=_health()).status_code == 200
    answer = signed(api, weak, "POST", "/api/v1/sync/health", body=_health(
        disk_free_mb=300, update_state="rolled_back", camera_present=False,
        throttled={"source": "vcgencmd", "value": 0x50005,
                   "warnings": ["bajo voltaje ahora"]}))
    assert answer.status_code == 200, answer.text
    # Unsigned, or nonsense: refused, nothing kept.
    assert api.post("/api/v1/sync/health", json=_health()).status_code == 401
    bad = signed(api, silent, "POST", "/api/v1/sync/health", body=_health(disk_free_mb=-1))
    assert bad.status_code == 422
    signed_in(api, "ana")
    page = api.get("/staff/estaciones").text
    rows = {sid: page[page.index(sid):][:2500] for sid in ids}
    assert 'data-salud="bien"' in rows[ids[0]] and "versión 0.2.0" in rows[ids[0]]
    weak_row = rows[ids[1]]
    assert 'data-salud="aviso"' in weak_row and "Atención" in weak_row
    for words in ("poco espacio en disco (300 MB libres)", "bajo voltaje ahora",
                  "no se encontró la cámara", "se regresó a la versión anterior"):
        assert words in weak_row
    assert "sin reporte de salud todavía" in rows[ids[2]]
