"""Staff pages of the certificates wing: one page per step of activities 2-7 (see
docs/conalep-certificates.md for the map from the seed's activity tables to pages)."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from conalep.certificates import documents, folios, release, signing, workflow
from conalep.certificates.academic_source import AcademicGraduates
from conalep.certificates.actors import Refused
from conalep.certificates.chain import OFFICE_NAMES_ES
from conalep.certificates.debts import record_debt, settle_debt
from conalep.certificates.folio_rules import STATE_NAMES_ES as FOLIO_STATES_ES
from conalep.certificates.web_common import actor_of, issuer_of, refusals, step, verify_url
from conalep.certificates.workflow import PAPER_ITEMS, STATE_NAMES_ES, State
from conalep.context import Db, utcnow
from conalep.models.academic import Plantel
from conalep.models.certificates import (
    CertEvent,
    Certificate,
    Debt,
    Delivery,
    FolioGrant,
    FolioRequest,
    SignerKeyRecord,
)
from conalep.navigation import NAV, NavItem
from conalep.privacy.access import reads
from conalep.web import CheckedForm, ConalepUser, Staff, WebRoute, page
from foundation.web.downloads import download, pdf_download, pdf_table, xlsx_download
from foundation.web.refusal import Refusal
from foundation.web.xlsx import XlsxBook

router = APIRouter(prefix="/staff/certificados", route_class=WebRoute,
                   include_in_schema=False)
NAV.extend([
    NavItem("cert-folios", "/staff/certificados/folios", "Folios", "manage_folios",
            "folios electrónicos: otorgamiento, asignación a planteles y egresados, F01"),
    NavItem("certificados", "/staff/certificados", "Certificados", "view_certificates",
            "solicitud, autorización, revisión, liberación y descarga"),
    NavItem("cert-firmar", "/staff/certificados/firmar", "Firmar", "sign_certificates",
            "firmas electrónicas en el orden de la norma 17"),
    NavItem("cert-llaves", "/staff/certificados/llaves", "Llaves de firma",
            "register_signer_keys", "llaves públicas de quienes firman"),
    NavItem("cert-entregas", "/staff/certificados/entregas", "Entregas", "deliver_certificates",
            "acuses F02/F03 y listado de entrega"),
])


def _text(form, name: str, limit: int = 300) -> str:  # type: ignore[no-untyped-def]
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _back(path: str, done: str) -> RedirectResponse:
    sep = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{sep}hecho={quote(done)}", status_code=303)


# --- folios (activity 2.1-2.3, norm 27, F01) ------------------------------------------------

@router.get("/folios", response_class=HTMLResponse)
def folios_page(request: Request, user: Staff, session: Db, hecho: str = "") -> HTMLResponse:
    user.scope.require("manage_folios")
    grants = list(session.scalars(select(FolioGrant).order_by(FolioGrant.first)))
    requests = select(FolioRequest).order_by(FolioRequest.id.desc())
    debts = select(Debt).where(Debt.settled_at.is_(None)).order_by(Debt.matricula)
    if user.clave_plantel:
        requests = requests.where(FolioRequest.plantel == user.clave_plantel)
        debts = debts.where(Debt.plantel == user.clave_plantel)
    report = folios.audit(session)
    planteles = list(session.scalars(select(Plantel).order_by(Plantel.clave_plantel)))
    return page(request, "certificates/folios.html", user, nav="cert-folios", grants=grants,
                requests=list(session.scalars(requests)), report=report,
                planteles=planteles, debts=list(session.scalars(debts)),
                folio_states=FOLIO_STATES_ES, hecho=hecho, today=date.today())


@router.post("/folios")
def folios_post(request: Request, user: Staff, form: CheckedForm, session: Db) -> Response:
    user.scope.require("manage_folios")
    actor, now, what = actor_of(user), utcnow(), _text(form, "paso")
    if what == "otorgamiento":
        try:
            granted_on = date.fromisoformat(_text(form, "fecha"))
        except ValueError:
            raise Refusal(422, "bad-date", "Escriba la fecha del oficio (AAAA-MM-DD).") from None
        step(session, folios.record_grant, actor, reference=_text(form, "referencia"),
             block=_text(form, "bloque"), granted_on=granted_on, now=now)
        return _back("/staff/certificados/folios", "Otorgamiento registrado.")
    if what == "asignar-plantel":
        n = step(session, folios.assign_block, actor, plantel=_text(form, "plantel"),
                 block=_text(form, "bloque"), now=now)
        return _back("/staff/certificados/folios", f"{n} folios asignados al plantel.")
    if what == "cancelar":
        step(session, folios.cancel_folio, actor, folio=_int(_text(form, "folio")),
             reason=_text(form, "motivo"), now=now)
        return _back("/staff/certificados/folios", "Folio cancelado.")
    if what == "f01":
        req = step(session, folios.request_folios, actor, kind=_text(form, "tipo"),
                   quantity=_int(_text(form, "cantidad")),
                   justification=_text(form, "justificacion"), now=now)
        return _back("/staff/certificados/folios", f"Solicitud F01 núm. {req.id} registrada.")
    if what == "egresados":
        made, skipped = step(session, workflow.assign_all, actor, AcademicGraduates(session),
                             now=now)
        note = f"{len(made)} folios asignados a egresados regulares."
        if skipped:
            note += " Sin folio: " + "; ".join(skipped) + "."
        return _back("/staff/certificados/folios", note)
    if what == "adeudo":
        step(session, record_debt, actor, matricula=_text(form, "matricula"),
             concept=_text(form, "concepto"), now=now)
        return _back("/staff/certificados/folios", "Adeudo registrado.")
    if what == "adeudo-saldado":
        step(session, settle_debt, actor, debt_id=_int(_text(form, "adeudo")), now=now)
        return _back("/staff/certificados/folios", "Adeudo saldado.")
    raise Refusal(422, "unknown-step", "Paso desconocido.")


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise Refusal(422, "bad-number", f"«{text}» no es un número.") from None


@router.get("/folios/f01/{request_id}.pdf")
def f01(request_id: int, user: Staff, session: Db) -> Response:
    user.scope.require("manage_folios")
    req = session.get(FolioRequest, request_id)
    if req is None or not user.scope.sees_plantel(req.plantel):
        raise Refusal(404, "not-found", "No existe esa solicitud en su alcance.")
    return pdf_download(documents.f01_pdf(
        plantel=req.plantel, quantity=req.quantity,
        kind="Folios electrónicos" if req.kind == "folios" else "Formatería oficial",
        justification=req.justification, requested_on=req.requested_at.date(),
        folio_request_id=req.id), f"F01-{req.plantel}-{req.id}.pdf")


@router.get("/folios/auditoria", response_class=HTMLResponse)
def audit_page(request: Request, user: Staff, session: Db) -> HTMLResponse:
    user.scope.require("manage_folios")
    return page(request, "certificates/auditoria.html", user, nav="cert-folios",
                report=folios.audit(session), folio_states=FOLIO_STATES_ES)


# --- the certificates list and one certificate (activities 2.2, 2.4, 3, 6; norms 19-24) -----

def certificates_in_scope(session: Session, user: ConalepUser, estado: str = ""
                          ) -> list[Certificate]:
    """The certificates the person may see (a plantel's own), optionally in one state."""
    user.scope.require("view_certificates")
    query = select(Certificate).order_by(Certificate.folio)
    if user.scope.planteles is not None:
        query = query.where(Certificate.plantel.in_(user.scope.planteles))
    if estado:
        query = query.where(Certificate.state == estado)
    return list(session.scalars(query))


@router.get("", response_class=HTMLResponse)
def listing(request: Request, user: Staff, session: Db, estado: str = "",
            hecho: str = "") -> HTMLResponse:
    certs = certificates_in_scope(session, user, estado)
    reads(session, request, user, "lista de certificados", [c.matricula for c in certs])
    return page(request, "certificates/lista.html", user, nav="certificados",
                certs=certs, states=STATE_NAMES_ES,
                estado=estado, hecho=hecho)


@router.get("/{certificate_id:int}", response_class=HTMLResponse)
def detail(request: Request, certificate_id: int, user: Staff, session: Db,
           hecho: str = "") -> HTMLResponse:
    user.scope.require("view_certificates")
    with refusals():
        cert = workflow.get(session, actor_of(user), certificate_id)
    events = list(session.scalars(select(CertEvent).where(
        CertEvent.certificate_id == cert.id).order_by(CertEvent.id)))
    keys = {k.key_id: k for k in session.scalars(select(SignerKeyRecord))}
    reads(session, request, user, "certificado", [cert.matricula])
    return page(request, "certificates/detalle.html", user, nav="certificados", cert=cert,
                state=State(cert.state), states=STATE_NAMES_ES,
                problems=workflow.review_problems(cert), paper_items=PAPER_ITEMS,
                signatures=signing.chain_of(session, cert), keys=keys, offices=OFFICE_NAMES_ES,
                events=events, hecho=hecho, loads=json.loads)


STEPS = {
    "solicitar": (workflow.request, False, "Solicitud enviada a la Dirección General (CENTRES)."),
    "autorizar": (workflow.authorise, False, "Solicitud autorizada."),
    "devolver": (workflow.return_request, True, "Solicitud devuelta al plantel."),
    "revision-plantel": (workflow.plantel_review_done, False,
                         "Revisión del plantel notificada a la Dirección General."),
    "revision-dg": (workflow.dg_review_approve, False,
                    "Revisión validada: el certificado está listo para firmas."),
    "revision-dg-devolver": (workflow.dg_review_return, True, "Devuelto a revisión."),
    "cosfac-devolver": (release.cosfac_return, True, "Devuelto por COSFAC a revisión."),
    "reponer": (release.replace, True, "Reposición creada con un folio nuevo."),
}


@router.post("/{certificate_id:int}")
def act(request: Request, certificate_id: int, user: Staff, form: CheckedForm,
        session: Db) -> Response:
    user.scope.require("view_certificates")
    actor, now, what = actor_of(user), utcnow(), _text(form, "paso")
    back = _text(form, "volver") or f"/staff/certificados/{certificate_id}"
    if not back.startswith("/staff/certificados"):
        back = f"/staff/certificados/{certificate_id}"
    if what in STEPS:
        fn, needs_reason, done = STEPS[what]
        kwargs = {"reason": _text(form, "motivo", 1000)} if needs_reason else {}
        result = step(session, fn, actor, certificate_id, now=now, **kwargs)
        if what == "reponer":
            return _back(f"/staff/certificados/{result.id}", done)
        return _back(back, done)
    if what == "liberar":
        step(session, release.release, actor, certificate_id, issuer_of(request), now=now)
        return _back(back, "Certificado liberado para descarga y entrega.")
    if what == "corregir":
        step(session, workflow.correct_name, actor, certificate_id,
             nombre=_text(form, "nombre"), primer_apellido=_text(form, "primer_apellido"),
             segundo_apellido=_text(form, "segundo_apellido"), now=now)
        return _back(back, "Nombre corregido.")
    if what == "cotejo":
        results = {item: (form.get(f"ok_{item}") == "si", _text(form, f"motivo_{item}"))
                   for item in PAPER_ITEMS}
        step(session, workflow.record_paper_checks, actor, certificate_id, results=results,
             now=now)
        return _back(back, "Lista de cotejo registrada.")
    raise Refusal(422, "unknown-step", "Paso desconocido.")


@router.get("/{certificate_id:int}/certificado.pdf")
def certificate_pdf(request: Request, certificate_id: int, user: Staff, session: Db
                    ) -> Response:
    user.scope.require("view_certificates")
    with refusals():
        cert, pdf = release.certificate_pdf(session, actor_of(user), certificate_id,
                                            verify_url(request))
    reads(session, request, user, "certificado (PDF)", [cert.matricula])
    return pdf_download(pdf, f"certificado-{cert.folio}.pdf")


@router.get("/{certificate_id:int}/certificado.html", response_class=HTMLResponse)
def certificate_html(request: Request, certificate_id: int, user: Staff, session: Db
                     ) -> HTMLResponse:
    """The certificate as a web page (printable; the benchmark renders it with WeasyPrint)."""
    user.scope.require("view_certificates")
    with refusals():
        cert, _ = release.certificate_pdf(session, actor_of(user), certificate_id,
                                          verify_url(request))
        view = release.certificate_view(session, cert, verify_url(request))
    reads(session, request, user, "certificado (HTML)", [cert.matricula])
    return HTMLResponse(documents.certificate_html(view), headers={"Cache-Control": "no-store"})


@router.get("/{certificate_id:int}/cadena.json")
def chain_download(request: Request, certificate_id: int, user: Staff, session: Db) -> Response:
    user.scope.require("view_certificates")
    with refusals():
        cert, data = release.certificate_chain(session, actor_of(user), certificate_id)
    reads(session, request, user, "firmas del certificado (JSON)", [cert.matricula])
    return download(release.chain_json_bytes(data), f"certificado-{cert.folio}-firmas.json",
                    "application/json")


# --- signer keys (registered by DG) -----------------------------------------------------------

@router.get("/llaves", response_class=HTMLResponse, name="cert_keys")
def keys_page(request: Request, user: Staff, session: Db, hecho: str = "") -> HTMLResponse:
    user.scope.require("register_signer_keys")
    keys = list(session.scalars(select(SignerKeyRecord).order_by(SignerKeyRecord.office)))
    return page(request, "certificates/llaves.html", user, nav="cert-llaves", keys=keys,
                offices=OFFICE_NAMES_ES, hecho=hecho)


@router.post("/llaves")
def keys_post(request: Request, user: Staff, form: CheckedForm, session: Db) -> Response:
    user.scope.require("register_signer_keys")
    actor, now = actor_of(user), utcnow()
    if _text(form, "paso") == "retirar":
        step(session, signing.withdraw_key, actor, key_id=_text(form, "llave"), now=now)
        return _back("/staff/certificados/llaves", "Llave retirada.")
    record = step(session, signing.register_key, actor, username=_text(form, "cuenta"),
                  office=_text(form, "cargo"), signer_name=_text(form, "nombre"),
                  public_pem=_text(form, "pem", 2000), plantel=_text(form, "plantel") or None,
                  now=now)
    return _back("/staff/certificados/llaves", f"Llave {record.key_id} registrada.")


# --- signing (activity 4, norm 17) ------------------------------------------------------------

@router.get("/firmar", response_class=HTMLResponse, name="cert_sign")
def sign_page(request: Request, user: Staff, session: Db, hecho: str = "") -> HTMLResponse:
    user.scope.require("sign_certificates")
    actor = actor_of(user)
    with refusals():
        pending = signing.awaiting(session, actor)
        try:
            to_sign, no_key = signing.browser_requests(session, actor, now=utcnow()), ""
        except Refused as exc:  # no registered key: the page says so and offers nothing
            to_sign, no_key = [], exc.message
    return page(request, "certificates/firmar.html", user, nav="cert-firmar", pending=pending,
                to_sign=to_sign, no_key=no_key, office=OFFICE_NAMES_ES.get(user.role, ""),
                hecho=hecho)


@router.get("/firmar/paquete.json")
def sign_package(user: Staff, session: Db) -> Response:
    user.scope.require("sign_certificates")
    with refusals():
        data = signing.package(session, actor_of(user))
    return download(json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"),
                    f"paquete-firmas-{user.role}.json", "application/json")


@router.post("/firmar")
async def sign_upload(request: Request, user: Staff, form: CheckedForm, session: Db
                      ) -> Response:
    """The signatures file written by ``conalep sign`` (offline, with the signer's own key)."""
    user.scope.require("sign_certificates")
    upload = form.get("firmas")
    if upload is None or isinstance(upload, str):
        raise Refusal(422, "missing-file", "Elija el archivo de firmas (firmas.json).")
    try:
        data = json.loads(await upload.read())
        records = data["firmas"]
    except (ValueError, KeyError, TypeError):
        raise Refusal(422, "bad-file", "El archivo no es un archivo de firmas de "
                                       "«conalep sign».") from None
    n = step(session, signing.submit, actor_of(user), records, now=utcnow())
    return _back("/staff/certificados/firmar", f"{n} firmas recibidas y verificadas.")


# --- delivery (activity 7, plantel 3.1, norm 23, F02/F03) -------------------------------------

@router.get("/entregas", response_class=HTMLResponse)
def deliveries_page(request: Request, user: Staff, session: Db, oficio: str = "",
                    hecho: str = "") -> HTMLResponse:
    user.scope.require("deliver_certificates")
    query = select(Certificate).where(Certificate.state.in_(
        [State.RELEASED.value, State.DELIVERED.value])).order_by(Certificate.folio)
    if user.scope.planteles is not None:
        query = query.where(Certificate.plantel.in_(user.scope.planteles))
    certs = list(session.scalars(query))
    delivered = {d.certificate_id: d for d in session.scalars(select(Delivery))}
    instructions = (release.delivery_instructions(session, user.clave_plantel)
                    if user.clave_plantel else [])
    planteles = sorted({c.plantel for c in certs})
    return page(request, "certificates/entregas.html", user, nav="cert-entregas", certs=certs,
                delivered=delivered, oficio=oficio, hecho=hecho, today=date.today(),
                instructions=instructions, planteles=planteles)


@router.post("/entregas")
def deliveries_post(request: Request, user: Staff, form: CheckedForm, session: Db) -> Response:
    user.scope.require("deliver_certificates")
    if _text(form, "paso") == "instruir":
        step(session, release.instruct_delivery, actor_of(user), plantel=_text(form, "plantel"),
             oficio=_text(form, "oficio"), now=utcnow())
        return _back("/staff/certificados/entregas", "Instrucción de entrega enviada al plantel.")
    try:
        day = date.fromisoformat(_text(form, "fecha"))
    except ValueError:
        raise Refusal(422, "bad-date", "Escriba la fecha de entrega (AAAA-MM-DD).") from None
    ids = [_int(v) for v in form.getlist("certificado") if isinstance(v, str)]
    if not ids:
        raise Refusal(422, "nothing-chosen", "Marque los certificados entregados.")
    oficio = _text(form, "oficio")
    with refusals():
        try:
            for cid in ids:
                release.record_delivery(session, actor_of(user), cid, oficio=oficio,
                                        received_by=_text(form, f"recibe_{cid}") or
                                        "La persona egresada", delivered_on=day, now=utcnow())
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return _back(f"/staff/certificados/entregas?oficio={oficio}",
                 f"{len(ids)} entregas registradas.")


@router.get("/{certificate_id:int}/acuse.pdf")
def acknowledgement_pdf(request: Request, certificate_id: int, user: Staff,
                        session: Db) -> Response:
    user.scope.require("deliver_certificates")
    with refusals():
        form, pdf = release.acknowledgement(session, actor_of(user), certificate_id)
    cert = session.get(Certificate, certificate_id)
    reads(session, request, user, f"acuse {form} (PDF)", [cert.matricula] if cert else [])
    return pdf_download(pdf, f"acuse-{form}-{certificate_id}.pdf")


@router.get("/entregas/listado.{ext}")
def listing_download(request: Request, ext: str, user: Staff, session: Db, plantel: str, oficio: str
                     ) -> Response:
    user.scope.require("deliver_certificates")
    with refusals():
        rows = release.listing_rows(session, actor_of(user), plantel, oficio)
    headers = list(documents.LISTING_HEADER)
    if ext in ("xlsx", "pdf"):
        at = headers.index("Matrícula")
        reads(session, request, user, f"listado de entrega ({ext.upper()})",
              [str(r[at]) for r in rows])
    if ext == "xlsx":
        book = XlsxBook()
        book.add_table("Listado", headers, rows)
        return xlsx_download(book, f"listado-{plantel}.xlsx")
    if ext == "pdf":
        return pdf_download(pdf_table(
            "Listado de entrega de Certificados de Terminación de Estudios",
            f"Oficio {oficio} · plantel {plantel}", headers, rows), f"listado-{plantel}.pdf")
    raise Refusal(404, "not-found", "Formato desconocido.")


ROUTERS = [router]
