"""COSFAC validation and release, downloads, delivery, replacement and public verification
(norm 17's last step, activities 6-7, norms 18, 23, 28).

The QR is the project's signed document (foundation.credential, document type 2), signed at
release with the Colegio's issuing key; it carries the digest of the signature chain, so a QR
and a chain file belong together. The issuing key is the institution's seal, kept by the
server like a station keeps its own; the three personal signatures stay with their signers.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from conalep.certificates import documents, folios
from conalep.certificates.actors import Actor, Refused, require_plantel, require_role
from conalep.certificates.chain import OFFICE_NAMES_ES, chain_digest, chain_file, verify_chain
from conalep.certificates.signing import chain_of, parse_iso_utc, registered_keys
from conalep.certificates.workflow import (
    State,
    drop_signatures,
    get,
    replacement_note,
)
from conalep.models.certificates import CertEvent, Certificate, Delivery, SignerKeyRecord
from foundation.credential import StationKey, TrustList, Verdict, issue_qr_text, verify_qr_text
from foundation.credential.certificate import CONALEP_CERTIFICATE, CertificateClaims

ISSUER_ID = "CONALEP-VER"
ISSUER_NAME = "Colegio de Educación Profesional Técnica del Estado de Veracruz"
DOWNLOADABLE = frozenset({State.RELEASED, State.DELIVERED})


@dataclass(frozen=True)
class Issuer:
    """The Colegio's issuing key and the trust list that publishes it."""

    key: StationKey
    valid_from: date

    @classmethod
    def load_or_create(cls, data_dir: Path, valid_from: date = date(2020, 1, 1)) -> Issuer:
        return cls(StationKey.load_or_create(data_dir / "certificados" / "emisor.pem"),
                   valid_from)

    def trust(self) -> TrustList:
        trust = TrustList()
        trust.add(self.key.public_bytes(), station_id=ISSUER_ID, school=ISSUER_NAME,
                  valid_from=self.valid_from)
        return trust


def _full_name(cert: Certificate) -> str:
    return " ".join(p for p in (cert.nombre, cert.primer_apellido, cert.segundo_apellido) if p)


def release(session: Session, actor: Actor, certificate_id: int, issuer: Issuer, *,
            now: datetime) -> Certificate:
    """Activity 6.1: COSFAC validates the complete chain and releases for download."""
    require_role(actor, "cosfac")
    cert = get(session, actor, certificate_id, lock=True)
    if State(cert.state) is not State.SIGNED or cert.document_json is None:
        raise Refused("wrong-state",
                      f"El certificado con folio {cert.folio} no tiene las tres firmas.")
    document = cert.document_json.encode("utf-8")
    sigs = chain_of(session, cert)
    check = verify_chain(document, sigs, registered_keys(session))
    if not check.complete:
        raise Refused("chain-invalid",
                      f"La cadena de firmas del folio {cert.folio} no es válida: "
                      + " ".join(check.problems))
    digest = chain_digest(document, sigs)
    cert.chain_sha256 = digest.hex()
    cert.released_on = now.date()
    cert.qr_text = issue_qr_text(
        CertificateClaims(cert.folio, _full_name(cert), cert.matricula, cert.career,
                          cert.model_year, cert.released_on, digest),
        issuer.key, CONALEP_CERTIFICATE)
    cert.state, cert.state_reason, cert.updated_at = State.RELEASED.value, None, now
    folios.log(session, actor, "liberado", now, certificate_id=cert.id, folio=cert.folio,
               cadena=digest.hex())
    return cert


def cosfac_return(session: Session, actor: Actor, certificate_id: int, *, reason: str,
                  now: datetime) -> None:
    """COSFAC returns it with a reason: back to review, the chain set aside (in the log)."""
    require_role(actor, "cosfac")
    reason = (reason or "").strip()
    if not reason:
        raise Refused("missing-reason", "Escriba el motivo de la devolución.", 422)
    cert = get(session, actor, certificate_id, lock=True)
    if State(cert.state) is not State.SIGNED:
        raise Refused("wrong-state",
                      f"El certificado con folio {cert.folio} no está en validación de COSFAC.")
    kept = drop_signatures(session, cert)
    cert.state, cert.state_reason, cert.updated_at = State.AUTHORISED.value, reason, now
    folios.log(session, actor, "devuelto-cosfac", now, certificate_id=cert.id,
               folio=cert.folio, motivo=reason, firmas_anteriores=kept)


def _downloadable(session: Session, actor: Actor, certificate_id: int) -> Certificate:
    cert = get(session, actor, certificate_id)
    if State(cert.state) not in DOWNLOADABLE:
        raise Refused("not-released",
                      f"El certificado con folio {cert.folio} aún no ha sido liberado por "
                      "COSFAC; no se puede descargar.", 403)
    return cert


def certificate_view(session: Session, cert: Certificate, verify_url: str
                     ) -> documents.CertificateView:
    records = {r.key_id: r for r in session.scalars(select(SignerKeyRecord))}
    signers = [documents.SignerLine(s.office, records[s.key_id].signer_name,
                                    parse_iso_utc(s.signed_at), s.key_id)
               for s in chain_of(session, cert)]
    replaces = session.get(Certificate, cert.replaces_id) if cert.replaces_id else None
    assert cert.qr_text and cert.chain_sha256 and cert.released_on
    return documents.CertificateView(
        folio=cert.folio, name=_full_name(cert), matricula=cert.matricula, career=cert.career,
        model_year=cert.model_year, plantel=f"{cert.plantel} {cert.plantel_name}",
        issued_on=cert.released_on, signers=signers, qr_text=cert.qr_text,
        chain_sha256=cert.chain_sha256, verify_url=verify_url,
        replaces_folio=replaces.folio if replaces else None)


def certificate_pdf(session: Session, actor: Actor, certificate_id: int, verify_url: str
                    ) -> tuple[Certificate, bytes]:
    cert = _downloadable(session, actor, certificate_id)
    return cert, documents.certificate_pdf([certificate_view(session, cert, verify_url)])


def graduate_pdf(session: Session, folio: int, curp: str, verify_url: str
                 ) -> tuple[Certificate, bytes]:
    """The graduate's own printable certificate (with the verification QR): the folio and
    the CURP must belong together (the CURP is what only the graduate and the school know;
    the refusal does not say which of the two did not match), and it must be released."""
    cert = session.scalar(select(Certificate).where(Certificate.folio == folio))
    given = curp.strip().upper().encode("utf-8")
    if cert is None or not hmac.compare_digest(cert.curp.upper().encode("utf-8"), given):
        raise Refused("not-found", "No hay un certificado con ese folio y esa CURP; revise "
                                   "los dos datos (el folio está en su constancia de trámite).",
                      404)
    if State(cert.state) is State.REVOKED:
        raise Refused("revoked", f"El certificado con folio {folio} fue cancelado "
                                 f"({cert.state_reason or 'se repuso con otro folio'}); "
                                 "pida el vigente en Servicios Escolares de su plantel.", 409)
    if State(cert.state) not in DOWNLOADABLE:
        raise Refused("not-released", f"Su certificado (folio {folio}) todavía está en "
                                      "trámite: podrá descargarlo aquí en cuanto COSFAC lo "
                                      "libere.", 409)
    return cert, documents.certificate_pdf([certificate_view(session, cert, verify_url)])


def certificate_chain(session: Session, actor: Actor | None, certificate_id: int
                      ) -> tuple[Certificate, dict[str, Any]]:
    cert = (_downloadable(session, actor, certificate_id) if actor is not None
            else session.get(Certificate, certificate_id))
    if cert is None or cert.document_json is None:
        raise Refused("not-found", "No existe ese certificado.", 404)
    return cert, chain_file(cert.document_json.encode("utf-8"), chain_of(session, cert),
                            registered_keys(session))


def published_keys(session: Session, issuer: Issuer) -> dict[str, Any]:
    """Everything a verifier needs, public: the signers' keys, the issuer trust list and the
    revoked folios (a station imports it with ``station certificados importar``)."""
    revoked = {str(c.folio): c.state_reason or "certificado repuesto"
               for c in session.scalars(select(Certificate).where(
                   Certificate.state == State.REVOKED.value))}
    return {
        "formato": "conalep-llaves-publicadas/1",
        "emisor": issuer.trust().to_json(),
        "firmantes": {
            r.key_id: {"cargo": r.office, "cargo_es": OFFICE_NAMES_ES[r.office],
                       "nombre": r.signer_name, "algoritmo": r.algorithm, "pem": r.public_pem,
                       "retirada": r.withdrawn_at.isoformat() if r.withdrawn_at else None}
            for r in session.scalars(select(SignerKeyRecord).order_by(SignerKeyRecord.key_id))
        },
        "revocados": revoked,
    }


# --- activity 7: delivery (F02 / F03) and the listing of norm 23 -----------------------------

INSTRUCTION = "instruccion-entrega"


def instruct_delivery(session: Session, actor: Actor, *, plantel: str, oficio: str,
                      now: datetime) -> None:
    """Activity 7.1: DG instructs the plantel's Servicios Escolares to deliver the released
    certificates (the plantel's activity 3.1 starts from this instruction)."""
    require_role(actor, "dg_escolares")
    if not plantel.strip() or not oficio.strip():
        raise Refused("missing-field", "Escriba el plantel y el oficio de la instrucción.", 422)
    folios.log(session, actor, INSTRUCTION, now, plantel=plantel.strip(), oficio=oficio.strip())


def delivery_instructions(session: Session, plantel: str) -> list[dict[str, Any]]:
    rows = session.scalars(select(CertEvent).where(CertEvent.action == INSTRUCTION)
                           .order_by(CertEvent.id))
    found = [{**json.loads(e.detail), "fecha": e.at, "quien": e.actor} for e in rows]
    return [f for f in found if f.get("plantel") == plantel]


def record_delivery(session: Session, actor: Actor, certificate_id: int, *, oficio: str,
                    received_by: str, delivered_on: date, now: datetime) -> Delivery:
    require_role(actor, "plantel_escolares")
    cert = get(session, actor, certificate_id, lock=True)
    if State(cert.state) is not State.RELEASED:
        raise Refused("not-released",
                      f"El certificado con folio {cert.folio} no está liberado (o ya se "
                      "entregó).")
    if not oficio.strip() or not received_by.strip():
        raise Refused("missing-field", "Escriba el oficio y quién recibe.", 422)
    if not delivery_instructions(session, cert.plantel):
        raise Refused("no-instruction",
                      "La Dirección General aún no instruye la entrega de los certificados de "
                      f"este plantel ({cert.plantel}).")
    delivery = Delivery(certificate_id=cert.id, form="F03" if cert.replaces_id else "F02",
                        oficio=oficio.strip(), received_by=received_by.strip(),
                        delivered_on=delivered_on, recorded_by=actor.username, recorded_at=now)
    session.add(delivery)
    cert.state, cert.updated_at = State.DELIVERED.value, now
    folios.log(session, actor, "entregado", now, certificate_id=cert.id, folio=cert.folio,
               formato=delivery.form, oficio=delivery.oficio)
    return delivery


def acknowledgement(session: Session, actor: Actor, certificate_id: int) -> tuple[str, bytes]:
    cert = get(session, actor, certificate_id)
    delivery = session.scalar(select(Delivery).where(Delivery.certificate_id == cert.id))
    if delivery is None:
        raise Refused("not-delivered", f"El folio {cert.folio} no se ha entregado.", 404)
    replaces = session.get(Certificate, cert.replaces_id) if cert.replaces_id else None
    pdf = documents.acknowledgement_pdf(
        replacement=delivery.form == "F03", folio=cert.folio, name=_full_name(cert),
        matricula=cert.matricula, career=cert.career,
        plantel=f"{cert.plantel} {cert.plantel_name}", delivered_on=delivery.delivered_on,
        received_by=delivery.received_by, replaces_folio=replaces.folio if replaces else None)
    return delivery.form, pdf


def listing_rows(session: Session, actor: Actor, plantel: str, oficio: str
                 ) -> list[tuple[int, int, str, str, str]]:
    """Norm 23: consecutivo, folio, nombre, matrícula, carrera of the oficio's deliveries."""
    require_plantel(actor, plantel)
    rows = session.execute(
        select(Certificate).join(Delivery, Delivery.certificate_id == Certificate.id)
        .where(Certificate.plantel == plantel, Delivery.oficio == oficio)
        .order_by(Certificate.folio)).scalars()
    return [(i, c.folio, _full_name(c), c.matricula, c.career) for i, c in enumerate(rows, 1)]


# --- norms 18, 28: replacement -----------------------------------------------------------------

def replace(session: Session, actor: Actor, certificate_id: int, *, reason: str,
            now: datetime) -> Certificate:
    """A new certificate on a new folio of the same plantel; the old one revoked at once."""
    require_role(actor, "dg_escolares")
    reason = (reason or "").strip()
    if not reason:
        raise Refused("missing-reason", "Escriba el motivo de la reposición.", 422)
    old = get(session, actor, certificate_id, lock=True)
    if State(old.state) not in DOWNLOADABLE:
        raise Refused("wrong-state",
                      f"Solo se repone un certificado liberado o entregado; el folio "
                      f"{old.folio} no lo está.")
    folio = folios.next_free_folio(session, old.plantel)
    if folio is None:
        raise Refused("no-free-folio", f"El plantel {old.plantel} no tiene folios libres.")
    note = replacement_note(old.model_year)
    old.state, old.state_reason, old.active_matricula = State.REVOKED.value, reason, None
    old.updated_at = now
    session.flush()
    new = Certificate(
        folio=folio, plantel=old.plantel, plantel_name=old.plantel_name, matricula=old.matricula,
        active_matricula=old.matricula, curp=old.curp, nombre=old.nombre,
        primer_apellido=old.primer_apellido, segundo_apellido=old.segundo_apellido,
        career_key=old.career_key, career=old.career, model_year=old.model_year,
        generation=old.generation, state=State.AUTHORISED.value, state_reason=note,
        replaces_id=old.id, paper=False, created_at=now, updated_at=now)
    session.add(new)
    session.flush()
    folios.use_folio(session, folio=folio, plantel=old.plantel, certificate_id=new.id, now=now)
    folios.log(session, actor, "reposicion", now, certificate_id=new.id, folio=folio,
               repone=old.folio, motivo=reason, regla=note)
    return new


# --- public verification -----------------------------------------------------------------------

PUBLIC_STATES = {
    State.RELEASED: "valido", State.DELIVERED: "valido", State.REVOKED: "revocado",
}


def lookup_folio(session: Session, folio: int) -> dict[str, Any]:
    """What anyone may see by folio: name, career, date and state; nothing else."""
    cert = session.scalar(select(Certificate).where(Certificate.folio == folio))
    if cert is None:
        return {"folio": folio, "estado": "desconocido",
                "mensaje": f"No hay un certificado con el folio {folio}."}
    state = PUBLIC_STATES.get(State(cert.state), "no_liberado")
    messages = {
        "valido": "Certificado válido y liberado por COSFAC.",
        "revocado": f"Certificado cancelado: {cert.state_reason or 'repuesto'}.",
        "no_liberado": "El certificado está en trámite: aún no ha sido liberado.",
    }
    shown = state != "no_liberado"
    return {"folio": folio, "estado": state, "mensaje": messages[state],
            "nombre": _full_name(cert) if shown else None,
            "carrera": cert.career if shown else None,
            "fecha": cert.released_on.isoformat() if shown and cert.released_on else None}


def verify_text(session: Session, issuer: Issuer, text: str, *, today: date
                ) -> dict[str, Any]:
    """A QR's text checked offline (signature) and against the records (state, chain)."""
    def revocation(folio: int, _kid: bytes) -> str | None:
        cert = session.scalar(select(Certificate).where(Certificate.folio == folio))
        if cert is not None and State(cert.state) is State.REVOKED:
            return cert.state_reason or "certificado repuesto"
        return None

    v = verify_qr_text(text, trust=issuer.trust(), today=today, revocation=revocation,
                       documents=(CONALEP_CERTIFICATE,))
    answer = {"estado": {Verdict.VALID: "valido", Verdict.REVOKED: "revocado",
                         Verdict.BAD_SIGNATURE: "firma_invalida"}.get(v.verdict, "no_valido"),
              "mensaje": v.reason_es}
    if v.claims is None:
        return answer
    cert = session.scalar(select(Certificate).where(Certificate.folio == v.claims.folio))
    if v.verdict is Verdict.VALID:
        if cert is None or State(cert.state) not in DOWNLOADABLE:
            answer.update(estado="no_liberado",
                          mensaje=f"El folio {v.claims.folio} no está liberado.")
        elif cert.chain_sha256 != v.claims.chain_sha256.hex():
            answer.update(estado="firma_invalida",
                          mensaje="El código no corresponde a la cadena de firmas registrada.")
    answer.update(folio=v.claims.folio, nombre=v.claims.name, carrera=v.claims.career,
                  fecha=v.claims.issued_on.isoformat())
    return answer


def chain_json_bytes(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
