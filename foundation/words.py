"""Counted nouns in Spanish for the programs' messages: "1 alumno", "3 alumnos", never
"alumno(s)" (a secretary reads the sentence, not a template).

The kiosk translates through gettext's ``ngettext``; the command lines and documents, which
have no catalog, use :func:`count` (the same rule: one is singular, everything else plural).

>>> count(1, "alumno", "alumnos")
'1 alumno'
>>> count(0, "hoja", "hojas")
'0 hojas'
>>> count(2, "escuela nueva", "escuelas nuevas")
'2 escuelas nuevas'
"""

from __future__ import annotations


def count(n: int, one: str, many: str) -> str:
    """``n`` with the noun phrase in singular (exactly one) or plural."""
    return f"{n} {one if n == 1 else many}"
