"""The data folder named once, STATION_DATA read once, one writer of station.toml."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from foundation.errors import InputError
from station.store.data_folder import DataFolder
from station.store.settings_file import change_settings, load_settings


def test_the_folder_named_wins_then_station_data_then_the_default(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATION_DATA", str(tmp_path / "env"))
    assert DataFolder.resolve(tmp_path / "given").root == tmp_path / "given"
    assert DataFolder.resolve(None).root == tmp_path / "env"
    monkeypatch.delenv("STATION_DATA")
    assert DataFolder.resolve(None, default=tmp_path / "demo").root == tmp_path / "demo"


def test_settings_file_keeps_unknown_keys_resets_and_refuses_bad_values(tmp_path: Path) -> None:
    path = DataFolder(tmp_path).settings_file
    path.write_text('[futuro]\nclave = 1\n[fees]\nreplacement_mxn = 30\n', "utf-8")
    settings = change_settings(path, {"printer.queue": 'Cola "A"'}, source="prueba",
                               reset=["fees.replacement_mxn"])
    assert settings["printer.queue"] == 'Cola "A"' and settings["fees.replacement_mxn"] == 28
    doc = tomllib.loads(path.read_text("utf-8"))
    assert doc == {"futuro": {"clave": 1}, "printer": {"queue": 'Cola "A"'}}
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    before = path.read_bytes()
    with pytest.raises(InputError, match="no existe"):
        change_settings(path, {"printer.colour": "sí"}, source="prueba")
    assert path.read_bytes() == before
    assert load_settings(path)["printer.queue"] == 'Cola "A"'
