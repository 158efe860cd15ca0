"""First sync MB/s: photos stored in batches (one sync a roster page) vs two fsyncs a photo.

One central (``central serve``, SQLite, loopback) holds a school of 2,000 students with
~30 KB JPEG photos (as in bench_sync_first.py). For each run a fresh station enrolls and does
its first sync (roster, photos checked against their SHA-256, trust list, folio blocks) once
with this checkout and once with ``--base`` (main before issue 17), in alternating order, each
in its own process. MB/s = bytes of the photos downloaded / seconds of the whole first sync.

Run: .venv/bin/python bench/bench_sync_paired.py --base /work/wt/printer17-base [--runs 5]
     [--students 2000]
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
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    sys.path.insert(0, str(ROOT))
    from _machine import cpu_model
    from bench_central_ingest import TOKEN, Central
    from bench_sync_first import school_export

    trees = {"batched": ROOT, "fsync each (main)": args.base.resolve()}
    print(f"machine: {cpu_model()}, {os.cpu_count()} cpus; load at start {os.getloadavg()}",
          flush=True)
    work = Path(tempfile.mkdtemp(prefix="bench-sync-paired-"))
    central = Central(None)
    results: dict[str, list[float]] = {}
    try:
        escuelas, alumnos, photos, avg = school_export(work / "export", args.students)
        central.cli("import-roster", str(escuelas), str(alumnos))
        central.cli("import-photos", str(photos))
        central.start()
        print(f"central: {args.students} students, photos of {avg / 1024:.1f} KB on average",
              flush=True)
        for r in range(args.runs):
            order = list(trees.items()) if r % 2 == 0 else list(trees.items())[::-1]
            for name, tree in order:
                folder = work / "station"
                shutil.rmtree(folder, ignore_errors=True)
                out = subprocess.run(
                    [sys.executable, "-c", WORKER, str(folder), central.url, TOKEN,
                     str(ROOT / "bench")], capture_output=True, text=True, cwd=tree,
                    env={**os.environ, "PYTHONPATH": str(tree)}, timeout=1800)
                if out.returncode != 0:
                    raise RuntimeError(out.stderr)
                answer = json.loads(out.stdout.strip().splitlines()[-1])
                assert answer["photos"] == args.students, answer
                rate = answer["bytes"] / 1e6 / answer["s"]
                results.setdefault(name, []).append(rate)
                print(f"  run {r} {name:18s} {answer['s']:6.1f} s  {rate:5.2f} MB/s "
                      f"(load {os.getloadavg()[0]:.2f})", flush=True)
                time.sleep(1)
        print(f"\nload at end {os.getloadavg()}")
        new, old = (statistics.median(results[n]) for n in trees)
        print(f"first sync MB/s, median of {args.runs} paired runs: batched {new:.2f}, "
              f"fsync each (main) {old:.2f}, ratio {new / old:.2f}x")
    finally:
        central.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
