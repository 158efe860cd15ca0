"""JSON API of the certificates wing (scripts, and the signing page's WebCrypto upload).

Under ``/staff`` because the session cookie is limited to that path; every POST carries the
page's CSRF token in the ``X-CSRF`` header. Refusals answer
``{"error": {"code", "message"}}`` with nothing written.
"""

# No ``from __future__ import annotations``: FastAPI must see the Annotated dependencies.

import hmac
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request

from conalep.certificates import folios, release, signing, workflow
from conalep.certificates.academic_source import AcademicGraduates
from conalep.certificates.pages import STEPS, certificates_in_scope
from conalep.certificates.web_common import actor_of, issuer_of, refusals, step
from conalep.context import Db, utcnow
from conalep.models.certificates import Certificate
from conalep.web import ApiStaff, ConalepUser
from foundation.web.refusal import Refusal

Staff = ApiStaff


def _csrf(request: Request, user: Staff) -> ConalepUser:
    given = request.headers.get("x-csrf", "")
    if not hmac.compare_digest(given, user.csrf):
        raise Refusal(403, "bad-csrf", "Falta el encabezado X-CSRF de esta sesión.")
    return user


Writer = Annotated[ConalepUser, Depends(_csrf)]
Payload = Annotated[dict[str, Any], Body()]
router = APIRouter(prefix="/staff/api/certificados", include_in_schema=True,
                   tags=["certificados"])


def _cert_json(c: Certificate) -> dict[str, Any]:
    return {"id": c.id, "folio": c.folio, "plantel": c.plantel, "matricula": c.matricula,
            "nombre": " ".join((c.nombre, c.primer_apellido, c.segundo_apellido)).strip(),
            "carrera": c.career, "modelo": c.model_year, "estado": c.state,
            "motivo": c.state_reason}


@router.post("/folios/otorgamientos")
def grant(user: Writer, session: Db, body: Payload) -> dict[str, Any]:
    user.scope.require("manage_folios")
    try:
        day = date.fromisoformat(str(body.get("fecha", "")))
    except ValueError:
        raise Refusal(422, "bad-date", "fecha debe ser AAAA-MM-DD.") from None
    g = step(session, folios.record_grant, actor_of(user), reference=str(body.get(
        "referencia", "")), block=str(body.get("bloque", "")), granted_on=day, now=utcnow())
    return {"id": g.id, "primero": g.first, "ultimo": g.last}


@router.post("/folios/asignaciones")
def assign(user: Writer, session: Db, body: Payload) -> dict[str, Any]:
    user.scope.require("manage_folios")
    n = step(session, folios.assign_block, actor_of(user), plantel=str(body.get("plantel", "")),
             block=str(body.get("bloque", "")), now=utcnow())
    return {"asignados": n}


@router.post("/folios/solicitudes")
def f01(user: Writer, session: Db, body: Payload) -> dict[str, Any]:
    user.scope.require("manage_folios")
    try:
        quantity = int(body.get("cantidad", 0))
    except (TypeError, ValueError):
        raise Refusal(422, "bad-number", "cantidad debe ser un número.") from None
    req = step(session, folios.request_folios, actor_of(user), kind=str(body.get("tipo", "")),
               quantity=quantity, justification=str(body.get("justificacion", "")),
               now=utcnow())
    return {"id": req.id, "pdf": f"/staff/certificados/folios/f01/{req.id}.pdf"}


@router.post("/folios/egresados")
def graduates(user: Writer, session: Db) -> dict[str, Any]:
    user.scope.require("manage_folios")
    made, skipped = step(session, workflow.assign_all, actor_of(user),
                         AcademicGraduates(session), now=utcnow())
    return {"certificados": [_cert_json(c) for c in made], "sin_folio": skipped}


@router.get("/folios/auditoria")
def audit(user: Staff, session: Db) -> dict[str, Any]:
    user.scope.require("manage_folios")
    return folios.audit(session).to_json()


@router.get("")
def listing(user: Staff, session: Db, estado: str = "") -> list[dict[str, Any]]:
    return [_cert_json(c) for c in certificates_in_scope(session, user, estado)]


@router.get("/firmas/pendientes")
def to_sign(user: Staff, session: Db) -> list[dict[str, Any]]:
    user.scope.require("sign_certificates")
    with refusals():
        return signing.browser_requests(session, actor_of(user), now=utcnow())


@router.post("/firmas")
def signatures(user: Writer, session: Db, body: Payload) -> dict[str, Any]:
    user.scope.require("sign_certificates")
    records = body.get("firmas")
    if not isinstance(records, list):
        raise Refusal(422, "bad-body", "Envíe {\"firmas\": [...]}.")
    n = step(session, signing.submit, actor_of(user), records, now=utcnow())
    return {"recibidas": n}


@router.post("/entregas/instrucciones")
def instruct(user: Writer, session: Db, body: Payload) -> dict[str, Any]:
    user.scope.require("deliver_certificates")
    step(session, release.instruct_delivery, actor_of(user),
         plantel=str(body.get("plantel", "")), oficio=str(body.get("oficio", "")), now=utcnow())
    return {"instruida": True}


@router.post("/{certificate_id:int}/entrega")
def deliver(user: Writer, session: Db, certificate_id: int, body: Payload) -> dict[str, Any]:
    user.scope.require("deliver_certificates")
    try:
        day = date.fromisoformat(str(body.get("fecha", "")))
    except ValueError:
        raise Refusal(422, "bad-date", "fecha debe ser AAAA-MM-DD.") from None
    d = step(session, release.record_delivery, actor_of(user), certificate_id,
             oficio=str(body.get("oficio", "")), received_by=str(body.get("recibe", "")),
             delivered_on=day, now=utcnow())
    return {"formato": d.form, "acuse": f"/staff/certificados/{certificate_id}/acuse.pdf"}


@router.post("/{certificate_id:int}/{paso}")
def act(request: Request, user: Writer, session: Db, certificate_id: int, paso: str,
        body: Annotated[dict[str, Any] | None, Body()] = None) -> dict[str, Any]:
    """One step on one certificate: solicitar, autorizar, devolver, revision-plantel,
    revision-dg, revision-dg-devolver, liberar, cosfac-devolver, reponer."""
    user.scope.require("view_certificates")
    body = body or {}
    actor, now = actor_of(user), utcnow()
    if paso == "liberar":
        cert = step(session, release.release, actor, certificate_id, issuer_of(request),
                    now=now)
        return _cert_json(cert)
    if paso not in STEPS:
        raise Refusal(404, "unknown-step", f"Paso desconocido: {paso}.")
    fn, needs_reason, _ = STEPS[paso]
    kwargs = {"reason": str(body.get("motivo", ""))} if needs_reason else {}
    result = step(session, fn, actor, certificate_id, now=now, **kwargs)
    cert = result if isinstance(result, Certificate) else session.get(Certificate,
                                                                     certificate_id)
    return _cert_json(cert) if cert else {}


ROUTERS = [router]
