"""No CURP in any log line of the test run (issue 10, finding 10). Runs last (``zz``).

The collection (``tests/plugin_logs.py``) holds every record the test process logged, the
output of every ``central serve`` process, and the station logs written under the run's
temporary folders; :func:`tests.plugin_logs.pytest_sessionfinish` checks again at the end.
"""

from __future__ import annotations

import logging
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
