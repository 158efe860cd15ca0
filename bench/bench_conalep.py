"""CONALEP at state size: importing a semester's grade sheet, building one corte's SISEAC
report for the whole state, and writing its XLSX — each beside the obvious way in the same run.

Synthetic data: 50,000 students (INSCRITO) in 40 planteles, 6 modules each, 3 cortes =
900,000 grade rows (~3 % not captured, ~3 % captured late), written as the SAE's CSV files.

- import: ``check_files`` + ``write`` (what ``conalep import-sae`` does: every row validated,
  written by difference) into a fresh SQLite file; obvious way: ``pandas.read_csv`` +
  ``DataFrame.to_sql`` of the grade sheet alone, no validation;
- report: ``build_report`` of corte 3, state-wide; obvious way: ``pandas.read_sql`` of grades
  and students + ``groupby`` for the same headline figures (failing students, late and
  missing captures per teacher), without at-risk rules or trend;
- XLSX: the state-wide downloads as the page serves them (``siseac_export.workbook``:
  XlsxWriter, the summary sheets, the 300,000-row sábana replaced by a notice; plus
  ``sabana_csv``) and one plantel's full workbook; the obvious way: the four views, sábana
  included, as DataFrames written with ``DataFrame.to_excel`` (openpyxl); ``--openpyxl`` adds
  openpyxl's write-only mode with the same header, filter, widths and highlighted rows.

Targets (issue 11): import ≤ 60 s, report ≤ 10 s, XLSX ≤ 15 s.
Run: PYTHONPATH=. .venv/bin/python bench/bench_conalep.py [--students 50000] [--runs 3]
CPU time is printed beside wall time: on a shared machine wall time includes waiting for a
core.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import cpu_model  # noqa: E402

from conalep.academic import siseac_export  # noqa: E402
from conalep.academic.sae_import import check_files, find_files, write  # noqa: E402
from conalep.academic.siseac import Filters, Rules, build_report  # noqa: E402
from conalep.db import upgrade  # noqa: E402
from foundation.curp import build_curp  # noqa: E402
from foundation.sqldb import make_engine, make_sessionmaker  # noqa: E402
from foundation.web.xlsx import HIGHLIGHT  # noqa: E402

PERIODO = "2025-2026-1"
WINDOWS = [(1, date(2025, 9, 22), date(2025, 9, 30)), (2, date(2025, 10, 27), date(2025, 11, 4)),
           (3, date(2025, 12, 8), date(2025, 12, 16))]
NAMES = ["ANA", "LUIS", "MARÍA", "JOSÉ", "SOFÍA", "DIEGO", "VALERIA", "MIGUEL", "XIMENA",
         "JUAN CARLOS"]
SURNAMES = ["GARCÍA", "HERNÁNDEZ", "LÓPEZ", "MARTÍNEZ", "GONZÁLEZ", "PÉREZ", "SÁNCHEZ",
            "RAMÍREZ", "CRUZ", "FLORES", "GÓMEZ", "MORALES"]


def _write(folder: Path, name: str, header: list[str], rows: list[list[Any]]) -> None:
    with (folder / f"{name}.csv").open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow(header)
        out.writerows(rows)


def make_state(folder: Path, students: int, seed: int = 11) -> None:
    """The SAE files of a state-sized semester."""
    rng = random.Random(seed)
    planteles = [str(100 + i) for i in range(40)]
    _write(folder, "planteles", ["clave_plantel", "nombre", "municipio"],
           [[p, f"CONALEP {p}", "XALAPA"] for p in planteles])
    _write(folder, "carreras", ["clave_carrera", "nombre", "modelo_academico"],
           [["INFO-23", "INFORMÁTICA", 2023], ["ENFE-23", "ENFERMERÍA GENERAL", 2023]])
    _write(folder, "calendario", ["periodo", "corte", "inicio_captura", "fin_captura"],
           [[PERIODO, c, a.isoformat(), b.isoformat()] for c, a, b in WINDOWS])
    alumnos, grades, curps = [], [], set()
    for n in range(students):
        plantel = planteles[n % len(planteles)]
        carrera = "INFO-23" if n % 2 else "ENFE-23"
        semestre = (1, 3, 5)[n % 3]
        start = 2025 - semestre // 2
        grupo = f"{semestre}{carrera[:3]}-{n // (len(planteles) * 6) % 8 + 1}"
        nombre, ap1, ap2 = rng.choice(NAMES), rng.choice(SURNAMES), rng.choice(SURNAMES)
        born, sex = date(2008, 1, 1) + timedelta(days=rng.randrange(900)), rng.choice("HM")
        for homoclave in "ABCDEFGHIJKLMNPQRSTUVWXYZ":  # RENAPO's homoclave tells twins apart
            curp = build_curp(nombre, ap1, ap2, born, sex, state="VZ", homoclave=homoclave)
            if curp not in curps:
                break
        curps.add(curp)
        matricula = f"{start % 100:02d}{plantel}{n:05d}"
        alumnos.append([matricula, curp, nombre, ap1, ap2, plantel, carrera,
                        f"{start}-{start + 3}", semestre, grupo, "INSCRITO"])
        for m in range(6):
            modulo = f"{carrera[:4]}-{semestre}{m}"
            docente = f"D{plantel}{carrera[:2]}{semestre}{m}"
            base = rng.uniform(4.5, 10)
            for corte, opens, closes in WINDOWS:
                roll = rng.random()
                if roll < 0.03:
                    grades.append([PERIODO, plantel, grupo, modulo, f"MÓDULO {modulo}", docente,
                                   f"DOCENTE {docente}", matricula, corte, "", ""])
                    continue
                when = closes + timedelta(days=2) if roll < 0.06 else \
                    opens + timedelta(days=rng.randrange((closes - opens).days + 1))
                grade = min(10.0, max(0.0, round(base + rng.uniform(-1.5, 1.5), 1)))
                grades.append([PERIODO, plantel, grupo, modulo, f"MÓDULO {modulo}", docente,
                               f"DOCENTE {docente}", matricula, corte, grade, when.isoformat()])
    _write(folder, "alumnos", ["matricula", "curp", "nombre", "primer_apellido",
                               "segundo_apellido", "clave_plantel", "clave_carrera",
                               "generacion", "semestre", "grupo", "estatus"], alumnos)
    _write(folder, "calificaciones", ["periodo", "clave_plantel", "grupo", "clave_modulo",
                                      "modulo", "clave_docente", "docente", "matricula",
                                      "corte", "calificacion", "fecha_captura"], grades)


def styled(sheet: Any, values: Any, **style: Any) -> list[Any]:
    """openpyxl's write-only cells carrying a style (a row's values as they are otherwise)."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value)
        for name, setting in style.items():
            setattr(cell, name, setting)
        cells.append(cell)
    return cells


CPU: dict[str, float] = {}
"""Median CPU seconds of the last timed work (the machine is shared: wall time includes
waiting for a core, CPU time does not)."""


def timed(runs: int, work: Callable[[int], Any]) -> tuple[float, Any]:
    times, cpu, result = [], [], None
    for run in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = work(run)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU["last"] = statistics.median(cpu)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--obvious-runs", type=int, default=1)
    parser.add_argument("--openpyxl", action="store_true",
                        help="also time openpyxl's write-only mode (slow at state size)")
    args = parser.parse_args()
    print(f"{cpu_model()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
          f"load {os.getloadavg()[0]:.1f}")
    work = Path(tempfile.mkdtemp(prefix="bench-conalep-"))
    sae = work / "sae"
    sae.mkdir()
    start = time.perf_counter()
    make_state(sae, args.students)
    size = (sae / "calificaciones.csv").stat().st_size
    print(f"synthetic state: {args.students} students, {args.students * 18} grade rows, "
          f"calificaciones.csv {size / 2**20:.0f} MiB ({time.perf_counter() - start:.0f} s)")

    def ours_import(run: int) -> Any:
        url = f"sqlite:///{work / f'ours{run}.db'}"
        upgrade(url)
        sessions = make_sessionmaker(make_engine(url))
        with sessions() as session, session.begin():
            check = check_files(find_files(sae), session, today=date(2026, 1, 31))
            assert check.ok, check.messages()[:5]
            write(session, check, staff="bench", now=datetime.now(UTC))
        return url

    def pandas_import(run: int) -> None:
        import pandas as pd
        from sqlalchemy import create_engine

        frame = pd.read_csv(sae / "calificaciones.csv", encoding="utf-8-sig", dtype=str)
        frame.to_sql("calificaciones", create_engine(f"sqlite:///{work / f'pd{run}.db'}"),
                     index=False, chunksize=50_000)

    t_import, url = timed(args.runs, ours_import)
    c_import = CPU["last"]
    t_pd_import, _ = timed(args.obvious_runs, pandas_import)
    print(f"import: {t_import:.1f} s (CPU {c_import:.1f} s) · pandas read_csv + to_sql (no "
          f"validation) {t_pd_import:.1f} s (CPU {CPU['last']:.1f} s) · ratio "
          f"{t_import / t_pd_import:.2f}")

    sessions = make_sessionmaker(make_engine(url))

    def ours_report(_: int) -> Any:
        with sessions() as session:
            return build_report(session, PERIODO, 3, Rules())

    def pandas_report(_: int) -> Any:
        import pandas as pd
        from sqlalchemy import create_engine

        engine = create_engine(url)
        grades = pd.read_sql("SELECT matricula, clave_docente, corte, calificacion, late "
                             "FROM calificaciones WHERE periodo = ?", engine,
                             params=(PERIODO,))
        enrolled = pd.read_sql("SELECT matricula FROM alumnos WHERE estatus = 'INSCRITO'",
                               engine)
        now = grades[(grades.corte == 3) & grades.matricula.isin(enrolled.matricula)]
        failing = now[now.calificacion < 6.0].matricula.nunique()
        missing = now[now.calificacion.isna()].groupby("clave_docente").size()
        return failing, int(now.late.sum()), missing

    t_report, report = timed(args.runs, ours_report)
    c_report = CPU["last"]
    t_pd_report, (failing, late, _) = timed(args.obvious_runs, pandas_report)
    assert (failing, late) == (report.failing_students, report.late_captures)
    print(f"report (corte 3, state): {t_report:.1f} s (CPU {c_report:.1f} s) · pandas "
          f"read_sql + groupby (headline figures only) {t_pd_report:.1f} s (CPU "
          f"{CPU['last']:.1f} s) · ratio {t_report / t_pd_report:.2f}")

    def ours_xlsx(_: int) -> int:
        """The state-wide downloads: the workbook (its sábana too large: the summary sheets
        and a notice) and the sábana as CSV."""
        return len(siseac_export.workbook(report)) + len(siseac_export.sabana_csv(report))

    plantel = report.modules[0].clave_plantel
    one_plantel = Filters(clave_plantel=plantel).apply(report)

    def plantel_xlsx(_: int) -> int:
        return len(siseac_export.workbook(one_plantel))

    def pandas_xlsx(_: int) -> int:
        import pandas as pd

        out = io.BytesIO()
        with pd.ExcelWriter(out, engine="openpyxl") as excel:
            for title, view in zip(siseac_export.SHEETS, siseac_export.VIEWS, strict=True):
                headers, rows, _ = view(report)
                pd.DataFrame(rows, columns=headers).to_excel(excel, sheet_name=title[:31],
                                                             index=False, freeze_panes=(1, 0))
        return len(out.getvalue())

    def openpyxl_xlsx(_: int) -> int:
        from openpyxl import Workbook
        from openpyxl.styles import Font, PatternFill
        from openpyxl.utils import get_column_letter

        book = Workbook(write_only=True)
        bold, fill = Font(bold=True), PatternFill("solid", fgColor=HIGHLIGHT)
        for title, view in zip(siseac_export.SHEETS, siseac_export.VIEWS, strict=True):
            headers, rows, marks = view(report)
            sheet = book.create_sheet(title[:31])
            sheet.freeze_panes = "A2"
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
            for i, header in enumerate(headers, start=1):
                width = max([len(header)] + [len(str(r[i - 1])) for r in rows[:2000]])
                sheet.column_dimensions[get_column_letter(i)].width = min(width + 2, 60)
            sheet.append(styled(sheet, headers, font=bold))
            for row, marked in zip(rows, marks, strict=True):
                sheet.append(styled(sheet, row, fill=fill) if marked else row)
        out = io.BytesIO()
        book.save(out)
        return len(out.getvalue())

    t_xlsx, size_ours = timed(args.runs, ours_xlsx)
    c_xlsx = CPU["last"]
    t_pl_xlsx, size_pl = timed(args.runs, plantel_xlsx)
    c_pl_xlsx = CPU["last"]
    t_pd_xlsx, size_pd = timed(args.obvious_runs, pandas_xlsx)
    c_pd_xlsx = CPU["last"]
    print(f"state-wide downloads (XLSX of the summary views + sábana CSV, "
          f"{len(report.modules)} sábana rows): {t_xlsx:.1f} s (CPU {c_xlsx:.1f} s, "
          f"{size_ours / 2**20:.1f} MiB) · one plantel's full XLSX ({len(one_plantel.modules)} "
          f"sábana rows): {t_pl_xlsx:.1f} s (CPU {c_pl_xlsx:.1f} s, {size_pl / 2**20:.1f} MiB) "
          f"· pandas to_excel (openpyxl), the four views in one state-wide workbook "
          f"{t_pd_xlsx:.1f} s (CPU {c_pd_xlsx:.1f} s, {size_pd / 2**20:.1f} MiB) · ratio "
          f"(wall) {t_xlsx / t_pd_xlsx:.2f}")
    if args.openpyxl:
        t_op_xlsx, size_op = timed(args.obvious_runs, openpyxl_xlsx)
        print(f"openpyxl write-only, four views: {t_op_xlsx:.1f} s (CPU {CPU['last']:.1f} s, "
              f"{size_op / 2**20:.1f} MiB)")
    print(f"load at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
