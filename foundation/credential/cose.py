"""COSE_Sign1 (RFC 9052 §4.2) with Ed25519, the envelope of the credential payload.

The bytes are ``18([protected, {}, payload, signature])`` where ``protected`` is the bstr of
``{1: -8, 4: kid}`` (alg EdDSA, 8-byte key id) and the signature covers the Sig_structure
``["Signature1", protected, b"", payload]`` built from the exact bytes received, never from
a re-encoding. Only this one shape is accepted: it is our own format, not a general COSE
library.

>>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
>>> private = Ed25519PrivateKey.generate()
>>> data = encode_sign1(b"hola", b"12345678", private.sign)
>>> env = decode_sign1(data)
>>> env.key_id, env.payload
(b'12345678', b'hola')
>>> private.public_key().verify(env.signature, env.signed_bytes())
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import cbor2

COSE_SIGN1_TAG = 18
ALG_EDDSA = -8
H_ALG, H_KID = 1, 4
KID_LEN = 8
SIGNATURE_LEN = 64


class EnvelopeError(ValueError):
    """The bytes are not our COSE_Sign1 shape; ``str(exc)`` says why, in Spanish."""


def strict_cbor_loads(data: bytes) -> Any:
    """Decode exactly one CBOR item filling all of ``data``; ValueError on anything else.

    Definite lengths only, no duplicate map keys, shallow nesting, no trailing bytes: the
    input is an untrusted QR, and cbor2 raises many different exception types on bad input.
    """
    stream = io.BytesIO(data)
    try:
        item = cbor2.CBORDecoder(
            stream, read_size=1, max_depth=8, allow_indefinite=False, allow_duplicate_keys=False
        ).decode()
    except Exception as exc:  # any decoder failure on untrusted bytes means "not ours"
        raise ValueError(f"CBOR inválido: {type(exc).__name__}") from None
    if stream.tell() != len(data):
        raise ValueError("CBOR con bytes sobrantes")
    return item


def sig_structure(protected: bytes, payload: bytes) -> bytes:
    """The bytes Ed25519 signs for COSE_Sign1 (no external AAD)."""
    return cbor2.dumps(["Signature1", protected, b"", payload])


def encode_sign1(payload: bytes, key_id: bytes, sign: Callable[[bytes], bytes]) -> bytes:
    """The tagged COSE_Sign1 bytes of ``payload`` signed by ``sign`` under ``key_id``."""
    protected = cbor2.dumps({H_ALG: ALG_EDDSA, H_KID: bytes(key_id)})
    signature = sign(sig_structure(protected, payload))
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))


@dataclass(frozen=True, slots=True)
class Sign1:
    """A parsed envelope, signature not yet checked."""

    protected: bytes
    key_id: bytes
    payload: bytes
    signature: bytes

    def signed_bytes(self) -> bytes:
        return sig_structure(self.protected, self.payload)


def decode_sign1(data: bytes) -> Sign1:
    """Parse our COSE_Sign1 shape; EnvelopeError with a Spanish reason otherwise."""
    try:
        item = strict_cbor_loads(data)
    except ValueError:
        raise EnvelopeError("su contenido no se puede leer (está dañado o incompleto)") from None
    if not isinstance(item, cbor2.CBORTag) or item.tag != COSE_SIGN1_TAG:
        raise EnvelopeError("su contenido no es un documento firmado")
    parts = item.value
    if not isinstance(parts, list | tuple) or len(parts) != 4:
        raise EnvelopeError("su contenido no es un documento firmado")
    protected, unprotected, payload, signature = parts
    if not (
        isinstance(protected, bytes)
        and isinstance(payload, bytes)
        and isinstance(signature, bytes)
        and isinstance(unprotected, Mapping)  # cbor2 gives a frozendict inside a tag
    ):
        raise EnvelopeError("su contenido no es un documento firmado")
    if unprotected:
        raise EnvelopeError("trae datos sin firmar que una credencial no lleva")
    if len(signature) != SIGNATURE_LEN:
        raise EnvelopeError("su firma está incompleta")
    try:
        header = strict_cbor_loads(protected)
    except ValueError:
        raise EnvelopeError("el encabezado de su firma está dañado") from None
    if not isinstance(header, dict) or set(header) != {H_ALG, H_KID}:
        raise EnvelopeError("el encabezado de su firma está dañado")
    alg, key_id = header[H_ALG], header[H_KID]
    if isinstance(alg, bool) or alg != ALG_EDDSA:
        raise EnvelopeError("usa un método de firma que esta estación no reconoce")
    if not isinstance(key_id, bytes) or len(key_id) != KID_LEN:
        raise EnvelopeError("el identificador de su clave de firma está dañado")
    return Sign1(protected, key_id, payload, signature)
