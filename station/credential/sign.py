"""Issue the QR text of a credential: CBOR payload, COSE_Sign1, Base45, prefix.

>>> import tempfile, pathlib
>>> from datetime import date
>>> from station.core.model import CredentialClaims
>>> from station.credential.keys import StationKey
>>> key = StationKey.generate(pathlib.Path(tempfile.mkdtemp()) / "k" / "estacion.pem")
>>> text = issue_qr_text(CredentialClaims(7, "ANA LÓPEZ", "14DPR2207Z", date(2026, 9, 1)), key)
>>> text.startswith("SC1:"), len(text) < 230
(True, True)
"""

from __future__ import annotations

from typing import Protocol

import base45

from station.core.model import CredentialClaims
from station.credential.cose import encode_sign1
from station.credential.payload import PREFIX, SPECIMEN_QR_TEXT, encode_claims

__all__ = ["SPECIMEN_QR_TEXT", "Signer", "issue_qr_text"]


class Signer(Protocol):
    """What issuing needs from a key; :class:`station.credential.keys.StationKey` fits."""

    @property
    def key_id(self) -> bytes: ...

    def sign(self, data: bytes) -> bytes: ...


def issue_qr_text(claims: CredentialClaims, key: Signer) -> str:
    """The text to put in the card's QR, all in the QR alphanumeric charset.

    Raises InputError when a claim cannot go on a card (see ``payload.encode_claims``).
    """
    signed = encode_sign1(encode_claims(claims), key.key_id, key.sign)
    return PREFIX + base45.b45encode(signed).decode("ascii")
