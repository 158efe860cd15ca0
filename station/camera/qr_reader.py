"""Read the QR codes in an image: a scanned sheet, a phone photo or a camera frame.

Decoding is zxing-cpp's (the best of the decoders measured in PLATFORM-NOTES.md). This module
only adapts inputs, restricts the search to QR codes and sorts the results in reading order,
so a scanned sheet of 8 cards comes back in the order of its positions.

>>> import qrcode
>>> img = qrcode.make("SC1:HOLA", border=4).get_image()
>>> [qr.text for qr in read_qr_texts(img)]
['SC1:HOLA']
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import zxingcpp
from PIL import Image, ImageOps

from station.core.errors import InputError

Point = tuple[int, int]

# Only these PIL modes go to zxing-cpp as they are; others are converted to grey first.
_DIRECT_MODES = {"L", "RGB", "RGBA"}


@dataclass(frozen=True, slots=True)
class DecodedQR:
    """One QR code found in an image.

    ``position`` is the centre (x, y) in pixels; ``corners`` are the symbol's top-left,
    top-right, bottom-right and bottom-left corners as the code is oriented (so a code
    photographed upside down has its "top-left" at the bottom right of the image).
    """

    text: str
    position: tuple[float, float]
    corners: tuple[Point, Point, Point, Point]

    @property
    def size(self) -> float:
        """Length of the symbol's longest side in pixels."""
        c = self.corners
        return max(math.dist(c[i], c[(i + 1) % 4]) for i in range(4))


def _open(path: Path) -> Image.Image:
    try:
        with Image.open(path) as img:
            # Phone photos store their rotation in EXIF; apply it so the reading order
            # matches what a person sees on screen.
            return ImageOps.exif_transpose(img).convert("L")
    except FileNotFoundError:
        why = "el archivo no existe"
    except IsADirectoryError:
        why = "es una carpeta, no una imagen"
    except Image.DecompressionBombError:
        why = "la imagen es demasiado grande"
    except (OSError, ValueError, SyntaxError):  # PIL's errors for unknown or damaged files
        why = "no es una imagen o está dañada"
    raise InputError(
        f"No se pudo leer la imagen «{path}»: {why}.",
        way_out="Use una foto o un escaneo en formato JPG o PNG.",
    )


def _prepare(image: Any) -> Any:
    if isinstance(image, str | os.PathLike):
        return _open(Path(image))
    if isinstance(image, Image.Image):
        return image if image.mode in _DIRECT_MODES else image.convert("L")
    # numpy arrays (grey or BGR frames from a camera) and buffers go to zxing-cpp as they are.
    return image


def _reading_order(found: list[DecodedQR]) -> list[DecodedQR]:
    """Rows top to bottom, each row left to right.

    Codes whose centres are closer in height than half a symbol share a row, so a slightly
    tilted sheet or photo still sorts row by row.
    """
    rows: list[list[DecodedQR]] = []
    for qr in sorted(found, key=lambda q: q.position[1]):
        row = rows[-1] if rows else None
        if row is not None:
            row_y = sum(q.position[1] for q in row) / len(row)
            if abs(qr.position[1] - row_y) < min(qr.size, row[0].size) / 2:
                row.append(qr)
                continue
        rows.append([qr])
    return [qr for row in rows for qr in sorted(row, key=lambda q: q.position[0])]


def _decode(prepared: Any, offset: tuple[int, int] = (0, 0)) -> list[DecodedQR]:
    try:
        results = zxingcpp.read_barcodes(
            prepared,
            formats=zxingcpp.BarcodeFormat.QRCode,
            try_rotate=True,
            try_downscale=True,
            try_invert=True,
        )
    except (ValueError, TypeError, RuntimeError) as exc:
        raise InputError(
            "No se pudo leer la imagen de la cámara: su formato no es compatible.",
            way_out="Use una imagen en escala de grises o a color de 8 bits por canal.",
        ) from exc
    found = []
    dx, dy = offset
    for r in results:
        p = r.position
        points = (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
        corners = tuple((pt.x + dx, pt.y + dy) for pt in points)
        cx = sum(x for x, _ in corners) / 4
        cy = sum(y for _, y in corners) / 4
        found.append(DecodedQR(r.text, (cx, cy), corners))  # type: ignore[arg-type]
    return found


TILE_PASS_MIN_SIDE = 1600
"""Still images at least this large get a second pass over overlapping tiles."""


def _tiles(image: Image.Image) -> list[tuple[Image.Image, tuple[int, int]]]:
    """Overlapping 2×3 tiles: a code missed in the whole photo (uneven light, blur at one
    edge) often reads once the binarizer only sees its neighbourhood."""
    w, h = image.size
    tw, th = int(w * 0.6), int(h * 0.45)
    out = []
    for x in (0, w - tw):
        for y in (0, (h - th) // 2, h - th):
            out.append((image.crop((x, y, x + tw, y + th)), (x, y)))
    return out


def read_qr_texts(image: Image.Image | Any | Path) -> list[DecodedQR]:
    """All QR codes in ``image``, in reading order (top to bottom, left to right).

    ``image`` is a PIL image, a numpy array (grey ``HxW`` or BGR ``HxWx3`` ``uint8``, as a
    camera frame comes) or the path of an image file. An unreadable file or array raises
    InputError naming it; an image without codes gives ``[]``. Large still images get a
    second pass over overlapping tiles; a code read twice is reported once.
    """
    prepared = _prepare(image)
    found = _decode(prepared)
    if isinstance(prepared, Image.Image) and max(prepared.size) >= TILE_PASS_MIN_SIDE:
        seen = {qr.text for qr in found}
        for tile, offset in _tiles(prepared):
            for qr in _decode(tile, offset):
                if qr.text not in seen:
                    seen.add(qr.text)
                    found.append(qr)
    return _reading_order(found)
