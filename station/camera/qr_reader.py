"""Read the QR codes in an image: a scanned sheet, a phone photo or a camera frame.

Decoding is zxing-cpp's: on the generated corpus of degraded photos of the station's own
cards it reads more than pyzbar and is about ten times faster (``bench/bench_qr_decode.py``,
docs/PERFORMANCE.md). When the plain read finds nothing, the image passes of
:mod:`station.camera.qr_passes` are tried in turn (deblur, upscale, sharpen). zxing-cpp checks
every symbol's Reed-Solomon codewords and returns only valid ones, so a pass can fail to read
but never reads wrong text; the corpus benchmark counts wrong texts too (none so far).

Two modes: a still image (a photo, a scan) gets every pass and, when large, a tile pass, and
every code found is kept; a live frame (``live=True``) stops at the first pass that reads
anything, so a frame costs at most the sum of the passes (~14 ms of CPU at 1280×720 here,
bench/bench_qr_robustness.py).

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

import cv2
import numpy as np
import zxingcpp
from PIL import Image, ImageOps

from foundation.errors import InputError
from station.camera.qr_passes import PASSES, Pass

Point = tuple[int, int]


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
    found_by: str = "plain"
    """The image pass that read it (see :mod:`station.camera.qr_passes`)."""

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
        f"No se pudo leer la imagen «{path.name}»: {why}.",
        way_out="Use una foto o un escaneo en formato JPG o PNG.",
    )


def _bad_frame() -> InputError:
    return InputError(
        "No se pudo leer la imagen de la cámara: su formato no es compatible.",
        way_out="Use una imagen en escala de grises o a color de 8 bits por canal.",
    )


def _grey(image: Any) -> np.ndarray:
    """Any accepted input as a grey ``uint8`` array (no copy when it already is one)."""
    if isinstance(image, str | os.PathLike):
        image = _open(Path(image))
    if isinstance(image, Image.Image):
        return np.asarray(image if image.mode == "L" else image.convert("L"))
    try:
        arr = np.asarray(image)
    except (TypeError, ValueError) as exc:
        raise _bad_frame() from exc
    if arr.dtype != np.uint8 or arr.ndim not in (2, 3) or min(arr.shape[:2]) < 1:
        raise _bad_frame()
    if arr.ndim == 2:
        return arr
    channels = arr.shape[2]
    if channels == 1:
        return arr[:, :, 0]
    if channels in (3, 4):  # camera frames are BGR / BGRA, as OpenCV delivers them
        code = cv2.COLOR_BGR2GRAY if channels == 3 else cv2.COLOR_BGRA2GRAY
        return cv2.cvtColor(np.ascontiguousarray(arr), code)
    raise _bad_frame()


def _reading_order(found: list[DecodedQR]) -> list[DecodedQR]:
    """Rows top to bottom, each row left to right, as the sheet itself is turned.

    The codes' own corners say how the sheet lies in the photo (they are printed upright on
    it); their centres are turned back by that angle first, so a photo taken at a slant
    still sorts by the sheet's rows. Codes whose centres are then closer in height than half
    a symbol share a row.
    """
    if not found:
        return []
    ux = sum(q.corners[1][0] - q.corners[0][0] for q in found)
    uy = sum(q.corners[1][1] - q.corners[0][1] for q in found)
    angle = math.atan2(uy, ux) if (ux or uy) else 0.0
    cos, sin = math.cos(-angle), math.sin(-angle)

    def upright(q: DecodedQR) -> tuple[float, float]:
        x, y = q.position
        return (x * cos - y * sin, x * sin + y * cos)

    placed = sorted(((upright(q), q) for q in found), key=lambda item: item[0][1])
    rows: list[list[tuple[tuple[float, float], DecodedQR]]] = []
    for (x, y), qr in placed:
        row = rows[-1] if rows else None
        if row is not None:
            row_y = sum(p[1] for p, _ in row) / len(row)
            if abs(y - row_y) < min(qr.size, row[0][1].size) / 2:
                row.append(((x, y), qr))
                continue
        rows.append([((x, y), qr)])
    return [qr for row in rows for _, qr in sorted(row, key=lambda item: item[0][0])]


def _decode(grey: np.ndarray, how: Pass, offset: tuple[int, int] = (0, 0)) -> list[DecodedQR]:
    results = zxingcpp.read_barcodes(
        how.apply(grey),
        formats=zxingcpp.BarcodeFormat.QRCode,
        try_rotate=True,
        try_downscale=how.downscale,
        try_invert=how.invert,
    )
    found = []
    dx, dy = offset
    for r in results:
        if not r.valid:  # never happens without return_errors; kept as the guarantee
            continue
        p = r.position
        points = (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
        corners = tuple((round(pt.x / how.scale) + dx, round(pt.y / how.scale) + dy)
                        for pt in points)
        cx = sum(x for x, _ in corners) / 4
        cy = sum(y for _, y in corners) / 4
        found.append(DecodedQR(r.text, (cx, cy), corners, how.name))  # type: ignore[arg-type]
    return found


TILE_PASS_MIN_SIDE = 1600
"""Still images at least this large get a second pass over overlapping tiles."""


def _tiles(grey: np.ndarray) -> list[tuple[np.ndarray, tuple[int, int]]]:
    """Overlapping 2×3 tiles: a code missed in the whole photo (uneven light, blur at one
    edge) often reads once the binarizer only sees its neighbourhood."""
    h, w = grey.shape[:2]
    tw, th = int(w * 0.6), int(h * 0.45)
    out = []
    for x in (0, w - tw):
        for y in (0, (h - th) // 2, h - th):
            out.append((grey[y : y + th, x : x + tw], (x, y)))
    return out


def read_qr_texts(image: Image.Image | Any | Path, *, live: bool = False) -> list[DecodedQR]:
    """All QR codes in ``image``, in reading order (top to bottom, left to right).

    ``image`` is a PIL image, a numpy array (grey ``HxW`` or BGR ``HxWx3`` ``uint8``, as a
    camera frame comes) or the path of an image file. An unreadable file or array raises
    InputError naming it; an image without codes gives ``[]``.

    A still image (the default) goes through every pass of :data:`PASSES` and, when at
    least :data:`TILE_PASS_MIN_SIDE` pixels on a side, over overlapping tiles; a code read
    twice is reported once. ``live=True`` (camera frames) stops at the first pass that
    reads something.
    """
    grey = _grey(image)
    found: list[DecodedQR] = []
    seen: set[str] = set()

    def keep(new: list[DecodedQR]) -> None:
        # The first pass that reads keeps all its symbols (two copies of one card are two
        # cards); later passes only add texts not read yet.
        fresh = [qr for qr in new if qr.text not in seen]
        found.extend(fresh)
        seen.update(qr.text for qr in fresh)

    for how in PASSES:
        if how.fits(grey):
            keep(_decode(grey, how))
            if live and found:
                break
    if not live and max(grey.shape[:2]) >= TILE_PASS_MIN_SIDE:
        for tile, offset in _tiles(grey):
            keep(_decode(tile, PASSES[0], offset))
    return _reading_order(found)


class LiveQrReader:
    """Reads camera frames one after another within a frame's time.

    Every frame gets the plain pass; a frame where it reads nothing gets *one* of the rescue
    passes, in turn. A card held in front of the camera stays in many frames, so within three
    frames it has had every pass, and no frame pays for all of them (~30 ms instead of ~70 ms
    at worst at 1280×720 here).

    >>> import numpy as np
    >>> LiveQrReader().read(np.full((480, 640), 255, np.uint8))
    []
    """

    def __init__(self) -> None:
        self._turn = 0

    def read(self, frame: Any) -> list[DecodedQR]:
        grey = _grey(frame)
        found = _decode(grey, PASSES[0])
        rescue = [p for p in PASSES[1:] if p.fits(grey)]
        if not found and rescue:
            found = _decode(grey, rescue[self._turn % len(rescue)])
            self._turn += 1
        return _reading_order(found)
