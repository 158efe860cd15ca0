"""The photo store alone: 500 photos of 30 KB written one by one (two fsyncs each) vs as one
batch (``PhotoStore.batch``: one syncfs for the bytes, one for the names), paired runs.

The store is created beside this checkout (``--dir``), on the disk the station's data would
use, not in a tmpfs. bench_sync_paired.py measures the whole first sync; this isolates the
part issue 17 changed, which a busy shared machine's noise hides in the whole.

Run: .venv/bin/python bench/bench_photo_store.py [--runs 5] [--photos 500] [--dir ..]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--photos", type=int, default=500)
    parser.add_argument("--dir", type=Path, default=ROOT.parent)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from _machine import cpu_model

    from foundation.photostore import PhotoStore

    print(f"machine: {cpu_model()}, {os.cpu_count()} cpus; load at start {os.getloadavg()}")
    photos = [os.urandom(30_000) for _ in range(args.photos)]
    megabytes = sum(map(len, photos)) / 1e6
    results: dict[str, list[float]] = {"one by one": [], "batch": []}
    for run in range(args.runs):
        for kind in (("one by one", "batch") if run % 2 == 0 else ("batch", "one by one")):
            root = Path(tempfile.mkdtemp(prefix="bench-photo-store-", dir=args.dir))
            store = PhotoStore(root / "fotos")
            t = time.perf_counter()
            if kind == "one by one":
                for data in photos:
                    store.add(data, ext="jpg")
            else:
                with store.batch() as batch:
                    for data in photos:
                        batch.add(data, ext="jpg")
            seconds = time.perf_counter() - t
            results[kind].append(megabytes / seconds)
            print(f"  run {run} {kind:10s} {seconds:6.2f} s  {megabytes / seconds:5.1f} MB/s "
                  f"(load {os.getloadavg()[0]:.2f})", flush=True)
            shutil.rmtree(root)
    each, batch = (statistics.median(results[k]) for k in ("one by one", "batch"))
    print(f"\nload at end {os.getloadavg()}")
    print(f"MB/s, median of {args.runs} paired runs: one by one {each:.1f}, batch {batch:.1f}, "
          f"ratio {batch / each:.1f}x")


if __name__ == "__main__":
    main()
