"""The certificate's path, one function per step (seed 000, activities 2-7, norms 17-28).

``folio_asignado`` → (plantel requests, CENTRES) ``solicitado`` → (DG) ``autorizado`` or
``devuelto`` → (plantel review done) ``revisado_plantel`` → (DG spelling check) ``por_firmar``
→ signatures → ``firmado`` → (COSFAC) ``liberado`` or back to ``autorizado`` → ``entregado``;
a replacement revokes the old one (``revocado``) and starts a new one on a new folio.

Each function checks the actor's office and plantel, changes one record, logs one event, and
raises :class:`Refused` (nothing written) when the step is not allowed.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conalep.catalog.academic_models import ReplacementRule, model_for
from conalep.certificates import folios
from conalep.certificates.actors import Actor, Refused, require_plantel, require_role
from conalep.certificates.chain import canonical_document
from conalep.certificates.graduates import Graduate, GraduateSource, ineligibility
from conalep.certificates.names import NameProblem, review_name
from conalep.models.certificates import Certificate, CertSignature, PaperCheck


class State(enum.StrEnum):
    FOLIO = "folio_asignado"
    REQUESTED = "solicitado"
    RETURNED = "devuelto"
    AUTHORISED = "autorizado"
    PLANTEL_REVIEWED = "revisado_plantel"
    TO_SIGN = "por_firmar"
    SIGNING = "firmando"
    SIGNED = "firmado"
    RELEASED = "liberado"
    DELIVERED = "entregado"
    REVOKED = "revocado"


STATE_NAMES_ES = {
    State.FOLIO: "Folio asignado",
    State.REQUESTED: "Solicitado a la Dirección General",
    State.RETURNED: "Devuelto al plantel",
    State.AUTHORISED: "Autorizado (en revisión)",
    State.PLANTEL_REVIEWED: "Revisado por el plantel",
    State.TO_SIGN: "Listo para firmas",
    State.SIGNING: "En firmas",
    State.SIGNED: "Firmado, en validación de COSFAC",
    State.RELEASED: "Liberado",
    State.DELIVERED: "Entregado",
    State.REVOKED: "Cancelado (repuesto)",
}

EDITABLE = frozenset({State.FOLIO, State.RETURNED, State.AUTHORISED, State.PLANTEL_REVIEWED})
"""States in which the name may still be corrected: the document is not frozen yet."""

PAPER_ITEMS = {
    "nombre": "Nombre de la persona egresada escrito sin abreviaturas",
    "foto": "Foto de la persona egresada adherida",
    "firma_director": "Firma del director(a) del plantel",
    "sello": "Sello del plantel cancelando la foto en la parte inferior, sin tocar la barbilla",
    "folio": "Folio del documento",
    "fecha_impresion": "Fecha de impresión",
}
"""Norm 22: what DG checks on a certificate issued on paper."""


def state_of(cert: Certificate) -> State:
    return State(cert.state)


def get(session: Session, actor: Actor, certificate_id: int, *, lock: bool = False
        ) -> Certificate:
    query = select(Certificate).where(Certificate.id == certificate_id)
    if lock:
        query = query.with_for_update()
    cert = session.scalar(query)
    if cert is None:
        raise Refused("not-found", f"No existe el certificado {certificate_id}.", 404)
    require_plantel(actor, cert.plantel)
    return cert


def _move(session: Session, actor: Actor, cert: Certificate, expected: Iterable[State],
          new: State, now: datetime, action: str, reason: str | None = None) -> None:
    expected = tuple(expected)
    if state_of(cert) not in expected:
        wanted = " o ".join(f"«{STATE_NAMES_ES[s]}»" for s in expected)
        raise Refused("wrong-state",
                      f"El certificado con folio {cert.folio} está «"
                      f"{STATE_NAMES_ES[state_of(cert)]}»; este paso necesita {wanted}.")
    cert.state, cert.state_reason, cert.updated_at = new.value, reason, now
    folios.log(session, actor, action, now, certificate_id=cert.id, folio=cert.folio,
               estado=new.value, motivo=reason)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Refused("missing-reason", "Escriba el motivo.", 422)
    return reason


# --- activity 2.3: one folio per regular graduate --------------------------------------------

def assign_certificate(session: Session, actor: Actor, source: GraduateSource, *,
                       matricula: str, now: datetime, folio: int | None = None) -> Certificate:
    require_role(actor, "plantel_escolares")
    g = source.get(matricula)
    if g is None:
        raise Refused("unknown-student", f"No hay alumno con matrícula {matricula}.", 404)
    require_plantel(actor, g.plantel)
    why = ineligibility(g)
    if why:
        raise Refused("not-eligible", f"No se puede asignar folio: {why}.")
    chosen = folio
    for _attempt in range(_FOLIO_ATTEMPTS):
        folio = chosen if chosen is not None else folios.next_free_folio(session, g.plantel)
        if folio is None:
            raise Refused("no-free-folio",
                          f"El plantel {g.plantel} no tiene folios electrónicos libres; "
                          "solicítelos a la Dirección General (formato F01).")
        try:
            cert = _certificate_on(session, g, folio, now)
            break
        except Refused as exc:
            # Another request took the folio we picked in the meantime: take the next one.
            if chosen is not None or exc.code != "folio-used":
                raise
    else:
        raise Refused("folio-busy", "Otros trámites están usando los folios del plantel; "
                                    "intente de nuevo.")
    folios.log(session, actor, "folio-asignado-egresado", now, certificate_id=cert.id,
               folio=folio, matricula=g.matricula)
    return cert


_FOLIO_ATTEMPTS = 5


def _certificate_on(session: Session, g: Graduate, folio: int, now: datetime) -> Certificate:
    """The graduate's certificate on ``folio``, both written or neither (a savepoint)."""
    cert = Certificate(
        folio=folio, plantel=g.plantel, plantel_name=g.plantel_name, matricula=g.matricula,
        active_matricula=g.matricula, curp=g.curp, nombre=g.nombre,
        primer_apellido=g.primer_apellido, segundo_apellido=g.segundo_apellido,
        career_key=g.career_key, career=g.career, model_year=g.model_year,
        generation=g.generation, state=State.FOLIO.value, paper=False, created_at=now,
        updated_at=now)
    try:
        with session.begin_nested():
            session.add(cert)
            session.flush()
            folios.use_folio(session, folio=folio, plantel=g.plantel, certificate_id=cert.id,
                             now=now)
    except IntegrityError:
        # Which unique key was hit: this student's live certificate, or the folio (then the
        # caller may take the next one).
        live = session.scalar(select(Certificate.folio).where(
            Certificate.active_matricula == g.matricula))
        if live is not None:
            raise Refused("already-has-certificate",
                          f"{g.full_name} ({g.matricula}) ya tiene un certificado vigente "
                          f"(folio {live}).") from None
        raise Refused("folio-used", f"El folio {folio} ya está en otro certificado.") from None
    return cert


def assign_all(session: Session, actor: Actor, source: GraduateSource, *, now: datetime
               ) -> tuple[list[Certificate], list[str]]:
    """A folio for every regular graduate of the actor's plantel without a live certificate;
    the EGRESADOs who are not regular yet (a module, a debt) are listed with the reason."""
    require_role(actor, "plantel_escolares")
    assert actor.plantel is not None
    have = set(session.scalars(select(Certificate.active_matricula).where(
        Certificate.plantel == actor.plantel, Certificate.active_matricula.is_not(None))))
    made, skipped = [], []
    for g in sorted(source.of_plantel(actor.plantel), key=lambda g: g.matricula):
        if g.matricula in have or g.status != "EGRESADO":
            continue
        why = ineligibility(g)
        if why:
            skipped.append(why)
            continue
        made.append(assign_certificate(session, actor, source, matricula=g.matricula, now=now))
    return made, skipped


# --- activity 2.2 / norms 19, 20: request (CENTRES) and authorisation ------------------------

def request(session: Session, actor: Actor, certificate_id: int, *, now: datetime) -> None:
    require_role(actor, "plantel_escolares")
    cert = get(session, actor, certificate_id, lock=True)
    _move(session, actor, cert, (State.FOLIO, State.RETURNED), State.REQUESTED, now,
          "solicitud-centres")


def authorise(session: Session, actor: Actor, certificate_id: int, *, now: datetime) -> None:
    require_role(actor, "dg_escolares")
    cert = get(session, actor, certificate_id, lock=True)
    _move(session, actor, cert, (State.REQUESTED,), State.AUTHORISED, now, "autorizado")


def return_request(session: Session, actor: Actor, certificate_id: int, *, reason: str,
                   now: datetime) -> None:
    require_role(actor, "dg_escolares")
    cert = get(session, actor, certificate_id, lock=True)
    _move(session, actor, cert, (State.REQUESTED,), State.RETURNED, now, "devuelto",
          _reason(reason))


# --- activity 2.4 / norms 21, 22, 24: review -------------------------------------------------

def review_problems(cert: Certificate) -> list[NameProblem]:
    problems = review_name(cert.nombre, cert.primer_apellido, cert.segundo_apellido, cert.curp)
    if not cert.career.strip():
        problems.append(NameProblem("carrera", "falta el nombre de la carrera"))
    return problems


def correct_name(session: Session, actor: Actor, certificate_id: int, *, nombre: str,
                 primer_apellido: str, segundo_apellido: str, now: datetime) -> None:
    require_role(actor, "plantel_escolares", "dg_escolares")
    cert = get(session, actor, certificate_id, lock=True)
    if state_of(cert) not in EDITABLE:
        raise Refused("document-frozen",
                      f"El certificado con folio {cert.folio} ya está «"
                      f"{STATE_NAMES_ES[state_of(cert)]}»: su documento no se puede cambiar.")
    old = (cert.nombre, cert.primer_apellido, cert.segundo_apellido)
    cert.nombre, cert.primer_apellido = nombre.strip().upper(), primer_apellido.strip().upper()
    cert.segundo_apellido, cert.updated_at = segundo_apellido.strip().upper(), now
    folios.log(session, actor, "nombre-corregido", now, certificate_id=cert.id,
               antes=" ".join(old), despues=" ".join((cert.nombre, cert.primer_apellido,
                                                      cert.segundo_apellido)))


def plantel_review_done(session: Session, actor: Actor, certificate_id: int, *,
                        now: datetime) -> None:
    require_role(actor, "plantel_escolares")
    cert = get(session, actor, certificate_id, lock=True)
    problems = review_problems(cert)
    if problems:
        raise Refused("name-review",
                      f"El certificado con folio {cert.folio} no pasa la revisión: "
                      + "; ".join(p.reason_es for p in problems) + ".", 422)
    _move(session, actor, cert, (State.AUTHORISED,), State.PLANTEL_REVIEWED, now,
          "revision-plantel")


def record_paper_checks(session: Session, actor: Actor, certificate_id: int, *,
                        results: dict[str, tuple[bool, str]], now: datetime) -> None:
    """Norm 22 for a paper certificate: every item checked; a rejected item needs a reason."""
    require_role(actor, "dg_escolares")
    cert = get(session, actor, certificate_id, lock=True)
    if set(results) != set(PAPER_ITEMS):
        raise Refused("checklist-incomplete", "Marque cada punto de la lista de cotejo.", 422)
    for item, (ok, reason) in results.items():
        if not ok and not reason.strip():
            raise Refused("missing-reason",
                          f"Escriba el motivo del rechazo de «{PAPER_ITEMS[item]}».", 422)
    cert.paper = True
    for item, (ok, reason) in results.items():
        session.add(PaperCheck(certificate_id=cert.id, item=item, ok=ok,
                               reason=None if ok else reason.strip(), checked_by=actor.username,
                               checked_at=now))
    failed = [f"{PAPER_ITEMS[i]}: {r.strip()}" for i, (ok, r) in results.items() if not ok]
    folios.log(session, actor, "cotejo-papel", now, certificate_id=cert.id, rechazos=failed)


def _paper_ok(session: Session, cert: Certificate) -> list[str]:
    """Items whose latest check is missing or a rejection."""
    latest: dict[str, PaperCheck] = {}
    for check in session.scalars(select(PaperCheck).where(
            PaperCheck.certificate_id == cert.id).order_by(PaperCheck.id)):
        latest[check.item] = check
    return [PAPER_ITEMS[i] for i in PAPER_ITEMS if i not in latest or not latest[i].ok]


def document_fields(cert: Certificate) -> dict[str, object]:
    """What the signatures cover (and the public chain file shows): no CURP."""
    model = model_for(cert.model_year)
    return {
        "tipo": "Certificado de Terminación de Estudios",
        "folio": cert.folio,
        "nombre": cert.nombre,
        "primer_apellido": cert.primer_apellido,
        "segundo_apellido": cert.segundo_apellido,
        "matricula": cert.matricula,
        "clave_carrera": cert.career_key,
        "carrera": cert.career,
        "modelo_academico": cert.model_year,
        "titulo": model.title_es,
        "clave_plantel": cert.plantel,
        "plantel": cert.plantel_name,
        "generacion": cert.generation,
        "repone_folio": None,
    }


def dg_review_approve(session: Session, actor: Actor, certificate_id: int, *,
                      now: datetime) -> None:
    """Norms 21, 24: DG checks spelling; the document is frozen for the signatures."""
    require_role(actor, "dg_escolares")
    cert = get(session, actor, certificate_id, lock=True)
    problems = review_problems(cert)
    if problems:
        raise Refused("name-review", "No pasa la revisión: "
                      + "; ".join(p.reason_es for p in problems) + ".", 422)
    if cert.paper:
        missing = _paper_ok(session, cert)
        if missing:
            raise Refused("paper-checklist",
                          "La lista de cotejo del certificado en papel tiene puntos rechazados "
                          "o sin revisar: " + "; ".join(missing) + ".", 422)
    fields = document_fields(cert)
    if cert.replaces_id is not None:
        old = session.get(Certificate, cert.replaces_id)
        fields["repone_folio"] = old.folio if old else None
    _move(session, actor, cert, (State.PLANTEL_REVIEWED,), State.TO_SIGN, now,
          "revision-dg")
    cert.document_json = canonical_document(fields).decode("utf-8")


def dg_review_return(session: Session, actor: Actor, certificate_id: int, *, reason: str,
                     now: datetime) -> None:
    require_role(actor, "dg_escolares")
    cert = get(session, actor, certificate_id, lock=True)
    _move(session, actor, cert, (State.PLANTEL_REVIEWED,), State.AUTHORISED, now,
          "revision-dg-devuelta", _reason(reason))


def signatures_of(session: Session, cert: Certificate) -> list[CertSignature]:
    return list(session.scalars(select(CertSignature).where(
        CertSignature.certificate_id == cert.id).order_by(CertSignature.position)))


def drop_signatures(session: Session, cert: Certificate) -> list[dict[str, object]]:
    """Remove the chain (kept in the event log) when the certificate goes back to review."""
    kept = [{"orden": s.position, "cargo": s.office, "llave": s.key_id, "fecha": s.signed_at,
             "firma": s.signature} for s in signatures_of(session, cert)]
    for s in signatures_of(session, cert):
        session.delete(s)
    cert.document_json = None
    return kept


def replacement_note(model_year: int) -> str:
    if model_for(model_year).replacement_rule is ReplacementRule.NATIONAL_GUIDE:
        return ("Reposición conforme a la Guía de emisión de documentos oficiales a egresados "
                "con planes anteriores al Modelo Académico 2003 (Oficinas Nacionales).")
    return "Reposición conforme a las Reglas de Convivencia Escolar del Sistema CONALEP."

