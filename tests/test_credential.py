"""Signed QR credential: issue, verify, tamper, forge, revoke, and junk input."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import base45
import cbor2
import pytest
import qrcode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foundation.credential import (
    PREFIX,
    SPECIMEN_QR_TEXT,
    StationKey,
    TrustList,
    Verdict,
    issue_qr_text,
    verify_qr_text,
)
from foundation.credential.card import CredentialClaims
from foundation.credential.cose import encode_sign1
from foundation.errors import InputError

QR_ALNUM = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
TODAY = date(2026, 11, 22)
CLAIMS = CredentialClaims(123, "JUAN PÉREZ", "14DPR2207Z", date(2026, 11, 21))
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
NAME_40 = "MARÍA FERNANDA GUADALUPE HERNÁNDEZ LÓPEZ"  # 40 characters, 3 accents


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> StationKey:
    return StationKey.generate(tmp_path_factory.mktemp("key") / "llave" / "estacion.pem")


@pytest.fixture(scope="module")
def other_key(tmp_path_factory: pytest.TempPathFactory) -> StationKey:
    return StationKey.generate(tmp_path_factory.mktemp("key2") / "llave" / "otra.pem")


@pytest.fixture(scope="module")
def trust(key: StationKey) -> TrustList:
    t = TrustList()
    t.add(key.public_bytes(), station_id="EST-0001", school="14DPR2207Z",
          valid_from=date(2026, 1, 1), valid_until=date(2031, 12, 31))
    return t


def _signed_bytes(text: str) -> bytes:
    return base45.b45decode(text[len(PREFIX):])


def _text(signed: bytes) -> str:
    return PREFIX + base45.b45encode(signed).decode()


def _qr_version(text: str) -> tuple[int, int]:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q)
    qr.add_data(text)
    qr.make(fit=True)
    return qr.version, qr.data_list[0].mode


def test_roundtrip_gives_valid_with_the_same_claims(key: StationKey, trust: TrustList) -> None:
    text = issue_qr_text(CLAIMS, key)
    result = verify_qr_text(text, trust=trust, today=TODAY)
    assert result.verdict is Verdict.VALID
    assert result.claims == CLAIMS
    assert result.key_id == key.key_id.hex()
    assert result.reason_es == (
        "Credencial válida: folio 123, JUAN PÉREZ, 14DPR2207Z, expedida el 21/11/2026."
    )
    assert result.to_json() == {
        "verdict": "valid", "folio": 123, "name": "JUAN PÉREZ", "cct": "14DPR2207Z",
        "issued_on": "2026-11-21", "reason": result.reason_es,
    }


def test_text_uses_only_qr_alphanumeric_charset(key: StationKey) -> None:
    text = issue_qr_text(CredentialClaims(9, NAME_40, "14DES0001A", date(2026, 8, 31)), key)
    assert text.startswith(PREFIX)
    assert set(text) <= QR_ALNUM
    assert set(SPECIMEN_QR_TEXT) <= QR_ALNUM
    assert _qr_version(text)[1] == qrcode.util.MODE_ALPHA_NUM


def test_scanner_line_end_is_tolerated(key: StationKey, trust: TrustList) -> None:
    text = issue_qr_text(CLAIMS, key) + "\r\n"
    assert verify_qr_text(text, trust=trust, today=TODAY).verdict is Verdict.VALID


def test_size_of_a_40_letter_name_fits_qr_version_11(key: StationKey) -> None:
    text = issue_qr_text(CredentialClaims(99_999_999, NAME_40, "14DPR2207Z", TODAY), key)
    assert len(NAME_40) == 40
    assert len(text) <= 240
    assert _qr_version(text)[0] <= 11


def test_longest_accepted_name_stays_within_qr_version_12(key: StationKey) -> None:
    longest = "Ñ" * 40  # 80 UTF-8 bytes: the limit
    text = issue_qr_text(CredentialClaims(2**32 - 1, longest, "14DPR2207Z", TODAY), key)
    assert _qr_version(text)[0] <= 12
    with pytest.raises(InputError, match="demasiado largo"):
        issue_qr_text(CredentialClaims(1, longest + "A", "14DPR2207Z", TODAY), key)


def test_payload_holds_exactly_the_five_fields_and_no_curp(key: StationKey) -> None:
    text = issue_qr_text(CLAIMS, key)
    envelope = cbor2.loads(_signed_bytes(text))
    assert envelope.tag == 18
    protected, unprotected, payload, signature = envelope.value
    assert cbor2.loads(protected) == {1: -8, 4: key.key_id}
    assert dict(unprotected) == {}
    assert len(signature) == 64
    body = cbor2.loads(payload)
    assert set(body) == {0, 1, 2, 3, 4}
    days = (CLAIMS.issued_on - date(1970, 1, 1)).days
    assert body == {0: 1, 1: 123, 2: "JUAN PÉREZ", 3: "14DPR2207Z", 4: days}


def test_signature_covers_the_cose_sig_structure(key: StationKey) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    protected, _, payload, signature = cbor2.loads(_signed_bytes(issue_qr_text(CLAIMS, key))).value
    to_be_signed = cbor2.dumps(["Signature1", protected, b"", payload])
    Ed25519PublicKey.from_public_bytes(key.public_bytes()).verify(signature, to_be_signed)


def _regions(signed: bytes) -> dict[str, range]:
    """Byte ranges of the parts of our COSE_Sign1 encoding (checked against the bytes)."""
    assert signed[:3] == bytes([0xD2, 0x84, 0x4D])  # tag 18, array(4), bstr(13)
    kid = range(8, 16)  # inside protected: a2 01 27 04 48 <kid>
    payload_len = signed[18]
    assert signed[16:18] == bytes([0xA0, 0x58])
    payload = range(19, 19 + payload_len)
    signature = range(len(signed) - 64, len(signed))
    assert signed[payload.stop:signature.start] == bytes([0x58, 0x40])
    return {"kid": kid, "payload": payload, "signature": signature}


def test_tampering_any_byte_never_gives_valid(key: StationKey, trust: TrustList) -> None:
    signed = _signed_bytes(issue_qr_text(CLAIMS, key))
    regions = _regions(signed)
    outcomes: Counter[tuple[str, Verdict]] = Counter()
    for pos in range(len(signed)):
        region = next((name for name, r in regions.items() if pos in r), "framing")
        for flip in (0x01, 0x80, 0xFF):
            tampered = bytearray(signed)
            tampered[pos] ^= flip
            verdict = verify_qr_text(_text(bytes(tampered)), trust=trust, today=TODAY).verdict
            outcomes[(region, verdict)] += 1
    assert not any(v is Verdict.VALID for _, v in outcomes)
    # Documented mapping (verify.py): signed content -> bad-signature, key id -> unknown-key,
    # framing (tag, lengths, header structure, algorithm) -> not-a-credential.
    assert {r: v for r, v in outcomes} == {
        "framing": Verdict.NOT_A_CREDENTIAL,
        "kid": Verdict.UNKNOWN_KEY,
        "payload": Verdict.BAD_SIGNATURE,
        "signature": Verdict.BAD_SIGNATURE,
    }
    assert sum(outcomes.values()) == 3 * len(signed)


def test_tampering_any_character_of_the_text_never_gives_valid(
    key: StationKey, trust: TrustList
) -> None:
    text = issue_qr_text(CLAIMS, key)
    alphabet = sorted(QR_ALNUM)
    outcomes: Counter[Verdict] = Counter()
    for pos in range(len(text)):
        for step in (1, 22):
            new = alphabet[(alphabet.index(text[pos]) + step) % len(alphabet)]
            changed = text[:pos] + new + text[pos + 1:]
            outcomes[verify_qr_text(changed, trust=trust, today=TODAY).verdict] += 1
    assert outcomes[Verdict.VALID] == 0
    assert outcomes[Verdict.BAD_SIGNATURE] > 0 and outcomes[Verdict.NOT_A_CREDENTIAL] > 0
    assert outcomes.total() == 2 * len(text)


def test_truncated_text_is_not_a_credential(key: StationKey, trust: TrustList) -> None:
    text = issue_qr_text(CLAIMS, key)
    for cut in range(1, len(text)):
        result = verify_qr_text(text[:cut], trust=trust, today=TODAY)
        assert result.verdict is Verdict.NOT_A_CREDENTIAL, cut
        assert result.claims is None and result.reason_es


class _Impostor:
    """Signs with its own key but claims the trusted key's id."""

    def __init__(self, real: StationKey, claimed_id: bytes) -> None:
        self._real, self.key_id = real, claimed_id

    def sign(self, data: bytes) -> bytes:
        return self._real.sign(data)


def test_forged_signature_under_a_trusted_key_id_is_bad_signature(
    key: StationKey, other_key: StationKey, trust: TrustList
) -> None:
    forged = issue_qr_text(CLAIMS, _Impostor(other_key, key.key_id))
    result = verify_qr_text(forged, trust=trust, today=TODAY)
    assert result.verdict is Verdict.BAD_SIGNATURE
    assert result.key_id == key.key_id.hex()
    assert result.claims is None
    assert "alterada o es falsa" in result.reason_es


def test_unknown_key(other_key: StationKey, trust: TrustList) -> None:
    result = verify_qr_text(issue_qr_text(CLAIMS, other_key), trust=trust, today=TODAY)
    assert result.verdict is Verdict.UNKNOWN_KEY
    assert result.claims is None
    assert other_key.key_id.hex() in result.reason_es
    assert "lista de confianza" in result.reason_es


def test_key_is_judged_on_the_issue_date_not_today(key: StationKey) -> None:
    """A withdrawn station's cards stay valid; a card dated after withdrawal does not."""
    trust = TrustList()
    trust.add(key.public_bytes(), station_id="EST-0007", school="DRSE VALLES",
              valid_from=date(2026, 1, 1), valid_until=date(2026, 6, 30))

    def card(day: date) -> str:
        return issue_qr_text(CredentialClaims(123, "JUAN PÉREZ", "14DPR2207Z", day), key)

    on_last_day = verify_qr_text(card(date(2026, 6, 30)), trust=trust, today=date(2027, 3, 1))
    assert on_last_day.verdict is Verdict.VALID
    expired = verify_qr_text(card(date(2026, 7, 1)), trust=trust, today=date(2026, 7, 1))
    assert expired.verdict is Verdict.UNKNOWN_KEY
    assert "vencida" in expired.reason_es and "30/06/2026" in expired.reason_es
    assert "EST-0007" in expired.reason_es and "01/07/2026" in expired.reason_es
    early = verify_qr_text(card(date(2025, 12, 31)), trust=trust, today=date(2026, 6, 1))
    assert early.verdict is Verdict.UNKNOWN_KEY
    assert "a partir del 01/01/2026" in early.reason_es


def test_revoked_through_the_callback(key: StationKey, trust: TrustList) -> None:
    calls: list[tuple[int, bytes]] = []

    def revocation(folio: int, key_id: bytes) -> str | None:
        calls.append((folio, key_id))
        return "reportada como extraviada el 02/03/2027." if folio == 123 else None

    revoked = verify_qr_text(issue_qr_text(CLAIMS, key), trust=trust, today=TODAY,
                             revocation=revocation)
    assert revoked.verdict is Verdict.REVOKED
    assert revoked.claims == CLAIMS
    assert "reportada como extraviada el 02/03/2027" in revoked.reason_es
    assert "folio 123" in revoked.reason_es
    assert revoked.to_json()["verdict"] == "revoked"
    other = CredentialClaims(124, "ANA LÓPEZ", "14DPR2207Z", CLAIMS.issued_on)
    fine = verify_qr_text(issue_qr_text(other, key), trust=trust, today=TODAY,
                          revocation=revocation)
    assert fine.verdict is Verdict.VALID
    assert calls == [(123, key.key_id), (124, key.key_id)]


def test_revocation_is_not_asked_about_a_bad_signature(
    key: StationKey, other_key: StationKey, trust: TrustList
) -> None:
    calls: list[int] = []
    forged = issue_qr_text(CLAIMS, _Impostor(other_key, key.key_id))
    verify_qr_text(forged, trust=trust, today=TODAY, revocation=lambda f, k: calls.append(f))
    assert calls == []


def test_other_document_type_signed_by_a_trusted_key_is_not_a_credential(
    key: StationKey, trust: TrustList
) -> None:
    body = {0: 2, 1: 5, 2: "CERTIFICADO CONALEP", 3: "30PCT0001X", 4: 20000}
    text = _text(encode_sign1(cbor2.dumps(body), key.key_id, key.sign))
    result = verify_qr_text(text, trust=trust, today=TODAY)
    assert result.verdict is Verdict.NOT_A_CREDENTIAL
    assert "otro tipo de documento" in result.reason_es


@pytest.mark.parametrize("body", [
    {0: 1, 1: 5, 2: "A", 3: "14DPR2207Z"},                        # missing date
    {0: 1, 1: 5, 2: "A", 3: "14DPR2207Z", 4: 20000, 5: "CURP"},   # extra field
    {0: 1, 1: True, 2: "A", 3: "14DPR2207Z", 4: 20000},           # bool folio
    {0: 1, 1: 5, 2: b"A", 3: "14DPR2207Z", 4: 20000},             # bytes name
    {0: 1, 1: 5, 2: "A", 3: "14DPR2207Z", 4: "2026-01-01"},       # text date
    {0: 1, 1: 5, 2: "A", 3: "14DPR2207Z", 4: 10**12},             # date out of range
    [1, 5, "A", "14DPR2207Z", 20000],                             # array, not map
])
def test_signed_payload_with_wrong_types_is_not_a_credential(
    key: StationKey, trust: TrustList, body: object
) -> None:
    text = _text(encode_sign1(cbor2.dumps(body), key.key_id, key.sign))
    result = verify_qr_text(text, trust=trust, today=TODAY)
    assert result.verdict is Verdict.NOT_A_CREDENTIAL
    assert result.claims is None


@pytest.mark.parametrize("text", [
    "", " ", "HOLA", "https://sej.jalisco.gob.mx/credencial?folio=123", "WWW.EJEMPLO.COM",
    "HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N", "SC1:", "SC1:A", "SC1:ÑÑÑ",
    "SC1:" + "0" * 5000, "SC1:%%%", "sc1:ABC", SPECIMEN_QR_TEXT,
    PREFIX + base45.b45encode(cbor2.dumps(cbor2.CBORTag(18, [b"", {}, b"", b""]))).decode(),
    PREFIX + base45.b45encode(b"\x81" * 500).decode(),  # deeply nested arrays
    PREFIX + base45.b45encode(b"\x9f\x9f\xff\xff").decode(),  # indefinite length
])
def test_junk_texts_are_not_a_credential(trust: TrustList, text: str) -> None:
    result = verify_qr_text(text, trust=trust, today=TODAY)
    assert result.verdict is Verdict.NOT_A_CREDENTIAL
    assert result.claims is None
    assert result.reason_es.endswith(".") and len(result.reason_es) > 20
    assert result.to_json()["folio"] is None


def test_specimen_and_url_reasons_say_what_they_are(trust: TrustList) -> None:
    specimen = verify_qr_text(SPECIMEN_QR_TEXT, trust=trust, today=TODAY)
    assert "muestra" in specimen.reason_es
    url = verify_qr_text("https://ejemplo.mx/x", trust=trust, today=TODAY)
    assert "dirección de internet" in url.reason_es


def test_non_text_input_is_not_a_credential(trust: TrustList) -> None:
    for value in (None, b"SC1:ABC", 123):
        result = verify_qr_text(value, trust=trust, today=TODAY)  # type: ignore[arg-type]
        assert result.verdict is Verdict.NOT_A_CREDENTIAL


_FAST = settings(max_examples=300, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])
_cbor_leaf = (st.integers(-(2**64) + 1, 2**64 - 1) | st.text(max_size=20)
              | st.binary(max_size=70) | st.booleans() | st.none())
_cbor = st.recursive(_cbor_leaf, lambda inner: st.lists(inner, max_size=5)
                     | st.dictionaries(st.integers(-2, 6), inner, max_size=6), max_leaves=12)


@_FAST
@given(text=st.text(max_size=300))
def test_any_text_never_raises(trust: TrustList, text: str) -> None:
    result = verify_qr_text(text, trust=trust, today=TODAY)
    assert result.verdict is Verdict.NOT_A_CREDENTIAL


@_FAST
@given(body=st.text(alphabet="".join(sorted(QR_ALNUM)), max_size=300))
def test_any_prefixed_alphanumeric_text_never_raises(trust: TrustList, body: str) -> None:
    result = verify_qr_text(PREFIX + body, trust=trust, today=TODAY)
    assert result.verdict is Verdict.NOT_A_CREDENTIAL


@_FAST
@given(data=st.binary(max_size=300) | _cbor.map(cbor2.dumps)
       | _cbor.map(lambda v: cbor2.dumps(cbor2.CBORTag(18, v))))
def test_any_bytes_behind_the_prefix_never_raise(trust: TrustList, data: bytes) -> None:
    result = verify_qr_text(_text(data), trust=trust, today=TODAY)
    assert result.verdict is Verdict.NOT_A_CREDENTIAL




def _mostly(good: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.integers(0, 9).flatmap(lambda n: good if n < 8 else _cbor_leaf)


_near_credential = st.fixed_dictionaries(
    {0: st.sampled_from([1, 1, 1, 2, True, "1"]),
     1: _mostly(st.integers(-1, 2**40) | st.sampled_from([2**32 - 1, 2**32, 2**63, 2**64])),
     2: _mostly(st.text(max_size=3) | st.sampled_from(
         ["ANA", "JOSÉ O'NEIL", "ANA\nLÓPEZ", "ANA\u202eZEPOL", "JOSE\u0301", " ANA", "Ñ" * 41])),
     3: _mostly(st.text(max_size=3) | st.sampled_from(["14DPR2207Z", "X", "١٤DPR2207Z"])),
     4: _mostly(st.integers(-800_000, 3_000_000) | st.integers(10_900, 47_600))}
)


def _issuable(body: object) -> bool:
    """What issuing can produce, written out independently of foundation.credential.bounds."""
    if not (isinstance(body, dict) and list(body) == [0, 1, 2, 3, 4]):
        return False  # other keys, or keys not in canonical order
    name, cct, days = body[2], body[3], body[4]
    return (type(body[0]) is int and body[0] == 1
            and type(body[1]) is int and 1 <= body[1] <= 2**32 - 1
            and type(name) is str and name == name.strip() != ""
            and unicodedata.normalize("NFC", name) == name
            and len(name.encode()) <= 80 and all(c.isalpha() or c in " '.-" for c in name)
            and type(cct) is str and re.fullmatch(r"[0-9]{2}[A-Z]{3}[0-9]{4}[A-Z]", cct) is not None
            and type(days) is int
            and date(2000, 1, 1).toordinal() <= EPOCH_ORDINAL + days
            and EPOCH_ORDINAL + days <= date(2099, 12, 31).toordinal())


@_FAST
@given(body=_cbor | _near_credential)
def test_any_payload_signed_by_a_trusted_key_never_raises(
    key: StationKey, trust: TrustList, body: object
) -> None:
    """Only what issuing produces is valid: anything else signed by a trusted key (folio
    2^40, CCT "X", a line break in the name, a date in 2100...) is not a credential."""
    text = _text(encode_sign1(cbor2.dumps(body), key.key_id, key.sign))
    result = verify_qr_text(text, trust=trust, today=TODAY)
    if not _issuable(body):
        assert result.verdict is Verdict.NOT_A_CREDENTIAL
    else:  # the key is judged on the card's issue date
        issued = date.fromordinal(EPOCH_ORDINAL + body[4])  # type: ignore[index]
        in_window = trust.get(key.key_id).valid_on(issued)  # type: ignore[union-attr]
        assert result.verdict is (Verdict.VALID if in_window else Verdict.UNKNOWN_KEY)


@pytest.mark.parametrize(("claims", "words"), [
    (CredentialClaims(0, "ANA", "14DPR2207Z", TODAY), "folio"),
    (CredentialClaims(True, "ANA", "14DPR2207Z", TODAY), "folio"),  # type: ignore[arg-type]
    (CredentialClaims(1, "", "14DPR2207Z", TODAY), "nombre"),
    (CredentialClaims(1, " ANA", "14DPR2207Z", TODAY), "nombre"),
    (CredentialClaims(1, "ANA", "14dpr2207z", TODAY), "CCT"),
    (CredentialClaims(1, "ANA", "14DPR2207Z", "2026-01-01"), "fecha"),  # type: ignore[arg-type]
    (CredentialClaims(1, "ANA", "14DPR2207Z", date(1999, 12, 31)), "fecha"),
])
def test_issue_refuses_claims_that_cannot_go_on_a_card(
    key: StationKey, claims: CredentialClaims, words: str
) -> None:
    with pytest.raises(InputError, match=words):
        issue_qr_text(claims, key)


def test_name_is_stored_in_nfc(key: StationKey, trust: TrustList) -> None:
    decomposed = "JOSE\u0301 IBAN\u0303EZ"  # accents as combining marks
    text = issue_qr_text(CredentialClaims(5, decomposed, "14DPR2207Z", TODAY), key)
    result = verify_qr_text(text, trust=trust, today=TODAY)
    assert result.claims is not None
    assert result.claims.name == "JOS\u00c9 IBA\u00d1EZ"  # JOSÉ IBAÑEZ, precomposed


def test_issue_date_survives_the_day_encoding(key: StationKey) -> None:
    trust = TrustList()  # a key trusted on every day tested (judged on the issue date)
    trust.add(key.public_bytes(), station_id="EST-0001", school="14DPR2207Z",
              valid_from=date(2000, 1, 1))
    for issued in (date(2000, 1, 1), date(2026, 2, 28), date(2099, 12, 31)):
        claims = CredentialClaims(77, "ANA", "14DPR2207Z", issued)
        text = issue_qr_text(claims, key)
        result = verify_qr_text(text, trust=trust, today=TODAY)
        assert result.claims == claims


def test_key_id_is_the_sha256_prefix_of_the_public_key(key: StationKey) -> None:
    assert key.key_id == hashlib.sha256(key.public_bytes()).digest()[:8]


def test_two_issues_of_the_same_claims_are_identical(key: StationKey) -> None:
    # Ed25519 is deterministic: reprinting a card reproduces its QR exactly.
    assert issue_qr_text(CLAIMS, key) == issue_qr_text(CLAIMS, key)


def test_trusted_key_id_list_is_read_from_a_saved_file(
    key: StationKey, trust: TrustList, tmp_path: Path
) -> None:
    trust.save(tmp_path / "confianza.json")
    loaded = TrustList.load(tmp_path / "confianza.json")
    result = verify_qr_text(issue_qr_text(CLAIMS, key), trust=loaded, today=TODAY + timedelta(1))
    assert result.verdict is Verdict.VALID
