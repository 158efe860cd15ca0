"""Downloads of the staff pages: XLSX workbooks (the offices live in Excel;
:class:`~foundation.web.xlsx.XlsxBook`: one sheet per view, bold frozen header, autofilter,
highlighted rows) and PDF tables (reportlab): landscape letter pages with a title, a subtitle
and tables whose header repeats on every page, highlighted rows in the same colour.

>>> pdf_table("Reporte", "corte 1", ["a"], [["x"]])[:5]
b'%PDF-'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any
from urllib.parse import quote

from fastapi.responses import Response
from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from foundation.web.xlsx import HIGHLIGHT, XlsxBook

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True, slots=True)
class Section:
    """One table of a PDF: a heading, the header row, the rows, which rows to highlight."""

    heading: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    highlight: Sequence[bool] | None = None


def pdf_table(title: str, subtitle: str, headers: Sequence[str],
              rows: Sequence[Sequence[Any]], *,
              highlight: Sequence[bool] | None = None) -> bytes:
    """A landscape-letter PDF: title, subtitle, and the table (header repeated per page)."""
    return pdf_sections(title, subtitle, [Section("", headers, rows, highlight)])


def pdf_sections(title: str, subtitle: str, sections: Sequence[Section]) -> bytes:
    """A landscape-letter PDF: title, subtitle, then each section's heading and table."""
    out = BytesIO()
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(out, pagesize=landscape(letter), leftMargin=1.2 * cm,
                            rightMargin=1.2 * cm, topMargin=1.2 * cm, bottomMargin=1.2 * cm,
                            title=title)
    cell = styles["BodyText"].clone("cell", fontSize=7.5, leading=9)
    story: list[Any] = [Paragraph(_escape(title), styles["Title"]),
                        Paragraph(_escape(subtitle), styles["Normal"])]
    for section in sections:
        story.append(Spacer(1, 0.4 * cm))
        if section.heading:
            story.append(Paragraph(_escape(section.heading), styles["Heading2"]))
        if not section.rows:
            story.append(Paragraph("Sin filas con estos filtros.", styles["Normal"]))
            continue
        data = [[Paragraph(f"<b>{_escape(h)}</b>", cell) for h in section.headers]]
        data += [[Paragraph(_escape("" if v is None else str(v)), cell) for v in row]
                 for row in section.rows]
        table = Table(data, repeatRows=1)
        style: list[Any] = [("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#ECEBE6")),
                            ("VALIGN", (0, 0), (-1, -1), "TOP")]
        for index, marked in enumerate(section.highlight or ()):
            if marked:
                style.append(("BACKGROUND", (0, index + 1), (-1, index + 1),
                              colors.HexColor("#" + HIGHLIGHT)))
        table.setStyle(TableStyle(style))
        story.append(table)
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


def xlsx_download(book: XlsxBook, filename: str) -> Response:
    return download(book.to_bytes(), filename, XLSX_TYPE)


def pdf_download(data: bytes, filename: str) -> Response:
    return download(data, filename, "application/pdf")
