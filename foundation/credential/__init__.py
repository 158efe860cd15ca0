"""Signed QR documents (DESIGN.md §4): issue and verify, offline.

A signed QR holds ``SC1:`` + Base45(COSE_Sign1(CBOR claims)), signed with the issuer's own
Ed25519 key; anyone holding the trust list verifies it without a network. The claims start
with a document type (:mod:`foundation.credential.documents`): the student card
(:mod:`foundation.credential.card`) is type 1; other documents are types of their own.

>>> import tempfile, pathlib
>>> from datetime import date
>>> from foundation.credential.card import CredentialClaims
>>> key = StationKey.generate(pathlib.Path(tempfile.mkdtemp()) / "k" / "estacion.pem")
>>> trust = TrustList()
>>> _ = trust.add(key.public_bytes(), station_id="EST-1", school="14DPR2207Z",
...               valid_from=date(2026, 1, 1))
>>> text = issue_qr_text(CredentialClaims(123, "JUAN PÉREZ", "14DPR2207Z",
...                                       date(2026, 11, 21)), key)
>>> verify_qr_text(text, trust=trust, today=date(2026, 11, 22)).reason_es
'Credencial válida: folio 123, JUAN PÉREZ, 14DPR2207Z, expedida el 21/11/2026.'
"""

from foundation.credential.card import STUDENT_CARD, CredentialClaims
from foundation.credential.documents import DocumentType, PayloadError
from foundation.credential.keys import StationKey, key_id_for, load_or_create
from foundation.credential.payload import PREFIX, SPECIMEN_QR_TEXT
from foundation.credential.sign import Signer, issue_qr_text
from foundation.credential.trust import LocalTrustFile, TrustEntry, TrustList, TrustSource
from foundation.credential.verify import RevocationCheck, Verdict, Verification, verify_qr_text

__all__ = [
    "PREFIX",
    "SPECIMEN_QR_TEXT",
    "STUDENT_CARD",
    "CredentialClaims",
    "DocumentType",
    "LocalTrustFile",
    "PayloadError",
    "RevocationCheck",
    "Signer",
    "StationKey",
    "TrustEntry",
    "TrustList",
    "TrustSource",
    "Verdict",
    "Verification",
    "issue_qr_text",
    "key_id_for",
    "load_or_create",
    "verify_qr_text",
]
