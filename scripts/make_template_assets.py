"""Draw the placeholder logos and signature of the jalisco-basica/v1 card template.

The real state logos and the Secretary's signature are image assets that central distributes
with the approved template (seed 004, normativo 3). Until they arrive, these clearly labelled
placeholders keep the layout honest. Deterministic: running it twice gives the same PNGs.

    .venv/bin/python scripts/make_template_assets.py            # writes into the template
    .venv/bin/python scripts/make_template_assets.py --out /tmp/assets
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "foundation/fonts"
DEFAULT_OUT = ROOT / "foundation/templates/jalisco-basica/v1/assets"
DPI = 600  # twice the print resolution: crisp after the printer's own resampling

NAVY = (19, 50, 91, 255)
GUINDA = (159, 34, 65, 255)
GOLD = (179, 142, 93, 255)
GREY = (120, 128, 140, 255)
INK = (22, 38, 84, 255)


def px(mm: float) -> int:
    return round(mm / 25.4 * DPI)


def font(name: str, size_mm: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / name), px(size_mm))


def canvas(w_mm: float, h_mm: float) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    img = Image.new("RGBA", (px(w_mm), px(h_mm)), (255, 255, 255, 0))
    return img, ImageDraw.Draw(img)


def placeholder_tag(draw: ImageDraw.ImageDraw, x: int, y: int) -> None:
    draw.text((x, y), "LOGOTIPO PROVISIONAL", font=font("DejaVuSansCondensed.ttf", 1.05),
              fill=GREY)


def logo_jalisco() -> Image.Image:
    img, d = canvas(25.0, 7.4)
    h = img.height
    # A plain shield: no resemblance to the real coat of arms is intended.
    s = px(6.2)
    x0, y0 = px(0.4), (h - s) // 2
    shield = [(x0, y0), (x0 + s, y0), (x0 + s, y0 + s * 0.55), (x0 + s / 2, y0 + s),
              (x0, y0 + s * 0.55)]
    d.polygon(shield, fill=NAVY)
    d.polygon([(x + (x0 + s / 2 - x) * 0.18, y + (y0 + s * 0.45 - y) * 0.18) for x, y in shield],
              outline=GOLD, width=px(0.18))
    d.text((x0 + s / 2, y0 + s * 0.42), "J", font=font("DejaVuSans-Bold.ttf", 3.4), fill=GOLD,
           anchor="mm")
    tx = x0 + s + px(1.2)
    d.text((tx, px(0.9)), "GOBIERNO DE", font=font("DejaVuSansCondensed.ttf", 1.7), fill=NAVY)
    d.text((tx, px(2.75)), "JALISCO", font=font("DejaVuSans-Bold.ttf", 2.6), fill=NAVY)
    placeholder_tag(d, tx, px(5.75))
    return img


def logo_sej() -> Image.Image:
    img, d = canvas(25.0, 7.4)
    # An open book drawn with two pages.
    cx, cy, w, hh = px(3.4), px(3.9), px(3.0), px(2.3)
    d.polygon([(cx, cy - hh * 0.8), (cx - w, cy - hh), (cx - w, cy + hh * 0.7), (cx, cy + hh)],
              fill=GUINDA)
    d.polygon([(cx, cy - hh * 0.8), (cx + w, cy - hh), (cx + w, cy + hh * 0.7), (cx, cy + hh)],
              fill=(190, 70, 100, 255))
    d.line([(cx, cy - hh * 0.8), (cx, cy + hh)], fill=(255, 255, 255, 255), width=px(0.2))
    tx = px(7.3)
    d.text((tx, px(0.9)), "SECRETARÍA DE", font=font("DejaVuSansCondensed.ttf", 1.7), fill=GUINDA)
    d.text((tx, px(2.75)), "EDUCACIÓN", font=font("DejaVuSansCondensed-Bold.ttf", 2.6),
           fill=GUINDA)
    placeholder_tag(d, tx, px(5.75))
    return img


def logo_bienestar() -> Image.Image:
    img, d = canvas(25.0, 7.4)
    cx, cy, r = px(3.4), px(3.7), px(2.9)
    d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=GUINDA)
    # Three leaves as a neutral emblem.
    for k in range(3):
        a = math.radians(90 + k * 120)
        lx, ly = cx + math.cos(a) * r * 0.42, cy - math.sin(a) * r * 0.42
        rr = r * 0.36
        d.ellipse([lx - rr, ly - rr, lx + rr, ly + rr], fill=(255, 255, 255, 255))
    tx = px(7.3)
    d.text((tx, px(1.6)), "Bienestar", font=font("DejaVuSans-Bold.ttf", 3.0), fill=GUINDA)
    placeholder_tag(d, tx, px(5.75))
    return img


def signature() -> Image.Image:
    img, d = canvas(20.0, 8.0)
    w, h = img.size
    # A looping scribble (a trochoid with a fading envelope): reads as a handwritten
    # signature at a glance, and is obviously nobody's real one.
    pts = []
    for i in range(900):
        t = i / 899
        env = 0.55 + 0.45 * math.sin(math.pi * t)
        x = w * (0.1 + 0.62 * t) - w * 0.035 * math.sin(2 * math.pi * 6 * t)
        y = h * (0.5 - 0.06 * math.sin(2 * math.pi * t)) - h * 0.2 * env * math.cos(
            2 * math.pi * 6 * t)
        pts.append((x, y))
    # The final flourish sweeps back under the name.
    for i in range(200):
        t = i / 199
        pts.append((w * (0.72 + 0.16 * math.sin(math.pi * t / 2)) - w * 0.5 * t * t,
                    h * (0.45 + 0.28 * t)))
    d.line(pts, fill=INK, width=px(0.2), joint="curve")
    d.text((w / 2, h * 0.93), "FIRMA PROVISIONAL", font=font("DejaVuSansCondensed.ttf", 1.05),
           fill=GREY, anchor="mb")
    return img


ASSETS = {
    "logo-gobierno-jalisco.png": logo_jalisco,
    "logo-secretaria-educacion.png": logo_sej,
    "logo-bienestar.png": logo_bienestar,
    "firma-secretario.png": signature,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    out: Path = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    for name, draw in ASSETS.items():
        draw().save(out / name, optimize=True, dpi=(DPI, DPI))
        print(out / name)


if __name__ == "__main__":
    main()
