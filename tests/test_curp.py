"""CURP shape, check digit and construction (foundation.curp)."""

from __future__ import annotations

import csv
import doctest
import os
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import foundation.curp as curp_module
from foundation.curp import (
    CHECK_DICTIONARY,
    INCONVENIENT_WORDS,
    STATE_CODES,
    build_curp,
    curp_birth_date,
    curp_check_digit,
    validate_curp,
)

ROOT = Path(__file__).resolve().parents[1]


def sample_dir() -> Path | None:
    """The SCEJAL samples: $SCEJAL_SAMPLES, tests/data/scejal, or the shared folder."""
    for candidate in (os.environ.get("SCEJAL_SAMPLES"), ROOT / "tests/data/scejal",
                      ROOT.parent / "shared/samples/scejal"):  # fmt: skip
        if candidate and (Path(candidate) / "alumnos.csv").is_file():
            return Path(candidate)
    return None


def sample_students() -> list[dict[str, str]]:
    from conftest import require_part

    folder = sample_dir()
    require_part(folder is not None, "muestras SCEJAL (alumnos.csv)")
    assert folder is not None
    with (folder / "alumnos.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


# Published test vectors of independent CURP libraries (not from our samples).
INDEPENDENT_VALID = ["SABC560626MDFLRN01", "MOTR930411HJCRMN03", "BEML920313HCMLNS09"]


def test_docstring_examples() -> None:
    result = doctest.testmod(curp_module)
    assert result.attempted >= 5 and result.failed == 0


@pytest.mark.parametrize("curp", INDEPENDENT_VALID)
def test_independent_vectors_are_valid(curp: str) -> None:
    assert curp_check_digit(curp[:17]) == curp[17]
    assert validate_curp(curp) is None


def test_every_sample_curp_is_valid() -> None:
    rows = sample_students()
    assert len(rows) >= 40
    assert [r["curp"] for r in rows if validate_curp(r["curp"]) is not None] == []


def test_build_curp_reproduces_every_sample_from_name_and_birth() -> None:
    """The samples follow RENAPO's rules (particles, MARÍA/JOSÉ, Ñ→X, missing surname→X)."""
    for r in sample_students():
        c = r["curp"]
        built = build_curp(r["nombre"], r["primer_apellido"], r["segundo_apellido"],
                           curp_birth_date(c), c[10], homoclave=c[16])  # fmt: skip
        assert built == c, (r["nombre"], r["primer_apellido"], r["segundo_apellido"])


def test_wrong_check_digit_names_the_right_one() -> None:
    problem = validate_curp("CAXM110212HJCSXGJ3")
    assert problem is not None and problem.code == "verificador"
    assert problem.reason_es == "el dígito verificador debería ser 5, no 3"


@pytest.mark.parametrize(
    ("curp", "code", "words"),
    [
        ("", "vacia", "vacía"),
        ("CAXM110212HJCSXGJ", "longitud", "tiene 17"),
        ("caxm110212hjcsxgj5", "minusculas", "mayúsculas"),
        ("C4XM110212HJCSXGJ5", "forma", "primeros 4"),
        ("CBXM110212HJCSXGJ5", "forma", "segundo carácter"),
        ("CAXM11O212HJCSXGJ5", "forma", "fecha de nacimiento (AAMMDD)"),
        ("CAXM110212QJCSXGJ5", "forma", "H (hombre), M (mujer) o X"),
        ("CAXM110212HZZSXGJ5", "forma", "«ZZ»"),
        ("CAXM110212HJCAXGJ5", "forma", "consonantes"),
        ("CAXM110212HJCSXG-5", "forma", "carácter 17"),
        ("CAXM110212HJCSXGJX", "forma", "último carácter"),
        ("CAXM110232HJCSXGJ5", "fecha", "32/02/2011"),
    ],
)
def test_each_shape_problem_says_what_is_wrong(curp: str, code: str, words: str) -> None:
    problem = validate_curp(curp)
    assert problem is not None
    assert problem.code == code
    assert words in problem.reason_es


def test_birth_date_century_comes_from_the_homoclave() -> None:
    # 29 Feb exists in 2000 (homoclave letter) but not in 1900 (homoclave digit).
    in_2000 = build_curp("ANA", "PEREZ", "LOPEZ", date(2000, 2, 29), "M", homoclave="A")
    assert validate_curp(in_2000) is None
    as_1900 = in_2000[:16] + "0"
    as_1900 += curp_check_digit(as_1900)
    problem = validate_curp(as_1900)
    assert problem is not None and problem.code == "fecha" and "1900" in problem.reason_es


def test_sex_x_and_foreign_born_ne_are_accepted() -> None:
    curp = build_curp("ALEX", "RIOS", "VEGA", date(2012, 5, 1), "X", state="NE", homoclave="B")
    assert curp[10:13] == "XNE"
    assert validate_curp(curp) is None


def test_inconvenient_word_gets_an_x() -> None:
    # BUENO ESPINOSA YOLANDA would start with BUEY: RENAPO writes BXEY.
    curp = build_curp("YOLANDA", "BUENO", "ESPINOSA", date(2010, 3, 4), "M", homoclave="A")
    assert curp.startswith("BXEY")
    assert validate_curp(curp) is None


def test_homoclave_must_match_the_century() -> None:
    with pytest.raises(ValueError):
        build_curp("ANA", "PEREZ", "LOPEZ", date(2012, 1, 1), "M", homoclave="7")
    with pytest.raises(ValueError):
        build_curp("ANA", "PEREZ", "LOPEZ", date(1999, 1, 1), "M", homoclave="A")


def test_check_digit_refuses_bad_input() -> None:
    with pytest.raises(ValueError):
        curp_check_digit("ABC")
    with pytest.raises(ValueError):
        curp_check_digit("caxm110212hjcsxgj")


# --- properties -------------------------------------------------------------------------

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_CONSONANTS = "BCDFGHJKLMNPQRSTVWXYZ"


@st.composite
def first17(draw: st.DrawFn) -> str:
    """The first 17 characters of a well-shaped CURP (any real date)."""
    born = draw(st.dates(min_value=date(1930, 1, 1), max_value=date(2025, 12, 31)))
    homoclave = draw(st.sampled_from("0123456789" if born.year < 2000 else _LETTERS))
    return (
        draw(st.sampled_from(_LETTERS)) + draw(st.sampled_from("AEIOUX"))
        + draw(st.text(_LETTERS, min_size=2, max_size=2)) + f"{born:%y%m%d}"
        + draw(st.sampled_from("HMX")) + draw(st.sampled_from(sorted(STATE_CODES)))
        + draw(st.text(_CONSONANTS, min_size=3, max_size=3)) + homoclave
    )  # fmt: skip


@given(first17())
def test_appending_the_check_digit_always_validates(head: str) -> None:
    assert validate_curp(head + curp_check_digit(head)) is None


@given(first17(), st.sampled_from("0123456789"))
def test_any_other_last_digit_is_caught_and_explained(head: str, digit: str) -> None:
    right = curp_check_digit(head)
    problem = validate_curp(head + digit)
    if digit == right:
        assert problem is None
    else:
        assert problem is not None
        assert problem.reason_es == f"el dígito verificador debería ser {right}, no {digit}"


@given(st.text(max_size=30))
def test_validate_never_raises(text: str) -> None:
    problem = validate_curp(text)
    assert problem is None or problem.reason_es


_NAME_CHARS = _LETTERS + "ÁÉÍÓÚÜÑ"
_word = st.text(_NAME_CHARS, min_size=1, max_size=10)
_name = st.lists(st.one_of(_word, st.sampled_from(["DE", "LA", "DEL", "MARÍA", "JOSÉ", "Y"])),
                 min_size=1, max_size=4).map(" ".join)  # fmt: skip


@settings(max_examples=200)
@given(_name, _name, st.one_of(st.just(""), _name),
       st.dates(min_value=date(2000, 1, 1), max_value=date(2025, 12, 31)),
       st.sampled_from("HM"), st.sampled_from(_LETTERS))  # fmt: skip
def test_built_curps_are_always_valid(
    nombre: str, apellido1: str, apellido2: str, born: date, sex: str, homoclave: str
) -> None:
    curp = build_curp(nombre, apellido1, apellido2, born, sex, homoclave=homoclave)
    assert validate_curp(curp) is None
    assert curp[:4] not in INCONVENIENT_WORDS
    assert curp_birth_date(curp) == born
    assert "Ñ" not in curp and set(curp) <= set(CHECK_DICTIONARY)
