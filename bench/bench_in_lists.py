"""The ingest's per-push lookups: an IN list of one parameter per value (SQLAlchemy's
``in_``) beside one bound parameter for the whole list (``central.crud.among``: the list as
one JSON text, PostgreSQL ``= ANY(ARRAY(SELECT json_array_elements_text…))``, SQLite
``json_each``), on both databases, same run; on PostgreSQL also the list bound as an array
(``= ANY(:array)``, the form ``among`` used before: psycopg builds the array's text in Python).

Per push of 500 events the trust checks look up ~1,300 CURPs (students, their moves, other
stations' active cards). Median of 15 rounds of those three queries on a migrated, empty
central database (the lists' cost, not the tables').

Run: .venv/bin/python bench/bench_in_lists.py
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_central_ingest import PG_BIN, Postgres, machine  # noqa: E402

from central.crud.among import among  # noqa: E402
from central.db import upgrade  # noqa: E402
from central.models import Card, Student, StudentMove  # noqa: E402
from foundation.sqldb import make_engine, make_sessionmaker  # noqa: E402

CURPS = [f"ABCD{i:06d}HJCXXX{i % 100:02d}" for i in range(1336)]


def in_lists(session: Any) -> None:
    for i in range(0, len(CURPS), 1000):  # the chunks the old code used
        chunk = CURPS[i:i + 1000]
        session.execute(select(Student.curp, Student.cct).where(Student.curp.in_(chunk))).all()
        session.execute(select(StudentMove.curp).where(StudentMove.curp.in_(chunk))).all()
        session.scalars(select(Card.curp).where(Card.curp.in_(chunk), Card.status == "active",
                                                Card.cct.not_in(["14DPR9901D"]))).all()


def one_parameter(session: Any) -> None:
    session.execute(select(Student.curp, Student.cct).where(
        among(session, Student.curp, CURPS))).all()
    session.execute(select(StudentMove.curp).where(among(session, StudentMove.curp,
                                                         CURPS))).all()
    session.scalars(select(Card.curp).where(among(session, Card.curp, CURPS),
                                            Card.status == "active",
                                            ~among(session, Card.cct, ["14DPR9901D"]))).all()


def _bound_array(column: Any, values: list[str]) -> Any:
    return column == any_(bindparam(None, values, type_=ARRAY(column.type)))


def array_parameter(session: Any) -> None:
    session.execute(select(Student.curp, Student.cct).where(
        _bound_array(Student.curp, CURPS))).all()
    session.execute(select(StudentMove.curp).where(_bound_array(StudentMove.curp, CURPS))).all()
    session.scalars(select(Card.curp).where(_bound_array(Card.curp, CURPS),
                                            Card.status == "active",
                                            ~_bound_array(Card.cct, ["14DPR9901D"]))).all()


def measure(url: str) -> dict[str, float]:
    upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    ways: dict[str, Callable[[Any], None]] = {"in": in_lists, "one": one_parameter}
    if url.startswith("postgresql"):
        ways["array"] = array_parameter
    out: dict[str, list[float]] = {name: [] for name in ways}
    with sessions() as session:
        for _ in range(15):
            for name, way in ways.items():  # alternating: the same load for both
                t0 = time.perf_counter()
                way(session)
                out[name].append(time.perf_counter() - t0)
    engine.dispose()
    return {k: statistics.median(v) * 1000 for k, v in out.items()}


def main() -> None:
    print(f"machine: {machine()}\nload average: {os.getloadavg()}")
    folder = Path(tempfile.mkdtemp(prefix="bench-in-"))
    pg = Postgres() if (PG_BIN / "initdb").exists() else None
    try:
        urls = {"sqlite": f"sqlite:///{folder / 'central.sqlite3'}"}
        if pg:
            urls["postgresql"] = pg.new_database()
        for name, url in urls.items():
            ms = measure(url)
            line = (f"{name:10s} IN lists: {ms['in']:7.1f} ms   one parameter: {ms['one']:7.1f} ms"
                    f"   ratio {ms['in'] / ms['one']:.2f}x")
            if "array" in ms:
                line += (f"   bound array: {ms['array']:7.1f} ms   ratio "
                         f"{ms['array'] / ms['one']:.2f}x")
            print(line)
    finally:
        if pg:
            pg.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
