"""200 stations syncing at once against one central (PostgreSQL, uvicorn workers).

Central runs as ``central serve --workers N`` on loopback over a PostgreSQL 15 it starts.
200 enrolled stations start together (a barrier) and each does one sync: push 60 events
(20 sheets of 8 cards), pull roster, trust list, revocations, configuration, and ask for a
folio block. Every request's latency is recorded; a request that does not answer 2xx at the
first try counts as an error (no retries here). Workers 1 and 2 side by side.

Run: .venv/bin/python bench/bench_central_load.py [--stations 200] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench_central_ingest import PG_BIN, ROOT, Central, Postgres, demo_roster, events, machine


def one_sync(url: str, key: object, barrier: threading.Barrier,
             latencies: list[float], errors: list[str], lock: threading.Lock) -> None:
    from station.sync.client import CentralClient, SyncError

    client = CentralClient(url, key=key, attempts=1, timeout=120)  # type: ignore[arg-type]
    todo = events(60, key.key_id.hex())  # type: ignore[attr-defined]
    calls = [("POST", "/api/v1/sync/events", {"events": todo}),
             ("GET", "/api/v1/sync/roster", None), ("GET", "/api/v1/sync/trust", None),
             ("GET", "/api/v1/sync/revocations", None), ("GET", "/api/v1/sync/config", None),
             ("POST", "/api/v1/sync/folio-blocks", {"ordinal": 1})]
    barrier.wait()
    for method, path, body in calls:
        t = time.perf_counter()
        try:
            client.call(method, path, json_body=body)
            ok = None
        except SyncError as exc:
            ok = f"{path}: {exc.code}"
        with lock:
            latencies.append(time.perf_counter() - t)
            if ok:
                errors.append(ok)
    client.close()


def run(pg: Postgres, workers: int, stations: int, work: Path) -> dict[str, float]:
    from foundation.credential.keys import StationKey

    central = Central(pg.new_database(), workers=workers)
    try:
        demo_roster(central, work / f"export-{workers}")
        central.start()
        keys = [StationKey.generate(work / f"w{workers}" / f"k{i}" / "k")
                for i in range(stations)]
        for key in keys:
            central.enroll(key)
        barrier = threading.Barrier(stations)
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        threads = [threading.Thread(target=one_sync,
                                    args=(central.url, k, barrier, latencies, errors, lock))
                   for k in keys]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        latencies.sort()
        return {"p50": statistics.median(latencies),
                "p99": latencies[int(len(latencies) * 0.99) - 1], "max": latencies[-1],
                "wall": wall, "requests": len(latencies), "errors": len(errors)}
    finally:
        central.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stations", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    print(f"machine: {machine()}")
    if not (PG_BIN / "initdb").exists():
        print("PostgreSQL 15 is not installed: nothing to measure")
        return
    pg = Postgres()
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    try:
        results = {}
        for workers in args.workers:
            r = results[workers] = run(pg, workers, args.stations, work)
            print(f"workers {workers}: {args.stations} stations, {r['requests']:.0f} requests "
                  f"in {r['wall']:.1f} s; latency p50 {r['p50'] * 1000:.0f} ms, "
                  f"p99 {r['p99'] * 1000:.0f} ms, max {r['max'] * 1000:.0f} ms; "
                  f"errors {r['errors']:.0f}")
        if len(results) > 1:
            a, b = args.workers[0], args.workers[-1]
            ratio = results[a]["wall"] / results[b]["wall"]
            print(f"wall-time ratio workers {a}/{b}: {ratio:.2f}x")
    finally:
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
