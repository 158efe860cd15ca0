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

from foundation.credential.cose import strict_cbor_loads
from foundation.credential.documents import K_TYPE, DocumentType, PayloadError, SignedClaims

PREFIX = "SC1:"
"""Text before the Base45 data: 'SC' signed (school) credential, '1' envelope version.
QR-alphanumeric. Every document type shares it: the type is inside the signed payload."""

SPECIMEN_QR_TEXT = "ESPECIMEN SIN VALOR"
"""What specimen (test, calibration) cards carry in their QR: readable, never a credential."""

C = TypeVar("C", bound=SignedClaims)


def encode_document(doc_type: DocumentType[C], claims: C) -> bytes:
    """The CBOR payload bytes; InputError if a field cannot go on the document."""
    return cbor2.dumps(doc_type.encode(claims))


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
    """Like :func:`decode_document`, with the type that decoded it."""
    doc_type, body = _type_of(payload, types)
    return doc_type, doc_type.decode(body)
