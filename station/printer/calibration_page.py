"""The printer calibration page: card outlines, corner crosshairs, mm rulers, instructions.

It goes through the same calibration as the card sheets (see ``sheet.to_page``), so printing
it after a correction shows whether the correction worked. It has no card and no folio:
printing it never consumes folios nor marks anyone issued.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "cal.pdf"
>>> render_calibration_pdf(out, layout=load_sheet_layout(), calibration=Calibration())
>>> out.read_bytes()[:5]
b'%PDF-'
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from reportlab.lib.colors import Color, black, white
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from foundation.card_templates import SheetLayout, load_sheet_layout
from foundation.errors import StorageError
from station.core.model import Calibration
from station.printer.card import font_name
from station.printer.sheet import check_calibration

H_RULER_MM = 150
V_RULER_MM = 200
_GREY = Color(0.45, 0.45, 0.45)
_RED = Color(0.75, 0.09, 0.17)
_ToPage = Callable[[float, float], tuple[float, float]]


def _instructions(cal: Calibration, layout: SheetLayout) -> list[tuple[str, str]]:
    now = f"dx = {cal.dx_mm:+.2f} mm, dy = {cal.dy_mm:+.2f} mm, escala = {cal.scale:.4f}"
    return [
        ("1. Imprima esta hoja",
         "En papel bond carta, con la misma impresora y bandeja de las credenciales, "
         "al <b>100 %</b> (sin «ajustar a la página»). Esta hoja <b>no gasta folios</b>. "
         f"Calibración con la que se imprimió: <b>{now}</b>."),
        ("2. Escala",
         f"Con una regla, mida la distancia entre el 0 y el {H_RULER_MM} de la regla de arriba. "
         f"<b>Nueva escala = escala actual × {H_RULER_MM} ÷ lo medido</b>. Ejemplo: mide "
         f"149.0 mm con escala 1.0000 → 1.0000 × {H_RULER_MM} ÷ 149.0 = 1.0067. "
         f"Compruebe con la regla de la izquierda (0 a {V_RULER_MM}). Guarde la escala y "
         "vuelva a imprimir antes del paso 3."),
        ("3. Desplazamiento dx, dy",
         "Ponga esta hoja sobre una hoja de Teslin en blanco, con los bordes alineados, y "
         "mírelas a contraluz. En la <b>cruz CENTRO</b> (donde se juntan 4 credenciales) mida "
         "cuántos mm quedó la cruz a la <b>derecha</b> y <b>abajo</b> de la esquina de la "
         "perforación. <b>Nuevo dx = dx actual − lo de la derecha</b>; <b>nuevo dy = dy actual "
         "− lo de abajo</b>. Si la cruz quedó a la izquierda o arriba, en vez de restar, sume "
         "lo medido."),
        ("4. Guarde y compruebe",
         "Escriba los valores en la pantalla de calibración de la impresora. Imprima otra vez esta "
         "hoja: todas las cruces deben caer sobre las esquinas de la perforación con menos de "
         f"0.5 mm de diferencia. Hoja: {layout.layout_id} v{layout.version}."),
    ]


def render_calibration_pdf(out: Path, *, layout: SheetLayout, calibration: Calibration) -> None:
    """Write the one-page calibration PDF to ``out`` (flushed and fsynced)."""
    check_calibration(calibration)
    try:
        with open(out, "wb") as fh:
            c = Canvas(fh, pagesize=(layout.page_w * mm, layout.page_h * mm))
            c.setTitle("Hoja de calibración de la impresora")
            _draw(c, layout, calibration)
            c.showPage()
            c.save()
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise StorageError(f"No se pudo escribir el archivo «{out}» ({exc.strerror}).",
                           way_out="Revise que haya espacio libre en la estación.") from None


def _draw(c: Canvas, layout: SheetLayout, cal: Calibration) -> None:
    regular, bold = font_name("DejaVuSans.ttf"), font_name("DejaVuSans-Bold.ttf")
    # <b> in the instructions needs to know which font is the bold one.
    registerFontFamily(regular, normal=regular, bold=bold, italic=regular, boldItalic=bold)
    page_h = layout.page_h

    def p(x: float, y: float) -> tuple[float, float]:
        return x * mm, (page_h - y) * mm

    # Same mapping as sheet.to_page: scale about the page centre, then shift.
    s, cx, cy = cal.scale, layout.page_w / 2, layout.page_h / 2
    c.translate(((1 - s) * cx + cal.dx_mm) * mm, ((1 - s) * cy - cal.dy_mm) * mm)
    c.scale(s, s)

    x0, y0 = layout.card_origin(0)
    c.setFont(bold, 13)
    c.drawCentredString(*p(layout.page_w / 2, 9), "Hoja de calibración de la impresora")

    # Card outlines and their numbers.
    c.setLineWidth(0.3)
    c.setStrokeColor(_GREY)
    for pos in range(layout.positions):
        x, y = layout.card_origin(pos)
        c.rect(*p(x, y + layout.card_h), layout.card_w * mm, layout.card_h * mm, stroke=1, fill=0)
        c.setFont(bold, 9)
        c.setFillColor(_GREY)
        c.drawString(*p(x + 2, y + 5), str(pos + 1))

    # Crosshairs at every card corner; the centre one is scale-independent.
    xs = sorted({round(layout.card_origin(i)[0] + d, 3) for i in range(layout.positions)
                 for d in (0, layout.card_w)})
    ys = sorted({round(layout.card_origin(i)[1] + d, 3) for i in range(layout.positions)
                 for d in (0, layout.card_h)})
    c.setStrokeColor(black)
    for x in xs:
        for y in ys:
            centre = abs(x - cx) < 0.01 and abs(y - cy) < 0.01
            arm = 6.0 if centre else 4.0
            c.setLineWidth(0.35)
            c.setStrokeColor(_RED if centre else black)
            c.line(*p(x - arm, y), *p(x + arm, y))
            c.line(*p(x, y - arm), *p(x, y + arm))
            c.circle(*p(x, y), (1.5 if centre else 1.0) * mm, stroke=1, fill=0)
            if centre:
                c.setFont(bold, 7)
                c.setFillColor(_RED)
                c.drawString(*p(x + 2, y - 2), "CENTRO")

    _ruler(c, p, x0, y0 - 4, H_RULER_MM, horizontal=True, font=regular)
    _ruler(c, p, x0 - 4, y0, V_RULER_MM, horizontal=False, font=regular)

    # Instructions inside cards 1-4, clear of the corner crosshairs.
    style = ParagraphStyle("cal", fontName=regular, fontSize=7.6, leading=9.6)
    head = ParagraphStyle("calh", fontName=bold, fontSize=9, leading=11, spaceAfter=2)
    for pos, (title, body) in enumerate(_instructions(cal, layout)):
        x, y = layout.card_origin(pos)
        w = layout.card_w - 14
        top = y + 8
        for para in (Paragraph(title, head), Paragraph(body, style)):
            _, h = para.wrap(w * mm, layout.card_h * mm)
            c.setFillColor(white)
            para.drawOn(c, *p(x + 7, top + h / mm))
            top += h / mm + 1.2
    c.setFont(bold, 16)
    c.setFillColor(Color(0.8, 0.8, 0.8))
    for pos in range(4, layout.positions):
        x, y = layout.card_origin(pos)
        c.drawCentredString(*p(x + layout.card_w / 2, y + layout.card_h / 2 + 2),
                            "SIN VALOR · NO USAR")


def _ruler(c: Canvas, p: _ToPage, x: float, y: float, length: int, *, horizontal: bool,
           font: str) -> None:
    """A millimetre ruler starting at (x, y): ticks every mm, numbers every 10 mm."""
    at = p
    c.setStrokeColor(black)
    c.setFillColor(black)
    c.setFont(font, 5.5)
    c.setLineWidth(0.25)
    if horizontal:
        c.line(*at(x, y), *at(x + length, y))
    else:
        c.line(*at(x, y), *at(x, y + length))
    for i in range(length + 1):
        tick = 4.0 if i % 10 == 0 else 2.6 if i % 5 == 0 else 1.5
        if horizontal:
            c.line(*at(x + i, y), *at(x + i, y - tick))
            if i % 10 == 0:
                c.drawCentredString(*at(x + i, y - tick - 1.2), str(i))
        else:
            c.line(*at(x, y + i), *at(x - tick, y + i))
            if i % 10 == 0:
                c.drawRightString(*at(x - tick - 0.8, y + i + 0.9), str(i))
    label = f"mm (0 a {length})"
    if horizontal:
        c.drawString(*at(x + length + 2, y - 1), label)
    else:
        c.drawString(*at(x - 9, y + length + 4), label)


__all__ = ["load_sheet_layout", "render_calibration_pdf"]
