"""Many stations of one school pushing sheets of the *same* students at once (issue 10, #7).

Every station is enrolled for one school, takes its folio block, and then all start together
(a barrier) and push ``pushes`` sheets of 8 cards each, chosen among the school's students so
every student gets cards from many stations: each push supersedes other stations' cards,
revokes them and records conflicts, on the same rows, at the same time. Each station keeps
one HTTP connection (``requests.Session``) for all its pushes, so a 500 that closed it would
show as an error on the next one. No retries: any answer that is not 200 is an error.

``tests/test_central_load.py`` runs :func:`run_overlap` in CI (SQLite and PostgreSQL); this
script measures it: ``central serve`` as a process over SQLite and over a PostgreSQL it
starts, several runs, the median p50/p99 of each.

Run: .venv/bin/python bench/bench_central_overlap.py [--stations 50] [--pushes 4] [--runs 3]
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import requests

SCHOOL = "14DPR9901D"


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(0, int(len(ordered) * q + 0.5) - 1)] if ordered else 0.0


def signed_post(http: requests.Session, url: str, key: Any, path: str,
                body: object) -> requests.Response:
    from foundation.contract import protocol

    data = json.dumps(body).encode()
    headers = protocol.signed_headers("POST", path, data, key_id=key.key_id, sign=key.sign,
                                      timestamp=int(time.time()))
    headers["Content-Type"] = "application/json"
    return http.post(url + path, data=data, headers=headers, timeout=120)


def enroll(url: str, token: str, key: Any, *, school: str = SCHOOL) -> tuple[int, int]:
    """Enroll ``key`` for ``school`` and take its first folio block: (first, last)."""
    staff = {"Authorization": f"Bearer {token}"}
    code = requests.post(f"{url}/api/v1/admin/enrollment-codes", headers=staff, timeout=60,
                         json={"kind": "escuela", "school_cct": school,
                               "station_name": "carga", "staff": "carga"}).json()["code"]
    with requests.Session() as http:
        answer = signed_post(http, url, key, "/api/v1/enroll", {
            "code": code, "public_key": base64.b64encode(key.public_bytes()).decode()})
        assert answer.status_code == 200, answer.text
        block = signed_post(http, url, key, "/api/v1/sync/folio-blocks", {"ordinal": 1})
        assert block.status_code == 200, block.text
        return int(block.json()["first"]), int(block.json()["last"])


def _station(url: str, key: Any, block: tuple[int, int], curps: list[str], pushes: int,
             seed: int, barrier: threading.Barrier, out: Outcome,
             lock: threading.Lock) -> None:
    rng = random.Random(seed)
    folio = block[0]
    with requests.Session() as http:
        barrier.wait()
        for n in range(1, pushes + 1):
            chosen = rng.sample(curps, min(8, len(curps))) if curps else [
                f"{key.key_id.hex()[:6].upper()}{n:06d}HJC{i:03d}" for i in range(8)]
            day = date.today() - timedelta(days=rng.randint(0, 30))
            event = {"seq": n, "prev_seq": n - 1, "at": f"{day.isoformat()}T1{n % 10}:00:00Z",
                     "kind": "sheet_issued",
                     "payload": {"sheet": n, "cct": SCHOOL, "issued_on": day.isoformat(),
                                 "key_id": key.key_id.hex(), "reprint_of": None,
                                 "cancelled": [],
                                 "cards": [{"folio": folio + i, "curp": c}
                                           for i, c in enumerate(chosen)]}}
            folio += len(chosen)
            t0 = time.perf_counter()
            try:
                answer = signed_post(http, url, key, "/api/v1/sync/events",
                                     {"events": [event]})
                problem = None if answer.status_code == 200 and \
                    answer.json()["acked_through"] == n and not answer.json().get("refused") \
                    else f"{answer.status_code}: {answer.text[:200]}"
            except requests.RequestException as exc:
                problem = f"{type(exc).__name__}: {exc}"
            with lock:
                out.latencies.append(time.perf_counter() - t0)
                if problem:
                    out.errors.append(problem)


def run_overlap(url: str, keys: list[Any], blocks: list[tuple[int, int]], curps: list[str],
                *, pushes: int, seed: int = 7) -> Outcome:
    """Every station pushes ``pushes`` one-sheet batches at once; latencies and errors.

    ``curps`` empty: every station's cards are for students of its own (the alternative
    without contention, for the side-by-side ratio)."""
    out, lock = Outcome(), threading.Lock()
    barrier = threading.Barrier(len(keys))
    threads = [threading.Thread(target=_station, args=(url, k, b, curps, pushes, seed + i,
                                                       barrier, out, lock))
               for i, (k, b) in enumerate(zip(keys, blocks, strict=True))]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.wall = time.perf_counter() - t0
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stations", type=int, default=50)
    parser.add_argument("--pushes", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--distinct", action="store_true",
                        help="each station its own students: no overlap (the alternative)")
    args = parser.parse_args()
    from bench_central_ingest import PG_BIN, ROOT, TOKEN, Central, Postgres, demo_roster, machine

    sys.path.insert(0, str(ROOT))
    from foundation.credential.keys import StationKey
    from station.services.demo_data import demo_export_rows

    curps = [a["curp"] for a in demo_export_rows(students=30)[1] if a["cct"] == SCHOOL]
    print(f"machine: {machine()}")
    pg = Postgres() if (PG_BIN / "initdb").exists() else None
    work = Path(tempfile.mkdtemp(prefix="bench-overlap-"))
    try:
        for name in ("sqlite", "postgresql"):
            if name == "postgresql" and pg is None:
                print("PostgreSQL 15 is not installed: only SQLite measured")
                continue
            p50s, p99s, walls, errors = [], [], [], 0
            for run in range(args.runs):
                central = Central(pg.new_database() if name == "postgresql" and pg else None)
                try:
                    demo_roster(central, work / f"export-{name}-{run}")
                    central.start()
                    keys = [StationKey.generate(work / f"{name}{run}" / f"k{i}" / "k")
                            for i in range(args.stations)]
                    blocks = [enroll(central.url, TOKEN, k) for k in keys]
                    r = run_overlap(central.url, keys, blocks, [] if args.distinct else curps,
                                    pushes=args.pushes, seed=run)
                finally:
                    central.stop()
                p50s.append(r.quantile(0.5))
                p99s.append(r.quantile(0.99))
                walls.append(r.wall)
                errors += len(r.errors)
                for problem in r.errors[:3]:
                    print(f"    error: {problem}")
                print(f"  {name} run {run + 1}: {len(r.latencies)} pushes in {r.wall:.1f} s, "
                      f"p50 {r.quantile(0.5) * 1000:.0f} ms, p99 {r.quantile(0.99) * 1000:.0f}"
                      f" ms, errors {len(r.errors)}")
            what = "distinct students" if args.distinct else "overlapping students"
            print(f"{name}, {what}: {args.stations} stations x {args.pushes} pushes, median of "
                  f"{args.runs} runs: p50 {statistics.median(p50s) * 1000:.0f} ms, "
                  f"p99 {statistics.median(p99s) * 1000:.0f} ms, wall "
                  f"{statistics.median(walls):.1f} s; errors {errors}")
    finally:
        if pg is not None:
            pg.stop()


if __name__ == "__main__":
    main()
