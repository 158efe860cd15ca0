"""What a card row costs in central's ``COPY cards`` on PostgreSQL, and what of it is the
``station_id`` foreign key and the ``ix_cards_curp`` index.

Four databases of one throwaway PostgreSQL, migrated to head: as is; without
``ix_cards_curp`` (``cards_progress`` starts with ``curp`` too); with the foreign key
``DEFERRABLE INITIALLY DEFERRED``; without the foreign key. Each round copies 3 batches of
1,333 card rows (a 500-event push's cards) into each database, one commit per round; the
databases alternate. Median µs per row of 8 rounds.

Run: .venv/bin/python bench/bench_card_copy.py [--rounds 8]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_central_ingest import Postgres, machine  # noqa: E402

from central.db import upgrade  # noqa: E402

COLUMNS = ("station_id, key_id, folio, curp, cct, issued_on, issued_at, sheet, event_seq, "
           "status, status_reason, superseded_by, updated_at")
VARIANTS = {
    "as is": None,
    "without ix_cards_curp": "DROP INDEX ix_cards_curp",
    "foreign key deferred to commit": "ALTER TABLE cards ALTER CONSTRAINT "
                                      "cards_station_id_fkey DEFERRABLE INITIALLY DEFERRED",
    "without the foreign key": "ALTER TABLE cards DROP CONSTRAINT cards_station_id_fkey",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    print(f"machine: {machine()}\nload average before: {os.getloadavg()}")
    pg = Postgres()
    try:
        urls: dict[str, str] = {}
        for name, change in VARIANTS.items():
            urls[name] = pg.new_database()
            upgrade(urls[name])
            with psycopg.connect(urls[name], autocommit=True) as conn:
                conn.execute("INSERT INTO stations (id, name, kind, key_id, public_key, "
                             "enrolled_at, applied_through) "
                             "VALUES ('s', 'banco', 'escuela', 'k', '\\x00', now(), 0)")
                if change:
                    conn.execute(change)
        per_row: dict[str, list[float]] = {name: [] for name in VARIANTS}
        folio = 0
        for _ in range(args.rounds):
            for name, url in urls.items():
                with psycopg.connect(url) as conn:
                    t0 = time.perf_counter()
                    for batch in range(3):
                        with conn.cursor() as cur, cur.copy(
                                f"COPY cards ({COLUMNS}) FROM STDIN") as copy:
                            for i in range(1333):
                                f = folio + batch * 1333 + i
                                copy.write_row([
                                    "s", "k", f, f"CURP{(f * 7919) % 10**9:014d}", "14DPR9901D",
                                    "2026-09-01", "2026-09-01T10:00:00+00:00", f // 8,
                                    f // 8 * 3, "active", None, None, "2026-09-01 10:00:00+00"])
                    conn.commit()
                    per_row[name].append((time.perf_counter() - t0) / (3 * 1333))
            folio += 3 * 1333
        base = statistics.median(per_row["as is"])
        for name, times in per_row.items():
            median = statistics.median(times)
            print(f"{name:32s} {median * 1e6:6.1f} µs per card row   ({median / base:.2f}×)")
    finally:
        pg.stop()
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
