"""The access record's cost on a read (issue 18): writing one row per student a page or a
download names, beside the obvious way (ORM objects with ``session.add_all``), on SQLite.

Sizes: 1 (a student's page), 200 (a list page), 20,000 (a state-wide sábana download).
Each run writes into a fresh migrated database that already holds 200,000 access rows (a
busy season of reads), so the indexes are not empty.
Run: PYTHONPATH=. .venv/bin/python bench/bench_privacy_access.py [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import cpu_model

from conalep.db import upgrade
from conalep.models.privacy import AccessRecord
from conalep.privacy.access import record_reads
from foundation.sqldb import bulk_insert, make_engine, make_sessionmaker

SIZES = (1, 200, 20_000)
PRELOAD = 200_000


def fresh(folder: Path, name: str) -> tuple[object, object]:
    url = f"sqlite:///{folder / name}"
    upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    now = dt.datetime.now(dt.UTC)
    with sessions() as s:
        bulk_insert(s, AccessRecord, [
            {"at": now, "staff": "x", "role": "dg_escolares", "matricula": f"{i:010d}",
             "what": "ficha del alumno", "detail": "", "ip": ""} for i in range(PRELOAD)])
        s.commit()
    return engine, sessions


def ours(sessions: object, matriculas: list[str]) -> None:
    with sessions() as s:  # type: ignore[operator]
        record_reads(s, None, staff="dg", role="dg_escolares", what="sábana SISEAC (CSV)",
                     matriculas=matriculas, detail="/staff/siseac-sabana.csv?periodo=x")


def obvious(sessions: object, matriculas: list[str]) -> None:
    now = dt.datetime.now(dt.UTC)
    with sessions() as s:  # type: ignore[operator]
        s.add_all([AccessRecord(at=now, staff="dg", role="dg_escolares", matricula=m,
                                what="sábana SISEAC (CSV)",
                                detail="/staff/siseac-sabana.csv?periodo=x", ip="")
                   for m in matriculas])
        s.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}, {os.cpu_count()} cores; load average "
          f"{os.getloadavg()[0]:.1f}; SQLite; {PRELOAD:,} rows already in privacy_access")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine, sessions = fresh(folder, "a.db")
        print(f"{'students':>9} {'record_reads ms':>16} {'ORM add_all ms':>15} {'ratio':>6}")
        for n in SIZES:
            times: dict[str, list[float]] = {"ours": [], "obvious": []}
            for run in range(args.runs):
                names = [f"{run:02d}{n:06d}{i:07d}"[:20] for i in range(n)]
                for key, fn in (("ours", ours), ("obvious", obvious)):
                    start = time.perf_counter()
                    fn(sessions, names)
                    times[key].append((time.perf_counter() - start) * 1000)
            a, b = statistics.median(times["ours"]), statistics.median(times["obvious"])
            print(f"{n:>9,} {a:>16.1f} {b:>15.1f} {b / a:>5.1f}×")
        engine.dispose()  # type: ignore[attr-defined]
        print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
