"""Public verification (no sign-in): a folio lookup shows only name, career, date and state;
a QR's text is checked against the issuer's key and the records; the published keys. The
same answers as JSON under ``/certificados/api/verificar`` for an employer's or a school's
system, with ``existe`` / ``liberado`` / ``valido`` spelled out: a certificate still in
process exists but is not released, and the answer says so."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Body, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from conalep.certificates import release
from conalep.certificates.actors import Refused
from conalep.certificates.web_common import issuer_of, verify_url
from conalep.context import Db, utcnow
from conalep.web import page
from foundation.web.downloads import pdf_download

router = APIRouter(prefix="/certificados", include_in_schema=False)


@router.get("/verificar", response_class=HTMLResponse)
def verify_page(request: Request, session: Db, folio: str = "") -> HTMLResponse:
    answer = None
    if folio.strip():
        if not folio.strip().isdigit():
            answer = {"estado": "desconocido", "mensaje": "El folio es un número."}
        else:
            answer = release.lookup_folio(session, int(folio.strip()))
    return page(request, "certificates/verificar.html", None, answer=answer, folio=folio)


@router.post("/verificar", response_class=HTMLResponse)
def verify_qr(request: Request, session: Db, qr: str = Form("")) -> HTMLResponse:
    answer = release.verify_text(session, issuer_of(request), qr, today=utcnow().date())
    return page(request, "certificates/verificar.html", None, answer=answer, folio="")


def _spelled_out(answer: dict[str, Any]) -> dict[str, Any]:
    estado = answer["estado"]
    return {**answer, "liberado": estado in ("valido", "revocado"),
            "valido": estado == "valido"}


@router.get("/api/verificar")
def verify_folio_api(session: Db, folio: str = "") -> JSONResponse:
    """By folio: 200 with ``estado`` valido, revocado or no_liberado (exists, in process:
    no name is shown), 404 when no certificate has that folio, 422 for a folio that is not
    a number."""
    if not folio.strip().isdigit():
        return JSONResponse({"error": {"code": "bad-folio", "message": "El folio es un número."}},
                            status_code=422)
    answer = _spelled_out(release.lookup_folio(session, int(folio.strip())))
    exists = answer["estado"] != "desconocido"
    return JSONResponse({**answer, "existe": exists}, status_code=200 if exists else 404)


@router.post("/api/verificar")
def verify_qr_api(request: Request, session: Db, qr: str = Body("", embed=True)
                  ) -> dict[str, Any]:
    """A QR's text (``{"qr": "…"}``): the signature checked with the issuer's key, then the
    records (``no_liberado`` when the folio is not released)."""
    return _spelled_out(release.verify_text(session, issuer_of(request), qr,
                                            today=utcnow().date()))


@router.get("/mi-certificado", response_class=HTMLResponse)
def graduate_form(request: Request) -> HTMLResponse:
    """The graduate downloads their released certificate to print: folio and CURP."""
    return page(request, "certificates/mi_certificado.html", None, problem="", folio="")


@router.post("/mi-certificado", response_model=None)
def graduate_download(request: Request, session: Db, folio: str = Form(""),
                      curp: str = Form("")) -> Response:
    folio = folio.strip()
    if not folio.isdigit() or not curp.strip():
        return page(request, "certificates/mi_certificado.html", None, status=422,
                    problem="Escriba el folio (un número) y su CURP.", folio=folio)
    try:
        cert, pdf = release.graduate_pdf(session, int(folio), curp, verify_url(request))
    except Refused as exc:
        return page(request, "certificates/mi_certificado.html", None, status=exc.status,
                    problem=exc.message, folio=folio)
    return pdf_download(pdf, f"certificado-{cert.folio}.pdf")


@router.get("/llaves.json")
def published_keys(request: Request, session: Db) -> Response:
    data = release.published_keys(session, issuer_of(request))
    return Response(json.dumps(data, ensure_ascii=False, indent=2), media_type="application/json")


ROUTERS = [router]
