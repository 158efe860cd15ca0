"""Every log line of the test run, kept to check that none names a student (issue 10, #10).

What is collected, for the whole session:

- every record any logger of the test process emits (central in-process and under uvicorn
  threads, SQLAlchemy, the station's services), formatted with its traceback, as a handler
  of the root logger gets it in production: central installs its scrub filter on the root's
  handlers (this one included) when it starts, exactly as on a server (the kiosk's own
  logger is checked as its file is written, below);
- the output of every ``central serve`` process a test started (:func:`collect_log`);
- at the end, every ``*.log`` file under the run's temporary folders (station kiosk logs).

``tests/test_zz_log_privacy.py`` (last in the run) asserts on everything collected so far;
:func:`pytest_sessionfinish` checks again after the last test and fails the run if a line
written after it names a CURP.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from foundation.curp import CURP_IN_TEXT

LINES: list[tuple[str, str]] = []
"""(where, line) of everything collected."""
_KIOSK_LOGGERS = ("station.kiosk",)


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(_KIOSK_LOGGERS):
            return  # scrubbed by its file handler by design; the files are checked instead
        try:
            text = self.format(record)
        except Exception:  # a broken record is still a line someone would read
            text = f"{record.name} {record.msg!r} {record.args!r}"
        for line in text.splitlines():
            LINES.append((f"log {record.name}", line))


_COLLECTOR = _Collector()


def collect_log(path: Path) -> None:
    """Add a log file (a ``central serve`` process's output) to the collection."""
    if path.exists():
        for line in path.read_text(errors="replace").splitlines():
            LINES.append((str(path.name), line))


def curp_lines(lines: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    return [(where, line) for where, line in (LINES if lines is None else lines)
            if CURP_IN_TEXT.search(line)]


def written_logs(root: Path) -> list[tuple[str, str]]:
    out = []
    for path in root.rglob("*.log*"):
        if path.is_file() and re.search(r"\.log(\.\d+)?$", path.name) and \
                "central-pg-" not in str(path):
            out += [(str(path), line) for line in path.read_text(errors="replace")
                    .splitlines()]
    return out


def pytest_configure(config: pytest.Config) -> None:
    logging.getLogger().addHandler(_COLLECTOR)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    logging.getLogger().removeHandler(_COLLECTOR)
    found = curp_lines()
    basetemp = session.config._tmp_path_factory.getbasetemp() \
        if hasattr(session.config, "_tmp_path_factory") else None
    if basetemp is not None:
        found += curp_lines(written_logs(Path(basetemp)))
    if found:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"A CURP appeared in {len(found)} log line(s), e.g. "
                                f"{found[0][0]}: {CURP_IN_TEXT.sub('[CURP]', found[0][1])}",
                                red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
