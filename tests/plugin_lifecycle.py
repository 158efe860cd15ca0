"""Helpers and fixtures for the card-lifecycle tests (issue 3): the CLI, settings, snapshots.

Registered from conftest.py with ``pytest_plugins``; the helpers are imported directly
(``from plugin_lifecycle import cli, ...``).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from station.cli import main

TODAY = date.today()


def cli(data: Path, *args: str, ok: bool = True) -> Result:
    """Run ``station --data DATA ARGS`` in-process; ``ok`` asserts exit status 0."""
    result = CliRunner().invoke(main, ["--data", str(data), *args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def cli_json(data: Path, *args: str) -> Any:
    return json.loads(cli(data, *args, "--json").output)


def refused(data: Path, *args: str) -> str:
    """Run a command that must be refused: exit 1, words and no traceback; returns the text."""
    result = cli(data, *args, ok=False)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.output.startswith("Error: "), result.output
    return result.output


def day(offset: int = 0) -> str:
    """A date as the operator types it (DD/MM/AAAA), ``offset`` days from today."""
    return f"{TODAY + timedelta(days=offset):%d/%m/%Y}"


def write_settings(data: Path, **values: str | int) -> None:
    """Write station.toml with ``section__name=value`` keys (e.g. station__kind='drse')."""
    lines: dict[str, list[str]] = {}
    for key, value in values.items():
        section, name = key.split("__")
        lines.setdefault(section, []).append(f"{name} = {json.dumps(value, ensure_ascii=False)}")
    text = "".join(f"[{s}]\n" + "\n".join(v) + "\n\n" for s, v in lines.items())
    (data / "station.toml").write_text(text, "utf-8")


def ledger_snapshot(data: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: a refused action must leave this unchanged."""
    conn = sqlite3.connect(f"{(data / 'ledger.sqlite3').as_uri()}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {t: sorted(map(tuple, conn.execute(f"SELECT * FROM {t}")), key=repr)
                for t in tables}
    finally:
        conn.close()


def pdf_text(pdf: Path) -> str:
    """The text as laid out on the page (table rows stay on one line)."""
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def pdf_words(pdf: Path) -> str:
    """The text in reading order with single spaces (a phrase wrapped in a cell matches)."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return " ".join(text.split())


def pdf_pngs(pdf: Path, out_dir: Path, dpi: int = 300) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(out_dir / "p")],
                   check=True)
    return sorted(out_dir.glob("p*.png"))


@pytest.fixture
def station_data(prepared_station: Any) -> Iterator[tuple[Path, str, list[str]]]:
    """The prepared demo station, closed so the CLI opens it: (data folder, CCT, CURPs)."""
    station, cct, curps = prepared_station
    station.close()
    yield station.data_dir, cct, curps


DRSE = "ALTOS SUR (TEPATITLÁN)"
"""The DRSE of the demo's small primaria 14EPR9902E (143 students: printed by its DRSE)."""


@pytest.fixture
def drse_station(station_data: tuple[Path, str, list[str]]) -> tuple[Path, str, list[str]]:
    """The demo station configured as the DRSE of 14EPR9902E, every student with a photo.

    Returns (data folder, CCT of the small primaria, its students' CURPs).
    """
    from station.context import open_station
    from station.services.demo_data import make_placeholder_portrait
    from station.store import ledger

    data, _cct, _curps = station_data
    write_settings(data, station__kind="drse", station__drse="Altos Sur (Tepatitlán)",
                   station__id="DRSE-ALTOS-SUR")
    station = open_station(data)
    try:
        with station.db.read() as conn:
            students = ledger.pending_students(conn, "14EPR9902E")
        for s in students:
            photo = station.photos.add(make_placeholder_portrait(s.full_name, s.curp), ext="jpg")
            with station.db.write() as conn:
                ledger.set_photo(conn, s.curp, photo)
    finally:
        station.close()
    return data, "14EPR9902E", [s.curp for s in students]
