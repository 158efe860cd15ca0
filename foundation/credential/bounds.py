"""What a signed document may hold: the one definition that issuing and verifying share.

Each document type's ``to_body`` refuses claims outside these bounds (an
:class:`~foundation.errors.InputError` at issue time), and the verifier accepts a payload only
when issuing its decoded claims again gives the very same bytes
(:func:`foundation.credential.payload.decode_typed`). So a QR signed by a trusted key but holding
something no issuer makes (folio 2^40, CCT "X", a 600-byte name, a date in the year 9999, a line
break or a right-to-left override in the name) is refused, and the two sides cannot drift apart.

>>> name_fault("JOSÉ MARÍA O'NEIL"), name_fault("ANA\\u202eZEPOL")
(None, 'tiene caracteres que no son letras')
>>> folio_fault(2**40, CARD_FOLIO_MAX)
'está fuera del rango de folios'
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

CARD_FOLIO_MAX = 2**32 - 1
"""The largest folio a student card carries (unsigned 32 bits: 4,294,967,295 folios)."""

CERTIFICATE_FOLIO_MAX = 2**63 - 1
"""The largest CONALEP certificate folio: what the BigInteger folio columns hold."""

FIRST_ISSUE_DAY = date(2000, 1, 1)
LAST_ISSUE_DAY = date(2099, 12, 31)
"""Issue dates outside these days come from a wrong clock, never from a real issue."""

MAX_NAME_BYTES = 80
"""Longest card name (UTF-8 bytes). It bounds the QR at version 12 (ECL Q) with the largest
folio; a 40-letter name gives version 11 (about 232-238 characters)."""

MAX_TEXT_BYTES = 120
"""Longest text field of a CONALEP certificate (UTF-8 bytes)."""

NAME_PUNCTUATION = " '.-"
"""Besides letters, what a card name may hold: the same set the roster import accepts
(``station.core.roster``), so every name that passed the import can be issued."""

CCT = re.compile(r"\d{2}[A-Z]{3}\d{4}[A-Z]", re.ASCII)
"""A school's CCT (clave de centro de trabajo), e.g. 14DPR2207Z. ASCII digits only: ``\\d``
alone would also take Arabic-Indic and other digits."""


def folio_fault(folio: object, top: int) -> str | None:
    """Why ``folio`` cannot be a document's folio (1..``top``), or None."""
    if isinstance(folio, bool) or not isinstance(folio, int):
        return "no es un número entero"
    if not 0 < folio <= top:
        return "está fuera del rango de folios"
    return None


def _text_fault(value: object, max_bytes: int) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "está vacío"
    if value != value.strip():
        return "tiene espacios al principio o al final"
    if value != unicodedata.normalize("NFC", value):
        return "no está en la forma normal de Unicode (NFC)"
    if len(value.encode("utf-8")) > max_bytes:
        return f"es demasiado largo (más de {max_bytes} bytes)"
    return None


def name_fault(name: object) -> str | None:
    """Why ``name`` (already NFC) cannot go on a card, or None: letters, space and ' . -
    only, at most :data:`MAX_NAME_BYTES` bytes, no space at either end."""
    fault = _text_fault(name, MAX_NAME_BYTES)
    if fault is None and not all(c.isalpha() or c in NAME_PUNCTUATION for c in str(name)):
        return "tiene caracteres que no son letras"
    return fault


def text_fault(value: object) -> str | None:
    """Why a certificate's text field (already NFC) cannot be issued, or None: printable
    characters only (no line breaks, tabs, bidirectional or other invisible controls)."""
    fault = _text_fault(value, MAX_TEXT_BYTES)
    if fault is None and not str(value).isprintable():
        return "tiene caracteres que no se imprimen (saltos de línea o de control)"
    return fault


def day_fault(day: object) -> str | None:
    """Why ``day`` cannot be an issue date, or None."""
    if not isinstance(day, date):
        return "no es una fecha"
    if not FIRST_ISSUE_DAY <= day <= LAST_ISSUE_DAY:
        return (f"está fuera del periodo {FIRST_ISSUE_DAY:%d/%m/%Y} a "
                f"{LAST_ISSUE_DAY:%d/%m/%Y}")
    return None
