"""Cycle lists of a 2,000-student school: who needs a card, who only the hologram.

A ledger like a DRSE station's after a few cycles: the measured school has 2,000 enrolled
students (plus 100 withdrawn); 8,000 more students in 8 other schools share the tables. Of
the school's students about 70 % hold an active card (half of them with this cycle's hologram),
some had spoiled or revoked cards, 3 % declined, 2 % reported a loss (half paid a replacement).

Measured, median of several runs, on a read-only connection as the services use:
  1. ``cycle_lists`` — one SQL query, each condition answered by an index;
  2. ``ledger.pending_students`` — the list ``station print --all-pending`` prints;
  3. ``cycle_lists_python`` — the obvious alternative: read the whole tables, decide in Python.
The goal is ≤ 50 ms for the lists of one school.

Run: .venv/bin/python bench/bench_pending_lists.py [--runs 15]
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from station.core.cycles import Need
from station.store import ledger
from station.store.db import Database
from station.store.lifecycle_records import cycle_lists, cycle_lists_python

CYCLE = "2026-2027"
SCHOOL = "14DPR0000A"
STUDENTS = 2000
OTHER_SCHOOLS, OTHER_STUDENTS = 8, 1000


def build(path: Path, seed: int = 2026) -> None:
    """Fill the ledger directly (facts only, foreign keys off): fast and reproducible."""
    Database(path).close()
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    conn.execute("BEGIN")
    schools = [SCHOOL, *(f"14DPR{i:04d}B" for i in range(1, OTHER_SCHOOLS + 1))]
    for cct in schools:
        conn.execute("INSERT INTO schools VALUES (?, 'ESCUELA', 'PRIMARIA', 'MATUTINO', 'D', 'M',"
                     " '1', 'DRSE', 500, 1, 't')", (cct,))
    folio = serial = report = 0
    for cct in schools:
        count = STUDENTS + 100 if cct == SCHOOL else OTHER_STUDENTS
        for i in range(count):
            curp = f"{cct[5:9]}{i:06d}HJCXXX{i % 10}{i % 7}"
            estatus = "BAJA" if i >= count - (100 if cct == SCHOOL else 0) else "INSCRITO"
            conn.execute(
                "INSERT INTO students (curp, nombre, primer_apellido, segundo_apellido, cct,"
                " grado, grupo, ciclo, estatus, nuevo_ingreso, updated_at) VALUES"
                " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 't')",
                (curp, rng.choice(["ANA", "LUIS", "SOFÍA", "MATEO"]),
                 rng.choice(["PÉREZ", "LÓPEZ", "NÚÑEZ", "GARCÍA"]), rng.choice(["", "RUIZ"]),
                 cct, rng.randint(1, 6), rng.choice("ABCD"), CYCLE, estatus,
                 int(rng.random() < 0.2)))
            roll = rng.random()
            if roll < 0.1:  # an old spoiled or revoked card
                folio += 1
                conn.execute("INSERT INTO cards VALUES (?, ?, ?, 'X', '2025-09-01', 'k', ?, NULL)",
                             (folio, curp, cct, rng.choice(["spoiled", "revoked"])))
            if roll < 0.7:
                folio += 1
                conn.execute("INSERT INTO cards VALUES (?, ?, ?, 'X', '2025-09-01', 'k',"
                             " 'active', NULL)", (folio, curp, cct))
                for cycle in ("2025-2026", CYCLE):
                    if cycle == CYCLE and rng.random() < 0.5:
                        continue
                    serial += 1
                    conn.execute("INSERT INTO hologram_uses VALUES (?, 1, 'applied', ?, ?, ?,"
                                 " '', 'd', '', 't')", (f"H{serial:07d}", cycle, curp, folio))
            elif roll < 0.72:
                folio += 1
                conn.execute("INSERT INTO cards VALUES (?, ?, ?, 'X', '2025-09-01', 'k',"
                             " 'revoked', 'lost')", (folio, curp, cct))
                report += 1
                conn.execute("INSERT INTO card_reports (folio, curp, kind, reported_on, taken_by,"
                             " at) VALUES (?, ?, 'lost', '2026-09-01', 'x', 't')", (folio, curp))
                if rng.random() < 0.5:
                    conn.execute("INSERT INTO replacements (curp, old_folio, reason, receipt_ref,"
                                 " receipt_date, fee_mxn, taken_by, at) VALUES (?, ?, 'lost', ?,"
                                 " 'd', 28, 'x', 't')", (curp, folio, f"R{report:07d}"))
            if rng.random() < 0.03:
                conn.execute("INSERT INTO declines (curp, declined_on, declared_by, taken_by,"
                             " notes, at) VALUES (?, 'd', 'tutor', 'x', '', 't')", (curp,))
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def median_ms(fn: Callable[[], object], runs: int) -> tuple[float, float, float]:
    fn()  # warm the page cache and the statement cache
    times = []
    for _ in range(runs):
        gc.collect()  # each run starts without the previous run's garbage: fairer medians
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), min(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cpus, python {platform.python_version()}, "
          f"sqlite {sqlite3.sqlite_version}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.sqlite3"
        t0 = time.perf_counter()
        build(path)
        print(f"ledger built in {time.perf_counter() - t0:.1f} s "
              f"({path.stat().st_size / 1e6:.1f} MB)")
        db = Database(path)
        with db.read() as conn:
            sql = cycle_lists(conn, SCHOOL, CYCLE)
            assert sql == cycle_lists_python(conn, SCHOOL, CYCLE), "the two must agree"
            counts = {n.value: sum(1 for s in sql if s.need is n) for n in Need}
            print(f"school {SCHOOL}: {len(sql)} enrolled, {counts}")
            rows = [
                ("cycle_lists (SQL, one query)", lambda: cycle_lists(conn, SCHOOL, CYCLE)),
                ("pending_students (SQL)", lambda: ledger.pending_students(conn, SCHOOL)),
                ("cycle_lists_python (whole tables)",
                 lambda: cycle_lists_python(conn, SCHOOL, CYCLE)),
            ]
            results = {name: median_ms(fn, args.runs) for name, fn in rows}
        db.close()
    print(f"\n{'what':<36} {'median':>9} {'min':>9} {'max':>9}   (ms, {args.runs} runs)")
    for name, (med, lo, hi) in results.items():
        print(f"{name:<36} {med:9.1f} {lo:9.1f} {hi:9.1f}")
    ratio = results[rows[2][0]][0] / results[rows[0][0]][0]
    print(f"\nratio Python over whole tables / SQL: {ratio:.1f}x   (goal: SQL ≤ 50 ms)")


if __name__ == "__main__":
    main()
