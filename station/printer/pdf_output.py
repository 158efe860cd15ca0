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
    """Write ``parts`` page after page into ``out`` (atomically: all or nothing).

    The half-written file is ``.OUT.pdf.<pid>.tmp`` beside ``out``; one left by a killed run
    (its process gone) is removed by the next write to the same ``out``.
    """
    out = out.expanduser()
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(out)
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
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise PrinterError(f"No se pudo escribir el archivo {out} ({why}).",
                           way_out="Elija otra carpeta donde pueda escribir y con espacio "
                           "libre.") from exc
    return out


def remove_stale_temporaries(out: Path) -> list[Path]:
    """Remove the ``.OUT.pdf.<pid>.tmp`` files of runs that were killed mid-write (and the
    ``OUT.pdf.tmp`` of older versions); a running writer's file is left alone."""
    removed = []
    stale = [out.with_name(out.name + ".tmp")]
    for candidate in out.parent.glob(f".{out.name}.*.tmp"):
        pid = candidate.name[len(out.name) + 2:-len(".tmp")]
        if pid.isdigit() and not _alive(int(pid)):
            stale.append(candidate)
    for path in stale:
        try:
            path.unlink()
            removed.append(path)
        except FileNotFoundError:
            pass
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own leftover from an earlier, failed attempt
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
