"""Ledger milliseconds per sheet with 1k / 100k / 1M folios already used, counters vs count.

A station ledger is filled with a synthetic history of F used folios (blocks of 1,000, seven
cards and one cancelled blank a sheet, one event a sheet), made with the schema of ``--base``
(main before issue 17). Then the same ledger, copied once per code tree, issues sheets with
each tree in turn (paired runs, alternating order, one process per run): this checkout
(migration 0010: each block keeps its used count; the first open migrates the copy, before
any timing) and ``--base`` (``SELECT block_id, count(*) FROM folio_uses GROUP BY block_id``
twice per sheet). The sheet's rendering is replaced by a one-line file, so what is timed is
the sheet's IMMEDIATE transaction: folios, cards, events, the file's fsync and the commit.

Run: .venv/bin/python bench/bench_ledger_sheet.py --base /work/wt/printer17-base [--runs 5]
     [--folios 1000,100000,1000000] [--sheets 15]
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

BUILD = """
import sqlite3, sys
from pathlib import Path
from station.context import open_station
from station.services.demo_data import write_demo_export
from station.services.roster_import import import_roster
from station.store import ledger
data, folios = Path(sys.argv[1]), int(sys.argv[2])
station = open_station(data)
escuelas, alumnos = write_demo_export(data / "export", students=60, seed=3)
import_roster(station, escuelas, alumnos)
with station.db.read() as conn:
    cct = ledger.list_schools(conn)[0].cct
station.close()
conn = sqlite3.connect(data / "ledger.sqlite3", isolation_level=None)
conn.execute("PRAGMA foreign_keys=OFF")
conn.execute("BEGIN")
at = "2026-01-05T10:00:00+00:00"
conn.executemany("INSERT INTO folio_blocks (id, first_folio, last_folio, source, received_at)"
                 " VALUES (?, ?, ?, 'central', ?)",
                 ((b + 1, b * 1000 + 1, b * 1000 + 1000, at) for b in range(folios // 1000)))
conn.execute("INSERT INTO folio_blocks (id, first_folio, last_folio, source, received_at)"
             " VALUES (?, ?, ?, 'central', ?)", (folios // 1000 + 1, folios + 1,
                                                 folios + 100000, at))
sheets = folios // 8
conn.executemany("INSERT INTO sheets (id, cct, created_at, state, pdf_name, template)"
                 " VALUES (?, ?, ?, 'confirmed', ?, 'sej-2026')",
                 ((s + 1, cct, at, f"planilla-{s + 1:06d}.pdf") for s in range(sheets)))
def uses():
    for f in range(folios):
        s, pos = divmod(f, 8)
        yield (f + 1, f // 1000 + 1, "cancelled" if pos == 7 else "issued", s + 1, pos, at)
conn.executemany("INSERT INTO folio_uses (folio, block_id, state, sheet_id, position, at)"
                 " VALUES (?, ?, ?, ?, ?, ?)", uses())
conn.executemany("INSERT INTO cards (folio, curp, cct, name_on_card, issued_on, key_id, status)"
                 " VALUES (?, ?, ?, 'ALUMNO HISTORICO', '2026-01-05', 'k', 'revoked')",
                 ((f + 1, f"HIST{f:014d}", cct) for f in range(folios) if f % 8 != 7))
conn.executemany("INSERT INTO events (at, kind, payload) VALUES (?, 'sheet_issued', '{}')",
                 ((at,) for _ in range(sheets)))
conn.execute("COMMIT")
conn.close()
print(cct)
"""

WORKER = """
import json, statistics, sys, time
from pathlib import Path
import station.services.issuance as issuance
from station.context import open_station
from station.store import ledger
data, cct, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
issuance.render_sheets_pdf = lambda path, *a, **k: Path(path).write_bytes(b"%PDF-1.4 banco")
station = open_station(data)
with station.db.read() as conn:
    school = ledger.get_school(conn, cct)
    students = ledger.pending_students(conn, cct)[:8]
issuer = issuance.Issuer(station, printer="pdf")
issuer.ensure_folios(8 * (count + 1))
issuer._produce_one(school, students, reprint_of=None)  # warm: caches, first page reads
times = []
for _ in range(count):
    t = time.perf_counter()
    issuer._produce_one(school, students, reprint_of=None)
    times.append(time.perf_counter() - t)
station.close()
print(json.dumps({"ms": statistics.median(times) * 1000}))
"""


def run(tree: Path, code: str, *args: str) -> str:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(tree)}, cwd=tree, timeout=3600)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return out.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--folios", default="1000,100000,1000000")
    parser.add_argument("--sheets", type=int, default=15)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    from _machine import cpu_model

    base = args.base.resolve()
    trees = {"counters": ROOT, "count(*) (main)": base}
    print(f"machine: {cpu_model()}, {os.cpu_count()} cpus; load at start {os.getloadavg()}",
          flush=True)
    work = Path(tempfile.mkdtemp(prefix="bench-ledger-sheet-"))
    results: dict[tuple[str, int], list[float]] = {}
    try:
        for folios in [int(f) for f in args.folios.split(",")]:
            template = work / f"template-{folios}"
            t = time.perf_counter()
            cct = run(base, BUILD, str(template), str(folios))
            size = (template / "ledger.sqlite3").stat().st_size / 1e6
            print(f"{folios} folios: ledger of {size:.0f} MB built in "
                  f"{time.perf_counter() - t:.0f} s", flush=True)
            copies = {}
            for name, _tree in trees.items():
                copies[name] = work / f"{name.split()[0]}-{folios}"
                shutil.copytree(template, copies[name])
            shutil.rmtree(template)
            for r in range(args.runs):
                order = list(trees.items()) if r % 2 == 0 else list(trees.items())[::-1]
                for name, tree in order:
                    ms = json.loads(run(tree, WORKER, str(copies[name]), cct,
                                        str(args.sheets)))["ms"]
                    results.setdefault((name, folios), []).append(ms)
                    print(f"  {folios:8d} folios  {name:16s} run {r}: {ms:7.1f} ms/sheet "
                          f"(load {os.getloadavg()[0]:.2f})", flush=True)
            for path in copies.values():
                shutil.rmtree(path)
        print(f"\nload at end {os.getloadavg()}")
        print(f"{'folios':>9}  {'counters':>9}  {'count(*)':>9}  ratio  (median of {args.runs} "
              f"paired runs, each the median of {args.sheets} sheets, ms per sheet)")
        for folios in sorted({f for _n, f in results}):
            new = statistics.median(results[("counters", folios)])
            old = statistics.median(results[("count(*) (main)", folios)])
            print(f"{folios:9d}  {new:9.1f}  {old:9.1f}  {old / new:5.1f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
