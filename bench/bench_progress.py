"""The state's progress page for 10,000 schools and 1.5 million students, on PostgreSQL.

Synthetic data in central's real schema (migrated by alembic), written with COPY: 14 DRSE,
10,000 schools of 20–280 students (1.5 million, 2 % withdrawn), about 70 % of them with an
active card (plus some spoiled and replaced ones), half of those with this cycle's hologram,
3 % declines, 2 % open requests, a delivery and a supplies request for a third of the schools.

Measured in the same run, median of several runs (after one warm-up):
  1. the page: ``GET /staff/avance`` through central's app (signed-in state staff): the
     per-school summary (:mod:`central.crud.progress_summary`) refreshed for the schools
     changed since the last view — none, or 20 marked as a busy minute of pushes would —,
     grouped by DRSE, the SVG chart and the HTML;
  2. the first view after the migration (or a new cycle): every school recomputed at once;
  3. the one-statement set-based GROUP BY over the base tables (no summary), as a reference;
  4. the same figures computed per school with the ORM (for each school: load its students,
     then its active cards, holograms, declines/requests) — the obvious first version; slow,
     so it runs once.
A DRSE's drill-down (its ~700 schools) is timed too.

Run: .venv/bin/python bench/bench_progress.py [--schools 10000] [--students 1500000] [--runs 5]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import cpu_model
from bench_central_ingest import Postgres

DRSES = ["ALTOS NORTE (LAGOS DE MORENO)", "ALTOS SUR (TEPATITLÁN)", "CENTRO 1 GUADALAJARA",
         "CENTRO 2 ZAPOPAN", "CENTRO 3 TLAQUEPAQUE", "CIÉNEGA (OCOTLÁN)",
         "COSTA SIERRA OCCIDENTAL (VALLARTA)", "COSTA SUR (LA HUERTA)", "LAGUNAS (COCULA)",
         "NORTE (COLOTLÁN)", "SIERRA DE AMULA (AUTLÁN)", "SUR (CD. GUZMÁN)",
         "SURESTE (JOCOTEPEC)", "VALLES (AMECA)"]
CYCLE, PREVIOUS = "2026-2027", "2025-2026"
PASSWORD = "contraseña de la prueba de avance"


def _copy(conn: Any, table: str, columns: str, rows: Any) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def build(url: str, schools: int, students: int, seed: int = 2026) -> dict[str, int]:
    """Fill central's tables; the independent totals the page must show."""
    import psycopg

    rng = random.Random(seed)
    now = datetime.now(UTC)
    per = students / schools
    truth = {"enrolled": 0, "with_card": 0, "holograms": 0}
    with psycopg.connect(url.replace("postgresql://", "postgresql://", 1)) as conn:
        _copy(conn, "regions", "name", ((d,) for d in DRSES))
        school_rows = []
        for i in range(schools):
            school_rows.append((f"14DPR{i:04d}{'ABCDEFGHJK'[i % 10]}", f"ESCUELA {i}",
                                "PRIMARIA", "MATUTINO", "CALLE 1", "MUNICIPIO", "3300000000",
                                DRSES[i % len(DRSES)], 0, True, 1, now))
        _copy(conn, "schools", "cct, nombre, nivel, turno, domicilio, municipio, telefono, "
                               "drse, matricula, internet, rev, updated_at", school_rows)
        stations = [(f"EST{i:03d}", f"Estación {i}", "escuela", school_rows[i][0], None,
                     f"{i:016x}", bytes(32), now, 0) for i in range(100)]
        _copy(conn, "stations", "id, name, kind, school_cct, drse, key_id, public_key, "
                                "enrolled_at, applied_through", stations)
        student_rows, card_rows, holo_rows, wish_rows = [], [], [], []
        folio = 0
        for i, school in enumerate(school_rows):
            cct = school[0]
            n = max(1, int(rng.uniform(0.15, 1.85) * per))
            for j in range(n):
                curp = f"{i:05d}{j:04d}HJCXXX{j % 10}{i % 7}"[:18]
                enrolled = rng.random() > 0.02
                student_rows.append((curp, "ANA", "PÉREZ", "", cct, 1 + j % 6, "A", CYCLE,
                                     "INSCRITO" if enrolled else "BAJA", j % 6 == 0, 1, now))
                station = stations[i % 100][0]
                roll = rng.random()
                if roll < 0.05:
                    folio += 1
                    card_rows.append((station, "k", folio, curp, cct, date(2025, 9, 1), "t",
                                      1, 1, "spoiled", now))
                has_card = roll < 0.7
                if has_card:
                    folio += 1
                    card_rows.append((station, "k", folio, curp, cct, date(2025, 9, 1), "t",
                                      1, 1, "active", now))
                    holo_rows.append((f"H{folio:09d}P", PREVIOUS, curp, folio, station, "t"))
                    if rng.random() < 0.5:
                        holo_rows.append((f"H{folio:09d}C", CYCLE, curp, folio, station, "t"))
                        truth["holograms"] += enrolled
                elif roll < 0.73:
                    wish_rows.append((curp, cct, date(2026, 9, 2), None, station))
                elif roll < 0.75:
                    wish_rows.append((curp, cct, None, date(2026, 9, 3), station))
                truth["enrolled"] += enrolled
                truth["with_card"] += enrolled and has_card
        _copy(conn, "students", "curp, nombre, primer_apellido, segundo_apellido, cct, grado, "
                                "grupo, ciclo, estatus, nuevo_ingreso, rev, updated_at",
              student_rows)
        _copy(conn, "cards", "station_id, key_id, folio, curp, cct, issued_on, issued_at, "
                             "sheet, event_seq, status, updated_at", card_rows)
        _copy(conn, "holograms", "serial, ciclo, curp, folio, station_id, applied_at", holo_rows)
        _copy(conn, "student_card_wishes", "curp, cct, declined_on, requested_on, station_id",
              wish_rows)
        _copy(conn, "delivery_records", "station_id, delivery, cct, cycle, cards, holograms, "
                                        "closed_on",
              ((stations[i % 100][0], i, school_rows[i][0], CYCLE, 12, 40,
                date(2026, 10, 1) if i % 2 else None) for i in range(0, schools, 3)))
        _copy(conn, "supply_request_records", 'station_id, request, cct, drse, "on", cycle, '
                                              "teslin_stock",
              ((stations[i % 100][0], i, school_rows[i][0], None, date(2026, 10, 2), CYCLE, 3)
               for i in range(1, schools, 3)))
        conn.commit()
        conn.execute("UPDATE counters SET value = 1 WHERE name = 'roster'")  # one import
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # as autovacuum would after a bulk import
    truth["students"] = len(student_rows)
    truth["cards"] = len(card_rows)
    return truth


def page_client(url: str, folder: Path) -> Any:
    from fastapi.testclient import TestClient

    from central.api.app import create_app
    from central.crud.staff import create_account
    from central.settings import CentralSettings
    from foundation.sqldb import make_engine, make_sessionmaker

    settings = CentralSettings(data_dir=folder, database_url=url,
                               admin_token="token-del-banco-de-pruebas-de-avance-0123")
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session, session.begin():
        create_account(session, username="coordinacion", password=PASSWORD, role="estatal",
                       region=None, display_name="Coordinación", now=datetime.now(UTC))
    engine.dispose()
    client = TestClient(create_app(settings))
    client.__enter__()
    import re

    form = client.get("/staff/ingresar")
    csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', form.text)
    assert csrf is not None
    answer = client.post("/staff/ingresar", data={"csrf": csrf.group(1),
                                                  "usuario": "coordinacion",
                                                  "contrasena": PASSWORD},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client


def naive(url: str, limit: int | None = None) -> dict[str, int]:
    """Per school with the ORM: load the students, then their cards, holograms, wishes
    (the first ``limit`` schools only, when given)."""
    from sqlalchemy import select

    from central.models import Card, Hologram, School, Student, StudentCardWish
    from foundation.sqldb import make_engine, make_sessionmaker

    engine = make_engine(url)
    out = {"enrolled": 0, "with_card": 0, "holograms": 0}
    with make_sessionmaker(engine)() as session:
        for school in session.scalars(select(School).order_by(School.cct).limit(limit)).all():
            studs = session.scalars(select(Student).where(
                Student.cct == school.cct, Student.estatus == "INSCRITO")).all()
            curps = [s.curp for s in studs]
            carded = {c.curp for c in session.scalars(select(Card).where(
                Card.curp.in_(curps), Card.status == "active"))}
            holo = {h.curp for h in session.scalars(select(Hologram).where(
                Hologram.curp.in_(curps), Hologram.ciclo == CYCLE))}
            session.scalars(select(StudentCardWish).where(StudentCardWish.curp.in_(curps))).all()
            out["enrolled"] += len(curps)
            out["with_card"] += len(carded)
            out["holograms"] += len(holo)
            session.expunge_all()
    engine.dispose()
    return out


def timed(action: Any, runs: int) -> tuple[float, list[float], Any]:
    action()  # warm-up: caches and the first plan
    times, result = [], None
    for _ in range(runs):
        gc.collect()
        t = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=10_000)
    parser.add_argument("--students", type=int, default=1_500_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--naive-schools", type=int, default=None,
                        help="Time the naive way on this many schools and scale up (it is "
                             "slow); default: every school.")
    args = parser.parse_args()
    from central.db import upgrade

    print(f"machine: {cpu_model()}, {os.cpu_count()} cores; load average before: "
          f"{os.getloadavg()}")
    pg = Postgres()
    try:
        url = pg.new_database()
        upgrade(url)
        t = time.perf_counter()
        truth = build(url, args.schools, args.students)
        print(f"built {args.schools} schools, {truth['students']} students, {truth['cards']} "
              f"cards in {time.perf_counter() - t:.0f} s")
        client = page_client(url, Path(tempfile.mkdtemp(prefix="bench-progress-")))

        def state_page() -> str:
            answer = client.get("/staff/avance")
            assert answer.status_code == 200, answer.text[:500]
            return str(answer.text)

        def drse_page() -> str:
            answer = client.get("/staff/avance/drse", params={"nombre": DRSES[1]})
            assert answer.status_code == 200, answer.text[:500]
            return str(answer.text)

        from sqlalchemy import text

        from central.crud import progress_summary
        from foundation.sqldb import make_engine, make_sessionmaker

        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        t = time.perf_counter()
        state_page()
        print(f"first view (every school recomputed into the summary): "
              f"{time.perf_counter() - t:.1f} s; load {os.getloadavg()[0]:.1f}")
        full = []
        for _ in range(3):
            with sessions() as session, session.begin():
                session.execute(text("SET LOCAL jit = off"))
                t = time.perf_counter()
                list(session.execute(text(progress_summary._FULL),
                                     {"cycle": CYCLE, "enrolled": "INSCRITO"}))
                full.append(time.perf_counter() - t)
        print(f"one set-based GROUP BY over the base tables (no summary): median "
              f"{statistics.median(full):.2f} s (runs: {', '.join(f'{x:.2f}' for x in full)})")
        median, times, html = timed(state_page, args.runs)
        shown = f"{truth['enrolled']:,}"
        assert shown in html, f"the page does not show {shown} enrolled"
        print(f"state page (summary, nothing changed since the last view): median "
              f"{median * 1000:.0f} ms "
              f"(runs: {', '.join(f'{x * 1000:.0f}' for x in times)}); load "
              f"{os.getloadavg()[0]:.1f}")
        marked = iter(range(10**6))

        def busy_page() -> str:
            n = next(marked)
            picked = [(n * 37 + i * 101) % args.schools for i in range(20)]
            with sessions() as session, session.begin():
                progress_summary.mark(session, [f"14DPR{j:04d}{'ABCDEFGHJK'[j % 10]}"
                                                for j in picked])
            return state_page()

        b_median, b_times, _ = timed(busy_page, args.runs)
        print(f"state page with 20 schools changed since the last view: median "
              f"{b_median * 1000:.0f} ms (runs: {', '.join(f'{x * 1000:.0f}' for x in b_times)})")
        engine.dispose()
        d_median, d_times, _ = timed(drse_page, args.runs)
        print(f"DRSE drill-down ({args.schools // len(DRSES)} schools): median "
              f"{d_median * 1000:.0f} ms (runs: {', '.join(f'{x * 1000:.0f}' for x in d_times)})")
        t = time.perf_counter()
        slow = naive(url, args.naive_schools)
        n_time = time.perf_counter() - t
        if args.naive_schools is None:
            assert slow["enrolled"] == truth["enrolled"], (slow, truth)
            assert slow["with_card"] == truth["with_card"], (slow, truth)
            assert slow["holograms"] == truth["holograms"], (slow, truth)
            what = "every school"
        else:
            what = f"{args.naive_schools} schools, scaled to {args.schools}"
            n_time *= args.schools / args.naive_schools
        print(f"naive per-school ORM (one run, {what}): {n_time:.1f} s; ratio "
              f"{n_time / median:.0f}x; load {os.getloadavg()[0]:.1f}")
        client.__exit__(None, None, None)
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
