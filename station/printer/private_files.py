"""Files only the station's user may read: print files carry minors' names, photos and QR
codes. Kept apart from ``pdf_output`` so making a sheet does not import pypdf."""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO


def open_private(path: Path) -> BinaryIO:
    """``path`` opened for writing, mode 0600 even when it existed."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "wb")
