"""Central's log lines never carry a student's CURP or name.

SQLAlchemy's engines run with ``hide_parameters=True`` (an IntegrityError's message lists no
values); on top of that, :class:`ScrubFilter` sits on every handler of the root and uvicorn
loggers and rewrites each record: message and traceback scrubbed of CURPs (however they are
written), the traceback reduced to exception types and code locations (an exception's text
may quote a row).

>>> describe_exception(ValueError("alumno GOXL150826HJCNXNC2"))
'ValueError: alumno [CURP]'
"""

from __future__ import annotations

import logging
import traceback

from foundation.scrub import scrub

_WATCHED = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "central", "sqlalchemy")


def describe_exception(exc: BaseException) -> str:
    """Type, scrubbed message and the code locations of ``exc`` (no local values)."""
    frames = traceback.extract_tb(exc.__traceback__)[-6:]
    where = " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}"
                        for f in reversed(frames))
    text = scrub(f"{type(exc).__name__}: {exc}"[:500])
    return f"{text} [{where}]" if where else text


class ScrubFilter(logging.Filter):
    """Scrubs every record that reaches a handler it is attached to."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            message += " | " + describe_exception(record.exc_info[1])
            record.exc_info, record.exc_text = None, None
        record.msg, record.args = scrub(message), None
        return True


def install_scrub_filter() -> None:
    """Attach the filter to the handlers of the loggers central and uvicorn write to (once).

    uvicorn configures only its own loggers: without a root handler central's records would
    reach Python's last-resort handler, unfiltered; so the root gets a stderr handler too.
    """
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    for name in _WATCHED:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, ScrubFilter) for f in handler.filters):
                handler.addFilter(ScrubFilter())
