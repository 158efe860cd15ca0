"""Reads SCEJAL export files (CSV in UTF-8 with or without BOM or Windows-1252, or XLSX).

The reading itself is :func:`foundation.table_files.read_table` (files → rows of text);
every rule lives in :mod:`station.core.roster`. Anything that makes a file unreadable is an
:class:`~foundation.errors.InputError` that names the file and says what to do.

>>> check = load_roster("../shared/samples/scejal/escuelas.csv",
...                     "../shared/samples/scejal/alumnos.csv")  # doctest: +SKIP
>>> check.ok, len(check.students)  # doctest: +SKIP
(True, 40)
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from foundation.table_files import read_table
from station.core.eligibility import RosterScope
from station.core.roster import RosterCheck, validate_roster


def load_roster(escuelas_path: str | Path, alumnos_path: str | Path, *,
                scope: RosterScope | None = None) -> RosterCheck:
    """Reads both files of an export and validates them together.

    ``RosterCheck.encodings`` says how each file was read, for the screen.
    """
    tables = [read_table(escuelas_path, source="SCEJAL"),
              read_table(alumnos_path, source="SCEJAL")]
    check = validate_roster(*tables, scope=scope)
    return replace(check, encodings={t.file: t.encoding_label for t in tables})
