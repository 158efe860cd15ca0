"""Settings table ↔ docs, and the ledger's SQLite settings and migrations."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from foundation.errors import InputError
from station.core import settings
from station.store.db import PRAGMAS, Database

ROOT = Path(__file__).resolve().parents[1]


def test_settings_doc_is_generated_from_the_table() -> None:
    assert (ROOT / "docs/settings.md").read_text("utf-8") == settings.markdown(), (
        "docs/settings.md is stale: run `python -m station.core.settings > docs/settings.md`")


def test_settings_refuse_unknown_keys_and_wrong_types() -> None:
    with pytest.raises(InputError, match=r"'printer\.colour' no existe"):
        settings.resolve({"printer.colour": "x"}, source="station.toml")
    with pytest.raises(InputError, match="debe ser un número entero"):
        settings.resolve({"fees.replacement_mxn": "28"}, source="station.toml")
    resolved = settings.resolve({"printer.job_timeout_s": 5}, source="s")
    assert resolved["printer.job_timeout_s"] == 5.0


def test_every_pragma_is_documented() -> None:
    doc = (ROOT / "docs/ledger.md").read_text("utf-8")
    missing = [k for k in PRAGMAS if f"`{k}`" not in doc]
    assert missing == [], f"undocumented SQLite settings: {missing}"


def test_database_is_wal_durable_private_and_migrated_once(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    Database(path).close()
    db = Database(path)  # reopening must not re-apply migrations
    with db.read() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        names = [r[0] for r in conn.execute("SELECT name FROM schema_migrations")]
    assert names == sorted(set(names)) and names[0] == "0001_ledger"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with db._writer as conn:  # the writer's own settings
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_reader_cannot_write_and_failed_write_rolls_back(tmp_path: Path) -> None:
    db = Database(tmp_path / "l.sqlite3")
    with db.read() as conn, pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("INSERT INTO events (at, kind, payload) VALUES ('t', 'k', '{}')")
    with pytest.raises(RuntimeError), db.write() as conn:
        conn.execute("INSERT INTO events (at, kind, payload) VALUES ('t', 'k', '{}')")
        raise RuntimeError("boom")
    with db.read() as conn:
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0


def test_a_key_from_a_newer_release_is_ignored_and_kept(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """After a rollback, station.toml may hold a key only the newer release knows."""
    from station.services.settings_edit import update_settings
    from station.services.station import open_station

    data = tmp_path / "data"
    data.mkdir()
    (data / "station.toml").write_text('[fees]\nreplacement_mxn = 30\n[futuro]\nclave = 1\n')
    station = open_station(data)
    try:
        assert station.settings["fees.replacement_mxn"] == 30
        assert "futuro.clave" not in station.settings
        assert "ajustes desconocidos ignorados: futuro.clave" in caplog.text
        update_settings(station, {"fees.replacement_mxn": 32})
        text = (data / "station.toml").read_text("utf-8")
        assert "replacement_mxn = 32" in text and "clave = 1" in text
        with pytest.raises(InputError, match="no existe"):  # a typo on the screen is refused
            update_settings(station, {"fees.reposicion": 1})
    finally:
        station.close()
