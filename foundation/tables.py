"""Rows of an export file as read, and the problems found in them: what every importer
(SCEJAL rosters at the station and central, SAE exports at conalep) hands its validation.

Rows are numbered as a spreadsheet shows them: the header is row 1. A problem names the file,
the row and the column, and says why in Spanish.

>>> print(RowProblem("alumnos.csv", 7, "curp", "el dígito verificador no corresponde").message_es)
alumnos.csv, fila 7, columna «curp»: el dígito verificador no corresponde.
>>> column_key(" Primer Apellido ")
'primer_apellido'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Something wrong in one cell, row or column of an export file.

    ``row`` 1 is the header; ``field`` is the canonical column name, empty for a whole row.
    """

    file: str
    row: int
    field: str
    reason_es: str

    @property
    def message_es(self) -> str:
        """The full sentence for the screen: where, then why."""
        where = f"{self.file}, fila {self.row}" if self.row > 1 else f"{self.file}, encabezado"
        if self.field:
            where += f", columna «{self.field}»"
        return f"{where}: {self.reason_es}."


@dataclass(frozen=True, slots=True)
class RawTable:
    """Rows of one file as read, keyed by the file's own header text."""

    file: str
    columns: Sequence[str]
    rows: Sequence[tuple[int, Mapping[str, str]]]
    problems: Sequence[RowProblem] = ()
    """Problems the reader already found (e.g. a row with more cells than the header)."""


def column_key(header: str) -> str:
    """The canonical name of a header: ``" Primer Apellido "`` → ``"primer_apellido"``."""
    plain = unicodedata.normalize("NFD", header.strip().lstrip("\ufeff").lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[\s-]+", "_", plain)
