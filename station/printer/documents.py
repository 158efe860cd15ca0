"""Office documents as PDF: the resupply request, the acknowledgement of receipt, reports.

One small layout for all of them (letter paper, the project's DejaVu fonts so accents and Ñ
print): a title, a block of label/value lines, tables, paragraphs and signature lines. The
services build a :class:`Document`; this module only draws it.

>>> doc = Document("Acuse de recibo", [("Escuela", "14DPR2207Z")],
...                [Table("Credenciales", ("Folio", "Alumno"), [("12", "ANA PÉREZ")])],
...                signatures=("Entrega", "Recibe"))
>>> render_document(Path(tmp) / "acuse.pdf", doc)        # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as RLTable

from foundation.errors import StorageError
from station.printer.card import font_name


@dataclass(frozen=True, slots=True)
class Table:
    heading: str
    columns: Sequence[str]
    rows: Sequence[Sequence[object]]
    widths: Sequence[float] = ()
    """Relative column widths; empty means equal."""
    empty: str = "(ninguno)"


@dataclass(frozen=True, slots=True)
class Document:
    title: str
    header: Sequence[tuple[str, str]] = ()
    body: Sequence[Table | str] = ()
    signatures: Sequence[str] = ()
    footer: str = ""
    notes: Sequence[str] = field(default=())
    landscape: bool = False
    """Wide tables (a report's counts) print across the page."""


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = font_name("DejaVuSans.ttf"), font_name("DejaVuSans-Bold.ttf")
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=14, leading=18,
                                alignment=TA_CENTER, spaceAfter=4 * mm),
        "h": ParagraphStyle("h", fontName=bold, fontSize=10.5, leading=14, spaceBefore=4 * mm,
                            spaceAfter=1.5 * mm),
        "p": ParagraphStyle("p", fontName=regular, fontSize=9, leading=12),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=8.5, leading=10.5),
        "head": ParagraphStyle("head", fontName=bold, fontSize=8, leading=10),
        "sign": ParagraphStyle("sign", fontName=regular, fontSize=8.5, leading=11,
                               alignment=TA_CENTER),
    }


def _esc(value: object) -> str:
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(t: Table, st: dict[str, ParagraphStyle], width: float) -> list[object]:
    flow: list[object] = [Paragraph(_esc(t.heading), st["h"])]
    if not t.rows:
        return [*flow, Paragraph(_esc(t.empty), st["p"])]
    widths = _column_widths(t, st, width)
    data = [[Paragraph(_esc(c), st["head"]) for c in t.columns]]
    data += [[Paragraph(_esc(c), st["cell"]) for c in row] for row in t.rows]
    table = RLTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8E8E8")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return [*flow, table]


def _column_widths(t: Table, st: dict[str, ParagraphStyle], width: float) -> list[float]:
    """Relative widths, but no column narrower than its longest word (title or cell)."""
    rel = list(t.widths) or [1.0] * len(t.columns)
    pad = 12.5  # the table's default left + right cell padding, in points
    head, cell = st["head"], st["cell"]
    floor = [max(stringWidth(w, head.fontName, head.fontSize) for w in str(c).split()) + pad
             for c in t.columns]
    for row in t.rows:
        for i, value in enumerate(row):
            for word in str(value).split():
                floor[i] = max(floor[i], stringWidth(word, cell.fontName, cell.fontSize) + pad)
    fixed: dict[int, float] = {}
    while True:
        free = [i for i in range(len(rel)) if i not in fixed]
        spare = max(width - sum(fixed.values()), 0.0)
        share = sum(rel[i] for i in free) or 1.0
        widths = {i: spare * rel[i] / share for i in free}
        short = [i for i in free if widths[i] < floor[i]]
        if not short or len(short) == len(free):
            break
        fixed.update({i: floor[i] for i in short})
    return [fixed.get(i, widths.get(i, 0.0)) for i in range(len(rel))]


def _signatures(labels: Sequence[str], st: dict[str, ParagraphStyle], width: float) -> object:
    cells = [[Spacer(1, 18 * mm) for _ in labels],
             [Paragraph(_esc(label).replace("\n", "<br/>"), st["sign"]) for label in labels]]
    table = RLTable(cells, colWidths=[width / len(labels)] * len(labels))
    style = [("LINEABOVE", (i, 1), (i, 1), 0.8, colors.black) for i in range(len(labels))]
    table.setStyle(TableStyle([*style, ("LEFTPADDING", (0, 0), (-1, -1), 6 * mm),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 6 * mm)]))
    return KeepTogether([Spacer(1, 8 * mm), table])


def render_document(out: Path, doc: Document) -> Path:
    """Write ``doc`` to ``out`` (mode 0600: documents name students), atomically."""
    st = _styles()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    size = landscape(letter) if doc.landscape else letter
    template = SimpleDocTemplate(str(tmp), pagesize=size, leftMargin=18 * mm,
                                 rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=18 * mm,
                                 title=doc.title, author="Estación de credenciales SEJ")
    width = template.width
    flow: list[object] = [Paragraph(_esc(doc.title), st["title"])]
    for label, value in doc.header:
        flow.append(Paragraph(f"<b>{_esc(label)}:</b> {_esc(value)}", st["p"]))
    for part in doc.body:
        flow += _table(part, st, width) if isinstance(part, Table) else [
            Spacer(1, 2 * mm), Paragraph(_esc(part), st["p"])]
    for note in doc.notes:
        flow.append(Paragraph(_esc(note), st["p"]))
    if doc.signatures:
        flow.append(_signatures(doc.signatures, st, width))

    def footer(canvas: Canvas, _doc: object) -> None:
        canvas.saveState()
        canvas.setFont(font_name("DejaVuSans.ttf"), 7.5)
        text = f"{doc.footer}   Página {canvas.getPageNumber()}".strip()
        canvas.drawString(18 * mm, 10 * mm, text)
        canvas.restoreState()

    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        template.build(flow, onFirstPage=footer, onLaterPages=footer)
        os.replace(tmp, out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StorageError(f"No se pudo escribir el documento {out}: {exc.strerror}.",
                           way_out="Revise que la carpeta exista y tenga espacio.") from exc
    return out
