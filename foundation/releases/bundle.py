"""Release bundles: build, sign (release engineer), verify (central and stations).

A bundle is an uncompressed tar (the wheels are already zips)::

    manifest.json    canonical JSON (foundation.releases.manifest.Manifest)
    manifest.sig     {"key_id": hex, "signature": base64} — Ed25519 over manifest.json's bytes
    wheels/*.whl     the project's wheel and the wheels of its dependencies (a wheelhouse:
                     ``pip install --no-index --find-links wheels/`` works offline)

The signing key is the state's RELEASE key, kept by the release engineer; it is not central's
certifying key and never sits on the server. Release public keys are text files::

    sc-release-key-1 <base64 of the 32-byte Ed25519 public key> <comment>

>>> from foundation.credential.keys import key_id_for
>>> line = public_key_line(bytes(32), "pruebas")
>>> parse_public_key(line) == bytes(32)
True
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import tarfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from foundation.credential.keys import StationKey, key_id_for
from foundation.errors import CredentialError, InputError
from foundation.releases.manifest import Manifest, ManifestFile, canonical_json

KEY_PREFIX = "sc-release-key-1"
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
_CHUNK = 1 << 20


def public_key_line(public: bytes, comment: str = "") -> str:
    return f"{KEY_PREFIX} {base64.b64encode(public).decode()} {comment}".rstrip() + "\n"


def parse_public_key(text: str) -> bytes:
    parts = text.split()
    try:
        if len(parts) < 2 or parts[0] != KEY_PREFIX:
            raise ValueError
        raw = base64.b64decode(parts[1], validate=True)
        if len(raw) != 32:
            raise ValueError
    except (ValueError, binascii.Error):
        raise CredentialError("El archivo de llave pública de actualizaciones no es válido "
                              f"(se esperaba «{KEY_PREFIX} <base64>»).") from None
    return raw


def load_release_keys(folder: Path) -> dict[str, bytes]:
    """key id (hex) → public key, from every ``*.pub`` file of ``folder`` (may be missing)."""
    keys: dict[str, bytes] = {}
    if folder.is_dir():
        for path in sorted(folder.glob("*.pub")):
            raw = parse_public_key(path.read_text("utf-8"))
            keys[key_id_for(raw).hex()] = raw
    return keys


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def ledger_migrations_of(wheel: Path) -> tuple[str, ...]:
    """Names of the ledger migrations the project wheel ships."""
    prefix = "station/store/migrations/"
    with zipfile.ZipFile(wheel) as archive:
        return tuple(sorted(Path(n).stem for n in archive.namelist()
                            if n.startswith(prefix) and n.endswith(".sql")))


def project_version_of(wheel: Path) -> str:
    """``control_escolar_credenciales-0.2.0-py3-none-any.whl`` → ``0.2.0``."""
    return wheel.name.split("-")[1]


def build_manifest(wheelhouse: Path, *, project_wheel: Path, min_upgrade_from: str,
                   created: str | None = None) -> Manifest:
    files = tuple(ManifestFile(f"wheels/{p.name}", sha256_file(p), p.stat().st_size)
                  for p in sorted(wheelhouse.glob("*.whl")))
    manifest = Manifest(version=project_version_of(project_wheel),
                        min_upgrade_from=min_upgrade_from,
                        created=created or datetime.now(UTC).isoformat(timespec="seconds"),
                        project_wheel=f"wheels/{project_wheel.name}",
                        ledger_migrations=ledger_migrations_of(project_wheel), files=files)
    return Manifest.from_json(manifest.to_json())


def sign_manifest(manifest: Manifest, key: StationKey) -> tuple[bytes, bytes]:
    """(manifest.json bytes, manifest.sig bytes)."""
    body = canonical_json(manifest.to_json())
    sig = {"key_id": key.key_id.hex(), "signature": base64.b64encode(key.sign(body)).decode()}
    return body, json.dumps(sig).encode()


def write_bundle(out: Path, wheelhouse: Path, manifest_body: bytes, signature: bytes) -> Path:
    """Write the tar; the wheels are added in manifest order."""
    manifest = Manifest.from_json(json.loads(manifest_body))
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in ((MANIFEST, manifest_body), (SIGNATURE, signature)):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
        for f in manifest.files:
            tar.add(wheelhouse / Path(f.name).name, arcname=f.name, recursive=False)
    return out


def sign_bundle(wheelhouse: Path, *, key: StationKey, out: Path, min_upgrade_from: str,
                project_name: str = "control_escolar_credenciales") -> Manifest:
    """Build and sign a bundle from a wheelhouse holding exactly one project wheel."""
    wheels = sorted(wheelhouse.glob(f"{project_name}-*.whl"))
    if len(wheels) != 1:
        raise InputError(f"La carpeta {wheelhouse} debe tener exactamente una rueda (wheel) "
                         f"del proyecto; tiene {len(wheels)}.")
    manifest = build_manifest(wheelhouse, project_wheel=wheels[0],
                              min_upgrade_from=min_upgrade_from)
    body, sig = sign_manifest(manifest, key)
    write_bundle(out, wheelhouse, body, sig)
    return manifest


@dataclass(frozen=True, slots=True)
class Verified:
    manifest: Manifest
    key_id: str


class BundleRefused(CredentialError):
    """A bundle that must not be installed or published; ``reason`` says why in Spanish."""

    def __init__(self, reason: str, *, code: str) -> None:
        super().__init__(f"Actualización rechazada: {reason}.")
        self.reason, self.code = reason, code


def _member(tar: tarfile.TarFile, name: str) -> tarfile.TarInfo:
    try:
        info = tar.getmember(name)
    except KeyError:
        raise BundleRefused(f"el paquete no contiene {name}", code="incomplete") from None
    if not info.isfile():
        raise BundleRefused(f"{name} no es un archivo normal", code="bad-bundle")
    return info


def _read(tar: tarfile.TarFile, name: str, limit: int = 1 << 20) -> bytes:
    info = _member(tar, name)
    if info.size > limit:
        raise BundleRefused(f"{name} es demasiado grande", code="bad-bundle")
    handle = tar.extractfile(info)
    assert handle is not None
    return handle.read()


def verify_bundle(path: Path, keys: dict[str, bytes], *,
                  extract_to: Path | None = None) -> Verified:
    """Check signature, signer, and every file's size and SHA-256; optionally extract wheels.

    Raises :class:`BundleRefused` (``code``: ``bad-bundle``, ``unknown-signer``,
    ``bad-signature``, ``tampered``, ``incomplete``) and writes nothing when it refuses
    (``extract_to`` gets the wheels only after every check passed).
    """
    try:
        tar = tarfile.open(path, "r:")  # noqa: SIM115 (closed by the with below)
    except (tarfile.TarError, OSError):
        raise BundleRefused("el archivo descargado no es un paquete de actualización",
                            code="bad-bundle") from None
    with tar:
        body, sig_raw = _read(tar, MANIFEST), _read(tar, SIGNATURE)
        try:
            sig = json.loads(sig_raw)
            key_id, signature = str(sig["key_id"]), base64.b64decode(sig["signature"])
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise BundleRefused("la firma del paquete no se puede leer",
                                code="bad-signature") from None
        public = keys.get(key_id)
        if public is None:
            raise BundleRefused(f"está firmada con una llave que esta estación no reconoce "
                                f"(llave {key_id[:16]}); solo se instalan versiones firmadas "
                                "por la oficina estatal", code="unknown-signer")
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(signature, body)
        except (InvalidSignature, ValueError):
            raise BundleRefused("la firma del manifiesto no corresponde a su contenido "
                                "(manifiesto alterado o falsificado)",
                                code="bad-signature") from None
        try:
            manifest = Manifest.from_json(json.loads(body))
        except (ValueError, InputError) as exc:
            raise BundleRefused(f"el manifiesto firmado no es válido ({exc})",
                                code="bad-bundle") from None
        listed = {f.name for f in manifest.files} | {MANIFEST, SIGNATURE}
        extra = [m.name for m in tar.getmembers() if m.name not in listed]
        if extra:
            raise BundleRefused(f"el paquete trae archivos que el manifiesto no lista "
                                f"({extra[0]})", code="tampered")
        for f in manifest.files:
            info = _member(tar, f.name)
            digest = hashlib.sha256()
            handle = tar.extractfile(info)
            assert handle is not None
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
            if info.size != f.size or digest.hexdigest() != f.sha256:
                raise BundleRefused(f"el archivo {f.name} no coincide con el manifiesto "
                                    "(alterado o dañado)", code="tampered")
        if extract_to is not None:
            extract_to.mkdir(parents=True, exist_ok=True)
            for f in manifest.files:
                handle = tar.extractfile(_member(tar, f.name))
                assert handle is not None
                target = extract_to / Path(f.name).name
                target.write_bytes(handle.read())
                # Checked again on the written bytes: the tar may have changed under us.
                if sha256_file(target) != f.sha256:
                    raise BundleRefused(f"el archivo {f.name} cambió durante la instalación",
                                        code="tampered")
    return Verified(manifest, key_id)
