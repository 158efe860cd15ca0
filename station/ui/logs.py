"""The kiosk's log file: what went wrong and where, never a minor's CURP.

``<data>/logs/kiosk.log`` (0600, rotated at 1 MB, 5 files). Every record passes a filter that
replaces anything shaped like a CURP with ``[CURP]``; errors are logged as their type and
the code location (file, line, function) plus a scrubbed message, so a support person can
find the bug without seeing whose card it was.

>>> scrub("no se pudo con GOXL150826HJCNXNC2 hoy")
'no se pudo con [CURP] hoy'
"""

from __future__ import annotations

import logging
import os
import re
import traceback
import uuid
from logging.handlers import RotatingFileHandler
from pathlib import Path

from foundation.scrub import scrub
from station.services.diagnostics import log_path

LOGGER = logging.getLogger("station.kiosk")
_BIRTH_DATE = re.compile(r"\b(19|20)\d{2}-\d{2}-\d{2}\b")


class ScrubFilter(logging.Filter):
    """Scrubs the formatted message of every record that reaches the kiosk's log file."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = scrub(record.getMessage())
        record.msg, record.args = message, None
        return True


def setup_logging(data_dir: Path) -> Path:
    """Send the kiosk's log records to ``<data>/logs/kiosk.log`` (created 0600)."""
    path = log_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        path.touch(mode=0o600)
    if not any(getattr(h, "baseFilename", None) == str(path) for h in LOGGER.handlers):
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
        handler.addFilter(ScrubFilter())
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        LOGGER.addHandler(handler)
        LOGGER.setLevel(logging.INFO)
        os.chmod(path, 0o600)
    return path


def describe_error(exc: BaseException) -> str:
    """The exception's type, scrubbed message and code locations, one line per frame."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = " | ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in frames[-8:])
    message = scrub(_BIRTH_DATE.sub("[fecha]", str(exc)))[:300]
    return f"{type(exc).__name__}: {message} [{where}]"


def log_failure(exc: BaseException, *, screen: str) -> str:
    """Log an unexpected error; return the short reference shown on the error screen."""
    reference = uuid.uuid4().hex[:8].upper()
    LOGGER.error("FALLA %s en pantalla %s: %s", reference, screen, describe_error(exc))
    return reference
