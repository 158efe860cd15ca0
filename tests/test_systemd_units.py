"""The appliance's systemd units run commands the `station` CLI really has, through the
release slot ``/opt/station/current``, and ``systemd-analyze verify`` finds nothing to say."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
from pathlib import Path

import click
import pytest

from station.cli import main

SYSTEMD = Path(__file__).resolve().parents[1] / "systemd"
UNITS = sorted(SYSTEMD.glob("*.service"))
CURRENT = "/opt/station/current/venv/bin/station"
ROOT_UNITS = {"station-update.service"}
"""Units that must run as root (the updater writes /opt/station and restarts the kiosk)."""


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser


def _lines(unit: Path, key: str) -> list[str]:
    """Every value of a key (configparser keeps only the last; systemd keeps them all)."""
    return [line.split("=", 1)[1].strip() for line in unit.read_text("utf-8").splitlines()
            if line.startswith(f"{key}=")]


def _station_command(unit: Path, command_line: str) -> None:
    argv = shlex.split(command_line.lstrip("-"))
    assert argv[0] == CURRENT, f"{unit.name}: {argv[0]} is not run from the release slot"
    command: click.Command = main
    params = []
    for word in argv[1:]:
        if word.startswith("-"):
            params.append(word)
            continue
        if not isinstance(command, click.Group):
            continue  # an option's value
        sub = command.get_command(click.Context(command), word)
        assert sub is not None, f"{unit.name}: `station {' '.join(argv[1:])}` does not exist"
        command = sub
    known = {o for p in command.params for o in getattr(p, "opts", [])}
    unknown = [p for p in params if p not in known]
    assert unknown == [], f"{unit.name}: unknown options {unknown} of `{command.name}`"


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_unit_runs_existing_station_commands_from_the_current_slot(unit: Path) -> None:
    service = _unit(unit)["Service"]
    assert service["User"] == ("root" if unit.name in ROOT_UNITS else "station")
    assert "STATION_DATA=/var/lib/station" in _lines(unit, "Environment")
    for line in _lines(unit, "ExecStart") + _lines(unit, "ExecStartPost"):
        _station_command(unit, line)
    assert service.get("NoNewPrivileges") == "yes"
    assert service.get("ProtectSystem") in ("full", "strict")


def test_kiosk_keeps_its_devices_and_confirms_health() -> None:
    kiosk = _unit(SYSTEMD / "station-kiosk.service")
    service = kiosk["Service"]
    # Display, camera and touch are devices: PrivateDevices would blank the kiosk.
    assert service.get("PrivateDevices", "no") == "no"
    assert {"video", "input", "render"} <= set(service["SupplementaryGroups"].split())
    assert any("confirm-health" in line and "--pid ${MAINPID}" in line
               for line in _lines(SYSTEMD / "station-kiosk.service", "ExecStartPost"))
    assert "StartLimitBurst" in kiosk["Unit"]


def test_timers_point_at_their_services_and_spread_the_fleet() -> None:
    sync = _unit(SYSTEMD / "station-sync.timer")["Timer"]
    assert "OnUnitActiveSec" in sync
    update = _unit(SYSTEMD / "station-update.timer")["Timer"]
    assert update["OnCalendar"].endswith("22:15:00")
    hours = int(update["RandomizedDelaySec"].removesuffix("h"))
    assert 1 <= hours <= 6  # 22:15 + at most 6 h stays inside the default window 22:00-05:00
    assert "OnBootSec" in update  # a switch cut by a power failure is settled after boot
    for timer in SYSTEMD.glob("*.timer"):
        assert timer.with_suffix(".service").exists(), timer.name
    sync_posts = _lines(SYSTEMD / "station-sync.service", "ExecStartPost")
    assert any("update check --download" in line for line in sync_posts)


def test_systemd_analyze_verify(tmp_path: Path) -> None:
    """Real systemd parsing, in a private root with the slot's program in place."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None or not Path("/usr/lib/systemd/system/sysinit.target").exists():
        pytest.skip("systemd-analyze is not installed here: the parse checks above still ran")
    (tmp_path / "etc/systemd/system").mkdir(parents=True)
    shutil.copytree("/usr/lib/systemd/system", tmp_path / "usr/lib/systemd/system",
                    symlinks=True)
    program = tmp_path / CURRENT.lstrip("/")
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    names = [p.name for p in sorted(SYSTEMD.iterdir())]
    for name in names:
        shutil.copy(SYSTEMD / name, tmp_path / "etc/systemd/system" / name)
    done = subprocess.run([analyze, "verify", f"--root={tmp_path}", *names],
                          capture_output=True, text=True, timeout=60)
    said = [line for line in (done.stdout + done.stderr).splitlines() if "station-" in line]
    assert done.returncode == 0 and said == [], "\n".join(said)
