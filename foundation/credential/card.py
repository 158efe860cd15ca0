"""The student ID card (credencial escolar, SEJ): document type 1.

A CBOR map with small integer keys, so it stays short (DESIGN.md §4)::

    {0: 1,              # document type: 1 = school credential (SEJ), version 1
     1: 123,            # folio (unsigned integer)
     2: "JUAN PÉREZ",   # name as printed on the card (Unicode NFC)
     3: "14DPR2207Z",   # CCT of the school
     4: 20778}          # issue date: days since 1970-01-01 (RFC 8943's tag 100 meaning,
                        # untagged to save two bytes; key 4 fixes the meaning)

No CURP and no birth date: the holders are minors.

>>> from foundation.credential.payload import decode_document, encode_document
>>> claims = CredentialClaims(123, "JUAN PÉREZ", "14DPR2207Z", date(2026, 11, 21))
>>> decode_document(encode_document(STUDENT_CARD, claims), [STUDENT_CARD]) == claims
True
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from foundation.credential.bounds import (
    CARD_FOLIO_MAX,
    CCT,
    MAX_NAME_BYTES,
    day_fault,
    folio_fault,
    name_fault,
)
from foundation.credential.documents import DocumentType, PayloadError
from foundation.errors import InputError


@dataclass(frozen=True, slots=True)
class CredentialClaims:
    """What the signed QR of a card carries: only what a person compares with the card.

    No CURP, no birth date: the holders are minors (DESIGN.md §4).
    """

    folio: int
    name: str
    cct: str
    issued_on: date


SHEET_SIZE = 8
"""Cards per sheet (planilla). Seed 004, técnico 7: printing is always by sheets of 8."""

K_FOLIO, K_NAME, K_CCT, K_ISSUED = 1, 2, 3, 4

EPOCH = date(1970, 1, 1)


def decode_day(days: object) -> date:
    """An issue date stored as days since 1970-01-01 (every document type stores it so)."""
    if isinstance(days, bool) or not isinstance(days, int):
        raise PayloadError("su fecha de expedición no es válida")
    try:
        return EPOCH + timedelta(days=days)
    except OverflowError:
        raise PayloadError("su fecha de expedición no es válida") from None


class StudentCard(DocumentType[CredentialClaims]):
    number = 1
    keys = frozenset({0, K_FOLIO, K_NAME, K_CCT, K_ISSUED})
    valid_es = "Credencial válida"
    revoked_es = "Credencial cancelada"
    json_fields = ("folio", "name", "cct", "issued_on")

    def to_body(self, claims: CredentialClaims) -> dict[int, Any]:
        # The bounds live in foundation.credential.bounds: the verifier refuses any payload
        # this method would not produce (payload.decode_typed), so they are the same bounds.
        folio, cct, issued = claims.folio, claims.cct, claims.issued_on
        name = unicodedata.normalize("NFC", claims.name) if isinstance(claims.name, str) else ""
        if folio_fault(folio, CARD_FOLIO_MAX):
            raise InputError(
                f"El folio {folio!r} no es válido para una credencial.",
                way_out="Use el folio asignado por la estación (un número entero positivo).",
            )
        fault = name_fault(name)
        if fault and fault.startswith("es demasiado largo"):
            raise InputError(
                f"El nombre del folio {folio} es demasiado largo para el código QR (máximo "
                f"{MAX_NAME_BYTES} letras; las que llevan acento y la Ñ cuentan doble).",
                way_out="Revise el nombre en el padrón; si está bien, pida ayuda a soporte de "
                "su DRSE.",
            )
        if fault:
            raise InputError(
                f"El nombre del folio {folio} no se puede poner en la credencial: {fault}.",
                way_out="Corrija el nombre del alumno en el padrón.",
            )
        if not isinstance(cct, str) or not CCT.fullmatch(cct):
            raise InputError(
                f"La CCT {cct!r} del folio {folio} no tiene la forma 14DPR2207Z.",
                way_out="Corrija la clave de la escuela en el padrón.",
            )
        fault = day_fault(issued)
        if fault:
            raise InputError(
                f"La fecha de expedición del folio {folio} no es válida: {fault}.",
                way_out="Revise la fecha y hora de la estación.",
            )
        days = (date(issued.year, issued.month, issued.day) - EPOCH).days
        return {K_FOLIO: folio, K_NAME: name, K_CCT: cct, K_ISSUED: days}

    def from_body(self, body: Mapping[int, Any]) -> CredentialClaims:
        folio, name, cct, days = body[K_FOLIO], body[K_NAME], body[K_CCT], body[K_ISSUED]
        # bool is an int subclass in Python: CBOR true/false must not pass as numbers.
        if isinstance(folio, bool) or not isinstance(folio, int) or folio <= 0:
            raise PayloadError("su folio no es un número válido")
        if not isinstance(name, str) or not name or not isinstance(cct, str) or not cct:
            raise PayloadError("le falta el nombre o la clave de la escuela")
        return CredentialClaims(folio=folio, name=name, cct=cct, issued_on=decode_day(days))

    def describe_es(self, claims: CredentialClaims) -> str:
        return (f"folio {claims.folio}, {claims.name}, {claims.cct}, "
                f"expedida el {claims.issued_on:%d/%m/%Y}")

    def to_json(self, claims: CredentialClaims) -> dict[str, Any]:
        return {"folio": claims.folio, "name": claims.name, "cct": claims.cct,
                "issued_on": claims.issued_on.isoformat()}


STUDENT_CARD = StudentCard()
