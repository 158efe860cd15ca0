"""Name review of a certificate (norms 21, 22 and 24; plantel activity 2.4).

Two checks, each saying which part of the name is wrong:

- no abbreviations: a certificate carries the full name (``MA.``, ``J.``, ``MA. DE``, ``GPE.``
  are refused, with or without the dot);
- the name agrees with the CURP: the CURP's letters come from the first surname (characters
  1, 2, 14), the second surname (3, 15) and the given name (4, 16), and its characters 5-10 are
  the birth date. When they disagree the review names that part, so Servicios Escolares
  corrects the name (or asks for the CURP to be corrected) before anyone signs.

>>> [p.field for p in review_name("MA. DE LOURDES", "PÉREZ", "LÓPEZ", None)]
['nombre']
>>> review_name("SANTIAGO", "ZÚÑIGA", "NÚÑEZ", "ZUNS070515HVZXXNJ2") == []
True
>>> problem = review_name("SANTIAGO", "ZÚÑIGA", "MUÑOZ", "ZUNS070515HVZXXNJ2")[0]
>>> problem.field, problem.reason_es.split("(")[1]
('segundo_apellido', 'caracteres 3 y 15: la CURP dice «NX» y lo escrito da «MX»)')
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from foundation.curp import (
    INCONVENIENT_WORDS,
    curp_birth_date,
    curp_letters_of,
    curp_name_letters,
    validate_curp,
)

ABBREVIATIONS = frozenset({
    "MA", "MA.", "Ma.", "M.", "J.", "JA", "JA.", "GPE", "GPE.", "FCO", "FCO.", "JOSE.", "MARIA.",
    "MGL", "MGL.", "FDO", "FDO.", "GMO", "GMO.", "CARM", "STA", "STA.", "SN", "SN.",
})
"""Usual abbreviations of given names in Mexican records (MA. = MARÍA, J. = JOSÉ…)."""

_LETTERS = re.compile(r"^[A-ZÁÉÍÓÚÜÑ' -]+$")

FIELD_NAMES_ES = {
    "nombre": "el nombre",
    "primer_apellido": "el primer apellido",
    "segundo_apellido": "el segundo apellido",
    "curp": "la CURP",
    "fecha_nacimiento": "la fecha de nacimiento",
}


@dataclass(frozen=True, slots=True)
class NameProblem:
    field: str
    """``nombre``, ``primer_apellido``, ``segundo_apellido``, ``curp`` or
    ``fecha_nacimiento``."""
    reason_es: str


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").strip()


def _abbreviation_problem(field: str, value: str) -> NameProblem | None:
    words = value.split()
    for word in words:
        single = len(word.rstrip(".")) == 1 and word.rstrip(".") not in {"Y", "E"}
        if word.upper() in ABBREVIATIONS or word.endswith(".") or single:
            return NameProblem(
                field,
                f"{FIELD_NAMES_ES[field]} «{value}» tiene la abreviatura «{word}»: el "
                "certificado lleva el nombre completo, sin abreviaturas",
            )
    return None


def review_name(
    nombre: str, primer_apellido: str, segundo_apellido: str, curp: str | None,
    birth_date: date | None = None,
) -> list[NameProblem]:
    """Every problem found (empty when the name can go on the certificate)."""
    parts = {
        "nombre": _nfc(nombre),
        "primer_apellido": _nfc(primer_apellido),
        "segundo_apellido": _nfc(segundo_apellido),
    }
    problems: list[NameProblem] = []
    for field, value in parts.items():
        if not value:
            if field != "segundo_apellido":
                problems.append(NameProblem(field, f"falta {FIELD_NAMES_ES[field]}"))
            continue
        if value != value.upper() or not _LETTERS.match(value.replace(".", "")):
            problems.append(NameProblem(
                field, f"{FIELD_NAMES_ES[field]} «{value}» debe ir en mayúsculas y solo con letras"
            ))
            continue
        found = _abbreviation_problem(field, value)
        if found:
            problems.append(found)
    if problems or not curp:
        return problems
    bad = validate_curp(curp)
    if bad is not None:
        return [NameProblem("curp", f"la CURP {curp} no es válida: {bad.reason_es}")]
    problems.extend(_curp_agreement(parts, curp))
    if birth_date is not None and curp_birth_date(curp) != birth_date:
        problems.append(NameProblem(
            "fecha_nacimiento",
            f"la fecha de nacimiento {birth_date:%d/%m/%Y} no corresponde a la CURP "
            f"(caracteres 5 a 10 dicen {curp_birth_date(curp):%d/%m/%Y})",
        ))
    return problems


def _curp_agreement(parts: dict[str, str], curp: str) -> list[NameProblem]:
    want = curp_name_letters(parts["nombre"], parts["primer_apellido"], parts["segundo_apellido"])
    have = curp_letters_of(curp)
    # An inconvenient word in the first four letters has its 2nd letter replaced by X.
    head = want.surname1[:2] + want.surname2[0] + want.given[0]
    s1_want = want.surname1
    if head in INCONVENIENT_WORDS:
        s1_want = s1_want[0] + "X" + s1_want[2]
    checks = (
        ("primer_apellido", s1_want, have.surname1, "1, 2 y 14"),
        ("segundo_apellido", want.surname2, have.surname2, "3 y 15"),
        ("nombre", want.given, have.given, "4 y 16"),
    )
    problems = []
    for field, expected, actual, where in checks:
        if expected != actual:
            problems.append(NameProblem(
                field,
                f"{FIELD_NAMES_ES[field]} «{parts[field]}» no corresponde a la CURP (caracteres "
                f"{where}: la CURP dice «{actual}» y lo escrito da «{expected}»)",
            ))
    return problems
