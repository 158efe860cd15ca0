"""The appliance's systemd units run commands the `station` CLI really has."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

import click
import pytest

from station.cli import main

UNITS = sorted((Path(__file__).resolve().parents[1] / "systemd").glob("*.service"))


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_unit_runs_an_existing_station_command_as_the_station_user(unit: Path) -> None:
    parser = _unit(unit)
    service = parser["Service"]
    assert service["User"] == "station"
    # configparser keeps only the last of repeated keys; systemd keeps them all.
    environment = [line.split("=", 1)[1].strip() for line in unit.read_text("utf-8").splitlines()
                   if line.startswith("Environment=")]
    assert "STATION_DATA=/var/lib/station" in environment
    argv = shlex.split(service["ExecStart"])
    assert argv[0].endswith("/station")
    command: click.Command = main
    for word in argv[1:]:
        if word.startswith("-"):
            break
        assert isinstance(command, click.Group), f"{unit.name}: {word} is not a subcommand"
        ctx = click.Context(command)
        sub = command.get_command(ctx, word)
        assert sub is not None, f"{unit.name}: `station {' '.join(argv[1:])}` does not exist"
        command = sub


def test_sync_timer_points_at_its_service() -> None:
    timer = _unit(UNITS[0].parent / "station-sync.timer")
    assert "OnUnitActiveSec" in timer["Timer"]
    assert (UNITS[0].parent / "station-sync.service").exists()
