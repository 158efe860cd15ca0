"""A station's first sync of a 2,000-student school with photos, and a sync with nothing new.

Central runs as its own process (``central serve``, SQLite) on loopback with a school of
2,000 students, each with a ~30 KB JPEG photo. A fresh station enrolls and syncs: roster,
2,000 photo downloads (each checked against its SHA-256), trust list, revocations, folio
blocks. Then syncs with nothing new. Goals (issue 4): first sync ≤ 30 s; nothing new ≤ 200 ms.

Run: .venv/bin/python bench/bench_sync_first.py [--students 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_central_ingest import ROOT, SCHOOL, Central, machine


def photo(rng: random.Random, target: int = 30_000) -> bytes:
    """A JPEG of about ``target`` bytes (noise over a gradient: as hard to compress as a face)."""
    import numpy as np
    from PIL import Image

    gen = np.random.default_rng(rng.randrange(2**32))
    y, x = np.mgrid[0:150, 0:120]
    base = (rng.randint(60, 200) + x // 2 + y // 3 + gen.integers(-25, 25, (150, 120))) % 256
    tile = np.stack([base, (base * 3) % 256, 255 - base], axis=-1).astype(np.uint8)
    img = Image.fromarray(tile.repeat(4, axis=0).repeat(4, axis=1))
    for quality in (60, 45, 35, 25, 15):
        out = io.BytesIO()
        img.save(out, "JPEG", quality=quality)
        if out.tell() <= target * 1.15:
            break
    return out.getvalue()


def school_export(folder: Path, students: int) -> tuple[Path, Path, Path, int]:
    from station.core.roster import SCHOOL_COLUMNS, STUDENT_COLUMNS
    from station.services.demo_data import demo_export_rows

    escuelas, alumnos = demo_export_rows(students=students * 3 + 30)
    mine = [a for a in alumnos if a["cct"] == SCHOOL][:students]
    assert len(mine) == students
    folder.mkdir(parents=True)
    paths = (folder / "escuelas.csv", folder / "alumnos.csv")
    for path, columns, rows in zip(paths, (SCHOOL_COLUMNS, STUDENT_COLUMNS), (escuelas, mine),
                                   strict=True):
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
    photos = folder / "fotos"
    photos.mkdir()
    rng = random.Random(7)
    sizes = 0
    for a in mine:
        data = photo(rng)
        sizes += len(data)
        (photos / f"{a['curp']}.jpg").write_bytes(data)
    return paths[0], paths[1], photos, sizes // students


def enrolled_station(central: Central, folder: Path):
    from station.context import open_station
    from station.sync.enroll import enroll

    station = open_station(folder)
    code = __import__("requests").post(
        f"{central.url}/api/v1/admin/enrollment-codes",
        headers={"Authorization": f"Bearer {central.env['CENTRAL_ADMIN_TOKEN']}"},
        json={"kind": "escuela", "school_cct": SCHOOL, "station_name": "banco",
              "staff": "banco"}, timeout=30).json()["code"]
    enroll(station, central_url=central.url, code=code)
    return station


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from station.sync.engine import client_for, run_sync

    print(f"machine: {machine()}")
    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    central = Central(None)
    try:
        t0 = time.perf_counter()
        escuelas, alumnos, photos, avg = school_export(work / "export", args.students)
        central.cli("import-roster", str(escuelas), str(alumnos))
        central.cli("import-photos", str(photos))
        print(f"central ready: {args.students} students, photos of {avg / 1024:.1f} KB on "
              f"average ({time.perf_counter() - t0:.0f} s to prepare)")
        central.start()
        firsts, idles = [], []
        for run in range(args.runs):
            station = enrolled_station(central, work / f"station-{run}")
            client = client_for(station)
            t = time.perf_counter()
            report = run_sync(station, client)
            firsts.append(time.perf_counter() - t)
            assert report.ok and report.students == args.students, report.errors
            assert report.photos_down == args.students
            run_sync(station, client)  # uploads what the first sync recorded
            for _ in range(5):
                t = time.perf_counter()
                idle = run_sync(station, client)
                idles.append(time.perf_counter() - t)
                assert idle.ok and idle.pushed == 0 and idle.students == 0
            client.close()
            station.close()
        first, nothing = statistics.median(firsts), statistics.median(idles)
        print(f"first sync:        {first:6.2f} s   (median of {args.runs}; goal ≤ 30 s)")
        print(f"nothing new:       {nothing * 1000:6.1f} ms  (median of {len(idles)}; "
              "goal ≤ 200 ms)")
        print(f"ratio first/idle:  {first / nothing:6.0f}x")
    finally:
        central.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
