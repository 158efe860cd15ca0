"""Turn what a (virtual) printer received into page images.

The virtual printer (``ippeveprinter -k``) keeps every document CUPS sends it. Our virtual
inkjet takes raster only, so CUPS sends Apple raster (``.urf``); a PWG raster (``.pwg``) or PDF
may arrive from other printer definitions. ``rasterize`` reads all three, so a test can count
the pages that reached the printer and read the QR codes on them.

>>> docs = received_documents(Path("/tmp/vp/documents"))   # doctest: +SKIP
>>> [page.size for page in rasterize(docs[-1])]             # doctest: +SKIP
[(2550, 3300), (2550, 3300)]
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

from foundation.errors import InputError

DOCUMENT_SUFFIXES = frozenset({".urf", ".pwg", ".pdf"})
"""What ippeveprinter names received documents; ``.prn`` files are its print command's output."""

_URF_MAGIC = b"UNIRAST\x00"
_PWG_MAGIC = b"RaS2"
_PWG_HEADER_SIZE = 1796

# URF colour-space byte -> (Pillow mode, value of a blank pixel byte)
_URF_SPACES = {0: ("L", 0xFF), 4: ("L", 0xFF), 1: ("RGB", 0xFF), 3: ("RGB", 0xFF),
               5: ("RGB", 0xFF), 6: ("CMYK", 0x00)}  # fmt: skip
# PWG cupsColorSpace -> (Pillow mode, blank byte). 3 is K (black ink), 18 sGray, 19 sRGB,
# 20 AdobeRGB, 1 RGB, 6 CMYK.
_PWG_SPACES = {18: ("L", 0xFF), 19: ("RGB", 0xFF), 20: ("RGB", 0xFF), 1: ("RGB", 0xFF),
               3: ("K", 0x00), 6: ("CMYK", 0x00)}  # fmt: skip


def received_documents(documents_dir: Path) -> list[Path]:
    """Documents the printer kept, oldest first (searched in subfolders too).

    >>> received_documents(Path("/nonexistent"))
    []
    """
    if not documents_dir.is_dir():
        return []
    found = [
        p for p in documents_dir.rglob("*") if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES
    ]
    return sorted(found, key=lambda p: (p.stat().st_mtime_ns, str(p)))


def rasterize(path: Path, dpi: int = 300) -> list[Image.Image]:
    """Page images of a received PDF, URF or PWG raster document, at ``dpi``.

    Raster documents are decoded at the printer's resolution and resampled when ``dpi``
    differs. Each image carries ``info["dpi"]``.

    >>> pages = rasterize(Path("1-hoja.urf"))                  # doctest: +SKIP
    >>> len(pages), pages[0].mode                             # doctest: +SKIP
    (2, 'RGB')
    """
    try:
        head = path.read_bytes()[:8]
    except OSError as exc:
        raise InputError(
            f"No se pudo leer el documento recibido {path.name}: {exc.strerror}.",
            way_out="Revise que el archivo exista y se pueda leer.",
        ) from exc
    if head.startswith(b"%PDF"):
        return _rasterize_pdf(path, dpi)
    if head.startswith(_URF_MAGIC):
        pages = _decode_urf(path.read_bytes(), path.name)
    elif head.startswith(_PWG_MAGIC):
        pages = _decode_pwg(path.read_bytes(), path.name)
    else:
        raise _bad(path.name, "no es PDF, URF ni PWG")
    return [_at_dpi(image, native, dpi) for image, native in pages]


def _rasterize_pdf(path: Path, dpi: int) -> list[Image.Image]:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise InputError(
            "Falta el programa pdftoppm para leer archivos PDF.",
            way_out="Instale el paquete poppler-utils.",
        )
    with tempfile.TemporaryDirectory(prefix="rasterize-") as tmp:
        result = subprocess.run(
            [pdftoppm, "-r", str(dpi), "-png", str(path), str(Path(tmp) / "page")],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise _bad(path.name, "pdftoppm no pudo leerlo")
        pages = []
        # pdftoppm pads page numbers to the width of the last one, so name order is page order.
        for png in sorted(Path(tmp).glob("page-*.png")):
            with Image.open(png) as image:
                image.load()
                page = image.copy()
            page.info["dpi"] = (dpi, dpi)
            pages.append(page)
    return pages


def _at_dpi(image: Image.Image, native: int, dpi: int) -> Image.Image:
    if native != dpi and native > 0:
        size = (round(image.width * dpi / native), round(image.height * dpi / native))
        image = image.resize(size, Image.Resampling.BILINEAR)
    image.info["dpi"] = (dpi, dpi)
    return image


def _bad(name: str, why: str) -> InputError:
    return InputError(
        f"El documento recibido {name} no se puede leer: {why}.",
        way_out="Vuelva a imprimir la hoja de prueba; si se repite, reporte el problema.",
    )


def _decode_urf(data: bytes, name: str) -> list[tuple[Image.Image, int]]:
    """Apple raster: an 8-byte magic, a page count, then a 32-byte header per page."""
    pages = []
    pos = 12
    while pos < len(data):
        if pos + 32 > len(data):
            raise _bad(name, "la última página está incompleta")
        bpp, space = data[pos], data[pos + 1]
        width, height, dpi = struct.unpack_from(">III", data, pos + 12)
        pos += 32
        if space not in _URF_SPACES or bpp % 8 or bpp // 8 != len(_URF_SPACES[space][0]):
            raise _bad(name, f"formato de color URF no reconocido ({bpp} bits, espacio {space})")
        mode, blank = _URF_SPACES[space]
        pixels, pos = _unpack(data, pos, name, width * bpp // 8, height, bpp // 8, blank)
        pages.append((Image.frombytes(mode, (width, height), pixels), dpi))
    return pages


def _decode_pwg(data: bytes, name: str) -> list[tuple[Image.Image, int]]:
    """PWG raster (PWG 5102.4): 'RaS2', then a 1796-byte big-endian header per page."""
    pages = []
    pos = 4
    while pos < len(data):
        if pos + _PWG_HEADER_SIZE > len(data):
            raise _bad(name, "la última página está incompleta")
        dpi = struct.unpack_from(">I", data, pos + 276)[0]
        width, height = struct.unpack_from(">II", data, pos + 372)
        bits_per_color, bpp, bytes_per_line = struct.unpack_from(">III", data, pos + 384)
        space = struct.unpack_from(">I", data, pos + 400)[0]
        pos += _PWG_HEADER_SIZE
        if space not in _PWG_SPACES or bits_per_color not in (1, 8) or bpp not in (1, 8, 24, 32):
            raise _bad(name, f"formato de color PWG no reconocido ({bpp} bits, espacio {space})")
        mode, blank = _PWG_SPACES[space]
        unit = max(bpp // 8, 1)  # 1-bit rows are compressed byte by byte
        pixels, pos = _unpack(data, pos, name, bytes_per_line, height, unit, blank)
        if mode == "K":  # black ink: 1 means a dot, so invert to a white page
            raw_mode = "1;I" if bpp == 1 else "L;I"
            image = Image.frombytes("1" if bpp == 1 else "L", (width, height), pixels, "raw",
                                    raw_mode)  # fmt: skip
            image = image.convert("L")
        else:
            image = Image.frombytes(mode, (width, height), pixels)
        pages.append((image, dpi))
    return pages


def _unpack(
    data: bytes, pos: int, name: str, line_bytes: int, height: int, unit: int, blank: int
) -> tuple[bytes, int]:
    """Undo the PackBits-like compression that URF and PWG raster share.

    Each row group starts with a repeat byte (rows = byte + 1). Then, until the row is full, a
    control byte ``c``: below 128, the next pixel ``c + 1`` times; 128, blank to the row's end;
    above 128, ``257 - c`` pixels copied as they are.
    """
    out = bytearray()
    view = memoryview(data)
    rows = 0
    try:
        while rows < height:
            repeat = data[pos] + 1
            pos += 1
            row = bytearray()
            while len(row) < line_bytes:
                control = data[pos]
                pos += 1
                if control == 128:
                    row.extend(bytes([blank]) * (line_bytes - len(row)))
                elif control < 128:
                    row.extend(bytes(view[pos : pos + unit]) * (control + 1))
                    pos += unit
                else:
                    count = (257 - control) * unit
                    row.extend(view[pos : pos + count])
                    pos += count
            if len(row) != line_bytes or pos > len(data):
                raise _bad(name, f"la fila {rows + 1} no cuadra con el ancho de la página")
            repeat = min(repeat, height - rows)
            out.extend(bytes(row) * repeat)
            rows += repeat
    except IndexError:
        raise _bad(name, "los datos de la página terminan antes de tiempo") from None
    return bytes(out), pos
