"""Name review of norms 21, 22, 24: abbreviations refused, and the CURP's letters and birth
date agree with the name, naming the part that disagrees."""

from __future__ import annotations

from datetime import date

import pytest

from conalep.certificates.names import review_name
from foundation.curp import build_curp, curp_letters_of, curp_name_letters


@pytest.mark.parametrize("nombre, word", [
    ("MA. DE LOURDES", "MA."), ("MA DE LOURDES", "MA"), ("J. GUADALUPE", "J."),
    ("JOSÉ J", "J"), ("GPE.", "GPE."), ("MA. DE LA LUZ", "MA."),
])
def test_abbreviations_are_refused(nombre: str, word: str) -> None:
    [problem] = review_name(nombre, "PÉREZ", "LÓPEZ", None)
    assert problem.field == "nombre" and f"«{word}»" in problem.reason_es


def test_full_names_with_particles_pass() -> None:
    curp = build_curp("MARÍA DE LOURDES", "DE LA CRUZ", "Y GARCÍA", date(2007, 5, 3), "M",
                      state="VZ")
    assert review_name("MARÍA DE LOURDES", "DE LA CRUZ", "Y GARCÍA", curp) == []


@pytest.mark.parametrize("change, field, where", [
    (("SANTIAGO", "ZUNIGA", "NÚÑEZ"), "primer_apellido", "1, 2 y 14"),
    (("SANTIAGO", "ZÚÑIGA", "MUÑOZ"), "segundo_apellido", "3 y 15"),
    (("DIEGO", "ZÚÑIGA", "NÚÑEZ"), "nombre", "4 y 16"),
])
def test_the_disagreeing_part_is_named(change: tuple[str, str, str], field: str,
                                       where: str) -> None:
    problems = review_name(*change, "ZUNS070515HVZXXNJ2")
    assert [p.field for p in problems] == [field]
    assert f"caracteres {where}" in problems[0].reason_es


def test_birth_date_and_bad_curp() -> None:
    [p] = review_name("SANTIAGO", "ZÚÑIGA", "NÚÑEZ", "ZUNS070515HVZXXNJ2", date(2007, 5, 16))
    assert p.field == "fecha_nacimiento" and "15/05/2007" in p.reason_es
    [p] = review_name("SANTIAGO", "ZÚÑIGA", "NÚÑEZ", "ZUNS070515HVZXXNJ3")
    assert p.field == "curp" and "dígito verificador" in p.reason_es
    [p] = review_name("santiago", "ZÚÑIGA", "NÚÑEZ", None)
    assert "mayúsculas" in p.reason_es


def test_name_letters_match_build_curp() -> None:
    for names in (("MIGUEL ÁNGEL", "CASTAÑEDA", ""), ("MARÍA JOSÉ", "DEL TORO", "ÍÑIGUEZ"),
                  ("ANA", "OÑATE", "DE LA O")):
        curp = build_curp(*names, date(2008, 1, 2), "M", state="VZ")
        assert curp_letters_of(curp) == curp_name_letters(*names)
