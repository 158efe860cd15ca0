"""Fixtures: a station data folder with the demo school imported and photos in place."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from station.context import Station, open_station
from station.services.demo_data import make_placeholder_portrait, write_demo_export
from station.services.roster_import import import_roster
from station.store import ledger


def prepare_station(
    data_dir: Path, *, students: int = 30, seed: int = 2026
) -> tuple[str, list[str]]:
    """Import a synthetic school into ``data_dir`` and give everyone a portrait.

    Returns the school's CCT and the students' CURPs.
    """
    station = open_station(data_dir)
    try:
        escuelas, alumnos = write_demo_export(data_dir / "export", students=students, seed=seed)
        result = import_roster(station, escuelas, alumnos)
        assert result.imported and not result.problems, result.describe()
        with station.db.read() as conn:
            cct = ledger.list_schools(conn)[0].cct
            pending = ledger.pending_students(conn, cct)
        for student in pending:
            photo = station.photos.add(make_placeholder_portrait(student.full_name, student.curp),
                                       ext="jpg")
            with station.db.write() as conn:
                ledger.set_photo(conn, student.curp, photo)
        return cct, [s.curp for s in pending]
    finally:
        station.close()


@pytest.fixture(scope="session")
def prepared_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[str]]:
    folder = tmp_path_factory.mktemp("prepared") / "station"
    cct, curps = prepare_station(folder)
    return folder, cct, curps


@pytest.fixture
def prepared_station(
    prepared_template: tuple[Path, str, list[str]], tmp_path: Path
) -> Iterator[tuple[Station, str, list[str]]]:
    """A fresh copy of the prepared station (20 students with photos), opened."""
    template, cct, curps = prepared_template
    folder = tmp_path / "station"
    shutil.copytree(template, folder)
    station = open_station(folder)
    yield station, cct, curps
    station.close()
