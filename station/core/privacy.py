"""Minors' personal data on the station (issue 18): when it is due for purging, what a purged
student's rows keep, and which fields an ARCO rectification may change. Pure rules.

A student's personal data (names, CURP — which spells the birth date —, photo, free-text
notes) is kept while they are enrolled and for ``privacy.retention_days`` after they left
(BAJA) or no longer appear in their school's roster of the current cycle (they finished or
left without a BAJA). The folio, dates and card status stay, under a pseudonym, so the folio
audit balances and a card still verifies as issued or revoked.

>>> from datetime import date
>>> due(date(2026, 1, 1), today=date(2027, 1, 1), retention_days=365)
True
>>> due(date(2026, 1, 2), today=date(2027, 1, 1), retention_days=365)
False
>>> pseudonym("ab" * 32)
'0000VOV2XK5LVOV2XK'
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from foundation.errors import InputError

RETENTION = "retention"
CANCELLATION = "cancelacion"
REASONS_ES = {RETENTION: "plazo de conservación vencido", CANCELLATION: "cancelación ARCO"}

MIN_RETENTION_DAYS = 30
"""A shorter period would purge a student whose BAJA is corrected a few days later."""

PSEUDONYM_PREFIX = "0000"
"""A real CURP starts with four letters, so a pseudonym can never be mistaken for one; it
still has the contract's CURP shape (18 capitals and digits), so an event that named the
student stays a valid event."""

RECTIFIABLE: Mapping[str, str] = {
    "nombre": "nombre",
    "primer_apellido": "primer_apellido",
    "segundo_apellido": "segundo_apellido",
    "apellido_paterno": "primer_apellido",
    "apellido_materno": "segundo_apellido",
}
"""Field names an ARCO rectification order may carry → the students column it changes. The
CURP is not here: a corrected CURP is a new roster row from SCEJAL, not an edit."""

MAX_NAME = 100


def due(inactive_since: date, *, today: date, retention_days: int) -> bool:
    """Whether the retention period of a student inactive since ``inactive_since`` is over."""
    return inactive_since + timedelta(days=retention_days) <= today


def check_retention_days(value: object) -> int:
    """The setting's value, refused in words when it is not a sensible number of days.

    >>> check_retention_days(365)
    365
    >>> try:
    ...     check_retention_days(10)
    ... except InputError as exc:
    ...     print(exc.message)
    El plazo de conservación de datos personales debe ser de al menos 30 días (está en 10).
    """
    if not isinstance(value, int) or isinstance(value, bool) or value < MIN_RETENTION_DAYS:
        raise InputError(f"El plazo de conservación de datos personales debe ser de al menos "
                         f"{MIN_RETENTION_DAYS} días (está en {value}).",
                         way_out="Corrija el ajuste «Días de conservación de datos de alumnos "
                                 "que se fueron» o pida a su DRSE que lo revise.")
    return value


def pseudonym(digest_hex: str) -> str:
    """What replaces a purged student's CURP in the ledger: ``0000`` and 14 base32 letters of
    the keyed digest (70 bits: no two students of one station meet)."""
    letters = base64.b32encode(bytes.fromhex(digest_hex)).decode("ascii")
    return PSEUDONYM_PREFIX + letters[:14]


def is_pseudonym(curp: str) -> bool:
    """Whether ``curp`` is a purged student's pseudonym.

    >>> is_pseudonym("0000ABCDEFGHIJKLMN"), is_pseudonym("GOXL150826HJCNXNC2")
    (True, False)
    """
    return curp.startswith(PSEUDONYM_PREFIX)


@dataclass(frozen=True, slots=True)
class Rectification:
    """What an order changes here (column → value) and the field names refused."""

    changes: dict[str, str]
    refused: tuple[str, ...]


def rectification(fields: Mapping[str, str] | None) -> Rectification:
    """The columns a rectification order changes; unknown fields and empty or too long
    values are refused by name (never by value: the values are personal data).

    >>> rectification({"nombre": " ANA ", "grado": "3", "primer_apellido": ""})
    Rectification(changes={'nombre': 'ANA'}, refused=('grado', 'primer_apellido'))
    """
    changes: dict[str, str] = {}
    refused: list[str] = []
    for name, value in (fields or {}).items():
        column = RECTIFIABLE.get(name.strip().lower())
        text = " ".join(value.split())
        # A person may have one surname only; a first surname and a name are never empty.
        empty = not text and column != "segundo_apellido"
        if column is None or empty or len(text) > MAX_NAME:
            refused.append(name)
            continue
        changes[column] = text
    return Rectification(changes, tuple(sorted(refused)))
