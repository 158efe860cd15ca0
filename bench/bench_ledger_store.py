"""Ledger store: SQLite (WAL, synchronous=FULL) against TinyDB, the store first proposed.

For a ledger already holding 20,000 issued cards it measures
  1. the time of one durable write (one card, committed), median of many;
  2. what a SIGKILL in the middle of a stream of writes leaves behind (N kills each):
     can the store still be opened, and how many acknowledged writes were lost.

Run: .venv/bin/python bench/bench_ledger_store.py [--kills 20] [--writes 200]
Results go to docs/PERFORMANCE.md and docs/adr/0001-ledger-store.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PRELOAD = 20_000


def card(i: int) -> dict[str, object]:
    return {"folio": i, "curp": f"AAAA000000HJCBBB{i % 100:02d}", "cct": "14DPR2207Z",
            "name": f"ALUMNO DE PRUEBA NÚMERO {i}", "issued_on": "2026-11-21", "status": "active"}


# --- SQLite ---------------------------------------------------------------------------------

def sqlite_open(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS cards (folio INTEGER PRIMARY KEY, doc TEXT)")
    return conn


def sqlite_write(conn: sqlite3.Connection, i: int) -> None:
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO cards VALUES (?, ?)", (i, json.dumps(card(i))))
    conn.execute("COMMIT")


def sqlite_preload(path: Path) -> None:
    conn = sqlite_open(path)
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO cards VALUES (?, ?)",
                     ((i, json.dumps(card(i))) for i in range(PRELOAD)))
    conn.execute("COMMIT")
    conn.close()


def sqlite_count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM cards").fetchone()[0])
    finally:
        conn.close()


# --- TinyDB ---------------------------------------------------------------------------------

def tinydb_open(path: Path):
    from tinydb import TinyDB

    return TinyDB(path)


def tinydb_write(db, i: int) -> None:
    db.insert(card(i))


def tinydb_preload(path: Path) -> None:
    db = tinydb_open(path)
    db.insert_multiple(card(i) for i in range(PRELOAD))
    db.close()


def tinydb_count(path: Path) -> int:
    return len(tinydb_open(path))


STORES = {
    "sqlite": (sqlite_open, sqlite_write, sqlite_preload, sqlite_count),
    "tinydb": (tinydb_open, tinydb_write, tinydb_preload, tinydb_count),
}


def writer_child(store: str, path: Path) -> None:
    """Write cards forever, printing each acknowledged folio (the parent kills us)."""
    opener, write, _, _ = STORES[store]
    handle = opener(path)
    i = PRELOAD
    while True:
        write(handle, i)
        sys.stdout.write(f"{i}\n")
        sys.stdout.flush()
        i += 1


def time_writes(store: str, folder: Path, writes: int) -> list[float]:
    opener, write, preload, _ = STORES[store]
    path = folder / f"{store}.db"
    preload(path)
    handle = opener(path)
    times = []
    for i in range(PRELOAD, PRELOAD + writes):
        t0 = time.perf_counter()
        write(handle, i)
        times.append(time.perf_counter() - t0)
    return times


def kill_runs(store: str, folder: Path, kills: int, rng: random.Random) -> dict[str, int]:
    _, _, preload, count = STORES[store]
    template = folder / f"{store}-template.db"
    preload(template)
    opened = lost_acknowledged = 0
    for k in range(kills):
        path = folder / f"{store}-kill-{k}.db"
        path.write_bytes(template.read_bytes())
        proc = subprocess.Popen([sys.executable, __file__, "--child", store, str(path)],
                                stdout=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.3, 1.5))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        acknowledged = len(out.split())
        try:
            rows = count(path)
            opened += 1
            lost_acknowledged += max(0, PRELOAD + acknowledged - rows)
        except Exception:
            lost_acknowledged += PRELOAD + acknowledged
    return {"kills": kills, "store_opened": opened, "acknowledged_writes_lost": lost_acknowledged}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=2)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--writes", type=int, default=200)
    args = parser.parse_args()
    if args.child:
        writer_child(args.child[0], Path(args.child[1]))
        return
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cpus, python {platform.python_version()}")
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory(dir=Path(__file__).resolve().parent.parent) as tmp:
        folder = Path(tmp)
        medians = {}
        for store in STORES:
            times = time_writes(store, folder, args.writes)
            medians[store] = statistics.median(times)
            print(f"{store:7} durable write with {PRELOAD} cards: median "
                  f"{medians[store] * 1000:.2f} ms, p90 "
                  f"{statistics.quantiles(times, n=10)[-1] * 1000:.2f} ms over {args.writes}")
        print(f"ratio tinydb/sqlite per write: {medians['tinydb'] / medians['sqlite']:.1f}x")
        for store in STORES:
            print(f"{store:7} SIGKILL mid-write: {kill_runs(store, folder, args.kills, rng)}")


if __name__ == "__main__":
    main()
