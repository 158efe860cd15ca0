"""XLSX workbooks of tabular reports, written with XlsxWriter: one table per sheet, bold frozen
header, autofilter, column widths, highlighted rows. Numbers, booleans and dates stay typed
cells; text is never read as a formula or a link (a name starting with ``=`` stays text).

The file is assembled in a :class:`~io.BytesIO`. A plantel's download is built wholly in memory
(``in_memory``: nothing of the students touches the disk); a state's SISEAC sábana (~300,000
rows × 14 columns, ≈ 800 MiB that way) is written in ``constant_memory`` mode instead: a row at
a time through XlsxWriter's private temporary files (0600, removed on close). Cost and the
alternatives: bench/bench_conalep.py, docs/PERFORMANCE.md.

>>> from io import BytesIO
>>> from openpyxl import load_workbook
>>> book = XlsxBook()
>>> book.add_table("Alumnos", ["Matrícula", "Calificación"], [["1", 7.5], ["2", None]],
...                highlight=[True, False])
>>> sheet = load_workbook(BytesIO(book.to_bytes()))["Alumnos"]
>>> [[c.value for c in row] for row in sheet.iter_rows()]
[['Matrícula', 'Calificación'], ['1', 7.5], ['2', None]]
>>> sheet.freeze_panes, sheet.auto_filter.ref, sheet["A2"].fill.fgColor.rgb, sheet["A1"].font.b
('A2', 'A1:B3', 'FFFDE3E3', True)
>>> import datetime
>>> book = XlsxBook()
>>> book.add_table("a/b" * 20, ["Nombre", "Fecha"], [["=HOLA()", datetime.date(2025, 9, 22)]])
>>> sheet = load_workbook(BytesIO(book.to_bytes())).worksheets[0]
>>> sheet.title, sheet["A2"].value, sheet["A2"].data_type
('a_ba_ba_ba_ba_ba_ba_ba_ba_ba_ba', '=HOLA()', 's')
>>> sheet["B2"].value, sheet["B2"].number_format
(datetime.datetime(2025, 9, 22, 0, 0), 'dd/mm/yyyy')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from xlsxwriter import Workbook

HIGHLIGHT = "FDE3E3"
"""The error colour of the pages' style sheet: a highlighted row reads the same in Excel."""
_MAX_WIDTH = 60
_WIDTH_SAMPLE = 2000
"""Column widths come from the header and the first rows (enough to size a report)."""
_FORBIDDEN = "[]:*?/\\"
_IN_MEMORY_CELLS = 200_000
"""Up to this many cells a book is built in memory (≈ 40 MiB); above, a row at a time."""
_OPTIONS = {
    # Cell text comes from uploads and staff forms: never a formula, a link or a number.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
    "default_date_format": "dd/mm/yyyy",
}


@dataclass(frozen=True, slots=True)
class _Table:
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    highlight: Sequence[bool]


def sheet_title(title: str) -> str:
    """Excel's rules for a sheet name: 31 characters, none of ``[]:*?/\\``, no apostrophe at
    either end, not empty."""
    name = "".join("_" if c in _FORBIDDEN else c for c in title)[:31].strip("'")
    return name or "Hoja"


class XlsxBook:
    """Tables added in order, one sheet each; :meth:`to_bytes` gives the .xlsx file."""

    def __init__(self) -> None:
        self._tables: list[_Table] = []

    def add_table(self, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], *,
                  highlight: Sequence[bool] | None = None) -> None:
        """A sheet ``title`` (cut to Excel's rules by :func:`sheet_title`)."""
        self._tables.append(_Table(sheet_title(title), headers, rows, highlight or ()))

    def to_bytes(self) -> bytes:
        out = BytesIO()
        cells = sum(len(t.rows) * len(t.headers) for t in self._tables)
        small = cells <= _IN_MEMORY_CELLS
        book = Workbook(out, {**_OPTIONS, "in_memory": small, "constant_memory": not small})
        bold = book.add_format({"bold": True})
        marked = book.add_format({"bg_color": "#" + HIGHLIGHT, "pattern": 1})
        for table in self._tables:
            _write_sheet(book.add_worksheet(table.title), table, bold, marked)
        book.close()
        return out.getvalue()


def _write_sheet(sheet: Any, table: _Table, bold: Any, marked: Any) -> None:
    headers, rows, marks = table.headers, table.rows, table.highlight
    widths = [len(str(h)) for h in headers]
    for row in rows[:_WIDTH_SAMPLE]:
        for i, value in enumerate(row[:len(widths)]):
            widths[i] = max(widths[i], len(str(value)) if value is not None else 0)
    # Column widths, the pane and the filter before the rows: constant_memory writes a row
    # to disk as soon as the next one starts.
    for i, width in enumerate(widths):
        sheet.set_column(i, i, min(width + 2, _MAX_WIDTH))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(rows), max(len(headers), 1) - 1)
    sheet.write_row(0, 0, headers, bold)
    write_row, count = sheet.write_row, len(marks)
    for n, row in enumerate(rows):
        write_row(n + 1, 0, row, marked if n < count and marks[n] else None)
