"""Time one 8-card sheet: reportlab (the station's renderer) vs an HTML/CSS twin in WeasyPrint.

Both render the same cards from the same stored photos (synthetic 1200x1600 JPEGs made
here), with the same fonts, logos and fitted text sizes, so the comparison is about the
engines. Each reportlab run starts cold: the photo and QR caches are emptied, as for a
batch nobody printed before. Then a 50-sheet (400-card) batch with 400 distinct photos.

    .venv/bin/python bench/bench_sheet.py [--runs 9] [--batch-sheets 50]

Numbers, not pass/fail: they go into the report, not into a test.
"""

from __future__ import annotations

import argparse
import html
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import base45
from _machine import cpu_model
from PIL import Image, ImageDraw
from reportlab.lib.colors import Color

from foundation import qr_draw
from foundation.card_templates import (
    FONTS_DIR,
    Box,
    CardTemplate,
    SheetLayout,
    load_sheet_layout,
)
from foundation.card_templates import load_template as load_card_template
from foundation.credential.card import SHEET_SIZE
from station.core.model import Calibration, CardFace, Nivel, School, SheetFace, Turno
from station.printer import card as card_mod
from station.printer.card import fit_text, prepare_photo
from station.printer.sheet import render_sheets_pdf

SCHOOL = School("14EPR0412K", "ESCUELA PRIMARIA URBANA 1234 LIC. BENITO JUÁREZ GARCÍA",
                Nivel.PRIMARIA, Turno.MATUTINO, "AV. MANUEL ÁVILA CAMACHO 1450, COL. COUNTRY",
                "GUADALAJARA", "33 3678 7500", "CENTRO 1", 620, True)
NAMES = ["JOSÉ ÁNGEL PEÑA NÚÑEZ", "MARÍA FERNANDA GUADALUPE HERNÁNDEZ DE LA ROSA",
         "ÑANDÚ ÍÑIGUEZ", "ANA SOFÍA LÓPEZ", "LUIS MIGUEL RAMÍREZ", "XIMENA GÓMEZ",
         "DIEGO ARMANDO CASTAÑEDA ÚRSULO", "PAULINA ZÚÑIGA"]


def machine() -> str:
    cpu = cpu_model()
    import reportlab
    import weasyprint
    try:
        import _rl_accel  # noqa: F401
        accel = "rl_accel C"
    except ImportError:
        accel = "pure Python"
    return (f"{platform.platform()} | {cpu} | {os.cpu_count()} CPUs | Python "
            f"{platform.python_version()} | reportlab {reportlab.Version} ({accel}) | "
            f"WeasyPrint {weasyprint.__version__}")


def make_photos(folder: Path, n: int) -> list[Path]:
    paths = []
    for i in range(n):
        im = Image.new("RGB", (1200, 1600), ((37 * i) % 200 + 30, (91 * i) % 200 + 30, 180))
        d = ImageDraw.Draw(im)
        d.ellipse([360, 290, 840, 880], fill=(222, 176, 140))
        d.rectangle([200, 960, 1000, 1600], fill=(40, 60, 120))
        for k in range(0, 1200, 40):  # some texture, so JPEG sizes are realistic
            d.line([(k, 0), (k + 300, 1600)], fill=(200, 200, 210), width=3)
        p = folder / f"foto-{i:04d}.jpg"
        im.save(p, "JPEG", quality=90)
        paths.append(p)
    return paths


def make_sheets(photos: list[Path], n_sheets: int) -> list[SheetFace]:
    sheets = []
    for s in range(n_sheets):
        cards = {}
        for pos in range(SHEET_SIZE):
            i = s * SHEET_SIZE + pos
            text = "SC1:" + base45.b45encode(os.urandom(180)).decode()
            cards[pos] = CardFace(10_000 + i, NAMES[pos], SCHOOL, str(photos[i % len(photos)]),
                                  text)
        sheets.append(SheetFace(s + 1, cards))
    return sheets


def cold() -> None:
    card_mod._prepare_photo.cache_clear()
    qr_draw.qr_symbol.cache_clear()


def time_runs(fn: Callable[[], None], runs: int, before: Callable[[], None] = cold,
              ) -> list[float]:
    times = []
    for _ in range(runs):
        before()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def stats(name: str, times: list[float], pdf: Path) -> float:
    med = statistics.median(times)
    print(f"{name:<34} median {med * 1000:7.1f} ms   min {min(times) * 1000:7.1f}   "
          f"max {max(times) * 1000:7.1f}   PDF {pdf.stat().st_size / 1024:7.1f} KiB")
    return med


# -- the HTML/CSS twin --------------------------------------------------------------------

def _qr_svg(text: str, size_mm: float, quiet: int) -> str:
    sym = qr_draw.qr_symbol(text)
    n = len(sym.modules) + 2 * quiet
    rects = "".join(
        f'<rect x="{c0 + quiet}" y="{r0 + quiet}" width="{c1 - c0}" height="{r1 - r0}"/>'
        for c0, c1, r0, r1 in qr_draw.dark_rectangles(sym.modules))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" '
            f'width="{size_mm}mm" height="{size_mm}mm" shape-rendering="crispEdges">'
            f'<rect width="{n}" height="{n}" fill="#fff"/>{rects}</svg>')


def _box(b: Box, extra: str = "") -> str:
    return f"position:absolute;left:{b.x}mm;top:{b.y}mm;width:{b.w}mm;height:{b.h}mm;{extra}"


def _hex(color: Color) -> str:
    return color.hexval().replace("0x", "#")


def html_sheet(sheet: SheetFace, t: CardTemplate, layout: SheetLayout, work: Path) -> str:
    fonts = "".join(
        f'@font-face{{font-family:"{f[:-4]}";src:url("{(FONTS_DIR / f).as_uri()}");}}'
        for f in sorted(t.fonts))
    parts = [f"<html><head><style>{fonts}@page{{size:{layout.page_w}mm {layout.page_h}mm;"
             "margin:0}body{margin:0}.c{position:absolute;overflow:hidden}"
             ".t{position:absolute;white-space:pre;line-height:1.1}</style></head><body>"]
    values = {"name": "", "school_name": SCHOOL.nombre, "cct": SCHOOL.cct,
              "address": SCHOOL.address_line, "phone": SCHOOL.telefono,
              "turno": str(SCHOOL.turno), "nivel": str(SCHOOL.nivel)}
    for pos, face in sorted(sheet.cards.items()):
        x, y = layout.card_origin(pos)
        parts.append(f'<div class="c" style="left:{x}mm;top:{y}mm;width:{t.width_mm}mm;'
                     f'height:{t.height_mm}mm">')
        for s in t.shapes:
            fill = _hex(s.fill) if s.fill else "transparent"
            style = _box(s.box, f"background:{fill};border-radius:{s.radius}mm")
            parts.append(f'<div style="{style}"></div>')
        for im in t.images:
            style = _box(im.box, "object-fit:contain")
            parts.append(f'<img src="{im.asset.as_uri()}" style="{style}">')
        photo = prepare_photo(face.photo, t.photo.box.w, t.photo.box.h) if face.photo else None
        if photo:
            p = work / f"ph-{face.folio}.jpg"
            p.write_bytes(photo.jpeg)
            style = _box(t.photo.box, "object-fit:cover")
            parts.append(f'<img src="{p.as_uri()}" style="{style}">')
        for el in t.texts:
            if el.field == "folio":
                value = el.format.format(value=face.folio)
            elif el.field:
                value = face.name if el.field == "name" else values[el.field]
            else:
                value = el.text or ""
            fitted = fit_text(value, el)
            style = _box(el.box, f"font-family:'{el.font[:-4]}';font-size:{fitted.size}pt;"
                                 f"color:{_hex(el.color)};text-align:{el.align}")
            parts.append(f'<div class="t" style="{style}">'
                         f"{html.escape(chr(10).join(fitted.lines))}</div>")
        q = t.qr.box
        svg = _qr_svg(face.qr_text, q.w, t.qr.quiet_zone_modules)
        parts.append(f'<div style="{_box(q)}">{svg}</div></div>')
    parts.append("</body></html>")
    return "".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--batch-sheets", type=int, default=50)
    args = ap.parse_args()
    import weasyprint

    print(machine())
    template, layout = load_card_template(), load_sheet_layout()
    cal = Calibration()
    with tempfile.TemporaryDirectory(prefix="bench-sheet-") as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        photos = make_photos(work, SHEET_SIZE * args.batch_sheets)
        print(f"made {len(photos)} synthetic 1200x1600 JPEG photos in "
              f"{time.perf_counter() - t0:.1f} s")
        one = make_sheets(photos, 1)
        rl_pdf, wp_pdf = work / "reportlab.pdf", work / "weasyprint.pdf"
        render_sheets_pdf(rl_pdf, one, template=template, layout=layout, calibration=cal)

        print(f"\none 8-card sheet, {args.runs} runs each")
        rl = stats("reportlab, cold (no cache)", time_runs(
            lambda: render_sheets_pdf(rl_pdf, one, template=template, layout=layout,
                                      calibration=cal), args.runs), rl_pdf)
        stats("reportlab, warm (reprint)", time_runs(
            lambda: render_sheets_pdf(rl_pdf, one, template=template, layout=layout,
                                      calibration=cal), args.runs, before=lambda: None), rl_pdf)

        def weasy() -> None:
            doc = html_sheet(one[0], template, layout, work)
            weasyprint.HTML(string=doc, base_url=str(work)).write_pdf(wp_pdf)

        weasy()  # warm-up: font loading
        wp = stats("WeasyPrint, cold (no cache)", time_runs(weasy, args.runs), wp_pdf)
        print(f"ratio WeasyPrint / reportlab (median, cold): {wp / rl:.1f}x")

        batch = make_sheets(photos, args.batch_sheets)
        out = work / "batch.pdf"
        cold()
        t0 = time.perf_counter()
        render_sheets_pdf(out, batch, template=template, layout=layout, calibration=cal)
        total = time.perf_counter() - t0
        print(f"\nbatch of {args.batch_sheets} sheets ({args.batch_sheets * SHEET_SIZE} cards, "
              f"distinct photos): {total:.2f} s total, {total / args.batch_sheets * 1000:.0f} ms "
              f"per sheet, PDF {out.stat().st_size / 1024 / 1024:.1f} MiB "
              f"({out.stat().st_size / 1024 / args.batch_sheets:.0f} KiB per sheet)")


if __name__ == "__main__":
    sys.exit(main())
