"""The signer's side of ``conalep sign``: runs on the signer's own computer, with their key.

It reads a package downloaded from the signing page (each document and the signatures before
it), shows nothing it does not sign, and writes the signatures to upload. The private key
file must be readable by its owner only (0600), as the station's own key.
"""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conalep.certificates.chain import (
    ChainSignature,
    canonical_document,
    key_id_of,
    public_pem,
    raw_signature,
    to_be_signed,
)
from foundation.atomic_files import write_atomic
from foundation.errors import InputError

PrivateKey = Ed25519PrivateKey | ec.EllipticCurvePrivateKey


def generate_key(path: Path, *, ecdsa: bool = False) -> str:
    """A new private key written 0600 at ``path``; returns the public PEM to give DG."""
    if path.exists():
        raise InputError(f"«{path}» ya existe; no se sobrescribe una llave.")
    key: PrivateKey = ec.generate_private_key(ec.SECP256R1()) if ecdsa else \
        Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, pem, mode=0o600)
    return public_pem(key.public_key())


def load_key(path: Path) -> PrivateKey:
    try:
        info = os.stat(path)
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"No se pudo leer la llave «{path}»: {exc.strerror}.") from None
    if info.st_mode & 0o077:
        raise InputError(
            f"La llave «{path}» tiene permisos {oct(stat.S_IMODE(info.st_mode))[2:]}: otras "
            "personas del equipo podrían copiarla.", way_out=f"chmod 600 {path}")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        key = None
    if isinstance(key, Ed25519PrivateKey):
        return key
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
        return key
    raise InputError(f"«{path}» no es una llave privada Ed25519 o ECDSA P-256 sin contraseña.")


def _sign(key: PrivateKey, data: bytes) -> bytes:
    if isinstance(key, Ed25519PrivateKey):
        return key.sign(data)
    return raw_signature(key.public_key(), key.sign(data, ec.ECDSA(hashes.SHA256())))


def sign_package(package: dict[str, Any], key: PrivateKey, *, now: datetime
                 ) -> list[dict[str, Any]]:
    """One signature record per certificate of the package."""
    if package.get("formato") != "conalep-paquete-firmas/1":
        raise InputError("El archivo no es un paquete de firmas de CONALEP.")
    office = package["cargo"]
    kid = key_id_of(key.public_key())
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = []
    for item in package["certificados"]:
        document = canonical_document(item["documento"])
        previous = [ChainSignature.from_record(r) for r in item["firmas_anteriores"]]
        tbs = to_be_signed(document, previous, office, kid, stamp)
        sig = ChainSignature.make(len(previous) + 1, office, kid, stamp, _sign(key, tbs))
        out.append({"certificado_id": item["certificado_id"], "folio": item["folio"],
                    **sig.record()})
    return out


def sign_file(package_path: Path, key_path: Path, out_path: Path, *, now: datetime) -> int:
    try:
        package = json.loads(Path(package_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"No se pudo leer el paquete «{package_path}»: {exc}.") from None
    records = sign_package(package, load_key(key_path), now=now)
    write_atomic(out_path, json.dumps({"formato": "conalep-firmas/1", "firmas": records},
                                      ensure_ascii=False, indent=2).encode("utf-8"), mode=0o644)
    return len(records)
