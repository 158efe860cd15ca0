"""Public verification (no sign-in): a folio lookup shows only name, career, date and state;
a QR's text is checked against the issuer's key and the records; the published keys."""

from __future__ import annotations

import json

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from conalep.certificates import release
from conalep.certificates.web_common import issuer_of
from conalep.context import Db, utcnow
from conalep.web import page

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


@router.get("/llaves.json")
def published_keys(request: Request, session: Db) -> Response:
    data = release.published_keys(session, issuer_of(request))
    return Response(json.dumps(data, ensure_ascii=False, indent=2), media_type="application/json")


ROUTERS = [router]
