"""The tutor's written request attached to a baja: a scan checked by what it contains, not
by its name, and kept as a private file.

Accepted: PDF (parsed, at least one page), JPEG and PNG (decoded by Pillow). Anything else,
an empty or oversized upload, or a file whose content does not decode is refused with a
Spanish message naming the field. Files are stored content-addressed (SHA-256) with mode 0600
because they carry a minor's and a tutor's personal data.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from foundation.atomic_files import create_atomic
from foundation.errors import InputError

FIELD = "Solicitud por escrito de la persona tutora"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Scan:
    media_type: str
    extension: str
    sha256: str
    size: int


class ScanError(InputError):
    """The upload cannot be kept; the message follows the field's name."""

    def __init__(self, message: str) -> None:
        self.field = FIELD
        super().__init__(message)


def check_scan(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Scan:
    """What ``data`` is, or :class:`ScanError` saying why it cannot be kept."""
    if not data:
        raise ScanError("adjunte el escaneo (PDF, JPEG o PNG); el archivo está vacío.")
    if len(data) > max_bytes:
        raise ScanError(f"el archivo pesa {len(data) / 1048576:.1f} MB; el máximo es "
                        f"{max_bytes / 1048576:.0f} MB.")
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(b"%PDF-"):
        _check_pdf(data)
        return Scan("application/pdf", ".pdf", digest, len(data))
    kind = _image_kind(data)
    return Scan(f"image/{kind}", ".jpg" if kind == "jpeg" else ".png", digest, len(data))


def _check_pdf(data: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        pages = len(PdfReader(io.BytesIO(data)).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ScanError("el PDF está dañado o incompleto y no se puede abrir.") from exc
    if pages < 1:
        raise ScanError("el PDF no tiene páginas.")


def _image_kind(data: bytes) -> str:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = (image.format or "").lower()
            if kind not in {"jpeg", "png"}:
                raise ScanError(f"el archivo es {kind.upper() or 'desconocido'}; solo se "
                                "aceptan PDF, JPEG o PNG.")
            image.verify()
    except ScanError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ScanError("el archivo no es un PDF, JPEG ni PNG legible (se revisa su "
                        "contenido, no su nombre).") from exc
    return kind


def store_scan(folder: Path, data: bytes, scan: Scan) -> Path:
    """Write the scan as ``<sha256><ext>`` under ``folder`` (0700), file 0600, atomically;
    the same content stored twice is one file."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / f"{scan.sha256}{scan.extension}"
    with contextlib.suppress(FileExistsError):
        create_atomic(target, data, mode=0o600)
    return target
