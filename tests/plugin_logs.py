"""Every log line of the test run, kept to check that none names a student (issue 10, #10).

What is collected, for the whole session:

- every line any log handler of the test process emits (central in-process and under
  uvicorn threads, SQLAlchemy, the station's services, Python's last-resort stderr handler),
  with its traceback, after the handler's own filters, exactly as it would be written on a
  server (pytest's capture handlers are not logs; the kiosk's file is checked as written);
- the output of every ``central serve`` process a test started (:func:`collect_log`);
- at the end, every ``*.log`` file under the run's temporary folders (station kiosk logs).

``tests/test_zz_log_privacy.py`` (last in the run) asserts on everything collected so far;
:func:`pytest_sessionfinish` checks again after the last test and fails the run if a line
written after it names a CURP.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from foundation.scrub import CURP_AS_WRITTEN as CURP_IN_TEXT

LINES: list[tuple[str, str]] = []
"""(where, line) of everything collected."""
_KIOSK_LOGGERS = ("station.kiosk",)


_FORMAT = logging.Formatter("%(name)s %(levelname)s %(message)s")
_original_handle = logging.Handler.handle


def _handle(self: logging.Handler, record: logging.LogRecord) -> bool:
    """Every handler's ``handle`` (filters, then emit): what it emitted is collected, as the
    handler's filters left it (central's scrub filter rewrites the record in place)."""
    emitted = _original_handle(self, record)
    if emitted and not type(self).__module__.startswith("_pytest") \
            and not record.name.startswith(_KIOSK_LOGGERS):
        try:
            text = _FORMAT.format(record)
        except Exception:  # a broken record is still a line someone would read
            text = f"{record.name} {record.msg!r} {record.args!r}"
        LINES.extend((f"log {record.name}", line) for line in text.splitlines())
    return bool(emitted)


class _ServerRoot(logging.Handler):
    """Stands for the root handler a server has (``central serve`` adds a stderr one): central
    installs its scrub filter on it at start-up; what it emits is collected by ``_handle``."""

    def emit(self, record: logging.LogRecord) -> None:
        pass


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
    logging.Handler.handle = _handle  # type: ignore[method-assign]
    logging.getLogger().addHandler(_ServerRoot())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Check what was collected. Under pytest-xdist each worker collects its own lines and
    writes what it found beside its temporary folder; the controller (which runs no test)
    reads every worker's findings and every log file under the run's temporary folders, and
    fails the run: a worker's own exit status does not reach the controller."""
    logging.Handler.handle = _original_handle  # type: ignore[method-assign]
    found = curp_lines()
    basetemp = session.config._tmp_path_factory.getbasetemp() \
        if hasattr(session.config, "_tmp_path_factory") else None
    worker = getattr(session.config, "workerinput", None)
    if basetemp is not None and worker is not None:
        # the worker's folder is <basetemp>/popen-gwN; the controller scans them all
        _write_findings(Path(basetemp).parent / f"log-privacy-{worker['workerid']}.json",
                        found)
        return
    if basetemp is not None:
        found += curp_lines(written_logs(Path(basetemp)))
        found += _read_findings(Path(basetemp))
    if found:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"A CURP appeared in {len(found)} log line(s), e.g. "
                                f"{found[0][0]}: {CURP_IN_TEXT.sub('[CURP]', found[0][1])}",
                                red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _write_findings(path: Path, found: list[tuple[str, str]]) -> None:
    path.write_text(json.dumps(found), "utf-8")


def _read_findings(root: Path) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for path in sorted(root.glob("log-privacy-*.json")):
        out += [(where, line) for where, line in json.loads(path.read_text("utf-8"))]
    return out
