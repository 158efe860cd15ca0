"""A small, fast XLSX writer for tabular reports: one table per sheet, bold frozen header,
autofilter, column widths, highlighted rows. Numbers stay numbers; text is written inline.

Why not openpyxl or XlsxWriter: a state's SISEAC report is ~300,000 rows × 14 columns; both
spend ~7 µs of CPU per cell on this machine (≈ 30 s for the sheet, bench/bench_conalep.py),
over the 15 s the office may wait. Writing the few SpreadsheetML parts a table needs takes a
fraction of that; openpyxl still reads what this writes (the tests read every download back
with it).

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
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Sequence
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

HIGHLIGHT = "FDE3E3"
"""The error colour of the pages' style sheet: a highlighted row reads the same in Excel."""
_MAX_WIDTH = 60
_WIDTH_SAMPLE = 2000
"""Column widths come from the header and the first rows (enough to size a report)."""

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/>{sheets}</Types>')
_SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
               'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    f'<fill><patternFill patternType="solid"><fgColor rgb="FF{HIGHLIGHT}"/>'
    '<bgColor indexed="64"/></patternFill></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="3">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    '</cellStyles></styleSheet>')
_HEADER, _MARKED = 1, 2


class XlsxBook:
    """Tables added in order, one sheet each; :meth:`to_bytes` gives the .xlsx file."""

    def __init__(self) -> None:
        self._sheets: list[tuple[str, bytes]] = []

    def add_table(self, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], *,
                  highlight: Sequence[bool] | None = None) -> None:
        """A sheet ``title`` (Excel's 31 characters, no ``[]:*?/\\``)."""
        name = "".join("_" if c in "[]:*?/\\" else c for c in title)[:31]
        self._sheets.append((name, _sheet_xml(headers, rows, highlight)))

    def to_bytes(self) -> bytes:
        out = BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            z.writestr("[Content_Types].xml", _CONTENT_TYPES.format(sheets="".join(
                _SHEET_TYPE.format(n=n) for n in range(1, len(self._sheets) + 1))))
            z.writestr("_rels/.rels", _ROOT_RELS)
            z.writestr("xl/workbook.xml", self._workbook_xml())
            z.writestr("xl/_rels/workbook.xml.rels", self._workbook_rels())
            z.writestr("xl/styles.xml", _STYLES)
            for n, (_, xml) in enumerate(self._sheets, start=1):
                z.writestr(f"xl/worksheets/sheet{n}.xml", xml)
        return out.getvalue()

    def _workbook_xml(self) -> str:
        sheets = "".join(f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{n}" '
                         f'r:id="rId{n}"/>'
                         for n, (name, _) in enumerate(self._sheets, start=1))
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
            f"{_quoted(name)}!{ref}</definedName>"
            for n, (name, xml) in enumerate(self._sheets) if (ref := _filter_ref(xml)))
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                f"<sheets>{sheets}</sheets>"
                + (f"<definedNames>{names}</definedNames>" if names else "") + "</workbook>")

    def _workbook_rels(self) -> str:
        rels = "".join(
            f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(self._sheets) + 1))
        styles = len(self._sheets) + 1
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                f'relationships">{rels}<Relationship Id="rId{styles}" Type="http://schemas.'
                'openxmlformats.org/officeDocument/2006/relationships/styles" '
                'Target="styles.xml"/></Relationships>')


def _quoted(name: str) -> str:
    return "'" + escape(name).replace("'", "''") + "'"


def _filter_ref(xml: bytes) -> str:
    start = xml.find(b'<autoFilter ref="')
    if start < 0:
        return ""
    start += len(b'<autoFilter ref="')
    ref = xml[start:xml.index(b'"', start)].decode()
    first, last = ref.split(":")
    return "$" + "$".join(_split(first)) + ":$" + "$".join(_split(last))


def _split(cell: str) -> tuple[str, str]:
    digits = next(i for i, c in enumerate(cell) if c.isdigit())
    return cell[:digits], cell[digits:]


def _cell(value: Any, style: str) -> str:
    if value is None or value == "":
        return f"<c{style}/>" if style else "<c/>"
    if isinstance(value, bool):
        return f'<c{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float) and math.isfinite(value):
        return f"<c{style}><v>{value!r}</v></c>"
    text = escape(str(value))
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _sheet_xml(headers: Sequence[str], rows: Sequence[Sequence[Any]],
               highlight: Sequence[bool] | None) -> bytes:
    widths = [len(str(h)) for h in headers]
    for row in rows[:_WIDTH_SAMPLE]:
        for i, value in enumerate(row[:len(widths)]):
            widths[i] = max(widths[i], len(str(value)) if value is not None else 0)
    last = get_column_letter(max(len(headers), 1))
    cols = "".join(f'<col min="{i}" max="{i}" width="{min(w + 2, _MAX_WIDTH)}" '
                   'customWidth="1"/>' for i, w in enumerate(widths, start=1))
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
             'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/>'
             '</sheetView></sheetViews>',
             f"<cols>{cols}</cols>" if cols else "", "<sheetData>",
             '<row r="1">' + "".join(_cell(h, f' s="{_HEADER}"') for h in headers) + "</row>"]
    marked = f' s="{_MARKED}"'
    marks = highlight or ()
    for n, row in enumerate(rows, start=2):
        style = marked if n - 2 < len(marks) and marks[n - 2] else ""
        parts.append(f'<row r="{n}">' + "".join(_cell(v, style) for v in row) + "</row>")
    parts.append("</sheetData>")
    parts.append(f'<autoFilter ref="A1:{last}{len(rows) + 1}"/></worksheet>')
    return "".join(parts).encode()
