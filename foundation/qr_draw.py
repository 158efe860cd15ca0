"""The card's QR code: built by zxing-cpp's writer (C++), drawn as vector rectangles.

The signed payload is Base45 text, whose alphabet is exactly the QR alphanumeric set, so the
symbol is in alphanumeric mode (11 bits per 2 characters instead of 16 in byte mode: one or
two versions smaller, bigger modules at the same printed size). Error correction Q (~25 % of
codewords recoverable) survives lamination glare and a scratched pouch; the degraded-photo
corpus chose it over L, M and H (``bench/bench_qr_robustness.py``, docs/PERFORMANCE.md).

The encoder was the pure-Python ``qrcode`` library until issue 17: its best-mask search was
40 % of a sheet's render time. zxing-cpp (already the station's reader) writes the same data
codewords, picks its mask by the same ISO 18004 penalty rules in C++ about 100 times faster,
and its symbols read exactly as often on the corpus (``bench/bench_qr_encode.py``).

>>> sym = qr_symbol("SC1:6BFOXN*TS0")
>>> (sym.mode, sym.version, len(sym.modules))
('alphanumeric', 1, 21)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import zxingcpp
from reportlab.lib.colors import Color, white
from reportlab.pdfgen.canvas import Canvas

from foundation.errors import InputError

QR_ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")

ERROR_CORRECTION = "Q"
"""The error-correction level of every QR the project prints (see the module docstring)."""


@dataclass(frozen=True, slots=True)
class QrSymbol:
    """The module matrix (``True`` = dark) without quiet zone, and how it was encoded."""

    modules: tuple[tuple[bool, ...], ...]
    version: int
    mode: str


@lru_cache(maxsize=256)
def qr_symbol(text: str, ecc: str = ERROR_CORRECTION) -> QrSymbol:
    """Encode ``text`` (QR alphanumeric characters only) at error correction ``ecc``.

    Cached: reprinting a sheet reuses the symbols. Raises :class:`InputError` when the text
    has other characters or is too long.
    """
    if not text or not QR_ALPHANUMERIC.issuperset(text):
        raise InputError(
            "El texto del código QR tiene caracteres que no son Base45 "
            "(solo se admiten 0-9, A-Z, espacio y $%*+-./:).",
            way_out="Vuelva a generar la credencial; si se repite, avise a soporte de su DRSE.",
        )
    try:
        barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level=ecc)
    except ValueError:  # "Input too long for ECC level ..."
        raise InputError(
            f"El contenido del código QR es demasiado largo ({len(text)} caracteres).",
            way_out="Avise a soporte de su DRSE: la firma de la credencial no cabe en el QR.",
        ) from None
    image = barcode.to_image(scale=1, add_quiet_zones=False)
    height, width = image.shape
    pixels = memoryview(image).tobytes()  # one byte per module: 0 dark, 255 light
    modules = tuple(tuple(v == 0 for v in pixels[r * width:(r + 1) * width])
                    for r in range(height))
    # Alphanumeric text only, so the mode is alphanumeric (the writer may put a long run of
    # digits in numeric mode, which only makes the symbol smaller).
    return QrSymbol(modules, (width - 17) // 4, "alphanumeric")


def draw_qr(canvas: Canvas, text: str | QrSymbol, x: float, y: float, size: float, *,
            quiet_zone: int = 4, color: Color | None = None) -> QrSymbol:
    """Draw the QR of ``text`` (or an already built symbol) in the square (x, y, size) in
    points, quiet zone included.

    Dark modules are merged into rectangles (see :func:`dark_rectangles`) and filled as one
    path, so the PDF is small and the symbol has no hairline seams at any resolution.

    >>> import io
    >>> c = Canvas(io.BytesIO())
    >>> draw_qr(c, "HELLO", 0, 0, 72).version
    1
    """
    sym = qr_symbol(text) if isinstance(text, str) else text
    n = len(sym.modules)
    module = size / (n + 2 * quiet_zone)
    canvas.saveState()
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(color if color is not None else Color(0, 0, 0))
    path = canvas.beginPath()
    left = x + quiet_zone * module
    top = y + size - quiet_zone * module
    for c0, c1, r0, r1 in dark_rectangles(sym.modules):
        path.rect(left + c0 * module, top - r1 * module, (c1 - c0) * module, (r1 - r0) * module)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
    return sym


def dark_rectangles(modules: tuple[tuple[bool, ...], ...]) -> list[tuple[int, int, int, int]]:
    """Cover the dark modules with rectangles ``(col0, col1, row0, row1)``, ends exclusive:
    horizontal runs, stacked while the same run repeats on the next rows.

    >>> dark_rectangles(((True, True, False), (True, True, False), (False, False, True)))
    [(0, 2, 0, 2), (2, 3, 2, 3)]
    """
    rects: list[tuple[int, int, int, int]] = []
    open_runs: dict[tuple[int, int], int] = {}
    for r, row in enumerate((*modules, ())):
        runs = set()
        c, n = 0, len(row)
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                runs.add((start, c))
            else:
                c += 1
        for run in [k for k in open_runs if k not in runs]:
            rects.append((run[0], run[1], open_runs.pop(run), r))
        for run in runs:
            open_runs.setdefault(run, r)
    return sorted(rects, key=lambda t: (t[2], t[0]))
