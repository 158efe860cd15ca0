"""The signed payload: a CBOR map whose key 0 names the document type.

The type's own keys and rules live with the type (:mod:`foundation.credential.card` for the
student card); this module frames and unframes the map for any of them.

>>> from datetime import date
>>> from foundation.credential.card import STUDENT_CARD, CredentialClaims
>>> claims = CredentialClaims(123, "JUAN PÉREZ", "14DPR2207Z", date(2026, 11, 21))
>>> encode_document(STUDENT_CARD, claims).hex()[:8]  # map of 5, key 0 = type 1
'a5000101'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

import cbor2

from foundation.credential.cose import NonCanonical, strict_cbor_loads
from foundation.credential.documents import K_TYPE, DocumentType, PayloadError, SignedClaims
from foundation.errors import InputError

PREFIX = "SC1:"
"""Text before the Base45 data: 'SC' signed (school) credential, '1' envelope version.
QR-alphanumeric. Every document type shares it: the type is inside the signed payload."""

SPECIMEN_QR_TEXT = "ESPECIMEN SIN VALOR"
"""What specimen (test, calibration) cards carry in their QR: readable, never a credential."""

C = TypeVar("C", bound=SignedClaims)


def encode_document(doc_type: DocumentType[C], claims: C) -> bytes:
    """The CBOR payload bytes; InputError if a field cannot go on the document.

    Canonical CBOR (RFC 8949 §4.2.1: shortest heads, definite lengths, sorted keys), the only
    form :func:`decode_typed` accepts back.
    """
    return cbor2.dumps(doc_type.encode(claims), canonical=True)


def decode_document(payload: bytes, types: Iterable[DocumentType[Any]]) -> Any:
    """Claims of one of ``types`` from payload bytes already signature-checked.

    PayloadError when the bytes are no CBOR map, the type is none of ``types`` or the
    type refuses the map.
    """
    return decode_typed(payload, types)[1]


def _type_of(payload: bytes, types: Iterable[DocumentType[Any]]
             ) -> tuple[DocumentType[Any], dict[int, Any]]:
    try:
        body: Any = strict_cbor_loads(payload)
    except NonCanonical:
        raise PayloadError("sus datos no están escritos como los escribe quien emite "
                           "(codificación CBOR no canónica)") from None
    except ValueError:
        raise PayloadError("su contenido no se puede leer") from None
    if not isinstance(body, dict) or K_TYPE not in body:
        raise PayloadError("su contenido no tiene el formato de un documento firmado")
    number = body[K_TYPE]
    # bool is an int subclass in Python: CBOR true must not pass as type 1.
    match = [t for t in types if not isinstance(number, bool) and t.number == number]
    if not match:
        raise PayloadError("es otro tipo de documento, no uno que esta verificación acepte")
    return match[0], body


def decode_typed(payload: bytes, types: Iterable[DocumentType[Any]]
                 ) -> tuple[DocumentType[Any], Any]:
    """Like :func:`decode_document`, with the type that decoded it.

    Only what issuing produces is accepted: the claims must be issuable (the type's own
    bounds, :mod:`foundation.credential.bounds`) and issuing them again must give exactly
    ``payload``. So one document has one payload: no other CBOR framing of the same map
    (longer heads, a map in another order, a bignum), no name outside NFC.
    """
    doc_type, body = _type_of(payload, types)
    claims = doc_type.decode(body)
    try:
        again = encode_document(doc_type, claims)
    except InputError as exc:
        detail = exc.message.rstrip(".")
        detail = detail[:1].lower() + detail[1:]  # it continues the verifier's sentence
        detail = detail if len(detail) <= 160 else detail[:159] + "…"
        raise PayloadError(f"trae datos que ninguna estación emite ({detail})") from None
    except (TypeError, ValueError, OverflowError, cbor2.CBOREncodeError):
        raise PayloadError("trae datos que ninguna estación emite") from None
    if again != payload:
        raise PayloadError("sus datos no están escritos como los escribe quien emite "
                           "(codificación CBOR no canónica)")
    return doc_type, claims
