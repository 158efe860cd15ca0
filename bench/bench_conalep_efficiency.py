"""Terminal efficiency for the whole state: 200,000 students (4 generaciones × 50,000) in
40 planteles × 8 carreras, the two oldest generaciones concluded.

Measured, median of several runs, on the conalep SQLite database as the pages use it:
  1. ``records.efficiency`` — the wing's way: the database counts (GROUP BY with
     SUM(CASE …)), Python only divides;
  2. ``python_count`` — the obvious alternative: one row per student out of the database,
     counted in Python (:func:`conalep.followup.efficiency.terminal_efficiency`);
  3. ``pandas`` — read the same columns into a DataFrame and ``groupby``;
and the chart as SVG and the Junta Directiva PDF built from the result.

Run: PYTHONPATH=$PWD .venv/bin/python bench/bench_conalep_efficiency.py [--runs 9]
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _machine import cpu_model
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from conalep.db import upgrade
from conalep.followup import records
from conalep.followup.chart import chart_svg
from conalep.followup.efficiency import Efficiency, Enrolment, terminal_efficiency
from conalep.followup.junta import junta_report
from conalep.models.academic import Alumno
from conalep.roles import Role, Scope
from foundation.sqldb import make_engine, make_sessionmaker

PLANTELES, CARRERAS, PER_GENERATION = 40, 8, 50_000
GENERATIONS = ("2021-2024", "2022-2025", "2023-2026", "2024-2027")
STATE = Scope("bench", Role.DG_ESCOLARES, None)


def build(url: str, seed: int = 2026) -> None:
    upgrade(url)
    rng = random.Random(seed)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO planteles VALUES (:c, 'PLANTEL', 'MUNICIPIO')"),
                     [{"c": f"{p:03d}"} for p in range(PLANTELES)])
        conn.execute(text("INSERT INTO carreras VALUES (:c, 'CARRERA', 2023)"),
                     [{"c": f"CAR-{c}"} for c in range(CARRERAS)])
        rows = []
        for g, generation in enumerate(GENERATIONS):
            concluded = g < 2
            for i in range(PER_GENERATION):
                roll = rng.random()
                status = ("EGRESADO" if roll < 0.7 else "BAJA") if concluded else \
                    ("BAJA" if roll < 0.15 else "INSCRITO")
                rows.append({"m": f"{g}{i:09d}", "p": f"{rng.randrange(PLANTELES):03d}",
                             "c": f"CAR-{rng.randrange(CARRERAS)}", "g": generation,
                             "e": status})
        conn.execute(text(
            "INSERT INTO alumnos (matricula, curp, nombre, primer_apellido, segundo_apellido,"
            " clave_plantel, clave_carrera, generacion, semestre, grupo, estatus) VALUES"
            " (:m, 'XEXX010101HVZXXXA4', 'A', 'B', 'C', :p, :c, :g, 1, '1A', :e)"), rows)
    engine.dispose()


def python_count(session: Session) -> list[Efficiency]:
    """The alternative: one row per student out of the database, counted in Python."""
    return terminal_efficiency(Enrolment(*row) for row in session.execute(
        select(Alumno.clave_plantel, Alumno.clave_carrera, Alumno.generacion, Alumno.estatus)))


def pandas_groupby(session: Session) -> object:
    import pandas as pd

    frame = pd.DataFrame(session.execute(select(
        Alumno.clave_plantel, Alumno.clave_carrera, Alumno.generacion, Alumno.estatus)).all(),
        columns=["p", "c", "g", "e"])
    frame["egresado"] = frame["e"] == "EGRESADO"
    frame["inscrito"] = frame["e"] == "INSCRITO"
    out = frame.groupby(["p", "c", "g"]).agg(egresados=("egresado", "sum"),
                                             inscritos=("e", "size"),
                                             activos=("inscrito", "sum"))
    out = out[(out.egresados > 0) | (out.activos == 0)]
    out["eficiencia"] = (out.egresados * 100 / out.inscritos).round(2)
    return out


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    print(f"{platform.node()} · {cpu_model()} · {os.cpu_count()} cores · "
          f"load {os.getloadavg()[0]:.1f} · Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'conalep.db'}"
        start = time.perf_counter()
        build(url)
        print(f"built {PER_GENERATION * len(GENERATIONS):,} students in "
              f"{time.perf_counter() - start:.1f} s")
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        with sessions() as session:
            rows = records.efficiency(session, STATE)
            assert rows == python_count(session), "the two ways disagree"
            results = {
                "records.efficiency (database GROUP BY)":
                    timed(lambda: records.efficiency(session, STATE), args.runs),
                "python_count (SELECT rows, count in Python)":
                    timed(lambda: python_count(session), args.runs),
                "pandas groupby": timed(lambda: pandas_groupby(session), args.runs),
                "chart SVG from the rows": timed(lambda: chart_svg(rows), args.runs),
                "Junta Directiva PDF (whole report)":
                    timed(lambda: junta_report(session, STATE, "2025-T4"), args.runs),
            }
        engine.dispose()
    for name, (median, low) in results.items():
        print(f"{name:<45} median {median * 1000:8.1f} ms   min {low * 1000:8.1f} ms")
    ours = results["records.efficiency (database GROUP BY)"][0]
    print(f"ratio Python count / GROUP BY: "
          f"{results['python_count (SELECT rows, count in Python)'][0] / ours:.2f}×;  "
          f"pandas / GROUP BY: {results['pandas groupby'][0] / ours:.2f}×")


if __name__ == "__main__":
    main()
