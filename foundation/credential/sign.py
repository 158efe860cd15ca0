"""Issue the QR text of a signed document: CBOR payload, COSE_Sign1, Base45, prefix.

>>> import tempfile, pathlib
>>> from datetime import date
>>> from foundation.credential.card import CredentialClaims
>>> from foundation.credential.keys import StationKey
>>> key = StationKey.generate(pathlib.Path(tempfile.mkdtemp()) / "k" / "estacion.pem")
>>> text = issue_qr_text(CredentialClaims(7, "ANA LÓPEZ", "14DPR2207Z", date(2026, 9, 1)), key)
>>> text.startswith("SC1:"), len(text) < 230
(True, True)
"""

from __future__ import annotations

from typing import Any, Protocol

import base45

from foundation.credential.card import STUDENT_CARD
from foundation.credential.cose import encode_sign1
from foundation.credential.documents import DocumentType
from foundation.credential.payload import PREFIX, SPECIMEN_QR_TEXT, encode_document

__all__ = ["SPECIMEN_QR_TEXT", "Signer", "issue_qr_text"]


class Signer(Protocol):
    """What issuing needs from a key; :class:`foundation.credential.keys.StationKey` fits."""

    @property
    def key_id(self) -> bytes: ...

    def sign(self, data: bytes) -> bytes: ...


def issue_qr_text(claims: Any, key: Signer, document: DocumentType[Any] = STUDENT_CARD) -> str:
    """The text to put in the document's QR, all in the QR alphanumeric charset.

    ``claims`` are of ``document``'s type (a :class:`~foundation.credential.card.
    CredentialClaims` for the student card). Raises InputError when a claim cannot go on the
    document (see the type's ``to_body``).
    """
    signed = encode_sign1(encode_document(document, claims), key.key_id, key.sign)
    return PREFIX + base45.b45encode(signed).decode("ascii")
