"""Pure rules of the certificates wing: folios, signature chain, academic models."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conalep.catalog.academic_models import (
    ACADEMIC_MODELS,
    ReplacementRule,
    UnknownModelError,
    model_for,
)
from conalep.certificates.chain import (
    OFFICES,
    ChainError,
    ChainSignature,
    SignerKey,
    accept_signature,
    canonical_document,
    chain_file,
    check_chain_file,
    key_id_of,
    raw_signature,
    to_be_signed,
    verify_chain,
)
from conalep.certificates.folio_rules import (
    TRANSITIONS,
    FolioRow,
    FolioRuleError,
    FolioState,
    audit,
    can_move,
    parse_range,
)

WHEN = "2026-07-01T10:00:00Z"


# --- academic models ------------------------------------------------------------------------

def test_models_follow_norm_29() -> None:
    assert [m.year for m in ACADEMIC_MODELS] == [1990, 1997, 2003, 2008, 2018, 2023]
    assert not model_for(1990).grants_bachillerato and not model_for(1997).grants_bachillerato
    assert all(model_for(y).grants_bachillerato for y in (2003, 2008, 2018, 2023))
    assert model_for(2008).grants == ("PT", "PT-B")
    assert [m.year for m in ACADEMIC_MODELS if m.proceies_equivalence] == [1990, 1997]
    assert [m.year for m in ACADEMIC_MODELS if m.single_technical_track] == [2023]
    assert model_for(1990).last_generation == 1996 and model_for(2008).last_generation == 2017
    assert model_for(2023).last_generation is None
    assert {m.year for m in ACADEMIC_MODELS
            if m.replacement_rule is ReplacementRule.NATIONAL_GUIDE} == {1990, 1997}
    assert "Profesional Técnico-Bachiller" in model_for(2023).certificate_text_es
    with pytest.raises(UnknownModelError, match="2010 no existe"):
        model_for(2010)


# --- folios ---------------------------------------------------------------------------------

def test_folio_ranges() -> None:
    assert len(parse_range("1001-1500")) == 500
    assert list(parse_range(" 7 ")) == [7]
    for bad in ("", "10-5", "0-3", "a-b", "1-200001"):
        with pytest.raises(FolioRuleError):
            parse_range(bad)


def test_no_transition_goes_back_or_reuses_a_folio() -> None:
    for old in FolioState:
        assert not can_move(old, FolioState.UNASSIGNED)
        assert not can_move(FolioState.USED, old)
        assert not can_move(FolioState.CANCELLED, old)
    assert (FolioState.ASSIGNED, FolioState.USED) in TRANSITIONS


def _rows() -> list[FolioRow]:
    return [
        FolioRow(1, "ON-1", FolioState.UNASSIGNED, None, None),
        FolioRow(2, "ON-1", FolioState.ASSIGNED, "165", None),
        FolioRow(3, "ON-1", FolioState.USED, "165", 10),
        FolioRow(4, "ON-1", FolioState.CANCELLED, None, None, "papel dañado"),
    ]


def test_audit_counts_each_folio_once_per_level() -> None:
    report = audit(_rows(), [(10, 3, "165")])
    assert report.ok, report.problems
    assert report.by_state == {"unassigned": 1, "assigned": 1, "used": 1, "cancelled": 1}
    assert report.by_plantel == {"165": {"assigned": 1, "used": 1}}
    assert report.to_json()["por_otorgamiento"] == {
        "ON-1": {"unassigned": 1, "assigned": 1, "used": 1, "cancelled": 1}}


@pytest.mark.parametrize("certs, rows_change, needle", [
    ([(10, 3, "165"), (11, 3, "165")], None, "en dos certificados"),
    ([(10, 3, "165"), (11, 9, "165")], None, "nunca se otorgó"),
    ([(10, 3, "166")], None, "no del 166"),
    ([], None, "ningún certificado lo lleva"),
    ([(10, 3, "165"), (12, 2, "165")], None, "asignado a un plantel"),
    ([(10, 3, "165")], FolioRow(1, "ON-1", FolioState.UNASSIGNED, "165", None), "sin asignar"),
    ([(10, 3, "165")], FolioRow(4, "ON-1", FolioState.CANCELLED, None, None, " "), "sin motivo"),
])
def test_audit_finds_every_inconsistency(certs, rows_change, needle) -> None:
    rows = _rows()
    if rows_change is not None:
        rows = [rows_change if r.folio == rows_change.folio else r for r in rows]
    report = audit(rows, certs)
    assert not report.ok
    assert any(needle in p for p in report.problems), report.problems


# --- signature chain ------------------------------------------------------------------------

@pytest.fixture()
def signers():
    keys = {
        "plantel_director": Ed25519PrivateKey.generate(),
        "dg_director_general": ec.generate_private_key(ec.SECP256R1()),
        "director_general_nacional": Ed25519PrivateKey.generate(),
    }
    registry = {}
    for office, key in keys.items():
        kid = key_id_of(key.public_key())
        registry[kid] = SignerKey(kid, office, key.public_key(), f"TITULAR {office}")
    return keys, registry


def _sign(key, data: bytes) -> bytes:
    if isinstance(key, Ed25519PrivateKey):
        return key.sign(data)
    from cryptography.hazmat.primitives import hashes
    return raw_signature(key.public_key(), key.sign(data, ec.ECDSA(hashes.SHA256())))


def _signature(doc, previous, office, key, *, key_for_id=None) -> ChainSignature:
    kid = key_id_of((key_for_id or key).public_key())
    tbs = to_be_signed(doc, previous, office, kid, WHEN)
    return ChainSignature.make(len(previous) + 1, office, kid, WHEN, _sign(key, tbs))


DOC = canonical_document({"folio": 1001, "nombre": "ANA SOFÍA CRUZ JIMÉNEZ", "modelo": 2023})


def test_full_chain_in_order_verifies(signers) -> None:
    keys, registry = signers
    sigs: list[ChainSignature] = []
    for office in OFFICES:
        sigs.append(accept_signature(DOC, sigs, registry, _signature(DOC, sigs, office,
                                                                     keys[office])))
    assert verify_chain(DOC, sigs, registry).complete
    published = chain_file(DOC, sigs, registry)
    assert check_chain_file(published, registry).complete
    assert published["cadena_sha256"] == hashlib.sha256(
        canonical_document({"documento": hashlib.sha256(DOC).hexdigest(),
                            "firmas": [s.record() for s in sigs]})).hexdigest()


def test_out_of_order_and_wrong_office_are_refused(signers) -> None:
    keys, registry = signers
    with pytest.raises(ChainError, match="fuera de orden"):
        accept_signature(DOC, [], registry, _signature(DOC, [], "dg_director_general",
                                                       keys["dg_director_general"]))
    # The DG's key used to sign as the plantel director: the key's office decides.
    with pytest.raises(ChainError, match="es de Director\\(a\\) General del Colegio"):
        accept_signature(DOC, [], registry, _signature(DOC, [], "plantel_director",
                                                       keys["dg_director_general"]))
    first = _signature(DOC, [], "plantel_director", keys["plantel_director"])
    with pytest.raises(ChainError, match="no corresponde"):
        # Signed with a key other than the one it names.
        accept_signature(DOC, [first], registry, _signature(
            DOC, [first], "dg_director_general", keys["director_general_nacional"],
            key_for_id=keys["dg_director_general"]))


def test_changed_document_after_first_signature_is_refused(signers) -> None:
    keys, registry = signers
    first = _signature(DOC, [], "plantel_director", keys["plantel_director"])
    changed = canonical_document({"folio": 1001, "nombre": "ANA SOFIA CRUZ JIMENEZ",
                                  "modelo": 2023})
    second = _signature(changed, [first], "dg_director_general", keys["dg_director_general"])
    with pytest.raises(ChainError, match="El documento cambió"):
        accept_signature(changed, [first], registry, second)


def test_tampered_chain_file_fails(signers) -> None:
    keys, registry = signers
    sigs: list[ChainSignature] = []
    for office in OFFICES:
        sigs.append(_signature(DOC, sigs, office, keys[office]))
    good = chain_file(DOC, sigs, registry)
    renamed = {**good, "documento": {**good["documento"], "nombre": "OTRA PERSONA"}}
    assert not check_chain_file(renamed, registry).ok
    swapped = {**good, "firmas": [good["firmas"][1], good["firmas"][0], good["firmas"][2]]}
    assert not check_chain_file(swapped, registry).ok
    digest = {**good, "cadena_sha256": "00" * 32}
    assert "resumen" in check_chain_file(digest, registry).problems[0]
    # A file bringing its own keys is not trusted: only the published keys count.
    impostor = Ed25519PrivateKey.generate()
    kid = key_id_of(impostor.public_key())
    fake = {kid: SignerKey(kid, "plantel_director", impostor.public_key(), "X")}
    assert not check_chain_file(good, fake).ok
