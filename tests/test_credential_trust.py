"""The trust list: add, look up by date, save atomically, refuse malformed files."""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from foundation.credential import LocalTrustFile, StationKey, TrustList, TrustSource, key_id_for
from foundation.errors import CredentialError


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> StationKey:
    return StationKey.generate(tmp_path_factory.mktemp("key") / "k" / "e.pem")


def _filled(key: StationKey) -> TrustList:
    trust = TrustList()
    trust.add(key.public_bytes(), station_id="EST-0001", school="14DPR2207Z",
              valid_from=date(2026, 1, 1), valid_until=date(2030, 12, 31))
    trust.add(bytes(range(32)), station_id="EST-0002", school="DRSE CIÉNEGA",
              valid_from=date(2026, 3, 1))
    return trust


def test_lookup_respects_the_validity_window(key: StationKey) -> None:
    trust = _filled(key)
    assert trust.lookup(key.key_id, on=date(2026, 1, 1)) is not None
    assert trust.lookup(key.key_id.hex(), on=date(2030, 12, 31)) is not None
    assert trust.lookup(key.key_id, on=date(2025, 12, 31)) is None
    assert trust.lookup(key.key_id, on=date(2031, 1, 1)) is None
    assert trust.get(key.key_id) is not None  # listed, whatever the date
    open_ended = key_id_for(bytes(range(32)))
    assert trust.lookup(open_ended, on=date(2099, 1, 1)) is not None
    assert trust.lookup(b"\x00" * 8, on=date(2027, 1, 1)) is None
    assert trust.lookup("no es hex", on=date(2027, 1, 1)) is None
    assert key.key_id in trust and "zz" not in trust and len(trust) == 2


def test_save_and_load_roundtrip(key: StationKey, tmp_path: Path) -> None:
    trust = _filled(key)
    path = tmp_path / "confianza" / "lista.json"
    trust.save(path)
    loaded = TrustList.load(path)
    assert sorted(loaded, key=lambda e: e.key_id) == sorted(trust, key=lambda e: e.key_id)
    doc = json.loads(path.read_text("utf-8"))
    entry = doc["keys"][key.key_id.hex()]
    assert base64.b64decode(entry["public_key"]) == key.public_bytes()
    assert entry["valid_until"] == "2030-12-31"
    assert doc["keys"][key_id_for(bytes(range(32))).hex()]["valid_until"] is None
    assert [p.name for p in path.parent.iterdir()] == ["lista.json"]  # no temp file left


def test_save_replaces_the_old_file(key: StationKey, tmp_path: Path) -> None:
    path = tmp_path / "lista.json"
    TrustList().save(path)
    assert len(TrustList.load(path)) == 0
    _filled(key).save(path)
    assert len(TrustList.load(path)) == 2


def test_readding_a_key_updates_its_data(key: StationKey) -> None:
    trust = _filled(key)
    trust.add(key.public_bytes(), station_id="EST-0001", school="14DPR2207Z",
              valid_from=date(2026, 1, 1), valid_until=date(2026, 6, 30))
    assert len(trust) == 2
    entry = trust.get(key.key_id)
    assert entry is not None and entry.valid_until == date(2026, 6, 30)


def test_add_refuses_bad_input(key: StationKey) -> None:
    trust = TrustList()
    with pytest.raises(CredentialError, match="32 bytes"):
        trust.add(b"corta", station_id="E", school="S", valid_from=date(2026, 1, 1))
    with pytest.raises(CredentialError, match="anterior"):
        trust.add(key.public_bytes(), station_id="E", school="S",
                  valid_from=date(2026, 1, 2), valid_until=date(2026, 1, 1))


def test_add_checks_a_given_key_id(key: StationKey) -> None:
    trust = TrustList()
    entry = trust.add(key_id=key.key_id, public_key=key.public_bytes(), station_id="EST-9",
                      valid_from=date(2026, 1, 1))
    assert entry.key_id == key.key_id and entry.school == ""
    with pytest.raises(CredentialError, match="no corresponde"):
        trust.add(key_id=b"\x00" * 8, public_key=key.public_bytes(), station_id="EST-9",
                  valid_from=date(2026, 1, 1))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CredentialError, match="No se encontró"):
        TrustList.load(tmp_path / "no.json")
    assert len(TrustList.load(tmp_path / "no.json", missing_ok=True)) == 0
    source: TrustSource = LocalTrustFile(tmp_path / "no.json")
    assert len(source.load()) == 0


def test_local_trust_file_reads_the_saved_list(key: StationKey, tmp_path: Path) -> None:
    _filled(key).save(tmp_path / "lista.json")
    assert len(LocalTrustFile(tmp_path / "lista.json").load()) == 2


def _good_doc(key: StationKey) -> dict[str, Any]:
    return _filled(key).to_json()


def _break(doc: dict[str, Any], kid: str, field: str, value: object) -> dict[str, Any]:
    doc["keys"][kid][field] = value
    return doc


@pytest.mark.parametrize(("damage", "why"), [
    (lambda d, k: "{no es json", "no es JSON válido"),
    (lambda d, k: b"\xff\xfe", "UTF-8"),
    (lambda d, k: [], "«keys»"),
    (lambda d, k: {**d, "version": 9}, "versión"),
    (lambda d, k: _break(d, k, "public_key", "%%%"), "base64"),
    (lambda d, k: _break(d, k, "public_key", base64.b64encode(bytes(32)).decode()),
     "no corresponde"),
    (lambda d, k: _break(d, k, "valid_from", "31/12/2026"), "valid_from"),
    (lambda d, k: _break(d, k, "valid_from", None), "valid_from"),
    (lambda d, k: _break(d, k, "valid_until", "2020-01-01"), "vence antes"),
    (lambda d, k: _break(d, k, "station_id", 5), "station_id"),
    (lambda d, k: {"version": 1, "keys": {"abc": {}}}, "hexadecimales"),
    (lambda d, k: {"version": 1, "keys": {k: "x"}}, "no es un objeto"),
])
def test_malformed_file_names_the_file_and_why(
    key: StationKey, tmp_path: Path, damage: Any, why: str
) -> None:
    path = tmp_path / "lista.json"
    doc = damage(_good_doc(key), key.key_id.hex())
    if isinstance(doc, bytes):
        path.write_bytes(doc)
    else:
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc), "utf-8")
    with pytest.raises(CredentialError) as info:
        TrustList.load(path)
    assert f"«{path.name}»" in info.value.message  # its name only, no path on screen
    assert str(path.parent) not in info.value.message
    assert why in info.value.message
    assert info.value.way_out
