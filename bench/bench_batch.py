"""A 400-student batch (50 sheets) from stored photos to print files, ledger commits included.

Side by side in the same run: the real path (one IMMEDIATE transaction per sheet: folios,
cards, cancelled blanks, event, print file fsynced before COMMIT) against rendering the same
sheets alone with no ledger at all, so the ratio is the price of durability.

Run: .venv/bin/python bench/bench_batch.py [--students 400] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from foundation.credential.card import CredentialClaims
from foundation.credential.sign import issue_qr_text
from station.core.model import CardFace, SheetFace
from station.core.sheets import plan_sheets
from station.printer.sheet import render_sheets_pdf
from station.services.demo_data import make_placeholder_portrait, write_demo_export
from station.services.issuance import Issuer, select_students
from station.services.roster_import import import_roster
from station.services.station import open_station
from station.store import ledger


def prepare(folder: Path, students: int) -> str:
    station = open_station(folder)
    escuelas, alumnos = write_demo_export(folder / "export", students=students, seed=1)
    import_roster(station, escuelas, alumnos)
    with station.db.read() as conn:
        schools = ledger.list_schools(conn)
        counts = {s.cct: len(ledger.pending_students(conn, s.cct)) for s in schools}
    cct = max(counts, key=lambda k: counts[k])
    with station.db.read() as conn:
        pending = ledger.pending_students(conn, cct)
    for i, student in enumerate(pending):
        # 1200x1500 camera-sized photos: the renderer must bring them down to 300 dpi.
        data = make_placeholder_portrait(f"{student.full_name} {i}", student.curp,
                                         size=(1200, 1500))
        photo = station.photos.add(data, ext="jpg")
        with station.db.write() as conn:
            ledger.set_photo(conn, student.curp, photo)
    station.close()
    return cct


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} cpus, "
          f"python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        # The demo spreads students over 3 schools; ask for enough that the largest has N.
        cct = prepare(base, int(args.students * 3.2))
        real, render_only, sizes = [], [], []
        n = 0
        for run in range(args.runs):
            folder = Path(tmp) / f"run{run}"
            shutil.copytree(base, folder)
            station = open_station(folder)
            school, students = select_students(station, cct, None)
            students = students[: args.students]
            n = len(students)
            issuer = Issuer(station, printer="pdf")
            t0 = time.perf_counter()
            produced = issuer.produce(school, students)
            real.append(time.perf_counter() - t0)
            sizes = [p.pdf.stat().st_size for p in produced]

            photos = ledger.photo_hashes(station.db._writer, [s.curp for s in students])
            t0 = time.perf_counter()
            for i, planned in enumerate(plan_sheets(students)):
                cards = {
                    pos: CardFace(
                        folio=100000 + i * 8 + pos, name=s.full_name, school=school,
                        photo=str(station.photos.path(photos[s.curp])),
                        qr_text=issue_qr_text(CredentialClaims(100000 + i * 8 + pos,
                                                               s.full_name, school.cct,
                                                               date.today()), station.key))
                    for pos, s in enumerate(planned.students)
                }
                render_sheets_pdf(Path(tmp) / f"alone-{run}-{i}.pdf",
                                  [SheetFace(sheet_id=i, cards=cards)],
                                  template=issuer.template, layout=issuer.layout,
                                  calibration=issuer.calibration)
            render_only.append(time.perf_counter() - t0)
            station.close()
        med_real, med_alone = statistics.median(real), statistics.median(render_only)
        print(f"{n} students, {len(sizes)} sheets, {args.runs} runs")
        print(f"with ledger commits: median {med_real:.2f} s (min {min(real):.2f}, "
              f"max {max(real):.2f}); {med_real / len(sizes) * 1000:.0f} ms per sheet")
        print(f"rendering alone:     median {med_alone:.2f} s (min {min(render_only):.2f}, "
              f"max {max(render_only):.2f})")
        print(f"ratio with/without ledger: {med_real / med_alone:.2f}x")
        print(f"PDF per sheet: median {statistics.median(sizes) / 1e6:.2f} MB, "
              f"max {max(sizes) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
