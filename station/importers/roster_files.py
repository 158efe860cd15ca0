"""Reads SCEJAL export files (CSV in UTF-8 with or without BOM or Windows-1252, or XLSX).

The reader only turns a file into rows of text; every rule lives in
:mod:`station.core.roster`. Anything that makes a file unreadable is an
:class:`~foundation.errors.InputError` that names the file and says what to do.

>>> check = load_roster("../shared/samples/scejal/escuelas.csv",
...                     "../shared/samples/scejal/alumnos.csv")  # doctest: +SKIP
>>> check.ok, len(check.students)  # doctest: +SKIP
(True, 40)
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path

import openpyxl

from foundation.errors import InputError
from station.core.roster import RawTable, RosterCheck, RowProblem, column_key, validate_roster

MAX_FILE_BYTES = 50 * 1024 * 1024
"""A real export of the largest DRSE is a few MB; anything bigger is the wrong file."""

ENCODING_LABELS = {
    "utf-8-sig": "UTF-8 con BOM",
    "utf-8": "UTF-8",
    "cp1252": "Windows-1252 (ANSI)",
    "utf-16": "Unicode (UTF-16)",
    "xlsx": "libro de Excel (.xlsx)",
}
"""How each way of reading a file is named on screen."""

_WAY_OUT = "Vuelva a exportarlo de SCEJAL como CSV o como libro de Excel (.xlsx)."


@dataclass(frozen=True, slots=True)
class Table(RawTable):
    """A file as read: ``encoding`` is a key of :data:`ENCODING_LABELS`."""

    encoding: str = "utf-8"

    @property
    def encoding_label(self) -> str:
        """The encoding in words, e.g. ``"UTF-8 con BOM"``."""
        return ENCODING_LABELS.get(self.encoding, self.encoding)


def load_roster(escuelas_path: str | Path, alumnos_path: str | Path) -> RosterCheck:
    """Reads both files of an export and validates them together.

    ``RosterCheck.encodings`` says how each file was read, for the screen.
    """
    tables = [read_table(escuelas_path), read_table(alumnos_path)]
    check = validate_roster(*tables)
    return replace(check, encodings={t.file: t.encoding_label for t in tables})


def read_table(path: str | Path) -> Table:
    """Reads the first sheet (XLSX) or the whole file (CSV) into rows keyed by the header.

    Rows are numbered as a spreadsheet shows them (header = 1); empty rows are skipped.

    >>> t = read_table("../shared/samples/scejal/escuelas.csv")  # doctest: +SKIP
    >>> t.encoding_label, t.rows[0][0]  # doctest: +SKIP
    ('UTF-8 con BOM', 2)
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext == ".xls":
        raise _error(path, "está en el formato antiguo de Excel (.xls)",
                     "Ábralo en Excel y guárdelo como .xlsx o como CSV.")  # fmt: skip
    if ext not in {".csv", ".xlsx", ".xlsm"}:
        raise _error(path, "no es un archivo CSV ni un libro de Excel (.xlsx)", _WAY_OUT)
    if not path.is_file():
        raise _error(path, "no existe o no es un archivo", "Revise la carpeta y el nombre.")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _error(path, "es demasiado grande para ser una exportación de SCEJAL",
                         "Revise que eligió el archivo correcto.")  # fmt: skip
        if ext == ".csv":
            return _read_csv(path, path.read_bytes())
        return _read_xlsx(path)
    except PermissionError as exc:
        raise _error(path, "no se puede abrir: no hay permiso de lectura",
                     "Cópielo a otra carpeta o pida ayuda a soporte.") from exc  # fmt: skip
    except OSError as exc:
        raise _error(path, "no se pudo leer del disco o de la memoria USB",
                     "Vuelva a copiarlo e intente de nuevo.") from exc  # fmt: skip


def _error(path: Path, why: str, way_out: str) -> InputError:
    return InputError(f"El archivo «{path.name}» {why}.", way_out=way_out)


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """The text of a CSV and the encoding it was read with."""
    if data.startswith(b"PK\x03\x04"):
        raise _error(path, "es un libro de Excel con nombre .csv",
                     "Cámbiele la terminación a .xlsx o guárdelo como CSV.")  # fmt: skip
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _error(path, "es un libro de Excel antiguo (.xls) con nombre .csv",
                     "Ábralo en Excel y guárdelo como CSV.")  # fmt: skip
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise _error(path, "no es un texto legible", _WAY_OUT) from exc
    if b"\x00" in data:
        raise _error(path, "no es un archivo de texto (parece una imagen u otro programa)",
                     _WAY_OUT)  # fmt: skip
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        try:
            data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"  # what Excel for Windows writes as "CSV (delimitado por comas)"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _error(path, "tiene caracteres que no se pueden leer", _WAY_OUT) from exc
    text = text.rstrip("\x1a")  # old DOS end-of-file mark
    controls = sum(1 for c in text if c < " " and c not in "\t\r\n")
    if controls > len(text) // 100:
        raise _error(path, "no es un archivo de texto (parece una imagen u otro programa)",
                     _WAY_OUT)  # fmt: skip
    return text, encoding


def _read_csv(path: Path, data: bytes) -> Table:
    text, encoding = _decode(path, data)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    # Excel writes ";" where the list separator is a comma-decimal locale, and tabs for "texto".
    delimiter = max(",;\t", key=first_line.count)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise _error(path, f"tiene un error de formato CSV ({exc})", _WAY_OUT) from exc
    return _table(path, enumerate(records, start=1), encoding)


def _read_xlsx(path: Path) -> Table:
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged file: all mean the same
        raise _error(path, "no es un libro de Excel válido o está dañado", _WAY_OUT) from exc
    try:
        if not book.worksheets:
            raise _error(path, "no tiene hojas", _WAY_OUT)
        rows = book.worksheets[0].iter_rows(values_only=True)
        records = [(n, [_cell_text(v) for v in values]) for n, values in enumerate(rows, 1)]
    except InputError:
        raise
    except Exception as exc:
        raise _error(path, "está dañado: no se pudo leer la primera hoja", _WAY_OUT) from exc
    finally:
        book.close()
    return _table(path, records, "xlsx")


def _cell_text(value: object) -> str:
    """A cell as the text the user typed: Excel turns phones and counts into floats."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "SI" if value else "NO"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _table(path: Path, records: Iterable[tuple[int, list[str]]], encoding: str) -> Table:
    """Header + data rows, skipping empty rows; extra cells beyond the header are problems.

    Cells keep their spaces: trimming them is a normalisation the roster check reports.
    """
    numbered = [(n, cells) for n, cells in records if any(c.strip() for c in cells)]
    if not numbered:
        raise _error(path, "está vacío", "Revise que eligió el archivo correcto.")
    header = [h.strip() for h in numbered[0][1]]
    while header and not header[-1]:
        header.pop()
    seen: dict[str, str] = {}
    for name in header:
        key = column_key(name)
        if not key:
            raise _error(path, "tiene una columna sin nombre en el encabezado",
                         "Escriba el nombre de la columna o bórrela.")  # fmt: skip
        if key in seen:
            raise _error(path, f"tiene dos columnas «{name}»", "Borre la que sobra.")
        seen[key] = name
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[RowProblem] = []
    width = len(header)
    for n, cells in numbered[1:]:
        if any(c.strip() for c in cells[width:]):
            problems.append(RowProblem(
                path.name, n, "",
                f"la fila tiene {len(cells)} datos y el encabezado {width} columnas; quizá una "
                "coma sin comillas dentro de un dato (por ejemplo en el domicilio)",
            ))  # fmt: skip
        cells = cells[:width] + [""] * (width - len(cells))
        rows.append((n, dict(zip(header, cells, strict=True))))
    return Table(path.name, tuple(header), rows, tuple(problems), encoding=encoding)
