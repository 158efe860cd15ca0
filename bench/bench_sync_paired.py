"""First sync MB/s: this checkout against ``--base`` (main), each with its own central.

Each side runs its own code on both ends: a ``central serve`` (SQLite, loopback, one worker)
started from that checkout (``bench_central_ingest.Central(code=…)``), holding the same
school of 2,000 students with ~30 KB JPEG photos (as in bench_sync_first.py). For each run a
fresh station of that checkout enrolls with its central and does its first sync (roster,
photos checked against their SHA-256, trust list, folio blocks), the two sides alternating
which goes first, each in its own process. MB/s = bytes of the photos downloaded / seconds
of the whole first sync. Issue 17: this branch asks for 50 photos per signed request
(``POST /api/v1/sync/photos/batch``) and central reads without SQLite's write lock; main
asks one ``GET`` per photo.

Run: .venv/bin/python bench/bench_sync_paired.py --base /work/wt/sync-base [--runs 5]
     [--students 2000] [--singles]
(make the base with ``git worktree add --detach /work/wt/sync-base main`` and link the venv:
``ln -s "$PWD/.venv" /work/wt/sync-base/.venv``)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WORKER = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[4])
import bench_central_ingest
from bench_sync_first import enrolled_station
from station.sync.engine import client_for, run_sync
central = bench_central_ingest.Central.__new__(bench_central_ingest.Central)
central.url, central.env = sys.argv[2], {"CENTRAL_ADMIN_TOKEN": sys.argv[3]}
station = enrolled_station(central, Path(sys.argv[1]))
client = client_for(station)
if sys.argv[5] == "singles":  # ablation: this branch's central, one GET per photo
    import station.sync.photo_pull as photo_pull
    make = photo_pull.PhotoFetcher.__init__
    def singles(self, *a, **k):
        make(self, *a, **k)
        self.batches = False
    photo_pull.PhotoFetcher.__init__ = singles
t = time.perf_counter()
report = run_sync(station, client)
seconds = time.perf_counter() - t
assert report.ok, report.errors
photos = sum(p.stat().st_size for p in station.photos.root.rglob("*.jpg"))
print(json.dumps({"s": seconds, "photos": report.photos_down, "bytes": photos}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--singles", action="store_true",
                        help="a third side: this branch's central and station, one GET per "
                             "photo (what the read-only sessions alone give)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    sys.path.insert(0, str(ROOT))
    from _machine import cpu_model
    from bench_central_ingest import TOKEN, Central
    from bench_sync_first import school_export

    trees = {"batches": ROOT, "main": args.base.resolve()}
    if args.singles:
        trees["singles"] = ROOT
    print(f"machine: {cpu_model()}, {os.cpu_count()} cpus; load at start {os.getloadavg()}",
          flush=True)
    work = Path(tempfile.mkdtemp(prefix="bench-sync-paired-"))
    centrals = {name: Central(None, code=tree) for name, tree in trees.items()}
    rates: dict[str, list[float]] = {n: [] for n in trees}
    seconds: dict[str, list[float]] = {n: [] for n in trees}
    loads: list[float] = []
    try:
        escuelas, alumnos, photos, avg = school_export(work / "export", args.students)
        for central in centrals.values():
            central.cli("import-roster", str(escuelas), str(alumnos))
            central.cli("import-photos", str(photos))
            central.start()
        print(f"{len(centrals)} centrals: {args.students} students each, photos of "
              f"{avg / 1024:.1f} KB "
              "on average", flush=True)
        for r in range(args.runs):
            order = list(trees.items())[r % len(trees):] + list(trees.items())[:r % len(trees)]
            for name, tree in order:
                folder = work / "station"
                shutil.rmtree(folder, ignore_errors=True)
                out = subprocess.run(
                    [sys.executable, "-c", WORKER, str(folder), centrals[name].url, TOKEN,
                     str(ROOT / "bench"), name], capture_output=True, text=True, cwd=tree,
                    env={**os.environ, "PYTHONPATH": str(tree)}, timeout=1800)
                if out.returncode != 0:
                    raise RuntimeError(out.stderr)
                answer = json.loads(out.stdout.strip().splitlines()[-1])
                assert answer["photos"] == args.students, answer
                rate = answer["bytes"] / 1e6 / answer["s"]
                rates[name].append(rate)
                seconds[name].append(answer["s"])
                loads.append(os.getloadavg()[0])
                print(f"  run {r} {name:8s} {answer['s']:6.1f} s  {rate:5.2f} MB/s "
                      f"(load {loads[-1]:.2f})", flush=True)
                time.sleep(1)
        print(f"\nload at end {os.getloadavg()}; during the runs "
              f"{min(loads):.1f}-{max(loads):.1f}")
        pairs = [a / b for a, b in zip(rates["batches"], rates["main"], strict=True)]
        if args.singles:
            print("singles / main per run: " + ", ".join(
                f"{a / b:.2f}x" for a, b in zip(rates["singles"], rates["main"], strict=True)))
        for name in trees:
            print(f"{name:8s} median {statistics.median(rates[name]):5.2f} MB/s "
                  f"({min(rates[name]):.2f}-{max(rates[name]):.2f}), "
                  f"{statistics.median(seconds[name]):6.1f} s")
        new, old = statistics.median(rates["batches"]), statistics.median(rates["main"])
        print(f"first sync MB/s, median of {args.runs} paired runs: batches {new:.2f}, "
              f"main {old:.2f}, ratio {new / old:.2f}x; per pair "
              + ", ".join(f"{p:.2f}x" for p in pairs))
    finally:
        for central in centrals.values():
            central.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
