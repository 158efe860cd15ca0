"""The credential's CBOR payload: what the QR says about the card, and nothing more.

A CBOR map with small integer keys, so it stays short (DESIGN.md §4)::

    {0: 1,              # document type: 1 = school credential (SEJ), version 1
     1: 123,            # folio (unsigned integer)
     2: "JUAN PÉREZ",   # name as printed on the card (Unicode NFC)
     3: "14DPR2207Z",   # CCT of the school
     4: 20778}          # issue date: days since 1970-01-01 (RFC 8943's tag 100 meaning,
                        # untagged to save two bytes; key 4 fixes the meaning)

No CURP and no birth date: the holders are minors. Type numbers 2 and up are kept for other
documents sharing this format (e.g. CONALEP certificates); a verifier of credentials treats
them as "not a credential".

>>> from datetime import date
>>> from station.core.model import CredentialClaims
>>> claims = CredentialClaims(123, "JUAN PÉREZ", "14DPR2207Z", date(2026, 11, 21))
>>> decode_claims(encode_claims(claims)) == claims
True
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Any

import cbor2

from station.core.errors import InputError
from station.core.model import CredentialClaims
from station.credential.cose import strict_cbor_loads

PREFIX = "SC1:"
"""Text before the Base45 data: 'SC' school credential, '1' envelope version. QR-alphanumeric."""

SPECIMEN_QR_TEXT = "ESPECIMEN SIN VALOR"
"""What specimen (test, calibration) cards carry in their QR: readable, never a credential."""

TYPE_CREDENTIAL_V1 = 1

K_TYPE, K_FOLIO, K_NAME, K_CCT, K_ISSUED = 0, 1, 2, 3, 4
PAYLOAD_KEYS = frozenset({K_TYPE, K_FOLIO, K_NAME, K_CCT, K_ISSUED})

MAX_NAME_BYTES = 80
"""Longest name (UTF-8 bytes) accepted at issue time. It bounds the QR at version 12 (ECL Q)
with the largest folio; a 40-letter name gives version 11 (about 232-238 characters)."""

_EPOCH = date(1970, 1, 1)
_CCT = re.compile(r"\d{2}[A-Z]{3}\d{4}[A-Z]")
_MAX_FOLIO = 2**32 - 1


class PayloadError(ValueError):
    """A decoded payload is not a credential; ``str(exc)`` says why, in Spanish."""


def encode_claims(claims: CredentialClaims) -> bytes:
    """The CBOR payload bytes for ``claims``; InputError if a field cannot go on a card."""
    folio, cct, issued = claims.folio, claims.cct, claims.issued_on
    name = unicodedata.normalize("NFC", claims.name) if isinstance(claims.name, str) else ""
    if isinstance(folio, bool) or not isinstance(folio, int) or not 0 < folio <= _MAX_FOLIO:
        raise InputError(
            f"El folio {folio!r} no es válido para una credencial.",
            way_out="Use el folio asignado por la estación (un número entero positivo).",
        )
    if not name.strip() or name != name.strip():
        raise InputError(
            f"El nombre del folio {folio} está vacío o tiene espacios al principio o al final.",
            way_out="Corrija el nombre del alumno en el padrón.",
        )
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise InputError(
            f"El nombre del folio {folio} es demasiado largo para el código QR (máximo "
            f"{MAX_NAME_BYTES} letras; las que llevan acento y la Ñ cuentan doble).",
            way_out="Revise el nombre en el padrón; si está bien, pida ayuda a soporte de su DRSE.",
        )
    if not isinstance(cct, str) or not _CCT.fullmatch(cct):
        raise InputError(
            f"La CCT {cct!r} del folio {folio} no tiene la forma 14DPR2207Z.",
            way_out="Corrija la clave de la escuela en el padrón.",
        )
    if not isinstance(issued, date) or issued < date(2000, 1, 1):
        raise InputError(
            f"La fecha de expedición del folio {folio} no es válida: {issued!r}.",
            way_out="Revise la fecha y hora de la estación.",
        )
    days = (date(issued.year, issued.month, issued.day) - _EPOCH).days
    body = {K_TYPE: TYPE_CREDENTIAL_V1, K_FOLIO: folio, K_NAME: name, K_CCT: cct, K_ISSUED: days}
    return cbor2.dumps(body)


def decode_claims(payload: bytes) -> CredentialClaims:
    """Claims from payload bytes already signature-checked; PayloadError when malformed."""
    try:
        body: Any = strict_cbor_loads(payload)
    except ValueError:
        raise PayloadError("su contenido no se puede leer") from None
    if not isinstance(body, dict) or K_TYPE not in body:
        raise PayloadError("su contenido no tiene el formato de una credencial")
    if body[K_TYPE] != TYPE_CREDENTIAL_V1 or isinstance(body[K_TYPE], bool):
        raise PayloadError("es otro tipo de documento, no una credencial escolar")
    if set(body) != PAYLOAD_KEYS:
        raise PayloadError("su contenido tiene datos de más o de menos")
    folio, name, cct, days = body[K_FOLIO], body[K_NAME], body[K_CCT], body[K_ISSUED]
    # bool is an int subclass in Python: CBOR true/false must not pass as numbers.
    if isinstance(folio, bool) or not isinstance(folio, int) or folio <= 0:
        raise PayloadError("su folio no es un número válido")
    if not isinstance(name, str) or not name or not isinstance(cct, str) or not cct:
        raise PayloadError("le falta el nombre o la clave de la escuela")
    if isinstance(days, bool) or not isinstance(days, int):
        raise PayloadError("su fecha de expedición no es válida")
    try:
        issued_on = _EPOCH + timedelta(days=days)
    except OverflowError:
        raise PayloadError("su fecha de expedición no es válida") from None
    return CredentialClaims(folio=folio, name=name, cct=cct, issued_on=issued_on)
