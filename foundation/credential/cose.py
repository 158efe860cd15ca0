"""COSE_Sign1 (RFC 9052 §4.2) with Ed25519, the envelope of the credential payload.

The bytes are ``18([protected, {}, payload, signature])`` where ``protected`` is the bstr of
``{1: -8, 4: kid}`` (alg EdDSA, 8-byte key id) and the signature covers the Sig_structure
``["Signature1", protected, b"", payload]`` built from the exact bytes received, never from
a re-encoding. Only this one shape, in canonical CBOR (RFC 8949 §4.2.1), is accepted: it is
our own format, not a general COSE library, and one card must have one QR text.

>>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
>>> private = Ed25519PrivateKey.generate()
>>> data = encode_sign1(b"hola", b"12345678", private.sign)
>>> env = decode_sign1(data)
>>> env.key_id, env.payload
(b'12345678', b'hola')
>>> private.public_key().verify(env.signature, env.signed_bytes())
"""

from __future__ import annotations

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


class NonCanonical(ValueError):
    """Well-formed CBOR, but not in the one form issuing writes."""


NON_CANONICAL_ES = ("su contenido no está escrito en la forma en que se emite (codificación "
                    "CBOR no canónica)")


def strict_cbor_loads(data: bytes) -> Any:
    """Decode exactly one CBOR item filling all of ``data``, written canonically (RFC 8949
    §4.2.1: shortest heads, definite lengths, sorted map keys); ValueError on anything else
    (:class:`NonCanonical` when only the form is wrong).

    No duplicate map keys, shallow nesting, no trailing bytes: the input is an untrusted QR,
    and cbor2 raises many different exception types on bad input. Canonical only, so one
    value has one encoding: checked by writing the item again and comparing the bytes.
    """
    try:
        item = cbor2.loads(data, max_depth=8, allow_indefinite=False,
                           allow_duplicate_keys=False)
    except Exception as exc:  # any decoder failure on untrusted bytes means "not ours"
        raise ValueError(f"CBOR inválido: {type(exc).__name__}") from None
    try:
        again = cbor2.dumps(item, canonical=True)
    except Exception:  # a decoded tag (a date, a set...) cbor2 cannot write back: not ours
        raise ValueError("CBOR con valores que no se pueden volver a escribir") from None
    if again != data:  # trailing bytes too: loads() stops after the first item
        raise NonCanonical("CBOR no canónico")
    return item


def sig_structure(protected: bytes, payload: bytes) -> bytes:
    """The bytes Ed25519 signs for COSE_Sign1 (no external AAD)."""
    return cbor2.dumps(["Signature1", protected, b"", payload])


def _protected(key_id: bytes) -> bytes:
    return cbor2.dumps({H_ALG: ALG_EDDSA, H_KID: bytes(key_id)}, canonical=True)


def _envelope(protected: bytes, payload: bytes, signature: bytes) -> bytes:
    """The one (canonical CBOR) encoding of the envelope: what issuing writes and the only
    one :func:`decode_sign1` accepts."""
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]),
                       canonical=True)


def encode_sign1(payload: bytes, key_id: bytes, sign: Callable[[bytes], bytes]) -> bytes:
    """The tagged COSE_Sign1 bytes of ``payload`` signed by ``sign`` under ``key_id``."""
    protected = _protected(key_id)
    signature = sign(sig_structure(protected, payload))
    return _envelope(protected, payload, signature)


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
    except NonCanonical:
        raise EnvelopeError(NON_CANONICAL_ES) from None
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
    except NonCanonical:
        raise EnvelopeError(NON_CANONICAL_ES) from None
    except ValueError:
        raise EnvelopeError("el encabezado de su firma está dañado") from None
    if not isinstance(header, dict) or set(header) != {H_ALG, H_KID}:
        raise EnvelopeError("el encabezado de su firma está dañado")
    alg, key_id = header[H_ALG], header[H_KID]
    if isinstance(alg, bool) or alg != ALG_EDDSA:
        raise EnvelopeError("usa un método de firma que esta estación no reconoce")
    if not isinstance(key_id, bytes) or len(key_id) != KID_LEN:
        raise EnvelopeError("el identificador de su clave de firma está dañado")
    # Other framings of the same values (tag d8 12, array 98 04, lengths 59 00 NN, header
    # keys in another order) would give one card several QR texts: only ours is accepted.
    if protected != _protected(key_id) or data != _envelope(protected, payload, signature):
        raise EnvelopeError(NON_CANONICAL_ES)
    return Sign1(protected, key_id, payload, signature)
