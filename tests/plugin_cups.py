"""Fixtures with a real private CUPS and a virtual IPP inkjet (see station/printer/virtual_printer).

Registered from conftest.py with ``pytest_plugins = ["plugin_cups"]``.

- ``virtual_printer``: one per session (starting takes a fraction of a second, but jobs and
  documents pile up, so tests compare before/after rather than count from zero).
- ``print_queue``: a CupsPrintQueue on it; the queue is resumed after each test.
- ``slow_virtual_printer``: a fresh one per test whose jobs take several seconds at the
  printer, for killing it mid-job.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import require_part

from station.printer.cups_queue import CupsPrintQueue
from station.printer.virtual_printer import VirtualPrinter, missing_parts


def _start(workdir: Path, *, slow: bool) -> VirtualPrinter:
    missing = missing_parts()
    require_part(not missing, "CUPS virtual printer: " + ", ".join(missing))
    return VirtualPrinter(workdir, slow=slow).start()


@pytest.fixture(scope="session")
def virtual_printer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtualPrinter]:
    printer = _start(tmp_path_factory.mktemp("virtual_printer"), slow=False)
    try:
        yield printer
    finally:
        printer.stop()


@pytest.fixture
def print_queue(virtual_printer: VirtualPrinter) -> Iterator[CupsPrintQueue]:
    yield CupsPrintQueue(virtual_printer.queue, server=virtual_printer.cups_server)
    # Leave the shared printer as the next test expects it: running, resumed, no fault.
    virtual_printer.clear_fault()
    if virtual_printer.printer_running is False:
        virtual_printer.restart_printer()
    virtual_printer.resume_queue()


@pytest.fixture
def slow_virtual_printer(tmp_path: Path) -> Iterator[VirtualPrinter]:
    printer = _start(tmp_path / "slow_printer", slow=True)
    try:
        yield printer
    finally:
        printer.stop()
