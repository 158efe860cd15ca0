"""Downloads of the staff pages: XLSX workbooks (the offices live in Excel) and PDF tables.

A workbook has one sheet per view: bold, frozen header row, an autofilter over the data,
column widths from the content, and rows the caller marks highlighted (e.g. students at
risk). A PDF is a landscape letter page series with a title, a subtitle and a table whose
header repeats on every page.

>>> from io import BytesIO
>>> from openpyxl import load_workbook
>>> book = Workbook()
>>> add_table(book, "Alumnos", ["Matrícula", "Riesgo"], [["1", "sí"], ["2", "no"]],
...           highlight=[True, False])
>>> sheet = load_workbook(BytesIO(workbook_bytes(book)))["Alumnos"]
>>> sheet.freeze_panes, sheet.auto_filter.ref, sheet["A2"].fill.fgColor.rgb
('A2', 'A1:B3', 'FFFDE3E3')
>>> pdf_table("Reporte", "corte 1", ["a"], [["x"]])[:5]
b'%PDF-'
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from typing import Any
from urllib.parse import quote

from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HIGHLIGHT = "FDE3E3"
"""The error colour of the pages' style sheet: a highlighted row reads the same in Excel."""
_MAX_WIDTH = 60


def add_table(book: Workbook, title: str, headers: Sequence[str],
              rows: Sequence[Sequence[Any]], *,
              highlight: Sequence[bool] | None = None) -> None:
    """A sheet ``title`` (Excel's 31-character limit) with a frozen, filtered header row.

    The first sheet of a new :class:`Workbook` (empty, named ``Sheet``) is reused.
    """
    first = book.worksheets[0] if len(book.worksheets) == 1 else None
    if first is not None and first.title == "Sheet" and first.max_row == 1 \
            and first.max_column == 1:  # (reading A1 would create it: append would skip it)
        sheet = first
        sheet.title = title[:31]
    else:
        sheet = book.create_sheet(title[:31])
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    fill = PatternFill("solid", fgColor="FF" + HIGHLIGHT)
    widths = [len(str(h)) for h in headers]
    for index, row in enumerate(rows):
        sheet.append(list(row))
        for column, value in enumerate(row):
            widths[column] = max(widths[column], len(str(value)) if value is not None else 0)
        if highlight is not None and highlight[index]:
            for cell in sheet[sheet.max_row]:
                cell.fill = fill
    sheet.freeze_panes = "A2"
    last = get_column_letter(max(len(headers), 1))
    sheet.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, _MAX_WIDTH)


def workbook_bytes(book: Workbook) -> bytes:
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def pdf_table(title: str, subtitle: str, headers: Sequence[str],
              rows: Sequence[Sequence[Any]], *,
              highlight: Sequence[bool] | None = None) -> bytes:
    """A landscape-letter PDF: title, subtitle, and the table (header repeated per page)."""
    out = BytesIO()
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(out, pagesize=landscape(letter), leftMargin=1.2 * cm,
                            rightMargin=1.2 * cm, topMargin=1.2 * cm, bottomMargin=1.2 * cm,
                            title=title)
    cell = styles["BodyText"].clone("cell", fontSize=7.5, leading=9)
    data = [[Paragraph(f"<b>{_escape(h)}</b>", cell) for h in headers]]
    data += [[Paragraph(_escape("" if v is None else str(v)), cell) for v in row]
             for row in rows]
    table = Table(data, repeatRows=1)
    style = [("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#ECEBE6")),
             ("VALIGN", (0, 0), (-1, -1), "TOP")]
    for index, marked in enumerate(highlight or ()):
        if marked:
            style.append(("BACKGROUND", (0, index + 1), (-1, index + 1),
                          colors.HexColor("#" + HIGHLIGHT)))
    table.setStyle(TableStyle(style))
    story = [Paragraph(_escape(title), styles["Title"]),
             Paragraph(_escape(subtitle), styles["Normal"]), Spacer(1, 0.4 * cm), table]
    if not rows:
        story.append(Paragraph("Sin filas con estos filtros.", styles["Normal"]))
    doc.build(story)
    return out.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def download(data: bytes, filename: str, media_type: str) -> Response:
    """``data`` as an attachment named ``filename`` (UTF-8 names per RFC 5987)."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=media_type,
                    headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})


def xlsx_download(book: Workbook, filename: str) -> Response:
    return download(workbook_bytes(book), filename, XLSX_TYPE)


def pdf_download(data: bytes, filename: str) -> Response:
    return download(data, filename, "application/pdf")
