"""The verifier accepts exactly what issuing produces (issue 14).

Claims outside the issuer's bounds, other CBOR framings of the same signed bytes and folios of
any size are refused with the project's own verdict; cards made before this change keep
verifying; and a seeded fuzz of the decoder (over 200,000 mutated envelopes and payloads of
cards and certificates) raises nothing but the project's own errors.
"""

from __future__ import annotations

import json
import random
import time
from datetime import date, timedelta
from pathlib import Path

import base45
import cbor2
import pytest
import qrcode
from click.testing import CliRunner
from credential_mutations import mutate
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from foundation.credential import (
    PREFIX,
    PayloadError,
    StationKey,
    TrustList,
    Verdict,
    issue_qr_text,
    verify_qr_text,
)
from foundation.credential.card import STUDENT_CARD, CredentialClaims
from foundation.credential.certificate import CONALEP_CERTIFICATE, CertificateClaims
from foundation.credential.cose import EnvelopeError, decode_sign1, encode_sign1
from foundation.credential.payload import decode_typed, encode_document
from foundation.errors import InputError
from station.cli import main
from station.context import Station
from station.services.verification import verify_texts

TODAY = date(2026, 12, 2)
EPOCH = date(1970, 1, 1)
BOTH = (STUDENT_CARD, CONALEP_CERTIFICATE)

# Made by the code of main at 9aaacf3 (before this change) with the key bytes(range(32)):
# printed cards carry these texts and must keep verifying.
OLD_CARD = (
    "SC1:RRQT 9P60GO0$+AWKB3UAR098CKNU8100C60F006J82E0C45RB8LWOMA8HS8X34C1AH64RFGK09+S9+MA*+A"
    "2T9SB8* 8TGI9HAT6APWO%985JDFR6.6AOA7746.Q8093KLR9588A3WS8LWMUNVWV4TT5HHK4WVMB0XY9-5BER62"
    "-BHORN39P8Q4$V9SLM1S6PC/IG/0PHA9Y7TN/QKSE-DFU1W-OCZE3J-H00")
OLD_CARD_CLAIMS = CredentialClaims(1000101, "MARÍA DE LOS ÁNGELES VILLASEÑOR PEÑA", "14DPR9901D",
                                   date(2026, 9, 1))
OLD_LONGEST = (
    "SC1:RRQT 9P60GO0$+AWKB3UAR098CK3XD100C60FGWFGW2E0K9AAJIAJIAJIAJIAJIAJIAJIAJIAJIAJIAJIAJI"
    "AJIAJIAJIAJIAJIAJIAJIAJIAJIAJIAJIAJIAJIAJIAJIAJIAJIAJIAJIAJIAJIAJIAJIAJIAJIAJIAJI/EI5JDG"
    "R6ZTAOA7946E%81934M6+68.UCVBWN3TI*D$1L2MJHUHR:I4IADJ5%BK675LVEKZD.%VHUHQN6EVDBUF/CFBPH--"
    "O:U9GT20X7:/83.GXC9XLAY$J04760")
OLD_LONGEST_CLAIMS = CredentialClaims(2**32 - 1, "Ñ" * 40, "14ETV9903F", date(2026, 11, 30))
OLD_CERTIFICATE = (
    "SC1:RRQT 9P60GO0$+AWKB3UAR098CK0:C200C60F00SJ80E0NB8MA8.NAP.8Q%HO34HIAWHBVV92SIOY8JJ0PF6"
    "/96QW6646D467P01C9:*89IA9WOMTARM80T0/:0VY0P8AZ-0224X507H0QS00+0J61%H1CT1V+1572OI2/T2H-2 "
    "73AJ3TU3E/3A98NL9FWLOYJFE8X%5A.61K8QL4W CVFNRYHP0WEK4XA4RRA:II.*5H1E/5M2CRV2SQEK6KD52UIZ"
    "TX7D8D5LSQDMJPACAFA00")
OLD_CERTIFICATE_CLAIMS = CertificateClaims(1000123, "ANA SOFÍA CRUZ LÓPEZ", "2216500007",
                                           "INFORMÁTICA", 2023, date(2026, 7, 1), bytes(range(32)))


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> StationKey:
    path = tmp_path_factory.mktemp("fixed-key") / "clave.pem"
    path.write_bytes(Ed25519PrivateKey.from_private_bytes(bytes(range(32))).private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    path.chmod(0o600)
    return StationKey.load(path)


@pytest.fixture(scope="module")
def trust(key: StationKey) -> TrustList:
    t = TrustList()
    t.add(key.public_bytes(), station_id="EST-0001", school="14DPR9901D",
          valid_from=date(2000, 1, 1))
    return t


def _text(signed: bytes) -> str:
    return PREFIX + base45.b45encode(signed).decode()


def _signed(key: StationKey, payload: bytes) -> str:
    return _text(encode_sign1(payload, key.key_id, key.sign))


def _verify(text: str, trust: TrustList) -> object:
    return verify_qr_text(text, trust=trust, today=TODAY, documents=BOTH)


# --- cards made before this change --------------------------------------------------------

@pytest.mark.parametrize(("text", "claims", "document"), [
    (OLD_CARD, OLD_CARD_CLAIMS, STUDENT_CARD),
    (OLD_LONGEST, OLD_LONGEST_CLAIMS, STUDENT_CARD),
    (OLD_CERTIFICATE, OLD_CERTIFICATE_CLAIMS, CONALEP_CERTIFICATE),
])
def test_cards_made_by_todays_code_keep_verifying(
    key: StationKey, trust: TrustList, text: str, claims: object, document: object
) -> None:
    result = verify_qr_text(text, trust=trust, today=TODAY, documents=BOTH)
    assert result.verdict is Verdict.VALID, result.reason_es
    assert result.claims == claims and result.document is document
    assert issue_qr_text(claims, key, document) == text  # the issuer still writes the same


# --- claims issuing never produces --------------------------------------------------------

def _days(d: date) -> int:
    return (d - EPOCH).days


GOOD_CARD = {0: 1, 1: 123, 2: "JUAN PÉREZ", 3: "14DPR2207Z", 4: _days(date(2026, 11, 21))}
GOOD_CERTIFICATE = {0: 2, 1: 1000123, 2: "ANA SOFÍA CRUZ LÓPEZ", 3: "2216500007",
                    4: "INFORMÁTICA", 5: 2023, 6: _days(date(2026, 7, 1)), 7: bytes(32)}

OUT_OF_BOUNDS = {
    "folio 2^40": {**GOOD_CARD, 1: 2**40},
    "folio 2^63": {**GOOD_CARD, 1: 2**63},
    "folio 2^64 (bignum)": {**GOOD_CARD, 1: 2**64},
    "folio 2^200": {**GOOD_CARD, 1: 2**200},
    "CCT X": {**GOOD_CARD, 3: "X"},
    "CCT with Arabic-Indic digits": {**GOOD_CARD, 3: "١٤DPR2207Z"},
    "600-byte name": {**GOOD_CARD, 2: "ÑA" * 200},
    "issued 31/12/9999": {**GOOD_CARD, 4: _days(date(9999, 12, 31))},
    "issued 01/01/2100": {**GOOD_CARD, 4: _days(date(2100, 1, 1))},
    "line break in the name": {**GOOD_CARD, 2: "JUAN\nPÉREZ"},
    "right-to-left override in the name": {**GOOD_CARD, 2: "JUAN \u202eZEREP"},
    "zero-width space in the name": {**GOOD_CARD, 2: "JUAN\u200bPÉREZ"},
    "digits in the name": {**GOOD_CARD, 2: "JUAN 2"},
    "certificate folio 2^63": {**GOOD_CERTIFICATE, 1: 2**63},
    "certificate career with a line break": {**GOOD_CERTIFICATE, 4: "INFORMÁTICA\nY MÁS"},
    "certificate name with a right-to-left override": {**GOOD_CERTIFICATE, 2: "ANA\u202eZEPOL"},
    "certificate issued 31/12/9999": {**GOOD_CERTIFICATE, 6: _days(date(9999, 12, 31))},
}


def _claims_of(body: dict[int, object]) -> object:
    day = EPOCH + timedelta(days=min(int(body[4 if body[0] == 1 else 6]), 2_900_000))  # type: ignore[call-overload]
    if body[0] == 1:
        return CredentialClaims(body[1], body[2], body[3], day)  # type: ignore[arg-type]
    return CertificateClaims(body[1], body[2], body[3], body[4], body[5],  # type: ignore[arg-type]
                             day, body[7])  # type: ignore[arg-type]


@pytest.mark.parametrize("case", list(OUT_OF_BOUNDS))
def test_what_issuing_refuses_verifying_refuses(
    key: StationKey, trust: TrustList, case: str
) -> None:
    body = OUT_OF_BOUNDS[case]
    document = STUDENT_CARD if body[0] == 1 else CONALEP_CERTIFICATE
    if not case.startswith(("issued", "certificate issued")):  # date(9999) + days overflows
        with pytest.raises(InputError):
            issue_qr_text(_claims_of(body), key, document)
    result = _verify(_signed(key, cbor2.dumps(body)), trust)
    assert result.verdict is Verdict.NOT_A_CREDENTIAL, result.reason_es
    assert result.claims is None
    assert "ninguna estación emite" in result.reason_es
    assert result.reason_es.startswith("El código QR lo firmó una estación de confianza")


def test_issue_dates_after_2099_are_refused_at_issue(key: StationKey) -> None:
    for day in (date(2100, 1, 1), date(9999, 12, 31)):
        with pytest.raises(InputError, match="fecha"):
            issue_qr_text(CredentialClaims(1, "ANA", "14DPR2207Z", day), key)
        with pytest.raises(InputError, match="fecha"):
            issue_qr_text(CertificateClaims(1, "ANA", "1", "X", 2023, day, bytes(32)), key,
                          CONALEP_CERTIFICATE)


def test_a_name_outside_nfc_is_refused_though_issuing_would_normalise_it(
    key: StationKey, trust: TrustList
) -> None:
    decomposed = {**GOOD_CARD, 2: "JOSE\u0301 IBAN\u0303EZ"}
    assert _verify(_signed(key, cbor2.dumps(decomposed)), trust).verdict \
        is Verdict.NOT_A_CREDENTIAL
    composed = {**GOOD_CARD, 2: "JOSÉ IBAÑEZ"}
    assert _verify(_signed(key, cbor2.dumps(composed)), trust).verdict is Verdict.VALID


# --- other framings of the same signed bytes -----------------------------------------------

def _reframed(signed: bytes) -> dict[str, bytes]:
    """The issue's re-wrappings: every one keeps the signed protected header and payload."""
    assert signed[:3] == bytes([0xD2, 0x84, 0x4D]) and signed[16:18] == bytes([0xA0, 0x58])
    n = signed[18]
    payload_end = 19 + n
    assert signed[payload_end:payload_end + 2] == bytes([0x58, 0x40])
    return {
        "tag d8 12": b"\xd8\x12" + signed[1:],
        "array 98 04": signed[:1] + b"\x98\x04" + signed[2:],
        "payload length 59 00 NN": signed[:17] + b"\x59\x00" + signed[18:],
        "protected length 58 0d": signed[:2] + b"\x58\x0d" + signed[3:],
        "signature length 59 00 40": signed[:payload_end] + b"\x59\x00\x40"
        + signed[payload_end + 2:],
        "unprotected map b8 00": signed[:16] + b"\xb8\x00" + signed[17:],
        "indefinite array": signed[:1] + b"\x9f" + signed[2:] + b"\xff",
        "tag 55799 around it": b"\xd9\xd9\xf7" + signed,
    }


REFRAMINGS = ("tag d8 12", "array 98 04", "payload length 59 00 NN", "protected length 58 0d",
              "signature length 59 00 40", "unprotected map b8 00", "indefinite array",
              "tag 55799 around it")


@pytest.mark.parametrize("how", REFRAMINGS)
def test_the_same_signed_bytes_in_another_framing_are_refused(
    key: StationKey, trust: TrustList, how: str
) -> None:
    signed = base45.b45decode(issue_qr_text(OLD_CARD_CLAIMS, key)[len(PREFIX):])
    variants = _reframed(signed)
    assert set(variants) == set(REFRAMINGS)
    reframed = variants[how]
    assert verify_qr_text(_text(signed), trust=trust, today=TODAY).verdict is Verdict.VALID
    assert reframed != signed
    result = _verify(_text(reframed), trust)
    assert result.verdict is Verdict.NOT_A_CREDENTIAL, result.reason_es
    if how not in ("indefinite array", "tag 55799 around it"):  # those were refused before
        assert "no canónica" in result.reason_es


@pytest.mark.parametrize("payload", [
    "a5 00 01 01 19 00 7b",         # folio 123 written in three bytes
    "a5 00 01 01 1a 00 00 00 7b",   # ... in five
    "b8 05 00 01 01 18 7b",         # map length in two bytes
    "a5 18 00 01 01 18 7b",         # key 0 written in two bytes
], ids=["folio-19", "folio-1a", "map-b8", "key-18"])
def test_a_payload_signed_in_a_non_canonical_form_is_refused(
    key: StationKey, trust: TrustList, payload: str
) -> None:
    canonical = cbor2.dumps(GOOD_CARD)
    head = bytes.fromhex(payload.replace(" ", ""))
    assert canonical.startswith(bytes.fromhex("a5000101187b"))
    body = head + canonical[6:]
    assert cbor2.loads(body) == GOOD_CARD  # the same map, other bytes
    result = _verify(_signed(key, body), trust)
    assert result.verdict is Verdict.NOT_A_CREDENTIAL
    assert "no canónica" in result.reason_es
    reordered = cbor2.dumps(dict(reversed(GOOD_CARD.items())))
    assert _verify(_signed(key, reordered), trust).verdict is Verdict.NOT_A_CREDENTIAL
    assert _verify(_signed(key, canonical), trust).verdict is Verdict.VALID


# --- any folio size, through the station ----------------------------------------------------

def test_station_verify_refuses_a_folio_beyond_sqlite_cleanly(
    prepared_station: tuple[Station, str, list[str]], tmp_path: Path
) -> None:
    """Before: OverflowError from the revocation lookup (SQLite integers are 64-bit)."""
    station, _cct, _curps = prepared_station
    texts = [_signed(station.key, cbor2.dumps({**GOOD_CARD, 1: folio}))
             for folio in (2**63, 2**64 - 1, 2**64, 2**100)]
    results = verify_texts(station, texts)
    assert [r.verdict for r in results] == [Verdict.NOT_A_CREDENTIAL] * 4
    assert all("ninguna estación emite" in r.reason_es for r in results)
    image = tmp_path / "qr.png"
    qrcode.make(texts[0], error_correction=qrcode.constants.ERROR_CORRECT_Q).save(image)
    data = station.data_dir
    station.close()
    out = CliRunner().invoke(main, ["--data", str(data), "verify", str(image), "--json"])
    assert out.exception is None or isinstance(out.exception, SystemExit), out.output
    assert "Traceback" not in out.output
    [answer] = json.loads(out.output)
    assert answer["verdict"] == "not-a-credential" and answer["folio"] is None


# --- the decoder fuzz --------------------------------------------------------------------

FUZZ_PER_SEED = 41_000


def _seeds(key: StationKey) -> list[tuple[bytes, object]]:
    """Envelopes and payloads of real cards and certificates, with their decoded trees."""
    payloads = [
        encode_document(STUDENT_CARD, OLD_CARD_CLAIMS),
        encode_document(STUDENT_CARD, OLD_LONGEST_CLAIMS),
        encode_document(CONALEP_CERTIFICATE, OLD_CERTIFICATE_CLAIMS),
    ]
    envelopes = [encode_sign1(p, key.key_id, key.sign) for p in payloads[::2]]
    return [(b, cbor2.loads(b)) for b in (*payloads, *envelopes)]


def test_decoder_fuzz_raises_only_the_projects_errors(key: StationKey) -> None:
    """Over 200,000 mutated envelopes and payloads (bit flips, truncations, insertions,
    structure-aware changes written back with odd heads): the decoder raises only
    EnvelopeError / PayloadError, and whatever it accepts is exactly what issuing writes."""
    rng = random.Random(20261202)
    seeds = _seeds(key)
    counts = {"tried": 0, "refused": 0, "accepted": 0}
    t0 = time.perf_counter()
    for data, tree in seeds:
        is_envelope = data[0] == 0xD2
        for _ in range(FUZZ_PER_SEED):
            mutated = mutate(rng, data, tree)
            counts["tried"] += 1
            try:
                if is_envelope:
                    env = decode_sign1(mutated)
                    signature = env.signature
                    assert encode_sign1(env.payload, env.key_id, lambda _d, s=signature: s) \
                        == mutated
                else:
                    document, claims = decode_typed(mutated, BOTH)
                    assert encode_document(document, claims) == mutated
            except (EnvelopeError, PayloadError):
                counts["refused"] += 1
            else:
                counts["accepted"] += 1
    elapsed = time.perf_counter() - t0
    assert counts["tried"] >= 200_000
    assert counts["refused"] > 0.6 * counts["tried"]
    assert counts["accepted"] > 0  # e.g. a flipped bit inside a name: another valid name
    print(f"decoder fuzz: {counts} in {elapsed:.1f} s")
