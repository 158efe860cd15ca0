"""The CONALEP Certificado de Terminación de Estudios: document type 2.

Its QR carries what a reader compares with the printed certificate and a digest binding it to
the certificate's signature chain (plantel director → DG director general → national
director general; the chain file beside the PDF is checked with the published keys)::

    {0: 2,                      # document type: CONALEP certificate, version 1
     1: 1000123,                # folio (electronic folio granted by the national office)
     2: "ANA SOFÍA CRUZ LÓPEZ", # name as printed (NFC)
     3: "2216500007",           # matrícula
     4: "INFORMÁTICA",          # career
     5: 2023,                   # academic model
     6: 20635,                  # issue (release) date: days since 1970-01-01
     7: h'…'}                   # SHA-256 of the signature chain (32 bytes)

No CURP and no birth date.

>>> from foundation.credential.payload import decode_document, encode_document
>>> c = CertificateClaims(7, "ANA LÓPEZ", "2216500007", "INFORMÁTICA", 2023,
...                       date(2026, 7, 1), bytes(32))
>>> decode_document(encode_document(CONALEP_CERTIFICATE, c), [CONALEP_CERTIFICATE]) == c
True
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from foundation.credential.bounds import CERTIFICATE_FOLIO_MAX, day_fault, folio_fault, text_fault
from foundation.credential.card import EPOCH, decode_day
from foundation.credential.documents import DocumentType, PayloadError
from foundation.errors import InputError


@dataclass(frozen=True, slots=True)
class CertificateClaims:
    folio: int
    name: str
    matricula: str
    career: str
    model_year: int
    issued_on: date
    chain_sha256: bytes


K_FOLIO, K_NAME, K_MATRICULA, K_CAREER, K_MODEL, K_ISSUED, K_CHAIN = 1, 2, 3, 4, 5, 6, 7
MODEL_YEARS = frozenset({1990, 1997, 2003, 2008, 2018, 2023})


def _text(value: object) -> str:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else ""


class ConalepCertificate(DocumentType[CertificateClaims]):
    number = 2
    keys = frozenset({0, K_FOLIO, K_NAME, K_MATRICULA, K_CAREER, K_MODEL, K_ISSUED, K_CHAIN})
    valid_es = "Certificado válido"
    revoked_es = "Certificado cancelado"
    json_fields = ("folio", "name", "matricula", "career", "model", "issued_on", "chain_sha256")

    def to_body(self, claims: CertificateClaims) -> dict[int, Any]:
        # Bounds shared with the verifier (foundation.credential.bounds, payload.decode_typed).
        folio = claims.folio
        if folio_fault(folio, CERTIFICATE_FOLIO_MAX):
            raise InputError(f"El folio {folio!r} no es válido para un certificado.")
        texts = {"nombre": _text(claims.name), "matrícula": _text(claims.matricula),
                 "carrera": _text(claims.career)}
        for label, value in texts.items():
            fault = text_fault(value)
            if fault:
                raise InputError(
                    f"El campo {label} del certificado con folio {folio} no se puede poner en "
                    f"el código QR: {fault}."
                )
        model = claims.model_year
        if isinstance(model, bool) or model not in MODEL_YEARS:
            raise InputError(f"El modelo académico {model} no existe.")
        if not isinstance(claims.chain_sha256, bytes) or len(claims.chain_sha256) != 32:
            raise InputError("El resumen de la cadena de firmas debe tener 32 bytes.")
        issued = claims.issued_on
        fault = day_fault(issued)
        if fault:
            raise InputError(
                f"La fecha de expedición del certificado con folio {folio} no es válida: "
                f"{fault}."
            )
        days = (date(issued.year, issued.month, issued.day) - EPOCH).days
        return {K_FOLIO: folio, K_NAME: texts["nombre"], K_MATRICULA: texts["matrícula"],
                K_CAREER: texts["carrera"], K_MODEL: model, K_ISSUED: days,
                K_CHAIN: claims.chain_sha256}

    def from_body(self, body: Mapping[int, Any]) -> CertificateClaims:
        folio, days, model, chain = body[K_FOLIO], body[K_ISSUED], body[K_MODEL], body[K_CHAIN]
        if isinstance(folio, bool) or not isinstance(folio, int) or folio <= 0:
            raise PayloadError("su folio no es un número válido")
        texts = [body[K_NAME], body[K_MATRICULA], body[K_CAREER]]
        if not all(isinstance(t, str) and t for t in texts):
            raise PayloadError("le falta el nombre, la matrícula o la carrera")
        # An unhashable CBOR value (a list) must not reach the set lookup.
        if isinstance(model, bool) or not isinstance(model, int) or model not in MODEL_YEARS:
            raise PayloadError("su modelo académico no existe")
        if not isinstance(chain, bytes) or len(chain) != 32:
            raise PayloadError("su resumen de la cadena de firmas no es válido")
        return CertificateClaims(folio, texts[0], texts[1], texts[2], model, decode_day(days),
                                 chain)

    def describe_es(self, claims: CertificateClaims) -> str:
        return (f"folio {claims.folio}, {claims.name}, matrícula {claims.matricula}, "
                f"{claims.career} (Modelo Académico {claims.model_year}), expedido el "
                f"{claims.issued_on:%d/%m/%Y}")

    def to_json(self, claims: CertificateClaims) -> dict[str, Any]:
        return {"folio": claims.folio, "name": claims.name, "matricula": claims.matricula,
                "career": claims.career, "model": claims.model_year,
                "issued_on": claims.issued_on.isoformat(),
                "chain_sha256": claims.chain_sha256.hex()}


CONALEP_CERTIFICATE = ConalepCertificate()
