"""Time to the first sheet at the printer for 8 / 400 / 2,000 students, streaming vs made-first.

A private cupsd with a virtual IPP inkjet (``station.printer.virtual_printer``, the tests'
printer) takes the jobs. For each batch size and run, the same station copy is printed by two
code trees in turn (paired runs): this checkout and ``--base`` (a git worktree of main, the
code before issue 17). Each print runs in its own process; the clock starts just before
``print_students`` (students selected, printer checked, as after the operator's tap) and stops
at the modification time of the first document the virtual printer kept. The print is then
killed (the rest of the batch does not matter here) and CUPS emptied before the next run.
A run that has no sheet at the printer after ``--cap`` seconds is stopped and counted as
``--cap`` (a lower bound, shown as "≥"): on a loaded machine the made-first code needs many
minutes for 2,000 students.

Run: .venv/bin/python bench/bench_first_sheet.py --base /work/wt/printer17-base [--runs 5]
     [--sizes 8,400,2000] [--cap 120]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

WORKER = """
import sys, time, json
from pathlib import Path
from station.context import open_station
from station.services.issuance import select_students
from station.services.print_tasks import destination, print_students
data, cct, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
station = open_station(data)
school, students = select_students(station, cct, None)
students = students[:n]
dest = destination(station)
print(json.dumps({"t0": time.time(), "students": len(students)}), flush=True)
print_students(station, school, students, dest)
"""


def prepare(folder: Path, students: int, printer: object) -> str:
    from bench_batch import prepare as prepare_batch

    cct = prepare_batch(folder, int(students * 3.2))
    (folder / "station.toml").write_text(
        f'[printer]\nqueue = "{printer.queue}"\ncups_server = "{printer.cups_server}"\n'  # type: ignore[attr-defined]
        "job_timeout_s = 600\n", "utf-8")
    return cct


def empty_cups(printer: object) -> None:
    server = printer.cups_server  # type: ignore[attr-defined]
    subprocess.run(["cancel", "-a", "-h", server], capture_output=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        out = subprocess.run(["lpstat", "-h", server, "-o"], capture_output=True, text=True)
        if not out.stdout.strip():
            return
        time.sleep(0.2)


def first_arrival(documents: Path, before: set[Path], t0: float, proc: subprocess.Popen[str],
                  timeout: float) -> float | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        new = [p for p in documents.rglob("*") if p.is_file() and p not in before]
        if new:
            time.sleep(0.3)  # let the first document finish arriving
            first = min(new, key=lambda p: p.stat().st_mtime)
            return first.stat().st_mtime - t0
        if proc.poll() is not None:
            raise RuntimeError(f"print ended with no document: {proc.stderr.read()}")  # type: ignore[union-attr]
        time.sleep(0.05)
    return None


def one_run(tree: Path, data: Path, cct: str, n: int, printer: object, cap: float
            ) -> float | None:
    documents: Path = printer.documents_dir  # type: ignore[attr-defined]
    before = set(documents.rglob("*")) if documents.is_dir() else set()
    env = {**os.environ, "PYTHONPATH": str(tree)}
    proc = subprocess.Popen([sys.executable, "-c", WORKER, str(data), cct, str(n)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tree)
    try:
        head = json.loads(proc.stdout.readline())  # type: ignore[union-attr]
        assert head["students"] == n, head
        return first_arrival(documents, before, head["t0"], proc, timeout=cap)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        empty_cups(printer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="8,400,2000")
    parser.add_argument("--cap", type=float, default=120.0)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from _machine import cpu_model

    from station.printer.virtual_printer import VirtualPrinter

    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"machine: {cpu_model()}, {os.cpu_count()} cpus; load at start "
          f"{os.getloadavg()}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="bench-first-sheet-"))
    printer = VirtualPrinter(work / "printer").start()
    try:
        t = time.perf_counter()
        template = work / "template"
        cct = prepare(template, max(sizes), printer)
        print(f"prepared {max(sizes)} students in {time.perf_counter() - t:.0f} s", flush=True)
        trees = {"streaming": ROOT, "made-first (main)": args.base.resolve()}
        results: dict[tuple[str, int], list[float]] = {}
        for n in sizes:
            for run in range(args.runs):
                order = list(trees.items()) if run % 2 == 0 else list(trees.items())[::-1]
                for name, tree in order:
                    data = work / "run"
                    shutil.rmtree(data, ignore_errors=True)
                    shutil.copytree(template, data)
                    seconds = one_run(tree, data, cct, n, printer, args.cap)
                    results.setdefault((name, n), []).append(
                        args.cap if seconds is None else seconds)
                    shown = f"≥{args.cap:6.0f}" if seconds is None else f"{seconds:7.2f}"
                    print(f"  {n:5d} students  {name:18s} run {run}: {shown} s  "
                          f"(load {os.getloadavg()[0]:.2f})", flush=True)
        print(f"\nload at end {os.getloadavg()}")
        print(f"{'students':>8}  {'streaming':>10}  {'made-first':>10}  ratio   (median of "
              f"{args.runs} paired runs, seconds to the first sheet at the printer)")
        for n in sizes:
            new = statistics.median(results[("streaming", n)])
            old = statistics.median(results[("made-first (main)", n)])
            bound = "≥" if old >= args.cap else " "
            print(f"{n:8d}  {new:10.2f}  {bound}{old:9.2f}  {bound}{old / new:4.1f}x")
    finally:
        printer.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
