"""How central writes a batch of station events into PostgreSQL: COPY vs INSERT … ON CONFLICT.

The ingest path (``central/crud/events.py`` → ``central/db.py: bulk_insert``) writes each
batch of 500 events with one ``COPY … FROM STDIN``. The obvious alternatives, side by side
in the same run, on the same server and table, one transaction per batch (as a push is):

- ``executemany``: one ``INSERT … ON CONFLICT DO NOTHING`` statement, psycopg 3 executemany
  (pipelined);
- ``values``: SQLAlchemy ``insert().on_conflict_do_nothing()`` with the batch's rows (one
  multi-row ``VALUES`` statement per batch, "insertmanyvalues").

Prints the machine, the median of several runs (events/s) and each alternative's ratio to
COPY. Run: .venv/bin/python bench/bench_event_insert.py [--events 20000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_central_ingest import Postgres, events, machine  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.dialects.postgresql import insert as pg_insert  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from central.crud.events import Event  # noqa: E402
from central.db import bulk_insert, make_engine, make_sessionmaker, upgrade  # noqa: E402
from central.models import Station, StationEvent  # noqa: E402
from foundation.contract.events import parse_payload  # noqa: E402

BATCH = 500
_COLUMNS = ("station_id", "seq", "prev_seq", "at", "kind", "payload", "digest", "received_at")


def rows_for(station: str, n: int) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    out = []
    for e in events(n, "ab" * 8):
        ev = Event(e["seq"], e["prev_seq"], e["at"], parse_payload(e["kind"], e["payload"]),
                   e["payload"])
        payload = ev.payload_text()
        out.append({"station_id": station, "seq": ev.seq, "prev_seq": ev.prev_seq, "at": ev.at,
                    "kind": ev.kind, "payload": payload, "digest": ev.digest(payload),
                    "received_at": now})
    return out


def by_copy(session: Session, rows: list[dict[str, Any]]) -> None:
    bulk_insert(session, StationEvent, rows)


def by_executemany(session: Session, rows: list[dict[str, Any]]) -> None:
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    with raw.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO station_events ({', '.join(_COLUMNS)}) VALUES "
            f"({', '.join(['%s'] * len(_COLUMNS))}) ON CONFLICT DO NOTHING",
            [tuple(r[c] for c in _COLUMNS) for r in rows])


def by_values(session: Session, rows: list[dict[str, Any]]) -> None:
    session.execute(pg_insert(StationEvent.__table__).on_conflict_do_nothing(), rows)


def run(factory: Any, method: Callable[[Session, list[dict[str, Any]]], None],
        rows: list[dict[str, Any]]) -> float:
    t0 = time.perf_counter()
    for i in range(0, len(rows), BATCH):
        with factory() as session, session.begin():
            method(session, rows[i:i + BATCH])
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    pg = Postgres()
    try:
        url = pg.new_database()
        upgrade(url)
        engine = make_engine(url)
        factory = make_sessionmaker(engine)
        methods = {"copy": by_copy, "executemany": by_executemany, "values": by_values}
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO regions (name) VALUES ('B')"))
            for name in methods:
                for r in range(args.runs):
                    conn.execute(insert(Station), [{
                        "id": f"{name[:4]}{r}", "name": "b", "kind": "drse", "drse": "B",
                        "key_id": f"{name[:4]}{r:012d}"[:16], "public_key": bytes(32),
                        "enrolled_at": datetime.now(UTC), "applied_through": 0}])
        times: dict[str, list[float]] = {name: [] for name in methods}
        for r in range(args.runs):  # interleaved, so a noisy moment hits every method
            for name, method in methods.items():
                times[name].append(run(factory, method, rows_for(f"{name[:4]}{r}",
                                                                 args.events)))
        rate = {name: args.events / statistics.median(t) for name, t in times.items()}
        for name in methods:
            print(f"{name:12s} {rate[name]:9.0f} events/s   ratio to copy: "
                  f"{rate[name] / rate['copy']:.2f}x   (median of {args.runs} × "
                  f"{args.events} events, batches of {BATCH})")
        engine.dispose()
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
