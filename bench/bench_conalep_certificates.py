"""CONALEP certificates: signing and releasing a plantel's generation (500 certificates).

Server time only (wall clock, and CPU time of this process, which is the server's whole work
on SQLite and stays meaningful on a shared machine): the three signers' uploads (each
signature checked against the document and the chain before it, then stored) and COSFAC's
release (the chain checked again, QR signed). The signers' own signing happens "on their
computers" and is not counted. Beside it, per certificate, the same certificate PDF drawn by
reportlab (what the download route serves) and the HTML the route ``certificado.html``
serves rendered with WeasyPrint. Goal (issue 12): ≤ 60 s.

Run: PYTHONPATH=$PWD .venv/bin/python bench/bench_conalep_certificates.py [--n 500] [--runs 3]
     [--pg | --pg-url postgresql://…]   (default: a SQLite file; with PostgreSQL the CPU
     time leaves out the database server's own work: read the wall time)
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session, sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._machine import cpu_model
from conalep.certificates import documents, folios, release, signing, workflow
from conalep.certificates.actors import Actor
from conalep.certificates.graduates import Graduate, ListSource
from conalep.certificates.offline_signer import sign_package
from conalep.models import Base
from foundation.curp import build_curp

NOW = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
DG = Actor("dg", "dg_escolares")
PLANTEL = Actor("escolares", "plantel_escolares", "165")
SIGNERS = [Actor("director", "plantel_director", "165"),
           Actor("dgeneral", "dg_director_general"),
           Actor("nacional", "director_general_nacional")]
COSFAC = Actor("cosfac", "cosfac")
GIVEN = ["ANA SOFÍA", "SANTIAGO", "GUADALUPE", "EMILIANO", "CAMILA", "JESÚS", "FERNANDA"]
SURNAMES = ["GONZÁLEZ", "PÉREZ", "CRUZ", "HERNÁNDEZ", "LÓPEZ", "MARTÍNEZ", "ORTIZ", "NÚÑEZ"]


def graduates(n: int) -> list[Graduate]:
    out = []
    for i in range(n):
        g, s1, s2 = GIVEN[i % 7], SURNAMES[i % 8], SURNAMES[(i // 8) % 8]
        birth = date(2007, 1 + i % 12, 1 + i % 28)
        curp = build_curp(g, s1, s2, birth, "M" if i % 2 else "H", state="VZ")
        out.append(Graduate(f"22165{i:05d}", curp, g, s1, s2, "165", "CONALEP XALAPA",
                            "INFO-23", "INFORMÁTICA", 2023, "2022-2025", "EGRESADO"))
    return out


def make_db(url: str | None, folder: Path) -> sessionmaker[Session]:
    if url is None:
        engine = create_engine(f"sqlite:///{folder / 'bench.db'}")

        @event.listens_for(engine, "connect")
        def _connect(conn, _record) -> None:  # type: ignore[no-untyped-def]
            conn.isolation_level = None
            conn.execute("PRAGMA journal_mode=WAL")

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:  # type: ignore[no-untyped-def]
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    return sessionmaker(engine, expire_on_commit=False)


def one_run(n: int, url: str | None) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="bench-cert-"))
    db = make_db(url, folder)
    keys = {a.role: Ed25519PrivateKey.generate() for a in SIGNERS}
    with db() as s, s.begin():
        for a in SIGNERS:
            pem = keys[a.role].public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            signing.register_key(s, DG, username=a.username, office=a.role, signer_name=a.username,
                                 public_pem=pem.decode(), plantel=a.plantel, now=NOW)
        folios.record_grant(s, DG, reference="B-1", block=f"1-{n}", granted_on=NOW.date(),
                            now=NOW)
        folios.assign_block(s, DG, plantel="165", block=f"1-{n}", now=NOW)
        made, _ = workflow.assign_all(s, PLANTEL, ListSource(graduates(n)), now=NOW)
        ids = [c.id for c in made]
        for cid in ids:
            workflow.request(s, PLANTEL, cid, now=NOW)
            workflow.authorise(s, DG, cid, now=NOW)
            workflow.plantel_review_done(s, PLANTEL, cid, now=NOW)
            workflow.dg_review_approve(s, DG, cid, now=NOW)
    server = cpu = 0.0
    for actor in SIGNERS:
        with db() as s:
            t, c = time.perf_counter(), time.process_time()
            pkg = signing.package(s, actor)
            server += time.perf_counter() - t
            cpu += time.process_time() - c
        records = sign_package(pkg, keys[actor.role], now=NOW)  # the signer's computer
        t, c = time.perf_counter(), time.process_time()
        with db() as s, s.begin():
            signing.submit(s, actor, records, now=NOW)
        server += time.perf_counter() - t
        cpu += time.process_time() - c
    issuer = release.Issuer.load_or_create(folder)
    t, c = time.perf_counter(), time.process_time()
    with db() as s, s.begin():
        for cid in ids:
            release.release(s, COSFAC, cid, issuer, now=NOW)
    server += time.perf_counter() - t
    cpu += time.process_time() - c
    sample = ids[:20]
    with db() as s:
        views = [release.certificate_view(s, s.get(release.Certificate, cid), "https://x/v")
                 for cid in sample]
    # CPU time of this process: both renderers run in it, and the machine is shared.
    t = time.process_time()
    for v in views:
        documents.certificate_pdf([v])
    reportlab_each = (time.process_time() - t) / len(views)
    from weasyprint import HTML
    t = time.process_time()
    for v in views:
        HTML(string=documents.certificate_html(v)).write_pdf()
    weasy_each = (time.process_time() - t) / len(views)
    return {"server_s": server, "server_cpu_s": cpu, "reportlab_ms": reportlab_each * 1000,
            "weasyprint_ms": weasy_each * 1000}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg-url")
    parser.add_argument("--pg", action="store_true",
                        help="Start a throwaway PostgreSQL 15 (bench_central_ingest.Postgres).")
    args = parser.parse_args()
    server = None
    if args.pg:
        from bench.bench_central_ingest import Postgres

        server = Postgres()
        args.pg_url = server.new_database()
    print(f"machine: {platform.node()} · {cpu_model()} · {os.cpu_count()} cores · "
          f"Python {platform.python_version()} · {'PostgreSQL' if args.pg_url else 'SQLite'}")
    try:
        runs = [one_run(args.n, args.pg_url) for _ in range(args.runs)]
    finally:
        if server is not None:
            server.stop()
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    for key in ("server_s", "server_cpu_s", "reportlab_ms", "weasyprint_ms"):
        values = [r[key] for r in runs]
        print(f"{key}: median {statistics.median(values):.2f} (runs: "
              + ", ".join(f"{v:.2f}" for v in values) + ")")
    r = statistics.median(r["reportlab_ms"] for r in runs)
    w = statistics.median(r["weasyprint_ms"] for r in runs)
    print(f"certificates: {args.n}; PDF per certificate: reportlab {r:.1f} ms, HTML+WeasyPrint "
          f"{w:.1f} ms (ratio {w / r:.1f}×)")


if __name__ == "__main__":
    main()
