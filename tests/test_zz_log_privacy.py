"""No CURP in any log line of the test run (issue 10, finding 10). Runs last (``zz``).

The collection (``tests/plugin_logs.py``) holds every record the test process logged, the
output of every ``central serve`` process, and the station logs written under the run's
temporary folders; :func:`tests.plugin_logs.pytest_sessionfinish` checks again at the end.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from plugin_logs import LINES, curp_lines, written_logs
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from central.logs import install_scrub_filter
from foundation.sqldb import make_engine

CURP = "GOXL150826HJCNXNC2"


def test_a_failed_insert_logs_no_curp(tmp_path: Path, central_db_url: str) -> None:
    """The traceback of finding 10: an IntegrityError on a row with a CURP, logged with
    ``logger.exception`` as uvicorn did. The engine hides the parameters (SQLite's message
    listed them), the scrub filter takes PostgreSQL's ``DETAIL: Key (curp)=(…)``."""
    install_scrub_filter()  # what central does when it starts
    engine = make_engine(central_db_url)
    before = len(LINES)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TEMPORARY TABLE t (curp VARCHAR(18) PRIMARY KEY)"))
            conn.execute(text("INSERT INTO t VALUES (:c)"), {"c": CURP})
            with pytest.raises(IntegrityError) as caught:
                conn.execute(text("INSERT INTO t VALUES (:c)"), {"c": CURP})
            logging.getLogger("uvicorn.error").error("Exception in ASGI application",
                                                     exc_info=caught.value)
    except IntegrityError:
        pass
    finally:
        engine.dispose()
    new = LINES[before:]
    assert any("IntegrityError" in line for _w, line in new), new
    assert curp_lines(new) == []


def test_no_log_line_of_the_run_names_a_student(tmp_path_factory: pytest.TempPathFactory
                                                ) -> None:
    assert LINES, "the log collector saw nothing: it is not installed"
    written = written_logs(tmp_path_factory.getbasetemp())
    found = curp_lines() + curp_lines(written)
    assert not found, found[:5]


def test_a_worker_log_naming_a_student_fails_a_parallel_run(tmp_path: Path) -> None:
    """Under pytest-xdist (scripts/test.sh) the lines are collected in each worker; the
    controller must still fail the run when one of them names a CURP, though every test
    passed. A tiny run of two files on two workers, one of which logs a CURP."""
    tests = Path(__file__).parent
    (tmp_path / "conftest.py").write_text(
        f"import sys\nsys.path.insert(0, {str(tests)!r})\npytest_plugins = ['plugin_logs']\n",
        "utf-8")
    (tmp_path / "test_quiet.py").write_text("def test_quiet():\n    assert True\n", "utf-8")
    (tmp_path / "test_leaks.py").write_text(
        "import logging\n\ndef test_leaks():\n"
        f"    logging.getLogger('central.x').warning('alumno %s', {CURP!r})\n", "utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
         "--dist", "loadfile", "--basetemp", str(tmp_path / "bt"), str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert "2 passed" in run.stdout, run.stdout + run.stderr
    assert run.returncode == pytest.ExitCode.TESTS_FAILED, run.stdout
    assert "A CURP appeared in 1 log line(s)" in run.stdout, run.stdout
    assert CURP not in run.stdout
