"""A second signed document type beside the student card, with no change to verification.

The test defines its own document type (a stand-in for the CONALEP certificate) the way a new
wing does: a ``DocumentType`` subclass with its own number and keys. The same envelope, trust
list and verifier then issue and check it, and each verifier accepts only the types it names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from foundation.credential import (
    STUDENT_CARD,
    DocumentType,
    PayloadError,
    StationKey,
    TrustList,
    Verdict,
    issue_qr_text,
    verify_qr_text,
)
from foundation.credential.card import CredentialClaims
from foundation.errors import InputError

TODAY = date(2027, 7, 10)
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class Diploma:
    folio: int
    plantel: str
    issued_on: date


class DiplomaType(DocumentType[Diploma]):
    number = 99
    keys = frozenset({0, 1, 2, 3})
    valid_es = "Documento válido"
    revoked_es = "Documento cancelado"
    json_fields = ("folio", "plantel", "issued_on")

    def to_body(self, claims: Diploma) -> dict[int, Any]:
        if not claims.plantel:
            raise InputError("El documento no dice su plantel.")
        return {1: claims.folio, 2: claims.plantel, 3: (claims.issued_on - _EPOCH).days}

    def from_body(self, body: Mapping[int, Any]) -> Diploma:
        if not isinstance(body[2], str):
            raise PayloadError("su plantel no es texto")
        return Diploma(body[1], body[2], _EPOCH + timedelta(days=body[3]))

    def describe_es(self, claims: Diploma) -> str:
        return f"folio {claims.folio}, plantel {claims.plantel}"

    def to_json(self, claims: Diploma) -> dict[str, Any]:
        return {"folio": claims.folio, "plantel": claims.plantel,
                "issued_on": claims.issued_on.isoformat()}


DIPLOMA = DiplomaType()


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[StationKey, TrustList]:
    key = StationKey.generate(Path(tmp_path_factory.mktemp("k")) / "k" / "emisor.pem")
    trust = TrustList()
    trust.add(key.public_bytes(), station_id="CONALEP-14", school="Plantel 999",
              valid_from=date(2026, 1, 1))
    return key, trust


def test_a_second_type_issues_and_verifies_with_the_same_verifier(
        signed: tuple[StationKey, TrustList]) -> None:
    key, trust = signed
    text = issue_qr_text(Diploma(41, "Guadalajara I", date(2027, 7, 1)), key, DIPLOMA)
    result = verify_qr_text(text, trust=trust, today=TODAY, documents=(STUDENT_CARD, DIPLOMA))
    assert result.verdict is Verdict.VALID and result.document is DIPLOMA
    assert result.claims == Diploma(41, "Guadalajara I", date(2027, 7, 1))
    assert result.reason_es == "Documento válido: folio 41, plantel Guadalajara I."
    assert result.to_json() == {"verdict": "valid", "folio": 41, "plantel": "Guadalajara I",
                                "issued_on": "2027-07-01",
                                "reason": "Documento válido: folio 41, plantel Guadalajara I."}
    revoked = verify_qr_text(text, trust=trust, today=TODAY, documents=(DIPLOMA,),
                             revocation=lambda folio, kid: "duplicado" if folio == 41 else None)
    assert revoked.verdict is Verdict.REVOKED
    assert revoked.reason_es.startswith("Documento cancelado: folio 41")


def test_each_verifier_accepts_only_the_types_it_names(
        signed: tuple[StationKey, TrustList]) -> None:
    key, trust = signed
    diploma = issue_qr_text(Diploma(41, "Guadalajara I", date(2027, 7, 1)), key, DIPLOMA)
    card = issue_qr_text(CredentialClaims(7, "ANA LÓPEZ", "14DPR2207Z", date(2027, 7, 1)), key)
    as_card = verify_qr_text(diploma, trust=trust, today=TODAY)  # the kiosk's default
    assert as_card.verdict is Verdict.NOT_A_CREDENTIAL and as_card.claims is None
    assert "otro tipo de documento" in as_card.reason_es
    assert as_card.to_json()["name"] is None  # a card verifier's fields, empty
    as_diploma = verify_qr_text(card, trust=trust, today=TODAY, documents=(DIPLOMA,))
    assert as_diploma.verdict is Verdict.NOT_A_CREDENTIAL
    both = verify_qr_text(card, trust=trust, today=TODAY, documents=(STUDENT_CARD, DIPLOMA))
    assert both.verdict is Verdict.VALID and both.document is STUDENT_CARD


def test_issuing_refuses_what_the_type_refuses(
        signed: tuple[StationKey, TrustList]) -> None:
    key, _ = signed
    with pytest.raises(InputError, match="plantel"):
        issue_qr_text(Diploma(41, "", date(2027, 7, 1)), key, DIPLOMA)
