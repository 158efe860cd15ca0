"""Crash torture of the ledger with sheets streaming to a real (virtual) printer.

Each run copies a prepared station, starts one real ``station`` command in its own process,
``kill -9``s it at a random moment, opens the station again (which recovers half-written
print files) and checks:

- ``station audit`` is clean: every folio exactly one of issued / cancelled / spoiled /
  unused, the blocks' used counters equal to folio_uses (migration 0010);
- the print files in ``sheets/`` are exactly the committed sheets';
- each sheet is all or nothing: a spoiled sheet has every folio and card spoiled, any other
  none; a sent or confirmed sheet has its CUPS job recorded.

The commands, drawn at random: ``print --all-pending`` on the printer (the streaming path: a
worker thread makes sheets while the sender submits and follows them), ``print --pdf`` (the
PdfBook path), ``spoil``, ``reprint`` (printer) and ``confirm``. The printer is a private
cupsd with a virtual IPP inkjet (``station.printer.virtual_printer``), nothing of the machine's.

Run: .venv/bin/python scripts/crash_torture.py [--runs 120] [--seed 17]
The tests run the ``print --pdf`` part 100 times (tests/test_crash_safety.py).
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def cli(data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "station.cli", "--data", str(data), *args]


def prepare(template: Path, printer: object) -> tuple[str, int, int]:
    """A station with 22 pending students, sheet A sent (unreviewed) and sheet B spoiled."""
    from plugin_station import prepare_station

    cct, _curps = prepare_station(template, students=60)
    (template / "station.toml").write_text(
        f'[printer]\nqueue = "{printer.queue}"\ncups_server = "{printer.cups_server}"\n'  # type: ignore[attr-defined]
        "job_timeout_s = 30\n", "utf-8")
    from station.context import open_station
    from station.services.issuance import select_students
    from station.services.print_tasks import destination, print_students, spoil_sheet

    station = open_station(template)
    try:
        school, students = select_students(station, cct, None)
        outcome = print_students(station, school, students[:12], destination(station))
        sheet_a, sheet_b = (p.sheet_id for p in outcome.produced)
        spoil_sheet(station, sheet_b, "atasco de papel")
    finally:
        station.close()
    return cct, sheet_a, sheet_b


def check(data: Path) -> list[str]:
    from station.context import open_station
    from station.services.audit import audit_station

    station = open_station(data)  # recovers half-written print files
    problems: list[str] = []
    try:
        report = audit_station(station)
        problems += report.folios.problems
        with station.db.read() as conn:
            sheets = {r[0]: (r[1], r[2], r[3]) for r in conn.execute(
                "SELECT id, state, pdf_name, cups_job_id FROM sheets")}
            for sheet_id, (state, _pdf, job) in sheets.items():
                uses = Counter(r[0] for r in conn.execute(
                    "SELECT state FROM folio_uses WHERE sheet_id = ?", (sheet_id,)))
                cards = Counter(r[0] for r in conn.execute(
                    "SELECT c.status FROM cards c JOIN folio_uses u ON u.folio = c.folio"
                    " WHERE u.sheet_id = ?", (sheet_id,)))
                if sum(uses.values()) != 8:
                    problems.append(f"sheet {sheet_id}: {sum(uses.values())} folios, not 8")
                spoiled = state == "spoiled"
                if spoiled != (uses["spoiled"] > 0) or (spoiled and uses["issued"]):
                    problems.append(f"sheet {sheet_id} {state}: folios {dict(uses)}")
                if spoiled != (cards["spoiled"] > 0) or (spoiled and cards["active"]):
                    problems.append(f"sheet {sheet_id} {state}: cards {dict(cards)}")
                if state in ("sent", "confirmed") and job is None and spoiled is False:
                    problems.append(f"sheet {sheet_id} {state} with no CUPS job")
        files = {p.name for p in station.sheets_dir.iterdir()}
        recorded = {pdf for _state, pdf, _job in sheets.values()}
        if files != recorded:
            problems.append(f"print files {sorted(files ^ recorded)} differ from the sheets")
    finally:
        station.close()
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=120)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    from station.printer.virtual_printer import VirtualPrinter

    work = Path(tempfile.mkdtemp(prefix="crash-torture-"))
    printer = VirtualPrinter(work / "printer").start()
    try:
        template = work / "template"
        cct, sheet_a, sheet_b = prepare(template, printer)
        commands = {
            "print": ("print", "--school", cct, "--all-pending", "--no-review"),
            "print-pdf": ("print", "--school", cct, "--all-pending", "--no-review",
                          "--pdf", str(work / "salida.pdf")),
            "spoil": ("spoil", "--sheet", str(sheet_a), "--reason", "tinta corrida"),
            "reprint": ("reprint", "--sheet", str(sheet_b), "--no-review"),
            "confirm": ("confirm", "--sheet", str(sheet_a)),
        }
        # How long each command takes whole here, to spread the kills over it.
        durations = {}
        for name, command in commands.items():
            data = work / "timing"
            shutil.rmtree(data, ignore_errors=True)
            shutil.copytree(template, data)
            t0 = time.monotonic()
            done = subprocess.run(cli(data, *command), capture_output=True, text=True)
            durations[name] = time.monotonic() - t0
            assert done.returncode == 0, (name, done.stderr)
            assert check(data) == [], name
        print("whole command, seconds: " + ", ".join(f"{n} {d:.1f}"
                                                     for n, d in durations.items()), flush=True)
        rng = random.Random(args.seed)
        found, landed = [], Counter()
        for run in range(args.runs):
            name = rng.choice(list(commands))
            data = work / f"run-{run}"
            shutil.copytree(template, data)
            proc = subprocess.Popen(cli(data, *commands[name]), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.0, durations[name]))
            finished = proc.poll() is not None
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            landed[(name, "after the end" if finished else "mid-command")] += 1
            problems = check(data)
            if problems:
                found.append((run, name, problems))
                print(f"run {run} {name}: {problems}", flush=True)
            shutil.rmtree(data)
            subprocess.run(["cancel", "-a", "-h", printer.cups_server], capture_output=True)
        print(f"{args.runs} kills: " + ", ".join(f"{n} {w}: {c}" for (n, w), c in
                                                 sorted(landed.items())))
        print("problems found: " + (str(len(found)) if found else "none"))
        sys.exit(1 if found else 0)
    finally:
        printer.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
