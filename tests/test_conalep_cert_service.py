"""The certificate flow through the service layer, on SQLite and PostgreSQL: every step and
every refusal (with nothing changed)."""

from __future__ import annotations

import csv
import json
import subprocess
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from conalep.certificates import folios, release, signing, workflow
from conalep.certificates.actors import Actor, Refused
from conalep.certificates.chain import OFFICES, ChainSignature, check_chain_file, to_be_signed
from conalep.certificates.graduates import Graduate, ListSource
from conalep.models.certificates import CertEvent, Certificate, CertSignature, Folio

SAE = Path(__file__).resolve().parents[1] / ".." / "shared" / "samples" / "sae"
NOW = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)

DG = Actor("dg.escolares", "dg_escolares")
NATIONAL = Actor("on.folios", "oficinas_nacionales")
P165 = Actor("escolares.165", "plantel_escolares", "165")
P166 = Actor("escolares.166", "plantel_escolares", "166")
SIGNERS = {
    "plantel_director": Actor("director.165", "plantel_director", "165"),
    "dg_director_general": Actor("director.general", "dg_director_general"),
    "director_general_nacional": Actor("dg.nacional", "director_general_nacional"),
}
COSFAC = Actor("cosfac", "cosfac")


def sae_graduates() -> list[Graduate]:
    folder = SAE.resolve()
    with open(folder / "carreras.csv", encoding="utf-8-sig") as fh:
        careers = {r["clave_carrera"]: r for r in csv.DictReader(fh)}
    with open(folder / "planteles.csv", encoding="utf-8-sig") as fh:
        planteles = {r["clave_plantel"]: r["nombre"] for r in csv.DictReader(fh)}
    with open(folder / "alumnos.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    out = [Graduate(r["matricula"], r["curp"], r["nombre"], r["primer_apellido"],
                    r["segundo_apellido"], r["clave_plantel"], planteles[r["clave_plantel"]],
                    r["clave_carrera"], careers[r["clave_carrera"]]["nombre"],
                    int(careers[r["clave_carrera"]]["modelo_academico"]), r["generacion"],
                    r["estatus"]) for r in rows]
    # A second plantel, so that a plantel acting on another's students can be tried.
    out.append(Graduate("2216600001", "GOSA071107MVZNNNI8", "ANA SOFÍA", "GONZÁLEZ", "SÁNCHEZ",
                        "166", "CONALEP VERACRUZ II", "INFO-23", "INFORMÁTICA", 2023,
                        "2022-2025", "EGRESADO"))
    out.append(Graduate("2216500099", "DELS070101MVZBBFA1", "SOFÍA", "DEBE", "LIBROS", "165",
                        "CONALEP XALAPA", "INFO-23", "INFORMÁTICA", 2023, "2022-2025",
                        "EGRESADO", debts=("BIBLIOTECA",)))
    return out


@pytest.fixture
def db(conalep_sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """A migrated conalep database (SQLite and PostgreSQL, tests/plugin_conalep.py)."""
    return conalep_sessions


def run(db: sessionmaker[Session], fn, *args, **kwargs):
    with db() as session, session.begin():
        return fn(session, *args, **kwargs)


def snapshot(db: sessionmaker[Session]) -> tuple:
    with db() as s:
        return (tuple(s.execute(select(Folio.folio, Folio.state, Folio.plantel,
                                       Folio.certificate_id).order_by(Folio.folio))),
                tuple(s.execute(select(Certificate.id, Certificate.state, Certificate.folio,
                                       Certificate.nombre).order_by(Certificate.id))),
                s.scalar(select(func.count()).select_from(CertSignature)),
                s.scalar(select(func.count()).select_from(CertEvent)))


def refused(db, code: str, fn, *args, **kwargs) -> Refused:
    before = snapshot(db)
    with pytest.raises(Refused) as info:
        run(db, fn, *args, **kwargs)
    assert info.value.code == code, info.value.message
    assert snapshot(db) == before
    return info.value


@pytest.fixture()
def keys(db) -> dict[str, Ed25519PrivateKey]:
    out = {}
    for office, actor in SIGNERS.items():
        key = Ed25519PrivateKey.generate()
        pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
        run(db, signing.register_key, DG, username=actor.username, office=office,
            signer_name=f"TITULAR {office.upper()}", public_pem=pem.decode(),
            plantel=actor.plantel, now=NOW)
        out[office] = key
    return out


def to_signing(db, source) -> list[int]:
    run(db, folios.record_grant, NATIONAL, reference="ON/DSE/0417/2026",
        block="1000001-1000100", granted_on=date(2026, 6, 20), now=NOW)
    run(db, folios.assign_block, DG, plantel="165", block="1000001-1000040", now=NOW)
    run(db, folios.assign_block, DG, plantel="166", block="1000041-1000045", now=NOW)
    made, skipped = run(db, workflow.assign_all, P165, source, now=NOW)
    assert skipped == ["SOFÍA DEBE LIBROS (2216500099) tiene adeudos: BIBLIOTECA"]
    ids = [c.id for c in made]
    for cid in ids:
        run(db, workflow.request, P165, cid, now=NOW)
        run(db, workflow.authorise, DG, cid, now=NOW)
        run(db, workflow.plantel_review_done, P165, cid, now=NOW)
        run(db, workflow.dg_review_approve, DG, cid, now=NOW)
    return ids


def sign(db, office: str, key: Ed25519PrivateKey, cid: int, *, actor: Actor | None = None,
         at: datetime = NOW) -> None:
    actor = actor or SIGNERS[office]
    with db() as s:
        cert = s.get(Certificate, cid)
        prev = signing.chain_of(s, cert)
        kid = signing.own_key(s, SIGNERS[office]).key_id
        doc = cert.document_json.encode()
    stamp = signing.iso_utc(at)
    raw = key.sign(to_be_signed(doc, prev, office, kid, stamp))
    rec = {"certificado_id": cid, **ChainSignature.make(len(prev) + 1, office, kid, stamp,
                                                         raw).record()}
    run(db, signing.submit, actor, [rec], now=NOW)


def test_whole_flow_and_audit(db, keys, tmp_path: Path) -> None:
    source = ListSource(sae_graduates())
    ids = to_signing(db, source)
    assert len(ids) == 16  # the EGRESADOs of generation 2022-2025; the BAJAs get none
    for cid in ids:
        for office in OFFICES:
            sign(db, office, keys[office], cid)
    issuer = release.Issuer.load_or_create(tmp_path)
    for cid in ids:
        run(db, release.release, COSFAC, cid, issuer, now=NOW)
    with db() as s:
        cert, pdf = release.certificate_pdf(s, P165, ids[0], "https://conalep.example/verificar")
        _, chain = release.certificate_chain(s, P165, ids[0])
        published = signing.registered_keys(s)
        answer = release.verify_text(s, issuer, cert.qr_text, today=date(2026, 7, 2))
        report = folios.audit(s)
    assert answer["estado"] == "valido" and answer["folio"] == cert.folio
    assert check_chain_file(chain, published).complete
    (tmp_path / "c.pdf").write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(tmp_path / "c.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    assert str(cert.folio) in out and cert.matricula in out and "ENFERMERÍA GENERAL" in out
    assert "Profesional Técnico-Bachiller" in out and out.count("firmado el") == 3
    assert report.ok, report.problems
    assert report.by_state == {"unassigned": 55, "assigned": 29, "used": 16, "cancelled": 0}
    # Delivery (only once DG instructed it), listing, replacement.
    refused(db, "no-instruction", release.record_delivery, P165, ids[0], oficio="X",
            received_by="Y", delivered_on=date(2026, 7, 3), now=NOW)
    run(db, release.instruct_delivery, DG, plantel="165", oficio="DG/SE/120/2026", now=NOW)
    for cid in ids[:3]:
        run(db, release.record_delivery, P165, cid, oficio="165/SE/031/2026",
            received_by="LA PERSONA EGRESADA", delivered_on=date(2026, 7, 3), now=NOW)
    with db() as s:
        rows = release.listing_rows(s, DG, "165", "165/SE/031/2026")
        form, ack = release.acknowledgement(s, P165, ids[0])
    assert [r[0] for r in rows] == [1, 2, 3] and form == "F02"
    (tmp_path / "f02.pdf").write_bytes(ack)
    ack_text = subprocess.run(["pdftotext", str(tmp_path / "f02.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
    assert "30-524-PO-04-F02" in ack_text and str(cert.folio) in ack_text
    new = run(db, release.replace, DG, ids[0], reason="Extravío reportado", now=NOW)
    with db() as s:
        assert release.lookup_folio(s, cert.folio)["estado"] == "revocado"
        assert release.verify_text(s, issuer, cert.qr_text,
                                   today=date(2026, 7, 2))["estado"] == "revocado"
        assert release.lookup_folio(s, new.folio)["estado"] == "no_liberado"
        assert release.lookup_folio(s, new.folio)["nombre"] is None
        assert folios.audit(s).ok


def test_refusals_change_nothing(db, keys, tmp_path: Path) -> None:
    source = ListSource(sae_graduates())
    ids = to_signing(db, source)
    cid = ids[0]
    # Folios: granted twice, assigned twice, used twice, another plantel's.
    refused(db, "folio-granted-twice", folios.record_grant, NATIONAL, reference="OTRA",
            block="1000090-1000110", granted_on=date(2026, 6, 21), now=NOW)
    refused(db, "folio-not-free", folios.assign_block, DG, plantel="166",
            block="1000001-1000002", now=NOW)
    refused(db, "already-has-certificate", workflow.assign_certificate, P165, source,
            matricula="2216500001", now=NOW)
    refused(db, "other-plantel", workflow.assign_certificate, P165, source,
            matricula="2216600001", now=NOW)
    refused(db, "not-eligible", workflow.assign_certificate, P165, source,
            matricula="2216500004", now=NOW)
    refused(db, "folio-other-plantel", workflow.assign_certificate, P166, source,
            matricula="2216600001", folio=1000030, now=NOW)
    refused(db, "other-plantel", workflow.request, P166, cid, now=NOW)
    # Signatures: out of order, wrong office, someone else's key, changed document.
    with pytest.raises(Refused) as info:
        sign(db, "dg_director_general", keys["dg_director_general"], cid)
    assert info.value.code == "chain-refused" and "fuera de orden" in info.value.message
    before = snapshot(db)
    with pytest.raises(Refused) as info:
        sign(db, "plantel_director", keys["plantel_director"], cid,
             actor=SIGNERS["dg_director_general"])
    assert info.value.code == "wrong-office" and snapshot(db) == before
    with pytest.raises(Refused) as info:
        sign(db, "plantel_director", keys["plantel_director"], cid,
             at=datetime(2026, 6, 1, tzinfo=UTC))
    assert info.value.code == "stale-signature" and snapshot(db) == before
    sign(db, "plantel_director", keys["plantel_director"], cid)
    refused(db, "document-frozen", workflow.correct_name, P165, cid, nombre="OTRO",
            primer_apellido="X", segundo_apellido="Y", now=NOW)
    with db() as s, s.begin():  # someone edits the stored document behind the server's back
        s.execute(text("UPDATE certificates SET document_json = replace(document_json, "
                       "'SANTIAGO', 'SANTIAG0') WHERE id = :i"), {"i": cid})
    before = snapshot(db)
    with pytest.raises(Refused) as info:
        sign(db, "dg_director_general", keys["dg_director_general"], cid)
    assert "El documento cambió" in info.value.message and snapshot(db) == before
    # Download before release.
    refused(db, "not-released", release.certificate_pdf, P165, ids[1], "https://x/v")
    refused(db, "wrong-state", release.release, COSFAC, ids[1],
            release.Issuer.load_or_create(tmp_path), now=NOW)


def test_two_requests_at_once_use_one_folio(db) -> None:
    source = ListSource(sae_graduates())
    run(db, folios.record_grant, NATIONAL, reference="R-1", block="1-10",
        granted_on=date(2026, 6, 20), now=NOW)
    run(db, folios.assign_block, DG, plantel="165", block="1-10", now=NOW)
    results: list[object] = []
    barrier = threading.Barrier(2)

    def attempt(matricula: str) -> None:
        barrier.wait()
        try:
            run(db, workflow.assign_certificate, P165, source, matricula=matricula, folio=5,
                now=NOW)
            results.append("ok")
        except Refused as exc:
            results.append(exc.code)
        except Exception as exc:  # a database serialization error is also a refusal
            results.append(type(exc).__name__)

    threads = [threading.Thread(target=attempt, args=(m,)) for m in ("2216500001",
                                                                     "2216500002")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, results))[-1] == "ok" and results.count("ok") == 1, results
    with db() as s:
        assert s.scalar(select(func.count()).select_from(Certificate)) == 1
        assert folios.audit(s).ok


def test_cosfac_return_goes_back_to_review(db, keys, tmp_path: Path) -> None:
    source = ListSource(sae_graduates())
    cid = to_signing(db, source)[0]
    for office in OFFICES:
        sign(db, office, keys[office], cid)
    refused(db, "missing-reason", release.cosfac_return, COSFAC, cid, reason=" ", now=NOW)
    run(db, release.cosfac_return, COSFAC, cid, reason="Nombre de la carrera incompleto",
        now=NOW)
    with db() as s:
        cert = s.get(Certificate, cid)
        assert cert.state == "autorizado" and cert.document_json is None
        assert not signing.chain_of(s, cert)
        events = [json.loads(e.detail) for e in s.scalars(select(CertEvent).where(
            CertEvent.action == "devuelto-cosfac"))]
    assert len(events[0]["firmas_anteriores"]) == 3


def test_paper_checklist_needs_a_reason_per_rejected_item(db) -> None:
    source = ListSource(sae_graduates())
    run(db, folios.record_grant, NATIONAL, reference="R-P", block="1-5",
        granted_on=date(2026, 6, 20), now=NOW)
    run(db, folios.assign_block, DG, plantel="165", block="1-5", now=NOW)
    cid = run(db, workflow.assign_certificate, P165, source, matricula="2216500001",
              now=NOW).id
    for fn, actor in ((workflow.request, P165), (workflow.authorise, DG),
                      (workflow.plantel_review_done, P165)):
        run(db, fn, actor, cid, now=NOW)
    items = dict.fromkeys(workflow.PAPER_ITEMS, (True, ""))
    refused(db, "missing-reason", workflow.record_paper_checks, DG, cid,
            results={**items, "sello": (False, " ")}, now=NOW)
    refused(db, "checklist-incomplete", workflow.record_paper_checks, DG, cid,
            results={"foto": (True, "")}, now=NOW)
    run(db, workflow.record_paper_checks, DG, cid,
        results={**items, "sello": (False, "El sello toca la barbilla")}, now=NOW)
    error = refused(db, "paper-checklist", workflow.dg_review_approve, DG, cid, now=NOW)
    assert "barbilla" in error.message or "Sello" in error.message
    run(db, workflow.record_paper_checks, DG, cid, results=items, now=NOW)
    run(db, workflow.dg_review_approve, DG, cid, now=NOW)
    with db() as s:
        assert s.get(Certificate, cid).state == "por_firmar"


def test_offline_signer_refuses_a_readable_key(tmp_path: Path) -> None:
    from conalep.certificates.offline_signer import generate_key, load_key
    from foundation.errors import DomainError

    pem = generate_key(tmp_path / "k.pem")
    assert "PUBLIC KEY" in pem and (tmp_path / "k.pem").stat().st_mode & 0o777 == 0o600
    (tmp_path / "k.pem").chmod(0o644)
    with pytest.raises(DomainError, match="permisos 644"):
        load_key(tmp_path / "k.pem")
    with pytest.raises(DomainError, match="ya existe"):
        generate_key(tmp_path / "k.pem")


def test_two_graduates_at_once_get_two_folios(db) -> None:
    """Both requests pick the lowest free folio; the loser moves on to the next one."""
    source = ListSource(sae_graduates())
    run(db, folios.record_grant, NATIONAL, reference="R-2", block="1-10",
        granted_on=date(2026, 6, 20), now=NOW)
    run(db, folios.assign_block, DG, plantel="165", block="1-10", now=NOW)
    barrier = threading.Barrier(4)
    results: list[object] = []

    def attempt(matricula: str) -> None:
        barrier.wait()
        try:
            results.append(run(db, workflow.assign_certificate, P165, source,
                               matricula=matricula, now=NOW).folio)
        except Exception as exc:  # reported in the assertion below
            results.append(repr(exc))

    threads = [threading.Thread(target=attempt, args=(m,))
               for m in ("2216500001", "2216500002", "2216500003", "2216500006")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, results)) == ["1", "2", "3", "4"], results
    with db() as s:
        assert folios.audit(s).ok
