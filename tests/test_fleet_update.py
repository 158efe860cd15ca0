"""Fleet updates end to end: real wheels of this project, real signed bundles, real central
(uvicorn on loopback, SQLite), real venv slots and the new version's own selftest.

Test bundles hold only the project wheel (see tests/plugin_fleet.py); the first slot
(``releases/0.1.0``) is this checkout's venv, linked in place of an installed release.
Fakes, named as such: the service restart (no systemd here) in the rollback test, which
stands for a kiosk that crashes at start and so never writes its health marker.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from plugin_central import ADMIN_TOKEN, STAFF, LiveCentral, import_demo
from plugin_fleet import SITE, ReleaseKit

from central.cli import main as central_cli
from central.settings import CentralSettings
from foundation.errors import InputError
from foundation.releases.manifest import Manifest, is_newer
from station.cli import main as station_cli
from station.context import open_station
from station.core.releases import (
    Targets,
    cohort,
    in_window,
    parse_window,
    slots_to_remove,
    upgrade_refusal,
)
from station.store.data_folder import DataFolder
from station.store.print_files import print_lock
from station.update.engine import UpdateContext, apply, context_for, update_status
from station.update.install import Installer
from station.update.layout import Layout

# --- pure rules -----------------------------------------------------------------------------

def test_release_rules() -> None:
    assert is_newer("0.10.0", "0.9.9") and not is_newer("1.0", "1.0.0")
    with pytest.raises(InputError):
        is_newer("1.0-beta", "1.0")
    ids = [f"EST-{n:05d}" for n in range(2000)]
    share = sum(cohort(i) < 10 for i in ids) / len(ids)
    assert 0.07 < share < 0.13  # ~10 % of stations for a 10 % rollout
    assert all(cohort(i) == cohort(i) for i in ids[:5])
    t = Targets(10, ("Altos Sur (Tepatitlán)",), ("EST-99999",))
    assert t.includes("EST-99999", None) and t.includes("x", "ALTOS SUR (TEPATITLÁN)")
    assert Targets(0).includes("EST-00001", None) is False
    window = parse_window("22:00-05:00")
    assert [in_window(window, datetime(2026, 1, 1, h).time()) for h in (21, 22, 3, 5)] == \
        [False, True, True, False]
    with pytest.raises(InputError) as bad:
        parse_window("10pm-5am")
    assert "HH:MM-HH:MM" in bad.value.user_message()
    assert slots_to_remove(["0.1.0", "0.2.0", "0.3.0", "0.4.0"], current="0.4.0",
                           previous="0.3.0") == ["0.1.0", "0.2.0"]
    m = Manifest("0.3.0", "0.2.0", "x", "wheels/a.whl", (), ())
    assert upgrade_refusal(m, "0.2.5") is None
    assert "no es más nueva" in (upgrade_refusal(m, "0.4.0") or "")


# --- fixtures -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory,
            release_kit: ReleaseKit) -> Iterator[tuple[LiveCentral, CentralSettings]]:
    from central.api.app import create_app

    folder = tmp_path_factory.mktemp("fleet-central")
    settings = CentralSettings(data_dir=folder / "data", admin_token=ADMIN_TOKEN,
                               database_url=f"sqlite:///{folder / 'central.sqlite3'}")
    app = create_app(settings)
    import_demo(settings, folder / "export")
    release_kit.trust_into(settings.data_dir / "release-keys")
    with LiveCentral(app) as live:
        yield live, settings
    app.state.engine.dispose()


def central_cli_run(settings: CentralSettings, *args: str) -> str:
    env = {"CENTRAL_DATA_DIR": str(settings.data_dir),
           "CENTRAL_DATABASE_URL": settings.database_url}
    out = CliRunner().invoke(central_cli, list(args), env=env)
    assert out.exit_code == 0, out.output
    return out.output


def enrolled_station(folder: Path, live: LiveCentral, *, window: str = "") -> Path:
    from station.sync.enroll import enroll

    data = folder / "data"
    data.mkdir(parents=True)
    (data / "station.toml").write_text(
        f'[update]\nchannel = "stable"\nwindow = "{window}"\nhealth_timeout_s = 60.0\n')
    code = requests.post(f"{live.url}/api/v1/admin/enrollment-codes", headers=STAFF, json={
        "kind": "escuela", "school_cct": "14DPR9901D", "drse": None,
        "station_name": "Pruebas de versiones", "staff": "Ana"}, timeout=10).json()["code"]
    station = open_station(data)
    try:
        enroll(station, central_url=live.url, code=code)
    finally:
        station.close()
    return data


def first_slot(root: Path) -> Layout:
    """releases/0.1.0 = this checkout's venv (its ``station`` is version 0.1.0)."""
    layout = Layout(root, Path("/nonexistent"))
    bin_dir = layout.slot("0.1.0") / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "station").symlink_to(Path(sys.executable).parent / "station")
    (layout.slot("0.1.0") / ".complete").write_text("0.1.0")
    layout.point(layout.current, "0.1.0")
    return layout


def ctx_for(data: Path, root: Path, **options: Any) -> UpdateContext:
    return context_for(data, root=root, installer=Installer(inherit_site=SITE), **options)


def releases_json(live: LiveCentral) -> dict[str, Any]:
    return requests.get(f"{live.url}/api/v1/admin/releases", headers=STAFF,
                        timeout=10).json()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


# --- end to end -----------------------------------------------------------------------------

def test_publish_rollout_download_resume_install(
        tmp_path: Path, central: tuple[LiveCentral, CentralSettings], release_kit: ReleaseKit,
        cutting_proxy: Any) -> None:
    live, settings = central
    # Central refuses a bundle signed with a key it does not trust, and a forged manifest.
    stranger = release_kit.bundle("0.2.0", tmp_path / "stranger.tar", key=release_kit.stranger)
    env = {"CENTRAL_DATA_DIR": str(settings.data_dir),
           "CENTRAL_DATABASE_URL": settings.database_url}
    refused = CliRunner().invoke(central_cli, ["release", "publish", str(stranger)], env=env)
    assert refused.exit_code == 1 and "llave que esta estación no reconoce" in refused.output
    good = release_kit.bundle("0.2.0", tmp_path / "b" / "good.tar")
    out = central_cli_run(settings, "release", "publish", str(good), "--staff", "ingeniero")
    assert "Versión 0.2.0 publicada" in out and "en pausa" in out

    a, b = (enrolled_station(tmp_path / n, live) for n in ("a", "b"))
    a_id = station_id(a)
    root_a, root_b = tmp_path / "opt-a", tmp_path / "opt-b"
    for root in (root_a, root_b):
        first_slot(root)
        release_kit.trust_into(root / "release-keys")
    # Paused at 0 %: nobody is offered anything.
    assert ctx_check(a, root_a) == "up-to-date"
    central_cli_run(settings, "release", "rollout", "0.2.0", "--station", a_id, "--percent", "0")
    # B is neither named nor in a cohort below 0 %: nothing for it (through the CLI).
    out = CliRunner().invoke(station_cli, ["--data", str(b), "update", "check", "--json",
                                           "--root", str(root_b)])
    assert out.exit_code == 0 and json.loads(out.output)["result"] == "up-to-date", out.output
    assert ctx_check(a, root_a) == "offered"

    proxy = cutting_proxy(live.port, (good.stat().st_size * 2) // 5)
    (a / "station.toml").write_text((a / "station.toml").read_text().replace(
        live.url, proxy.url))
    ledger_before = count_events(a)
    outcome = apply(ctx_for(a, root_a))
    assert outcome.result == "installed", outcome.describe()
    assert proxy.cuts == 1 and proxy.ranges[0] is None
    assert proxy.ranges[1] is not None and proxy.ranges[1].startswith("bytes=")
    assert int(proxy.ranges[1][6:-1]) > 0  # resumed where the cut left it
    layout = Layout(root_a, a)
    assert layout.link_version(layout.current) == "0.2.0"
    assert layout.link_version(layout.previous) == "0.1.0"
    assert (layout.health_dir / "0.2.0.ok").exists()
    assert "autoprueba de la nueva versión: bien" in outcome.steps
    assert count_events(a) == ledger_before
    status = CliRunner().invoke(station_cli, ["--data", str(a), "update", "status", "--json",
                                              "--root", str(root_a)])
    info = json.loads(status.output)
    assert info["installed"] == "0.2.0" and info["pending_reports"] == 0
    counts = releases_json(live)["releases"][0]["counts"]
    assert counts == {"offered": 1, "downloaded": 1, "installed": 1, "failed": 0,
                      "rolled_back": 0}
    assert releases_json(live)["installed"]["0.2.0"] == 1
    # The new version's own program answers from the new slot.
    version = os.popen(f"{layout.station_bin('0.2.0')} --version").read()
    assert "0.2.0" in version


def station_id(data: Path) -> str:
    station = open_station(data)
    try:
        return str(station.settings["station.id"])
    finally:
        station.close()


def ctx_check(data: Path, root: Path) -> str:
    from station.update.engine import check

    return check(ctx_for(data, root))[0].result


def count_events(data: Path) -> int:
    conn = sqlite3.connect(f"{(data / 'ledger.sqlite3').as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    finally:
        conn.close()


def test_missing_health_marker_rolls_back_and_reports(
        tmp_path: Path, central: tuple[LiveCentral, CentralSettings],
        release_kit: ReleaseKit) -> None:
    live, settings = central
    data = enrolled_station(tmp_path / "c", live)
    sid = station_id(data)
    central_cli_run(settings, "release", "rollout", "0.2.0", "--station", sid)
    root = tmp_path / "opt"
    first_slot(root)
    release_kit.trust_into(root / "release-keys")
    (data / "station.toml").write_text((data / "station.toml").read_text().replace(
        "health_timeout_s = 60.0", "health_timeout_s = 1.0"))
    restarts: list[str] = []

    def fake_restart(layout: Layout, version: str) -> str:
        """Fake for systemd: the kiosk of ``version`` crashes at start (no health marker)."""
        restarts.append(version)
        return f"(falso) reinicio con {version}"

    outcome = apply(ctx_for(data, root, restart=fake_restart))
    assert outcome.result == "rolled_back", outcome.describe()
    assert "no confirmó su arranque en 1 s" in outcome.reason
    assert restarts == ["0.2.0", "0.1.0"]
    layout = Layout(root, data)
    assert layout.link_version(layout.current) == "0.1.0"
    summary = releases_json(live)["releases"][0]
    assert summary["counts"]["rolled_back"] == 1
    assert any(f["station"] == sid and f["stage"] == "rolled_back"
               for f in summary["failures"])
    # The same release is not tried again; the reason stays in the status.
    again = apply(ctx_for(data, root, restart=fake_restart))
    assert again.result == "refused" and restarts == ["0.2.0", "0.1.0"]
    assert "no confirmó su arranque" in update_status(ctx_for(data, root))["refused"]["0.2.0"]


def test_station_refuses_what_its_image_does_not_trust_and_reports_it(
        tmp_path: Path, central: tuple[LiveCentral, CentralSettings],
        release_kit: ReleaseKit) -> None:
    """Central trusts the release key; this station's image carries another one (a key
    rotation gone wrong): the station refuses right after the download and tells central."""
    from foundation.releases.bundle import public_key_line
    from station.update.engine import check

    live, settings = central
    data = enrolled_station(tmp_path / "e", live)
    sid = station_id(data)
    central_cli_run(settings, "release", "rollout", "0.2.0", "--station", sid)
    root = tmp_path / "opt"
    first_slot(root)
    (root / "release-keys").mkdir()
    (root / "release-keys" / "otra.pub").write_text(public_key_line(
        release_kit.stranger.public_bytes()))
    failed_before = releases_json(live)["releases"][0]["counts"]["failed"]
    outcome, offer = check(ctx_for(data, root), fetch=True)
    assert outcome.result == "refused" and offer is None
    assert "llave que esta estación no reconoce" in outcome.reason
    assert list((data / "updates").glob("*.tar")) == []  # the refused bundle is not kept
    summary = releases_json(live)["releases"][0]
    assert summary["counts"]["failed"] == failed_before + 1
    assert any(f["station"] == sid and "no reconoce" in f["detail"]
               for f in summary["failures"])
    assert Layout(root, data).link_version(root / "current") == "0.1.0"


@pytest.mark.parametrize("marker", [False, True], ids=["no-marker", "marker"])
def test_switch_cut_by_a_power_failure_is_settled_at_the_next_run(
        marker: bool, local_station: tuple[Path, Path]) -> None:
    """State after a power cut right after the switch: current -> 0.2.0, status pending.
    Fake: the restart hook (no systemd here)."""
    import time as clock

    from station.update.layout import read_status, write_status

    data, root = local_station
    layout = Layout(root, data)
    (layout.slot("0.2.0") / "venv").mkdir(parents=True)
    (layout.slot("0.2.0") / ".complete").write_text("0.2.0")
    layout.point(layout.previous, "0.1.0")
    layout.point(layout.current, "0.2.0")
    (data / "station.toml").write_text('[update]\nwindow = ""\nhealth_timeout_s = 0.5\n')
    write_status(layout, {"pending": {"version": "0.2.0", "previous": "0.1.0",
                                      "since": clock.time() - 60}})
    if marker:  # the kiosk of 0.2.0 came up after the reboot
        layout.health_dir.mkdir(parents=True, exist_ok=True)
        (layout.health_dir / "0.2.0.ok").write_text(json.dumps(
            {"version": "0.2.0", "by": "kiosk", "at": clock.time()}))
    outcome = apply(ctx_for(data, root, restart=lambda _l, v: f"(falso) reinicio {v}"))
    assert outcome.result == ("installed" if marker else "rolled_back"), outcome.describe()
    assert layout.link_version(layout.current) == ("0.2.0" if marker else "0.1.0")
    assert "pending" not in read_status(layout)
    assert "corte de luz" in outcome.steps[0]


class _QuietCentral:
    """Fake for central's client, named as such: offers nothing; ``during_offer`` runs while
    the offer request is "on the wire" (what a slow link gives the updater time to do)."""

    def __init__(self, during_offer: Any = None) -> None:
        self.during_offer = during_offer

    def get_answer(self, _model: Any, _path: str, **_query: Any) -> Any:
        if self.during_offer is not None:
            self.during_offer()
        return type("Answer", (), {"release": None})()

    def post_json(self, _path: str, _body: Any) -> None:
        return None


def _pending_switch(data: Path, root: Path) -> Layout:
    """The disk after a power cut right after the switch to 0.2.0, whose kiosk came back up
    and confirmed its start at the next boot (marker newer than the switch)."""
    import time as clock

    from station.update.layout import write_status

    layout = Layout(root, data)
    (layout.slot("0.2.0") / "venv").mkdir(parents=True)
    (layout.slot("0.2.0") / ".complete").write_text("0.2.0")
    layout.point(layout.previous, "0.1.0")
    layout.point(layout.current, "0.2.0")
    write_status(layout, {"pending": {"version": "0.2.0", "previous": "0.1.0",
                                      "since": clock.time() - 60}})
    layout.health_dir.mkdir(parents=True, exist_ok=True)
    (layout.health_dir / "0.2.0.ok").write_text(json.dumps(
        {"version": "0.2.0", "by": "kiosk", "at": clock.time()}))
    return layout


def test_a_sync_check_beside_the_boot_time_update_does_not_bring_back_the_switch(
        local_station: tuple[Path, Path]) -> None:
    """Issue 15's power cuts that never settled: after the reboot the sync unit's
    ``update check --download`` (station user) read status.json, the update unit's run
    (root) settled the pending switch meanwhile, and the check then wrote its stale copy:
    ``pending`` was back and ``last`` said up-to-date, so nothing finished the switch until
    the next boot. Now the check and the updater take turns (updates/update.lock)."""
    from station.update.engine import check
    from station.update.layout import read_status

    data, root = local_station
    layout = _pending_switch(data, root)
    updater_result: list[str] = []
    updater = threading.Thread(target=lambda: updater_result.append(apply(ctx_for(
        data, root, restart=lambda _l, v: f"(falso) reinicio {v}")).result))

    def updater_runs_meanwhile() -> None:
        updater.start()
        updater.join(timeout=3)  # before the fix it finished here, inside the check

    ctx = ctx_for(data, root)
    ctx.client = _QuietCentral(updater_runs_meanwhile)
    outcome, _ = check(ctx, fetch=True)
    updater.join(timeout=60)
    assert updater_result == ["installed"]
    status = read_status(layout)
    assert "pending" not in status, status
    assert status["last"]["result"] == "installed", status["last"]
    assert outcome.result == "up-to-date"
    assert layout.link_version(layout.current) == "0.2.0"


def test_a_sync_check_gives_way_to_a_running_update(local_station: tuple[Path, Path]) -> None:
    """While ``apply`` holds the updater's lock, the sync's check neither waits (the sync
    must not hang behind a long pip) nor writes status.json."""
    from station.update.engine import check
    from station.update.layout import updater_lock

    data, root = local_station
    layout = _pending_switch(data, root)
    before = layout.status_file.read_bytes()
    ctx = ctx_for(data, root)
    ctx.client = _QuietCentral()
    with updater_lock(layout):
        outcome, offer = check(ctx, fetch=True)
    assert outcome.result == "deferred" and offer is None
    assert "programa de actualización está trabajando" in outcome.reason
    assert layout.status_file.read_bytes() == before
    # The lock file opens read-only: the station user can lock a file root created.
    assert (layout.updates / "update.lock").stat().st_mode & 0o777 == 0o644


def test_download_needs_free_space(tmp_path: Path) -> None:
    from station.sync.client import SyncError
    from station.update.download import check_space, needed_space

    check_space(tmp_path, 10 * 2**20, free=lambda _: needed_space(10 * 2**20))
    with pytest.raises(SyncError) as short:
        check_space(tmp_path, 100 * 2**20, free=lambda _: 200 * 2**20)
    assert "se necesitan 464 MiB libres y hay 200 MiB" in short.value.message


# --- refusals: nothing changes --------------------------------------------------------------

@pytest.fixture
def local_station(tmp_path: Path, release_kit: ReleaseKit) -> tuple[Path, Path]:
    """A standalone station (no central) with the first slot, and its releases root."""
    data = tmp_path / "data"
    open_station(data).close()
    (data / "station.toml").write_text('[update]\nchannel = "stable"\nwindow = ""\n')
    root = tmp_path / "opt"
    first_slot(root)
    release_kit.trust_into(root / "release-keys")
    return data, root


def snapshot(data: Path, root: Path) -> tuple[str, list[str], str]:
    layout = Layout(root, data)
    return (str(layout.link_version(layout.current)), layout.slots(),
            file_digest(data / "ledger.sqlite3"))


def test_failed_selftest_is_never_switched_to(local_station: tuple[Path, Path],
                                              release_kit: ReleaseKit, tmp_path: Path) -> None:
    data, root = local_station
    bundle = release_kit.bundle("0.3.0", tmp_path / "b" / "broken.tar")
    before = snapshot(data, root)
    outcome = apply(ctx_for(data, root), bundle=bundle)
    assert outcome.result == "failed", outcome.describe()
    assert "autoprueba de la versión 0.3.0 falló" in outcome.reason
    assert "tabla_que_no_existe" in outcome.reason  # its broken migration, tried on a copy
    assert snapshot(data, root) == before


def test_cli_refuses_an_unknown_signer(local_station: tuple[Path, Path],
                                       release_kit: ReleaseKit, tmp_path: Path) -> None:
    data, root = local_station
    bundle = release_kit.bundle("0.2.0", tmp_path / "s" / "x.tar", key=release_kit.stranger)
    out = CliRunner().invoke(station_cli, ["--data", str(data), "update", "apply", "--bundle",
                                           str(bundle), "--root", str(root), "--json"])
    assert out.exit_code == 1
    answer = json.loads(out.output)
    assert answer["result"] == "refused" and "no reconoce" in answer["reason"]
    text = CliRunner().invoke(station_cli, ["--data", str(data), "update", "status",
                                            "--root", str(root)]).output
    assert "Versión en uso: 0.1.0" in text and "no reconoce" in text


def _forged(release_kit: ReleaseKit, tmp_path: Path) -> Path:
    """Manifest changed after signing (min_upgrade_from lowered)."""
    import io
    import tarfile

    good = release_kit.bundle("0.2.0", tmp_path / "g" / "good.tar")
    forged = tmp_path / "forged.tar"
    with tarfile.open(good) as src, tarfile.open(forged, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "manifest.json":
                data = data.replace(b'"min_upgrade_from":"0.1.0"', b'"min_upgrade_from":"0.0.1"')
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return forged


def _tampered(release_kit: ReleaseKit, tmp_path: Path) -> Path:
    """One byte of the wheel changed; manifest and signature untouched."""
    good = release_kit.bundle("0.2.0", tmp_path / "g" / "good.tar")
    raw = bytearray(good.read_bytes())
    at = raw.rfind(b"PK\x05\x06")  # inside the wheel's zip directory, near the end
    raw[at - 40] ^= 0xFF
    out = tmp_path / "tampered.tar"
    out.write_bytes(bytes(raw))
    return out


CASES = {
    "forged manifest": (_forged, "la firma del manifiesto no corresponde"),
    "tampered wheel": (_tampered, "no coincide con el manifiesto"),
    "unknown signer": (lambda k, t: k.bundle("0.2.0", t / "s" / "x.tar", key=k.stranger),
                       "llave que esta estación no reconoce"),
    "downgrade": (lambda k, t: k.bundle("0.2.0", t / "d" / "x.tar"), "no es más nueva"),
    "too old to upgrade": (lambda k, t: k.bundle("0.2.0", t / "o" / "x.tar",
                                                 min_upgrade_from="0.1.5"),
                           "solo se instala sobre la 0.1.5"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_bundles_change_nothing(case: str, local_station: tuple[Path, Path],
                                        release_kit: ReleaseKit, tmp_path: Path) -> None:
    data, root = local_station
    make, words = CASES[case]
    if case == "downgrade":  # this station already runs 0.3.0 (a slot without a venv)
        (root / "releases" / "0.3.0").mkdir()
        Layout(root, data).point(Layout(root, data).current, "0.3.0")
    bundle = make(release_kit, tmp_path)
    before = snapshot(data, root)
    outcome = apply(ctx_for(data, root), bundle=bundle)
    assert outcome.result == "refused", outcome.describe()
    assert words in outcome.reason
    assert snapshot(data, root) == before
    status = update_status(ctx_for(data, root))
    assert status["last"]["reason"] == outcome.reason


def test_waits_outside_the_window_and_while_printing(local_station: tuple[Path, Path],
                                                    release_kit: ReleaseKit,
                                                    tmp_path: Path) -> None:
    data, root = local_station
    (data / "station.toml").write_text('[update]\nwindow = "22:00-05:00"\n')
    bundle = release_kit.bundle("0.2.0", tmp_path / "w" / "x.tar")
    before = snapshot(data, root)
    noon = apply(ctx_for(data, root, now=lambda: datetime(2026, 9, 1, 12, 0)), bundle=bundle)
    assert noon.result == "deferred"
    assert "fuera del horario de mantenimiento (22:00-05:00)" in noon.reason
    night = datetime(2026, 9, 1, 23, 0)
    with print_lock(DataFolder(data)):
        locked = apply(ctx_for(data, root, now=lambda: night), bundle=bundle)
    assert locked.result == "deferred" and "se está imprimiendo" in locked.reason
    station = open_station(data)
    with station.db.write() as conn:  # a sheet sent to the printer 10 minutes ago
        sent = (night - timedelta(minutes=10)).astimezone().isoformat()
        conn.execute("INSERT INTO sheets (cct, created_at, state, pdf_name, template) "
                     "VALUES ('14DPR9901D', ?, 'sent', 'x.pdf', 'jalisco-basica/v1')", (sent,))
    station.close()
    before = snapshot(data, root)
    busy = apply(ctx_for(data, root, now=lambda: night), bundle=bundle)
    assert busy.result == "deferred" and "1 planilla enviada a la impresora" in busy.reason
    assert snapshot(data, root) == before


def test_selftest_checks_a_copy_and_changes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    open_station(data).close()
    before = file_digest(data / "ledger.sqlite3")
    out = CliRunner().invoke(station_cli, ["--data", str(data), "selftest", "--json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert [c["check"] for c in result["checks"]] == ["ajustes", "llave", "registro"]
    assert file_digest(data / "ledger.sqlite3") == before
    (data / "station.toml").write_text('[printer]\njob_timeout_s = "mucho"\n')
    bad = CliRunner().invoke(station_cli, ["--data", str(data), "selftest", "--json"])
    assert bad.exit_code == 1 and "debe ser un número" in bad.output


# --- the staff page -------------------------------------------------------------------------

PASSWORD = "contraseña-de-pruebas-1"


def _web_session(live: LiveCentral, settings: CentralSettings, username: str,
                 *role: str) -> tuple[requests.Session, str]:
    env = {"CENTRAL_DATA_DIR": str(settings.data_dir),
           "CENTRAL_DATABASE_URL": settings.database_url}
    out = CliRunner().invoke(central_cli, ["staff", "add", username, *role, "--password-stdin"],
                             input=PASSWORD + "\n", env=env)
    assert out.exit_code == 0, out.output
    web = requests.Session()
    form = web.get(f"{live.url}/staff/ingresar", timeout=10).text
    token = re.search(r'name="csrf" value="([0-9a-f]{64})"', form)
    assert token
    signed_in = web.post(f"{live.url}/staff/ingresar", data={
        "csrf": token.group(1), "usuario": username, "contrasena": PASSWORD}, timeout=10)
    assert signed_in.status_code == 200, signed_in.text
    page = web.get(f"{live.url}/staff/versiones", timeout=10)
    token = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
    return web, token.group(1) if token else ""


def test_staff_page_shows_the_rollout_and_pauses_with_csrf(
        central: tuple[LiveCentral, CentralSettings], release_kit: ReleaseKit,
        tmp_path: Path) -> None:
    live, settings = central
    if not releases_json(live)["releases"]:
        central_cli_run(settings, "release", "publish",
                        str(release_kit.bundle("0.2.0", tmp_path / "p" / "x.tar")))
    central_cli_run(settings, "release", "resume", "0.2.0")
    web, csrf = _web_session(live, settings, "ana", "--role", "estatal")
    page = web.get(f"{live.url}/staff/versiones", timeout=10)
    assert page.status_code == 200 and "Versiones del programa" in page.text
    counts = releases_json(live)["releases"][0]["counts"]
    row = page.text[page.text.index("<td>0.2.0<br>"):]
    cells = re.findall(r"<td>(\d+)</td>", row)[:5]
    assert [int(c) for c in cells] == [counts[k] for k in ("offered", "downloaded",
                                                            "installed", "failed",
                                                            "rolled_back")]
    forged = web.post(f"{live.url}/staff/versiones/0.2.0/pausar", data={"csrf": "0" * 64},
                      timeout=10)
    assert forged.status_code == 403
    assert releases_json(live)["releases"][0]["state"] == "active"
    paused = web.post(f"{live.url}/staff/versiones/0.2.0/pausar", data={"csrf": csrf},
                      timeout=10)
    assert paused.status_code == 200 and "Versión 0.2.0 pausada." in paused.text
    assert releases_json(live)["releases"][0]["state"] == "paused"
    drse, _ = _web_session(live, settings, "beto", "--role", "drse", "--region",
                           "ALTOS SUR (TEPATITLÁN)")
    refused = drse.get(f"{live.url}/staff/versiones", timeout=10)
    assert refused.status_code == 403 and "Sólo el personal estatal" in refused.text


# --- central's release API on SQLite and PostgreSQL -----------------------------------------

def test_release_api_on_both_databases(api: Any, central_settings: CentralSettings,
                                       release_kit: ReleaseKit, tmp_path: Path) -> None:
    from plugin_central import enroll_key, signed

    from foundation.credential.keys import StationKey

    import_demo(central_settings, tmp_path / "export")
    key = StationKey.generate(tmp_path / "k" / "station.key")
    enroll_key(api, key)
    # The release engineer's steps, by the CLI: key, wheelhouse, signed bundle; the server
    # trusts the public half.
    made = central_cli_run(central_settings, "release", "keygen", str(tmp_path / "rk" / "v.key"))
    assert "guárdela fuera del servidor" in made
    house = tmp_path / "wheelhouse"
    house.mkdir()
    shutil.copy(release_kit.wheels["0.2.0"], house)
    bundle = tmp_path / "credenciales-0.2.0.tar"
    signed_out = central_cli_run(central_settings, "release", "sign", str(house), "--key",
                                 str(tmp_path / "rk" / "v.key"), "--min-upgrade-from", "0.1.0",
                                 "--out", str(bundle), "--json")
    manifest = json.loads(signed_out)
    assert manifest["version"] == "0.2.0" and "0004_kiosk_users" in manifest["ledger_migrations"]
    central_cli_run(central_settings, "release", "trust-key", str(tmp_path / "rk" / "v.key.pub"))
    central_cli_run(central_settings, "release", "publish", str(bundle))
    assert "0.2.0\tstable\ten pausa\t0 %" in central_cli_run(central_settings, "release",
                                                                "list")
    offer = "/api/v1/sync/releases/offer"
    assert signed(api, key, "GET", offer, params={"version": "0.1.0"}).json() == {
        "release": None}  # published paused at 0 %
    central_cli_run(central_settings, "release", "rollout", "0.2.0", "--drse", "ALTOS SUR")
    assert signed(api, key, "GET", offer, params={"version": "0.1.0"}).json() == {
        "release": None}  # another DRSE first
    central_cli_run(central_settings, "release", "rollout", "0.2.0", "--drse",
                    "centro 2 zapopan")  # the station's school's DRSE, any case
    got = signed(api, key, "GET", offer, params={"version": "0.1.0"}).json()["release"]
    assert got["version"] == "0.2.0" and got["size"] == bundle.stat().st_size
    assert signed(api, key, "GET", offer, params={"version": "0.2.0"}).json() == {
        "release": None}  # nothing newer than what it runs
    part = signed(api, key, "GET", got["url"], headers={"Range": "bytes=1000-"})
    assert part.status_code == 206 and part.content == bundle.read_bytes()[1000:]
    answer = signed(api, key, "POST", "/api/v1/sync/releases/report", body={
        "version": "0.2.0", "stage": "installed", "detail": "bien", "installed": "0.2.0"})
    assert answer.status_code == 200, answer.text
    listed = api.get("/api/v1/admin/releases", headers=STAFF).json()
    assert listed["releases"][0]["counts"]["installed"] == 1
    assert listed["installed"] == {"0.2.0": 1}
    central_cli_run(central_settings, "release", "halt", "0.2.0")
    assert signed(api, key, "GET", got["url"]).status_code == 410
    again = CliRunner().invoke(central_cli, ["release", "resume", "0.2.0"], env={
        "CENTRAL_DATA_DIR": str(central_settings.data_dir),
        "CENTRAL_DATABASE_URL": central_settings.database_url})
    assert again.exit_code == 1 and "fue detenida" in again.output


def test_confirm_health_writes_the_marker_only_when_the_service_stays_up(
        tmp_path: Path) -> None:
    import subprocess

    data = tmp_path / "data"
    open_station(data).close()
    gone = subprocess.Popen(["true"])
    gone.wait()
    dead = CliRunner().invoke(station_cli, ["--data", str(data), "update", "confirm-health",
                                            "--by", "kiosk", "--pid", str(gone.pid),
                                            "--settle", "2", "--json"])
    assert dead.exit_code == 1 and "terminó antes de 2 s" in dead.output
    assert not (data / "updates" / "health" / "0.1.0.ok").exists()
    alive = CliRunner().invoke(station_cli, ["--data", str(data), "update", "confirm-health",
                                             "--by", "kiosk", "--pid", str(os.getpid()),
                                             "--settle", "0.6", "--json"])
    assert alive.exit_code == 0, alive.output
    marker = json.loads((data / "updates" / "health" / "0.1.0.ok").read_text())
    assert marker["version"] == "0.1.0" and marker["by"] == "kiosk"


def test_a_print_and_a_version_switch_never_overlap(tmp_path: Path) -> None:
    from station.store.print_files import no_printing

    folder = DataFolder(tmp_path)
    with print_lock(folder), no_printing(folder) as free:
        assert free is False  # a print is running: the switch waits for another night
    started = threading.Event()

    def print_job() -> None:
        with print_lock(folder):
            started.set()

    with no_printing(folder) as free:
        assert free is True
        job = threading.Thread(target=print_job)
        job.start()
        assert not started.wait(0.3)  # the print waits for the switch to finish
    assert started.wait(5)
    job.join(5)
    assert (tmp_path / "printing.lock").stat().st_mode & 0o777 == 0o600
