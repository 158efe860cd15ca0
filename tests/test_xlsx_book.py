"""The staff downloads' XLSX writer (foundation/web/xlsx.py): a small book is built in memory,
a state-sized one a row at a time; both read back the same in openpyxl."""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from foundation.web import xlsx

HEADERS = ["Matrícula", "Alumno", "Calificación", "Fecha", "Reprueba"]
ROWS = [[f"25100{n:05d}", f"ALUMNA {n}\x01", n / 10, datetime.date(2025, 9, 1 + n % 28),
         n % 3 == 0] for n in range(60)] + [["", None, 0, "=1+1", "http://x.mx"]]


@pytest.mark.parametrize("in_memory_cells", [10**9, 0], ids=["in_memory", "constant_memory"])
def test_book_reads_back_typed_with_header_filter_and_highlight(
        monkeypatch: pytest.MonkeyPatch, in_memory_cells: int) -> None:
    monkeypatch.setattr(xlsx, "_IN_MEMORY_CELLS", in_memory_cells)
    book = xlsx.XlsxBook()
    marks = [n % 4 == 0 for n in range(len(ROWS))]
    book.add_table("Alumnos: corte 1/3", HEADERS, ROWS, highlight=marks)
    book.add_table("Vacía", HEADERS, [])
    workbook = load_workbook(BytesIO(book.to_bytes()))
    assert workbook.sheetnames == ["Alumnos_ corte 1_3", "Vacía"]
    sheet = workbook["Alumnos_ corte 1_3"]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    # Control characters cannot stand in XML: XlsxWriter escapes them, Excel shows them.
    assert values[1][:3] == ["2510000001", "ALUMNA 1_x0001_", 0.1]
    assert values[1][3] == datetime.datetime(2025, 9, 2) and values[1][4] is False
    assert values[-1] == [None, None, 0, "=1+1", "http://x.mx"]
    # Text from an upload stays text: never a formula or a link.
    last = len(ROWS) + 1
    assert sheet[f"D{last}"].data_type == "s" and sheet[f"E{last}"].hyperlink is None
    assert [c.value for c in sheet[1]] == HEADERS and sheet["A1"].font.b
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:E{len(ROWS) + 1}"
    filled = [sheet.cell(row=n + 2, column=2).fill.fgColor.rgb == "FF" + xlsx.HIGHLIGHT
              for n in range(len(ROWS))]
    assert filled == marks
    assert sheet.column_dimensions["B"].width >= len("ALUMNA 10") + 2
    assert workbook["Vacía"].auto_filter.ref == "A1:E1"
