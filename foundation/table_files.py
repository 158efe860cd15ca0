"""Reads export files into rows of text: CSV (UTF-8 with or without BOM, Windows-1252, UTF-16;
comma, semicolon or tab) or XLSX (first sheet). Every rule about the rows lives with the
importer that calls it (SCEJAL rosters, SAE exports); this module only decodes.

Anything that makes a file unreadable is an :class:`~foundation.errors.InputError` that names
the file and says what to do.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import openpyxl

from foundation.errors import InputError
from foundation.tables import RawTable, RowProblem, column_key

MAX_FILE_BYTES = 50 * 1024 * 1024
"""A roster of the largest DRSE is a few MB; anything bigger is the wrong file (an importer
of larger exports, a state's grade sheet, passes its own limit)."""

ENCODING_LABELS = {
    "utf-8-sig": "UTF-8 con BOM",
    "utf-8": "UTF-8",
    "cp1252": "Windows-1252 (ANSI)",
    "utf-16": "Unicode (UTF-16)",
    "xlsx": "libro de Excel (.xlsx)",
}
"""How each way of reading a file is named on screen."""

_SOURCE = "{source}"
"""Stands for the source system in messages; :func:`read_table` fills it in."""
_WAY_OUT = f"Vuelva a exportarlo de {_SOURCE} como CSV o como libro de Excel (.xlsx)."


@dataclass(frozen=True, slots=True)
class Table(RawTable):
    """A file as read: ``encoding`` is a key of :data:`ENCODING_LABELS`."""

    encoding: str = "utf-8"

    @property
    def encoding_label(self) -> str:
        """The encoding in words, e.g. ``"UTF-8 con BOM"``."""
        return ENCODING_LABELS.get(self.encoding, self.encoding)


def read_table(path: str | Path, *, source: str = "el sistema de origen",
               max_bytes: int = MAX_FILE_BYTES) -> Table:
    """Reads the first sheet (XLSX) or the whole file (CSV) into rows keyed by the header.

    Rows are numbered as a spreadsheet shows them (header = 1); empty rows are skipped.
    ``source`` names the system the file comes from in the messages («SCEJAL», «SAE»).

    >>> t = read_table("../shared/samples/scejal/escuelas.csv")  # doctest: +SKIP
    >>> t.encoding_label, t.rows[0][0]  # doctest: +SKIP
    ('UTF-8 con BOM', 2)
    """
    stream = open_table(path, source=source, max_bytes=max_bytes)
    rows = list(stream.rows)
    return Table(stream.file, stream.columns, rows, tuple(stream.problems),
                 encoding=stream.encoding)


@dataclass(slots=True)
class TableStream:
    """A file being read: the header now, the rows as they are read (a large grade sheet
    never sits in memory as dicts). ``problems`` grows while ``rows`` is consumed."""

    file: str
    columns: tuple[str, ...]
    encoding: str
    rows: Iterator[tuple[int, dict[str, str]]]
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def encoding_label(self) -> str:
        return ENCODING_LABELS.get(self.encoding, self.encoding)


def open_table(path: str | Path, *, source: str = "el sistema de origen",
               max_bytes: int = MAX_FILE_BYTES) -> TableStream:
    """Opens ``path`` and reads its header; the rows come lazily from ``.rows``.

    Errors found while reading rows (a broken CSV quote, a damaged sheet) are raised from
    the iteration, with the same Spanish messages.
    """
    path = Path(path)
    with _naming(source):
        records, encoding = _records(path, max_bytes)
        # "".join(…).strip(): a blank row skipped at C speed (a state's sheet: a million rows)
        numbered = ((n, cells) for n, cells in records if "".join(cells).strip())
        first = next(numbered, None)
        if first is None:
            raise _error(path, "está vacío", "Revise que eligió el archivo correcto.")
        header = _header(path, first[1])
    stream = TableStream(path.name, tuple(header), encoding, iter(()))
    stream.rows = _rows(path, header, numbered, stream.problems, source)
    return stream


@contextmanager
def _naming(source: str) -> Iterator[None]:
    """Fills the source system's name into the messages raised inside."""
    try:
        yield
    except InputError as exc:
        raise InputError(exc.message.replace(_SOURCE, source),
                         way_out=(exc.way_out or "").replace(_SOURCE, source) or None) from exc


def _records(path: Path, max_bytes: int) -> tuple[Iterator[tuple[int, list[str]]], str]:
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
        if size > max_bytes:
            raise _error(path, f"es demasiado grande para ser una exportación de {_SOURCE}",
                         "Revise que eligió el archivo correcto.")  # fmt: skip
        if ext == ".csv":
            return _csv_records(path, path.read_bytes())
        return _xlsx_records(path), "xlsx"
    except PermissionError as exc:
        raise _error(path, "no se puede abrir: no hay permiso de lectura",
                     "Cópielo a otra carpeta o pida ayuda a soporte.") from exc  # fmt: skip
    except OSError as exc:
        raise _error(path, "no se pudo leer del disco o de la memoria USB",
                     "Vuelva a copiarlo e intente de nuevo.") from exc  # fmt: skip


def _error(path: Path, why: str, way_out: str) -> InputError:
    return InputError(f"El archivo «{path.name}» {why}.", way_out=way_out)


_CONTROLS = [chr(c) for c in range(32) if chr(c) not in "\t\r\n"]


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
    # str.count per control character: a per-character loop takes seconds on a state's sheet
    controls = sum(text.count(c) for c in _CONTROLS)
    if controls > len(text) // 100:
        raise _error(path, "no es un archivo de texto (parece una imagen u otro programa)",
                     _WAY_OUT)  # fmt: skip
    return text, encoding


def _csv_records(path: Path, data: bytes) -> tuple[Iterator[tuple[int, list[str]]], str]:
    text, encoding = _decode(path, data)
    del data
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    # Excel writes ";" where the list separator is a comma-decimal locale, and tabs for "texto".
    delimiter = max(",;\t", key=first_line.count)

    def records() -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            yield from enumerate(reader, start=1)
        except csv.Error as exc:
            raise _error(path, f"tiene un error de formato CSV ({exc})", _WAY_OUT) from exc

    return records(), encoding


def _xlsx_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged file: all mean the same
        raise _error(path, "no es un libro de Excel válido o está dañado", _WAY_OUT) from exc
    if not book.worksheets:
        book.close()
        raise _error(path, "no tiene hojas", _WAY_OUT)

    def records() -> Iterator[tuple[int, list[str]]]:
        try:
            rows = book.worksheets[0].iter_rows(values_only=True)
            for n, values in enumerate(rows, 1):
                yield n, [_cell_text(v) for v in values]
        except InputError:
            raise
        except Exception as exc:
            raise _error(path, "está dañado: no se pudo leer la primera hoja",
                         _WAY_OUT) from exc
        finally:
            book.close()

    return records()


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


def _header(path: Path, cells: list[str]) -> list[str]:
    header = [h.strip() for h in cells]
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
    return header


def _rows(path: Path, header: list[str], numbered: Iterator[tuple[int, list[str]]],
          problems: list[RowProblem], source: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Data rows keyed by the header; extra cells beyond the header are problems.

    Cells keep their spaces: trimming them is a normalisation the importer reports.
    """
    width = len(header)
    with _naming(source):
        for n, cells in numbered:
            if len(cells) > width and "".join(cells[width:]).strip():
                problems.append(RowProblem(
                    path.name, n, "",
                    f"la fila tiene {len(cells)} datos y el encabezado {width} columnas; quizá "
                    "una coma sin comillas dentro de un dato (por ejemplo en el domicilio)",
                ))  # fmt: skip
            if len(cells) != width:
                cells = cells[:width] + [""] * (width - len(cells))
            yield n, dict(zip(header, cells, strict=True))
