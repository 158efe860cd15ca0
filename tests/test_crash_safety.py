"""A SIGKILL at any point of a batch leaves the ledger auditable and the print files consistent.

Runs the real ``station print`` command in a subprocess, kills it at a random moment, then
opens the station again (which recovers half-written print files) and audits it.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from plugin_station import prepare_station

from station.context import open_station
from station.core.folios import audit
from station.store import ledger

RUNS = int(os.environ.get("CRASH_RUNS", "100"))
ROSTER = 100
"""The synthetic roster's size: about a third of it is pending a first card (36 with seed 7,
5 sheets, the last with 4 cancelled blanks); the others are continuing students."""


def _station_cmd(data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "station.cli", "--data", str(data), *args]


def _wait_for_files(folder: Path, count: int, proc: subprocess.Popen[bytes],
                    limit: float) -> None:
    """Until ``folder`` holds ``count`` entries (finished or temporary print files), the
    process ends, or ``limit`` seconds pass on top of the uninterrupted run's time."""
    deadline = time.monotonic() + 2 * limit
    while time.monotonic() < deadline and proc.poll() is None:
        if folder.is_dir() and sum(1 for _ in folder.iterdir()) >= count:
            return
        time.sleep(0.005)


@pytest.mark.slow
def test_sigkill_at_random_points_never_breaks_the_audit(tmp_path: Path) -> None:
    template = tmp_path / "template"
    cct, pending = prepare_station(template, students=ROSTER, seed=7)
    assert len(pending) > 24, f"only {len(pending)} pending students: the batch would be too short"
    cmd_args = ("print", "--school", cct, "--all-pending", "--pdf", "out.pdf")

    # One uninterrupted run tells how long a batch takes on this machine.
    full = tmp_path / "full"
    shutil.copytree(template, full)
    t0 = time.monotonic()
    subprocess.run(_station_cmd(full, *cmd_args), check=True, capture_output=True, cwd=tmp_path)
    duration = time.monotonic() - t0
    full_station = open_station(full)
    try:
        with full_station.db.read() as conn:
            batch_sheets = conn.execute("SELECT count(*) FROM sheets").fetchone()[0]
    finally:
        full_station.close()
    assert batch_sheets >= 4, f"the uninterrupted batch made {batch_sheets} sheets"

    rng = random.Random(20261121)
    mid_batch = 0
    for run in range(RUNS):
        data = tmp_path / f"run-{run}"
        shutil.copytree(template, data)
        proc = subprocess.Popen(_station_cmd(data, *cmd_args), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, cwd=tmp_path)
        if run % 2:
            time.sleep(rng.uniform(0.0, duration))
        else:
            # Half the kills wait for the batch to reach a drawn sheet first: on a loaded
            # machine the interpreter's start-up is most of ``duration`` and a uniform draw
            # alone seldom lands between sheets.
            _wait_for_files(data / "sheets", rng.randint(1, batch_sheets - 1), proc, duration)
            time.sleep(rng.uniform(0.0, duration / batch_sheets))
        proc.send_signal(signal.SIGKILL)
        proc.wait()

        station = open_station(data)  # runs the recovery of half-written print files
        try:
            with station.db.read() as conn:
                report = audit(ledger.folio_blocks(conn), ledger.folio_uses(conn),
                               ledger.card_records(conn))
                sheets = {r[0] for r in conn.execute("SELECT pdf_name FROM sheets")}
                issued = conn.execute("SELECT count(*) FROM cards").fetchone()[0]
            files = {p.name for p in station.sheets_dir.iterdir()}
        finally:
            station.close()
        assert report.ok, f"run {run}: {report.problems}"
        assert files == sheets, f"run {run}: print files {files} != committed sheets {sheets}"
        assert issued == 8 * len(sheets) - report.cancelled
        if 0 < len(sheets) < batch_sheets:
            mid_batch += 1
        shutil.rmtree(data)

    # The kills must land inside the batch often enough to mean something.
    assert mid_batch >= RUNS // 5, f"only {mid_batch} of {RUNS} kills landed mid-batch"
