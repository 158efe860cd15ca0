"""The station's signing key file: creation, permissions, refusal, loading."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from foundation.credential import StationKey, load_or_create
from foundation.errors import CredentialError


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_generate_writes_a_private_file_in_a_private_folder(tmp_path: Path) -> None:
    path = tmp_path / "llaves" / "estacion.pem"
    old_umask = os.umask(0)  # the worst umask: modes must not depend on it
    try:
        key = StationKey.generate(path)
    finally:
        os.umask(old_umask)
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert [p.name for p in path.parent.iterdir()] == ["estacion.pem"]  # no temp file left
    assert key.path == path


def test_key_signs_and_names_itself(tmp_path: Path) -> None:
    key = StationKey.generate(tmp_path / "k" / "e.pem")
    assert len(key.public_bytes()) == 32
    assert key.key_id == hashlib.sha256(key.public_bytes()).digest()[:8]
    signature = key.sign(b"datos")
    Ed25519PublicKey.from_public_bytes(key.public_bytes()).verify(signature, b"datos")
    assert key.key_id.hex() in repr(key)
    assert b"PRIVATE" not in repr(key).encode()


def test_load_gives_the_same_key(tmp_path: Path) -> None:
    path = tmp_path / "k" / "e.pem"
    key = StationKey.generate(path)
    loaded = StationKey.load(path)
    assert loaded.key_id == key.key_id
    assert loaded.sign(b"x") == key.sign(b"x")  # Ed25519 is deterministic


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_load_refuses_a_key_others_can_read(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "k" / "e.pem"
    StationKey.generate(path)
    path.chmod(mode)
    with pytest.raises(CredentialError) as info:
        StationKey.load(path)
    assert f"«{path.name}»" in info.value.message and str(path) not in info.value.message
    assert f"chmod 600 {path}" == info.value.command  # the command line shows the fix
    path.chmod(0o600)
    assert StationKey.load(path).key_id  # the suggested fix works


def test_generate_never_overwrites_a_key(tmp_path: Path) -> None:
    path = tmp_path / "k" / "e.pem"
    StationKey.generate(path)
    before = path.read_bytes()
    with pytest.raises(CredentialError, match="Ya existe"):
        StationKey.generate(path)
    assert path.read_bytes() == before


def test_load_or_create_creates_once_then_loads(tmp_path: Path) -> None:
    path = tmp_path / "estacion" / "llave.pem"
    first = load_or_create(path)
    second = StationKey.load_or_create(path)
    assert first.key_id == second.key_id
    assert _mode(path) == 0o600


def test_missing_key_is_a_credential_error(tmp_path: Path) -> None:
    with pytest.raises(CredentialError, match="No se encontró"):
        StationKey.load(tmp_path / "nada.pem")


@pytest.mark.parametrize("content", [
    b"esto no es una clave",
    b"",
    ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()),
])
def test_damaged_or_foreign_key_is_a_credential_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "e.pem"
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(CredentialError) as info:
        StationKey.load(path)
    assert "«e.pem»" in info.value.message and "dañado" in info.value.message


def test_a_folder_instead_of_a_key_is_a_credential_error(tmp_path: Path) -> None:
    folder = tmp_path / "e.pem"
    folder.mkdir(mode=0o700)
    with pytest.raises(CredentialError):
        StationKey.load(folder)
