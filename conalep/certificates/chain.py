"""The certificate's signature chain (norm 17): plantel director → DG director general →
national director general, each signature covering the document *and* the signatures before it.

The document is the certificate's data as canonical JSON (sorted keys, NFC, UTF-8, no spaces).
Signature *n* signs :func:`to_be_signed`: a fixed label, the document's SHA-256, the SHA-256 of
each earlier signature record, and its own office, position, key id and time. So changing the
document, dropping, reordering or swapping an earlier signature breaks every later one.

Keys belong to the signers: the server keeps only public keys (registered by DG) and checks.
Ed25519 and ECDSA P-256 (ES256, signatures as raw r‖s, the form WebCrypto produces).

>>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
>>> doc = canonical_document({"folio": 7, "nombre": "ANA LÓPEZ"})
>>> keys = {o: Ed25519PrivateKey.generate() for o in OFFICES}
>>> reg = {key_id_of(k.public_key()): SignerKey(key_id_of(k.public_key()), o, k.public_key(), "X")
...        for o, k in keys.items()}
>>> sigs: list[ChainSignature] = []
>>> for o in OFFICES:
...     kid = key_id_of(keys[o].public_key())
...     tbs = to_be_signed(doc, sigs, o, kid, "2026-07-01T10:00:00Z")
...     sigs.append(accept_signature(doc, sigs, reg, ChainSignature.make(
...         len(sigs) + 1, o, kid, "2026-07-01T10:00:00Z", keys[o].sign(tbs))))
>>> verify_chain(doc, sigs, reg).complete
True
"""

from __future__ import annotations

import base64
import hashlib
import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

OFFICES: tuple[str, ...] = ("plantel_director", "dg_director_general", "director_general_nacional")
"""Norm 17's order; the values are the role names of ``conalep/roles.py``."""

OFFICE_NAMES_ES = {
    "plantel_director": "Director(a) del Plantel",
    "dg_director_general": "Director(a) General del Colegio Estatal",
    "director_general_nacional": "Director(a) General de Oficinas Nacionales",
}

LABEL = b"CONALEP-CERTIFICADO-FIRMA/1\n"
"""Domain separation: these bytes are never a valid signature input for anything else."""

PublicKey = Ed25519PublicKey | ec.EllipticCurvePublicKey


class ChainError(ValueError):
    """A signature the chain refuses; ``str(exc)`` says why in Spanish."""


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nfc(v) for v in value]
    return value


def canonical_json(value: Any) -> bytes:
    return json.dumps(
        _nfc(value), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def canonical_document(fields: Mapping[str, Any]) -> bytes:
    """The exact bytes the signatures cover."""
    return canonical_json(dict(fields))


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id_of(public_key: PublicKey) -> str:
    """16 hex digits of the SHA-256 of the key's SubjectPublicKeyInfo."""
    spki = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(spki).hexdigest()[:16]


def load_public_pem(pem: str | bytes) -> PublicKey:
    """A registered key from PEM; ChainError when it is not Ed25519 or P-256."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        raise ChainError("El archivo no es una llave pública PEM.") from None
    if isinstance(key, Ed25519PublicKey):
        return key
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return key
    raise ChainError("La llave debe ser Ed25519 o ECDSA P-256.")


def public_pem(public_key: PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def algorithm_of(public_key: PublicKey) -> str:
    return "Ed25519" if isinstance(public_key, Ed25519PublicKey) else "ES256"


@dataclass(frozen=True, slots=True)
class SignerKey:
    """A public key DG registered for a person holding an office."""

    key_id: str
    office: str
    public_key: PublicKey
    signer_name: str


@dataclass(frozen=True, slots=True)
class ChainSignature:
    position: int
    office: str
    key_id: str
    signed_at: str
    """ISO 8601 UTC, e.g. ``2026-07-01T10:00:00Z``."""
    signature: str
    """Base64url of the raw signature (Ed25519: 64 bytes; ES256: r‖s, 64 bytes)."""

    @classmethod
    def make(
        cls, position: int, office: str, key_id: str, signed_at: str, raw: bytes
    ) -> ChainSignature:
        return cls(position, office, key_id, signed_at, b64u(raw))

    def record(self) -> dict[str, Any]:
        return {
            "orden": self.position,
            "cargo": self.office,
            "llave": self.key_id,
            "fecha": self.signed_at,
            "firma": self.signature,
        }

    @classmethod
    def from_record(cls, rec: Mapping[str, Any]) -> ChainSignature:
        try:
            return cls(int(rec["orden"]), str(rec["cargo"]), str(rec["llave"]),
                       str(rec["fecha"]), str(rec["firma"]))
        except (KeyError, TypeError, ValueError):
            raise ChainError("Una firma de la cadena no tiene orden, cargo, llave, fecha y firma.")\
                from None


def to_be_signed(
    document: bytes, previous: Sequence[ChainSignature], office: str, key_id: str,
    signed_at: str,
) -> bytes:
    """The bytes signature number ``len(previous) + 1`` signs."""
    body = {
        "documento": hashlib.sha256(document).hexdigest(),
        "anteriores": [hashlib.sha256(canonical_json(s.record())).hexdigest() for s in previous],
        "cargo": office,
        "orden": len(previous) + 1,
        "llave": key_id,
        "fecha": signed_at,
    }
    return LABEL + canonical_json(body)


def chain_digest(document: bytes, signatures: Sequence[ChainSignature]) -> bytes:
    """SHA-256 over the document and the whole chain: what the QR carries."""
    return hashlib.sha256(
        canonical_json({
            "documento": hashlib.sha256(document).hexdigest(),
            "firmas": [s.record() for s in signatures],
        })
    ).digest()


def raw_signature(public_key: PublicKey, der_or_raw: bytes) -> bytes:
    """ES256 signatures from ``cryptography`` are DER; the chain keeps raw r‖s."""
    if isinstance(public_key, Ed25519PublicKey) or len(der_or_raw) == 64:
        return der_or_raw
    r, s = decode_dss_signature(der_or_raw)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def _signature_ok(public_key: PublicKey, raw: bytes, data: bytes) -> bool:
    try:
        if isinstance(public_key, Ed25519PublicKey):
            public_key.verify(raw, data)
        else:
            if len(raw) != 64:
                return False
            der = encode_dss_signature(int.from_bytes(raw[:32], "big"),
                                       int.from_bytes(raw[32:], "big"))
            public_key.verify(der, data, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def _check_one(
    document: bytes, previous: Sequence[ChainSignature], sig: ChainSignature,
    keys: Mapping[str, SignerKey],
) -> str | None:
    """Why ``sig`` cannot follow ``previous``, in Spanish; None when it can."""
    n = len(previous) + 1
    if n > len(OFFICES):
        return "el certificado ya tiene las tres firmas"
    expected = OFFICES[n - 1]
    if sig.position != n:
        return f"la firma dice ser la número {sig.position} pero le toca la número {n}"
    if sig.office != expected:
        got = OFFICE_NAMES_ES.get(sig.office, sig.office)
        return (f"fuera de orden: ahora firma {OFFICE_NAMES_ES[expected]}, no {got}")
    key = keys.get(sig.key_id)
    if key is None:
        return f"la llave {sig.key_id} no está registrada por la Dirección General"
    if key.office != expected:
        return (f"la llave {sig.key_id} es de {OFFICE_NAMES_ES.get(key.office, key.office)}, "
                f"no de {OFFICE_NAMES_ES[expected]}")
    try:
        raw = unb64u(sig.signature)
    except ValueError:
        return "la firma no está en base64url"
    if not _signature_ok(key.public_key, raw,
                         to_be_signed(document, previous, sig.office, sig.key_id, sig.signed_at)):
        return "la firma no corresponde al documento y a las firmas anteriores"
    return None


@dataclass
class ChainCheck:
    valid_signatures: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def complete(self) -> bool:
        return self.ok and self.valid_signatures == len(OFFICES)


def verify_chain(
    document: bytes, signatures: Sequence[ChainSignature], keys: Mapping[str, SignerKey]
) -> ChainCheck:
    """Check every signature in order; the first bad one stops the check."""
    check = ChainCheck()
    for i, sig in enumerate(signatures):
        why = _check_one(document, signatures[:i], sig, keys)
        if why:
            check.problems.append(f"Firma {i + 1}: {why}.")
            break
        check.valid_signatures += 1
    return check


def accept_signature(
    document: bytes, previous: Sequence[ChainSignature], keys: Mapping[str, SignerKey],
    new: ChainSignature,
) -> ChainSignature:
    """``new`` when it may be appended; ChainError otherwise.

    The earlier signatures are re-checked over the *current* document, so a document changed
    after the first signature is refused here rather than signed again.
    """
    earlier = verify_chain(document, previous, keys)
    if not earlier.ok:
        raise ChainError(
            "El documento cambió después de firmarse o una firma anterior no es válida: "
            + " ".join(earlier.problems)
        )
    why = _check_one(document, previous, new, keys)
    if why:
        raise ChainError(f"Firma rechazada: {why}.")
    return new


def chain_file(document: bytes, signatures: Sequence[ChainSignature],
               keys: Mapping[str, SignerKey]) -> dict[str, Any]:
    """The machine-readable file published beside the PDF: check it with the published keys."""
    return {
        "formato": "conalep-certificado-cadena/1",
        "documento": json.loads(document),
        "documento_sha256": hashlib.sha256(document).hexdigest(),
        "firmas": [s.record() for s in signatures],
        "llaves": {
            s.key_id: {
                "cargo": keys[s.key_id].office,
                "nombre": keys[s.key_id].signer_name,
                "algoritmo": algorithm_of(keys[s.key_id].public_key),
                "pem": public_pem(keys[s.key_id].public_key),
            }
            for s in signatures if s.key_id in keys
        },
        "cadena_sha256": chain_digest(document, signatures).hex(),
    }


def check_chain_file(data: Mapping[str, Any], published: Mapping[str, SignerKey]) -> ChainCheck:
    """Verify a chain file with the *published* keys (never the keys the file itself carries)."""
    try:
        document = canonical_document(data["documento"])
        sigs = [ChainSignature.from_record(r) for r in data["firmas"]]
    except (KeyError, TypeError) as exc:
        return ChainCheck(0, [f"El archivo de la cadena no tiene el formato esperado ({exc})."])
    except ChainError as exc:
        return ChainCheck(0, [str(exc)])
    check = verify_chain(document, sigs, published)
    if check.ok and data.get("cadena_sha256") != chain_digest(document, sigs).hex():
        check.problems.append("El resumen de la cadena no corresponde a las firmas.")
    return check
