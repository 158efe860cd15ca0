"""CURP (Clave Única de Registro de Población): shape, check digit and construction.

Pure functions, no I/O. The rules follow RENAPO's *Instructivo Normativo para la Asignación
de la CURP*: the official pattern, the check digit (weights 18..2 over the dictionary
``0-9 A-N Ñ O-Z``) and the way the first 16 characters come from the name and birth data.

>>> validate_curp("CAXM110212HJCSXGJ5") is None
True
>>> validate_curp("CAXM110212HJCSXGJ3").reason_es
'el dígito verificador debería ser 5, no 3'
>>> curp_check_digit("CAXM110212HJCSXGJ")
'5'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from operator import mul

CURP_LENGTH = 18

CHECK_DICTIONARY = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
"""Values of the characters for the check digit, in order (Ñ included, as RENAPO defines)."""

def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STATE_CODES = _words(
    "AS BC BS CC CL CM CS CH DF DG GT GR HG JC MC MN MS NT NL OC PL QT QR SP SL SR TC TS TL "
    "VZ YN ZS NE"
)
"""Entidades federativas as the CURP writes them; NE = nacido en el extranjero."""

CURP_PATTERN = re.compile(
    r"^[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX]"
    r"(?:" + "|".join(sorted(STATE_CODES)) + r")"
    r"[B-DF-HJ-NP-TV-Z]{3}[A-Z\d]\d$"
)
"""The official pattern (sex ``X`` included, as RENAPO issues it since 2023)."""

INCONVENIENT_WORDS = _words(
    """BACA BAKA BUEI BUEY CACA CACO CAGA CAGO CAKA CAKO COGE COGI COJA COJE COJI COJO COLA
    CULO FALO FETO GETA GUEI GUEY JETA JOTO KACA KACO KAGA KAGO KAKA KAKO KOGE KOGI KOJA KOJE
    KOJI KOJO KOLA KULO LILO LOCA LOCO LOKA LOKO MAME MAMO MEAR MEAS MEON MIAR MION MOCO MOKO
    MULA MULO NACA NACO PEDA PEDO PENE PIPI PITO POPO PUTA PUTO QULO RATA ROBA ROBE ROBO RUIN
    SENO TETA VACA VAGA VAGO VAKA VUEI VUEY WUEI WUEY"""
)
"""Anexo 2 of the instructivo: when the first four letters spell one, the 2nd becomes X."""

PARTICLES = _words("DA DAS DE DEL DER DI DIE DD EL LA LOS LAS LE LES MAC MC VAN VON Y")
"""Prepositions, conjunctions and contractions skipped in compound names and surnames."""

SKIPPED_FIRST_NAMES: frozenset[str] = frozenset({"MARIA", "MA", "MA.", "M", "JOSE", "J", "J."})
"""With a compound given name starting with one of these, the CURP uses the next name."""

_VOWELS = frozenset("AEIOU")
_CHECK_VALUES = {c: i for i, c in enumerate(CHECK_DICTIONARY)}
_WEIGHTS = range(CURP_LENGTH, 1, -1)
_SEX_NAMES = {"H": "hombre", "M": "mujer", "X": "no binario"}


@dataclass(frozen=True, slots=True)
class CurpProblem:
    """Why a CURP is not valid: a short machine code and the reason in plain Spanish."""

    code: str
    reason_es: str


def curp_check_digit(first17: str) -> str:
    """The check digit (18th character) for the first 17 characters of a CURP.

    >>> curp_check_digit("IISS190914HJCXNNA")
    '3'
    """
    if len(first17) != CURP_LENGTH - 1:
        raise ValueError("a CURP check digit needs exactly 17 characters")
    try:
        total = sum(map(mul, map(_CHECK_VALUES.__getitem__, first17), _WEIGHTS))
    except KeyError:
        raise ValueError("a CURP only holds digits and capital letters A-Z, Ñ") from None
    return str((10 - total % 10) % 10)


def curp_birth_date(curp: str) -> date:
    """Birth date encoded in a CURP; the century comes from the homoclave (digit: 1900s).

    >>> curp_birth_date("GOXL150826HJCNXNC2")
    datetime.date(2015, 8, 26)
    """
    century = 1900 if curp[16].isdigit() else 2000
    return date(century + int(curp[4:6]), int(curp[6:8]), int(curp[8:10]))


def validate_curp(curp: str) -> CurpProblem | None:
    """``None`` when ``curp`` is a well-formed CURP with the right check digit.

    Otherwise the first thing that is wrong, explained for a school secretary.

    >>> validate_curp("GOXL150231HJCNXNC2").reason_es
    'la fecha de nacimiento de la CURP (31/02/2015) no existe'
    >>> validate_curp("GOXL150826HZZNXNC2").reason_es
    'los caracteres 12 y 13 deben ser la clave del estado de nacimiento y «ZZ» no lo es'
    """
    if not curp:
        return CurpProblem("vacia", "la CURP está vacía")
    if len(curp) != CURP_LENGTH:
        return CurpProblem("longitud", f"la CURP debe tener 18 caracteres y tiene {len(curp)}")
    if curp != curp.upper():
        return CurpProblem("minusculas", "la CURP debe ir en mayúsculas")
    if not CURP_PATTERN.match(curp):
        return _shape_problem(curp)
    try:
        curp_birth_date(curp)
    except ValueError:
        shown = f"{curp[8:10]}/{curp[6:8]}/{'19' if curp[16].isdigit() else '20'}{curp[4:6]}"
        return CurpProblem("fecha", f"la fecha de nacimiento de la CURP ({shown}) no existe")
    expected = curp_check_digit(curp[:17])
    if curp[17] != expected:
        return CurpProblem(
            "verificador", f"el dígito verificador debería ser {expected}, no {curp[17]}"
        )
    return None


def _shape_problem(curp: str) -> CurpProblem:
    """Names the part of a CURP that breaks the official pattern."""
    checks: list[tuple[bool, str]] = [
        (curp[:4].isalpha() and curp[:4].isascii(), "los primeros 4 caracteres deben ser letras"),
        (curp[1] in "AEIOUX", "el segundo carácter debe ser una vocal o X"),
        (
            curp[4:10].isdigit() and curp[4:10].isascii(),
            "los caracteres 5 a 10 deben ser la fecha de nacimiento (AAMMDD)",
        ),
        (curp[10] in _SEX_NAMES, "el carácter 11 debe ser H (hombre), M (mujer) o X"),
        (
            curp[11:13] in STATE_CODES,
            "los caracteres 12 y 13 deben ser la clave del estado de nacimiento"
            f" y «{curp[11:13]}» no lo es",
        ),
        (
            all(c.isascii() and c.isalpha() and c not in _VOWELS for c in curp[13:16]),
            "los caracteres 14 a 16 deben ser consonantes",
        ),
        (
            curp[16].isascii() and curp[16].isalnum(),
            "el carácter 17 debe ser una letra o un número",
        ),
        (curp[17].isascii() and curp[17].isdigit(), "el último carácter debe ser un número"),
    ]
    for ok, reason in checks:
        if not ok:
            return CurpProblem("forma", reason)
    return CurpProblem("forma", "la CURP no tiene la forma oficial")  # pragma: no cover


def build_curp(
    nombre: str,
    primer_apellido: str,
    segundo_apellido: str,
    birth: date,
    sex: str,
    *,
    state: str = "JC",
    homoclave: str | None = None,
) -> str:
    """The CURP RENAPO would assign, with ``homoclave`` (default ``0``/``A`` by century).

    >>> build_curp("MIGUEL ÁNGEL", "CASTAÑEDA", "", date(2011, 2, 12), "H", homoclave="J")
    'CAXM110212HJCSXGJ5'
    >>> build_curp("MARÍA JOSÉ", "DEL TORO", "ÍÑIGUEZ", date(2014, 6, 3), "M", homoclave="G")
    'TOIJ140603MJCRXSG7'
    """
    if sex not in _SEX_NAMES or state not in STATE_CODES:
        raise ValueError("sex must be H, M or X and state an official code")
    if homoclave is None:
        homoclave = "0" if birth.year < 2000 else "A"
    if len(homoclave) != 1 or homoclave.isdigit() != (birth.year < 2000):
        raise ValueError("the homoclave is a digit for births before 2000, a letter after")
    surname1 = _key_word(primer_apellido, given=False)
    surname2 = _key_word(segundo_apellido, given=False)
    given = _key_word(nombre, given=True)
    if not surname1 or not given:
        raise ValueError("a CURP needs a given name and a first surname")
    head = surname1[0] + _first(surname1[1:], vowels=True) + (surname2[:1] or "X") + given[0]
    if head in INCONVENIENT_WORDS:
        head = head[0] + "X" + head[2:]
    inner = (
        _first(surname1[1:], vowels=False)
        + _first(surname2[1:], vowels=False)
        + _first(given[1:], vowels=False)
    )
    first17 = f"{head}{birth:%y%m%d}{sex}{state}{inner}{homoclave}"
    return first17 + curp_check_digit(first17)


def _key_word(text: str, *, given: bool) -> str:
    """The word of a name that the CURP takes its letters from, in plain A-Z."""
    words = [w for w in _plain(text).split() if w not in PARTICLES] or _plain(text).split()
    if given and len(words) > 1 and words[0] in SKIPPED_FIRST_NAMES:
        words = words[1:]
    if not words:
        return ""
    # Any character left that is not A-Z (a hyphen, a dot) counts as X, as the instructivo says.
    return "".join(c if "A" <= c <= "Z" else "X" for c in words[0])


def _plain(text: str) -> str:
    """Upper case without accents; Ñ becomes X as in every CURP."""
    text = unicodedata.normalize("NFC", text.upper()).replace("Ñ", "X")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _first(text: str, *, vowels: bool) -> str:
    for c in text:
        if (c in _VOWELS) == vowels and c.isalpha():
            return c
    return "X"


@dataclass(frozen=True, slots=True)
class NameLetters:
    """The CURP characters each part of a name decides (positions are 1-based)."""

    surname1: str
    """Characters 1, 2 and 14: first letter, first inner vowel, first inner consonant."""
    surname2: str
    """Characters 3 and 15 (``XX`` without a second surname)."""
    given: str
    """Characters 4 and 16 (after skipping MARÍA/JOSÉ in a compound given name)."""


def curp_name_letters(nombre: str, primer_apellido: str, segundo_apellido: str) -> NameLetters:
    """What a name puts in a CURP, part by part, so a mismatch can name the part.

    >>> curp_name_letters("MARÍA JOSÉ", "DEL TORO", "ÍÑIGUEZ")
    NameLetters(surname1='TOR', surname2='IX', given='JS')
    """
    s1 = _key_word(primer_apellido, given=False)
    s2 = _key_word(segundo_apellido, given=False)
    g = _key_word(nombre, given=True)
    return NameLetters(
        surname1=(s1[:1] or "X") + _first(s1[1:], vowels=True) + _first(s1[1:], vowels=False),
        surname2=(s2[:1] or "X") + _first(s2[1:], vowels=False),
        given=(g[:1] or "X") + _first(g[1:], vowels=False),
    )


def curp_letters_of(curp: str) -> NameLetters:
    """The same three groups read from a CURP (characters 1-4 and 14-16)."""
    return NameLetters(
        surname1=curp[0] + curp[1] + curp[13], surname2=curp[2] + curp[14], given=curp[3] + curp[15]
    )
