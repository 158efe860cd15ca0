"""Render sheets of eight cards to one PDF, one page per sheet.

Every card position goes through the printer's calibration: the layout is scaled by
``calibration.scale`` about the page centre, then shifted by (``dx_mm``, ``dy_mm``); positive
dx moves the print right, positive dy moves it down. Cancelled blank positions get a void
mark with the folio they burn; specimen sheets are watermarked on every card.

>>> import tempfile, pathlib
>>> from station.core.model import Calibration, SheetFace
>>> out = pathlib.Path(tempfile.mkdtemp()) / "s.pdf"
>>> render_sheets_pdf(out, [SheetFace(1, {}, cancelled={0: 17})], template=load_template(),
...                   layout=load_sheet_layout(), calibration=Calibration())
>>> out.stat().st_size > 1000
True
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from gettext import ngettext
from pathlib import Path
from typing import BinaryIO

from reportlab import rl_config
from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from foundation.card_templates import CardTemplate, SheetLayout, load_sheet_layout, load_template
from foundation.credential.card import SHEET_SIZE
from foundation.errors import InputError, StorageError
from station.core.model import Calibration, SheetFace
from station.printer.card import (
    CardPainter,
    PreparedCard,
    PreparedPhoto,
    check_static_texts,
    font_name,
    prepare_card,
    prepare_photo,
)
from station.printer.private_files import open_private

MAX_OFFSET_MM = 15.0
SCALE_RANGE = (0.9, 1.1)
_GUIDE = Color(0.55, 0.55, 0.55)
_FOOTER_FONT = "DejaVuSansCondensed.ttf"


def check_calibration(calibration: Calibration) -> None:
    """Refuse offsets and scales no real printer needs (a typo such as 15 for 1.5).

    >>> check_calibration(Calibration(1.5, -0.8, 0.995))
    """
    if abs(calibration.dx_mm) > MAX_OFFSET_MM or abs(calibration.dy_mm) > MAX_OFFSET_MM:
        raise InputError(
            f"La calibración tiene un desplazamiento de {calibration.dx_mm:g} × "
            f"{calibration.dy_mm:g} mm; el máximo es ±{MAX_OFFSET_MM:g} mm.",
            way_out="Imprima la hoja de calibración y vuelva a medir dx y dy.",
        )
    if not SCALE_RANGE[0] <= calibration.scale <= SCALE_RANGE[1]:
        raise InputError(
            f"La escala de calibración {calibration.scale:g} está fuera de "
            f"{SCALE_RANGE[0]:g}–{SCALE_RANGE[1]:g}.",
            way_out="Imprima la hoja de calibración y vuelva a medir la escala.",
        )


def to_page(layout: SheetLayout, calibration: Calibration, x_mm: float,
            y_mm: float) -> tuple[float, float]:
    """A layout point (mm from the page's top-left) to PDF points (from the bottom-left),
    with the calibration applied.

    >>> lay = load_sheet_layout()
    >>> to_page(lay, Calibration(), 0, 0) == (0.0, lay.page_h * mm)
    True
    """
    cx, cy, s = layout.page_w / 2, layout.page_h / 2, calibration.scale
    x = cx + s * (x_mm - cx) + calibration.dx_mm
    y = cy + s * (y_mm - cy) + calibration.dy_mm
    return x * mm, (layout.page_h - y) * mm


def check_compatible(template: CardTemplate, layout: SheetLayout) -> None:
    """The template's card must be the layout's card, or cards would overlap or gap."""
    if abs(template.width_mm - layout.card_w) > 0.05 or \
            abs(template.height_mm - layout.card_h) > 0.05:
        raise InputError(
            f"La plantilla {template.template_id} v{template.version} es de "
            f"{template.width_mm:g} × {template.height_mm:g} mm pero la hoja «{layout.file}» "
            f"es para tarjetas de {layout.card_w:g} × {layout.card_h:g} mm.",
            way_out="Elija una hoja del mismo tamaño de tarjeta que la plantilla.",
        )


def render_sheets_pdf(out: Path, sheets: Sequence[SheetFace], *, template: CardTemplate,
                      layout: SheetLayout, calibration: Calibration) -> None:
    """Write ``sheets`` to the PDF ``out`` (flushed and fsynced; the caller renames it).

    Everything is checked (text fit, QR text, photos) before the file is opened, so an
    :class:`InputError` leaves no half-written file behind.
    """
    check_calibration(calibration)
    check_compatible(template, layout)
    check_static_texts(template)
    if not sheets:
        raise InputError("No hay hojas que generar.", way_out="Elija al menos una hoja.")
    box = template.photo.box
    # Photos decode in threads (Pillow releases the GIL) while this thread builds the QR
    # symbols (pure Python): the two biggest costs of a sheet overlap.
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        pending = [
            pool.submit(prepare_photo, face.photo, box.w, box.h) if face.photo else None
            for sheet in sheets for _, face in sorted(sheet.cards.items())
        ]
        try:
            plans: list[dict[int, PreparedCard]] = [
                {pos: prepare_card(face, template, specimen=sheet.specimen)
                 for pos, face in sorted(sheet.cards.items())}
                for sheet in sheets
            ]
            photos = iter([p.result() if p else None for p in pending])
        except BaseException:
            for p in pending:
                if p:
                    p.cancel()
            raise
    try:
        with open_private(out) as fh, _binary_streams():
            _write(fh, sheets, plans, photos, template, layout, calibration)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise StorageError(f"No se pudo escribir el archivo «{out}» ({exc.strerror}).",
                           way_out="Revise que haya espacio libre en la estación.") from None


def _write(fh: BinaryIO, sheets: Sequence[SheetFace], plans: list[dict[int, PreparedCard]],
           photos: Iterator[PreparedPhoto | None], template: CardTemplate, layout: SheetLayout,
           calibration: Calibration) -> None:
    """Draw every sheet on one canvas writing to ``fh``."""
    c = Canvas(fh, pagesize=(layout.page_w * mm, layout.page_h * mm), pageCompression=1)
    c.setTitle("Hoja de credenciales" + (" (ESPÉCIMEN)" if sheets[0].specimen else ""))
    c.setCreator("Estación de credenciales escolares")
    painter = CardPainter(c, template)
    for sheet, plan in zip(sheets, plans, strict=True):
        for pos in range(SHEET_SIZE):
            card = plan.get(pos)
            if card is None and pos not in sheet.cancelled:
                continue
            x_pt, y_pt = to_page(layout, calibration, *_bottom_left(layout, pos))
            c.saveState()
            c.translate(x_pt, y_pt)
            c.scale(calibration.scale, calibration.scale)
            if card is not None:
                painter.draw(card, next(photos))
            else:
                painter.draw_void(sheet.cancelled[pos])
            c.restoreState()
        if template.cut_guides:
            draw_cut_guides(c, layout, calibration)
        _footer(c, layout, sheet, plan, template)
        c.showPage()
    c.save()


@contextmanager
def _binary_streams() -> Iterator[None]:
    # reportlab ASCII85-encodes every stream by default (in pure Python without rl_accel):
    # +25 % size and ~40 ms per sheet for the photos. Binary streams are plain valid PDF.
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


def _bottom_left(layout: SheetLayout, pos: int) -> tuple[float, float]:
    x, y = layout.card_origin(pos)
    return x, y + layout.card_h


def draw_cut_guides(c: Canvas, layout: SheetLayout, calibration: Calibration) -> None:
    """Short crop marks in the margins at every column and row edge (never on a card)."""
    x0, y0 = layout.card_origin(0)
    x1 = x0 + layout.pitch_x * (layout.columns - 1) + layout.card_w
    y1 = y0 + layout.pitch_y * (layout.rows - 1) + layout.card_h
    xs = sorted({x0 + i * layout.pitch_x for i in range(layout.columns)}
                | {x0 + i * layout.pitch_x + layout.card_w for i in range(layout.columns)})
    ys = sorted({y0 + i * layout.pitch_y for i in range(layout.rows)}
                | {y0 + i * layout.pitch_y + layout.card_h for i in range(layout.rows)})
    gap, length = 1.5, 6.0

    def seg(ax: float, ay: float, bx: float, by: float) -> None:
        c.line(*to_page(layout, calibration, ax, ay), *to_page(layout, calibration, bx, by))

    c.saveState()
    c.setStrokeColor(_GUIDE)
    c.setLineWidth(0.3)
    for x in xs:
        seg(x, y0 - gap, x, max(0.0, y0 - gap - length))
        seg(x, y1 + gap, x, min(layout.page_h, y1 + gap + length))
    for y in ys:
        seg(x0 - gap, y, max(0.0, x0 - gap - length), y)
        seg(x1 + gap, y, min(layout.page_w, x1 + gap + length), y)
    c.restoreState()


def _footer(c: Canvas, layout: SheetLayout, sheet: SheetFace, plan: dict[int, PreparedCard],
            template: CardTemplate) -> None:
    """A line under the grid so the operator can match the paper to the sheet on screen."""
    folios = sorted([card.face.folio for card in plan.values() if card.face.folio is not None]
                    + [f for f in sheet.cancelled.values() if f is not None])
    specimen = sheet.specimen or any(card.specimen for card in plan.values())
    parts = [f"Hoja {sheet.sheet_id}" if sheet.sheet_id is not None else "Hoja sin número"]
    if folios and not specimen:
        parts.append(f"folios {folios[0]}–{folios[-1]}")
    if sheet.cancelled:
        n = len(sheet.cancelled)
        parts.append(ngettext("{n} cancelada", "{n} canceladas", n).format(n=n))
    if specimen:
        parts.append("ESPÉCIMEN, SIN VALOR")
    parts.append(f"plantilla {template.template_id} v{template.version}")
    _, y_top = layout.card_origin(SHEET_SIZE - 1)
    y = min(layout.page_h - 4.0, y_top + layout.card_h + 10.0)
    c.setFont(font_name(_FOOTER_FONT), 7)
    c.setFillColor(_GUIDE)
    c.drawCentredString(layout.page_w / 2 * mm, (layout.page_h - y) * mm, " · ".join(parts))


__all__ = [
    "check_calibration",
    "check_compatible",
    "draw_cut_guides",
    "load_sheet_layout",
    "load_template",
    "render_sheets_pdf",
    "to_page",
]
