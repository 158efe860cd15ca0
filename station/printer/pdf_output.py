"""The PDF 'printer': sheets written into one file the user prints elsewhere."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from pypdf import PdfWriter
from pypdf.errors import PyPdfError

from station.core.errors import PrinterError


def open_private(path: Path) -> BinaryIO:
    """``path`` opened for writing, mode 0600 even when it existed: print files carry minors'
    names, photos and QR codes."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "wb")


def combine_pdfs(parts: Sequence[Path], out: Path) -> Path:
    """Write ``parts`` page after page into ``out`` (atomically: all or nothing)."""
    out = out.expanduser()
    tmp = out.with_name(out.name + ".tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        writer = PdfWriter()
        for part in parts:
            writer.append(str(part))
        with open_private(tmp) as fh:
            writer.write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except (OSError, PyPdfError) as exc:
        tmp.unlink(missing_ok=True)
        raise PrinterError(f"No se pudo escribir el archivo {out}: {exc}.",
                           way_out="Elija otra carpeta con espacio libre.") from exc
    return out
