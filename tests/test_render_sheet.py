"""Sheets of eight: QRs decode back to the exact text, void marks, specimen watermark,
calibration really moves the print, one photo per position, the calibration page."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from test_render_card import (
    SCHOOL,
    TEMPLATE,
    decode_qrs,
    face,
    make_photo,
    pdf_text,
    qr_text,
    rasterize,
)

from foundation.card_templates import load_sheet_layout
from foundation.credential.card import SHEET_SIZE
from foundation.errors import InputError
from station.core.model import Calibration, CardFace, Nivel, School, SheetFace, Turno
from station.printer.calibration_page import render_calibration_pdf
from station.printer.sheet import render_sheets_pdf

LAYOUT = load_sheet_layout()
NAMES = [
    "JOSÉ ÁNGEL PEÑA NÚÑEZ",
    "MARÍA FERNANDA GUADALUPE HERNÁNDEZ DE LA ROSA",
    "ÑANDÚ ÍÑIGUEZ",
    "ANA SOFÍA LÓPEZ",
    "LUIS MIGUEL RAMÍREZ ÚRSULO",
    "XIMENA GÓMEZ",
    "DIEGO ARMANDO CASTAÑEDA",
    "PAULINA ZÚÑIGA",
]
# One strong colour per position: the raster must show each photo at its own position.
COLORS = [(200, 30, 30), (30, 160, 40), (30, 60, 200), (210, 160, 20),
          (150, 40, 170), (20, 170, 170), (120, 80, 40), (240, 110, 170)]
BAND = (0x13, 0x32, 0x5B)


def _photos(tmp_path: Path) -> list[Path]:
    return [make_photo(tmp_path / f"p{i}.jpg", c) for i, c in enumerate(COLORS)]


def _render(tmp_path: Path, sheets: list[SheetFace], name: str = "sheet.pdf",
            calibration: Calibration | None = None) -> Path:
    out = tmp_path / name
    render_sheets_pdf(out, sheets, template=TEMPLATE, layout=LAYOUT,
                      calibration=calibration or Calibration())
    return out


def _photo_centre_px(pos: int, dpi: int) -> tuple[int, int]:
    x, y = LAYOUT.card_origin(pos)
    b = TEMPLATE.photo.box
    return round((x + b.x + b.w / 2) / 25.4 * dpi), round((y + b.y + b.h * 0.85) / 25.4 * dpi)


def test_full_sheet_qrs_text_and_photos(tmp_path: Path) -> None:
    photos = _photos(tmp_path)
    texts = [qr_text() for _ in range(SHEET_SIZE)]
    cards = {i: face(5000 + i, NAMES[i], photo=photos[i], text=texts[i])
             for i in range(SHEET_SIZE)}
    pdf = _render(tmp_path, [SheetFace(41, cards)])
    page = rasterize(pdf, 300)[0]
    assert page.size == (2550, 3300)  # letter at 300 dpi
    assert sorted(b.text for b in decode_qrs(page)) == sorted(texts)
    flat = " ".join(pdf_text(pdf).split())
    for i in range(SHEET_SIZE):
        assert f"{5000 + i:07d}" in flat
    for name in ("JOSÉ ÁNGEL PEÑA NÚÑEZ", "ÑANDÚ ÍÑIGUEZ", "PAULINA ZÚÑIGA"):
        assert name in flat
    assert flat.count(SCHOOL.cct) == SHEET_SIZE
    assert flat.count("VESPERTINO") == SHEET_SIZE
    assert "CANCELADA" not in flat and "ESPÉCIMEN" not in flat
    assert "Hoja 41" in flat
    for pos, color in enumerate(COLORS):
        got = page.getpixel(_photo_centre_px(pos, 300))
        assert all(abs(g - c) < 40 for g, c in zip(got, color, strict=True)), (pos, got, color)


def test_cancelled_positions_show_void_mark_and_burnt_folio(tmp_path: Path) -> None:
    texts = [qr_text() for _ in range(5)]
    cards = {i: face(7000 + i, NAMES[i], text=texts[i]) for i in range(5)}
    sheet = SheetFace(42, cards, cancelled={5: 7005, 6: 7006, 7: None})
    pdf = _render(tmp_path, [sheet])
    flat = " ".join(pdf_text(pdf).split())
    assert flat.count("CANCELADA") == 3
    assert "FOLIO 0007005" in flat and "FOLIO 0007006" in flat
    assert "SIN FOLIO" in flat
    assert sorted(b.text for b in decode_qrs(rasterize(pdf, 300)[0])) == sorted(texts)


def test_specimen_sheet_is_watermarked_and_has_no_folio(tmp_path: Path) -> None:
    cards = {i: face(None, NAMES[i], specimen=True) for i in range(SHEET_SIZE)}
    pdf = _render(tmp_path, [SheetFace(None, cards, specimen=True)])
    text = PdfReader(pdf).pages[0].extract_text()
    assert text.count("ESPÉCIMEN — SIN VALOR") == SHEET_SIZE
    assert text.count("ESPÉCIMEN") >= 2 * SHEET_SIZE  # watermark + the folio's place
    assert "FOLIO 00" not in text


def test_specimen_flag_on_the_sheet_hides_real_folios(tmp_path: Path) -> None:
    cards = {0: face(123456, NAMES[0])}
    pdf = _render(tmp_path, [SheetFace(None, cards, specimen=True)])
    text = PdfReader(pdf).pages[0].extract_text()
    assert "0123456" not in text and "123456" not in text
    assert "ESPÉCIMEN — SIN VALOR" in text


def _band_bbox(img: Image.Image) -> tuple[int, int, int, int]:
    """Bounding box of the card title band colour, in pixels."""
    r, g, b = img.split()
    mask = Image.eval(r, lambda v: 255 if abs(v - BAND[0]) < 25 else 0)
    for ch, want in ((g, BAND[1]), (b, BAND[2])):
        mask = Image.composite(mask, Image.new("L", img.size, 0),
                               Image.eval(ch, lambda v, w=want: 255 if abs(v - w) < 25 else 0))
    box = mask.getbbox()
    assert box is not None
    return box


def test_calibration_moves_and_scales_every_card(tmp_path: Path) -> None:
    cards = {i: face(100 + i, NAMES[i], text=qr_text(i + 1)) for i in range(SHEET_SIZE)}
    sheets = [SheetFace(1, cards)]
    dpi = 100
    base = rasterize(_render(tmp_path, sheets, "a.pdf"), dpi)[0]
    moved = rasterize(_render(tmp_path, sheets, "b.pdf", Calibration(dx_mm=3.0, dy_mm=-2.0)),
                      dpi)[0]
    scaled = rasterize(_render(tmp_path, sheets, "c.pdf", Calibration(scale=0.97)), dpi)[0]
    b0, b1, b2 = _band_bbox(base), _band_bbox(moved), _band_bbox(scaled)
    px = 3.0 / 25.4 * dpi
    assert abs((b1[0] - b0[0]) - px) <= 1.5 and abs((b1[2] - b0[2]) - px) <= 1.5
    py = -2.0 / 25.4 * dpi
    assert abs((b1[1] - b0[1]) - py) <= 1.5 and abs((b1[3] - b0[3]) - py) <= 1.5
    w0, w2 = b0[2] - b0[0], b2[2] - b2[0]
    assert abs(w2 / w0 - 0.97) < 0.01
    cx0, cx2 = (b0[0] + b0[2]) / 2, (b2[0] + b2[2]) / 2
    assert abs(cx0 - cx2) <= 1.5  # scaled about the page centre


def test_several_sheets_make_one_page_each(tmp_path: Path) -> None:
    sheets = [SheetFace(n, {0: face(900 + n, NAMES[n], text=qr_text(n + 1))}) for n in range(3)]
    pdf = _render(tmp_path, sheets)
    assert len(PdfReader(pdf).pages) == 3
    pages = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    for n in range(3):
        assert f"{900 + n:07d}" in pages[n]
        assert "Secretario de Educación" in pages[n]  # the shared artwork form on every page
        assert f"Hoja {n}" in pages[n]


def test_bad_input_is_refused_before_writing(tmp_path: Path) -> None:
    out = tmp_path / "never.pdf"
    bad = CardFace(1, "GUADALUPE " * 40, SCHOOL, None, qr_text())
    with pytest.raises(InputError, match="nombre del alumno"):
        render_sheets_pdf(out, [SheetFace(1, {0: bad})], template=TEMPLATE, layout=LAYOUT,
                          calibration=Calibration())
    long_school = School(SCHOOL.cct, "ESCUELA " * 30, Nivel.PRIMARIA, Turno.MATUTINO,
                         SCHOOL.domicilio, SCHOOL.municipio, SCHOOL.telefono, SCHOOL.drse, 1,
                         True)
    with pytest.raises(InputError, match="nombre de la escuela"):
        render_sheets_pdf(out, [SheetFace(1, {0: face(1, school=long_school)})],
                          template=TEMPLATE, layout=LAYOUT, calibration=Calibration())
    for cal in (Calibration(dx_mm=40), Calibration(scale=1.5)):
        with pytest.raises(InputError, match="calibración"):
            render_sheets_pdf(out, [SheetFace(1, {0: face(1)})], template=TEMPLATE,
                              layout=LAYOUT, calibration=cal)
    assert not out.exists()


def test_calibration_page_has_rulers_crosshairs_and_spanish_instructions(tmp_path: Path) -> None:
    out = tmp_path / "cal.pdf"
    render_calibration_pdf(out, layout=LAYOUT, calibration=Calibration(0.5, -1.0, 1.002))
    flat = " ".join(pdf_text(out).split())
    assert "Hoja de calibración de la impresora" in flat
    assert "Nueva escala = escala actual × 150 ÷ lo medido" in flat
    assert "dx = +0.50 mm, dy = -1.00 mm, escala = 1.0020" in flat
    assert "CENTRO" in flat and "no gasta folios" in flat
    for mark in ("0", "50", "100", "150", "200"):
        assert f" {mark} " in f" {flat} "
    # Shifting the calibration shifts the printed crosshairs by the same amount.
    moved = tmp_path / "cal2.pdf"
    render_calibration_pdf(moved, layout=LAYOUT, calibration=Calibration(2.5, -1.0, 1.002))
    a, b = rasterize(out, 100, gray=True)[0], rasterize(moved, 100, gray=True)[0]
    ba = Image.eval(a.convert("L"), lambda v: 255 if v < 100 else 0).getbbox()
    bb = Image.eval(b.convert("L"), lambda v: 255 if v < 100 else 0).getbbox()
    assert ba is not None and bb is not None
    assert abs((bb[2] - ba[2]) - 2.0 / 25.4 * 100) <= 1.5
