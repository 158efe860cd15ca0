"""``conalep import-sae``: the sample exports import; every kind of bad input is named (file,
row, column, why, in Spanish) and nothing is written; ``--accept-valid`` writes only the valid
rows and still exits 1; a later export of the same corte updates in place."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from plugin_conalep import SAE_SAMPLES
from sqlalchemy import func, select

from conalep.cli import main
from conalep.models.academic import Alumno, Calificacion, Rectificacion, SaeImport
from conalep.settings import ConalepSettings

Rows = list[dict[str, str]]


def run(settings: ConalepSettings, *args: str) -> Result:
    env = {"CONALEP_DATA_DIR": str(settings.data_dir),
           "CONALEP_DATABASE_URL": settings.database_url}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def read(name: str) -> Rows:
    with (SAE_SAMPLES / f"{name}.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def write(folder: Path, name: str, rows: Rows, *, encoding: str = "utf-8-sig") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def samples(folder: Path) -> Path:
    shutil.copytree(SAE_SAMPLES, folder, ignore=shutil.ignore_patterns("*.md"))
    return folder


def counts(sessions: Any) -> tuple[int, int, int, int]:
    with sessions() as session:
        return tuple(int(session.scalar(select(func.count()).select_from(m)) or 0)
                     for m in (Alumno, Calificacion, Rectificacion, SaeImport))  # type: ignore[return-value]


def test_the_samples_import_and_a_second_import_changes_nothing(
        conalep_settings: ConalepSettings, conalep_sessions: Any) -> None:
    first = run(conalep_settings, "import-sae", str(SAE_SAMPLES))
    assert first.exit_code == 0, first.output
    grades = read("calificaciones")
    late = sum(1 for g in grades if g["fecha_captura"] and g["fecha_captura"] > {
        (w["periodo"], w["corte"]): w["fin_captura"] for w in read("calendario")}[
        (g["periodo"], g["corte"])])
    assert counts(conalep_sessions) == (len(read("alumnos")), len(grades), late, 1)
    assert "calificaciones.csv: leído como UTF-8 con BOM" in first.output
    again = run(conalep_settings, "import-sae", str(SAE_SAMPLES))
    assert again.exit_code == 0 and "calificaciones: 0 nuevos, 0 actualizados" in again.output
    assert counts(conalep_sessions) == (len(read("alumnos")), len(grades), late, 2)


def test_a_later_export_of_the_same_corte_updates_in_place(
        conalep_settings: ConalepSettings, conalep_sessions: Any, tmp_path: Path) -> None:
    assert run(conalep_settings, "import-sae", str(SAE_SAMPLES)).exit_code == 0
    grades = read("calificaciones")
    missing = next(g for g in grades if not g["calificacion"] and g["corte"] == "2")
    fixed = next(g for g in grades if g["calificacion"] and g["corte"] == "1")
    missing.update(calificacion="8.5", fecha_captura="2025-11-03")   # within corte 2's window
    fixed.update(calificacion="9.9", fecha_captura="2025-10-20")     # corte 1 closed 30/09
    later = tmp_path / "corte2"
    write(later, "calificaciones", grades)
    answer = run(conalep_settings, "import-sae", str(later))
    assert answer.exit_code == 0, answer.output
    assert "calificaciones: 0 nuevos, 2 actualizados" in answer.output
    with conalep_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Calificacion)) == len(grades)
        rows = {(c.matricula, c.clave_modulo, c.corte): c for c in session.scalars(
            select(Calificacion).where(Calificacion.matricula.in_(
                [missing["matricula"], fixed["matricula"]])))}
        now_captured = rows[(missing["matricula"], missing["clave_modulo"], 2)]
        corrected = rows[(fixed["matricula"], fixed["clave_modulo"], 1)]
        assert (now_captured.calificacion, now_captured.late) == (8.5, False)
        assert (corrected.calificacion, corrected.late) == (9.9, True)
        opened = session.scalars(select(Rectificacion).where(
            Rectificacion.calificacion_id == corrected.id)).all()
        assert [(r.kind, r.nueva, r.recorded_at) for r in opened] == [("correccion", 9.9, None)]


def _mutate(name: str, row: int, **changes: str) -> tuple[str, Rows]:
    rows = read(name)
    rows[row - 2].update(changes)
    return name, rows


BAD_INPUT = {
    "curp check digit": (_mutate("alumnos", 5, curp="GOSA071107MVZNNNI9"),
                         "alumnos.csv, fila 5, columna «curp»: el dígito verificador"),
    "unknown plantel": (_mutate("alumnos", 3, clave_plantel="999"),
                        "alumnos.csv, fila 3, columna «clave_plantel»: el plantel 999 no existe"),
    "unknown carrera": (_mutate("alumnos", 4, clave_carrera="MECA-23"),
                        "alumnos.csv, fila 4, columna «clave_carrera»: la carrera MECA-23"),
    "unknown grupo": (_mutate("calificaciones", 7, grupo="9ZZZ-9"),
                      "calificaciones.csv, fila 7, columna «grupo»: el grupo 9ZZZ-9 no existe"),
    "grade above 10": (_mutate("calificaciones", 8, calificacion="10.5"),
                       "calificaciones.csv, fila 8, columna «calificacion»: 10.5 está fuera de "
                       "la escala de 0 a 10"),
    "negative grade": (_mutate("calificaciones", 9, calificacion="-1"),
                       "calificaciones.csv, fila 9, columna «calificacion»: -1 está fuera"),
    "grade not a number": (_mutate("calificaciones", 10, calificacion="ocho"),
                           "calificaciones.csv, fila 10, columna «calificacion»: «ocho» no es "
                           "un número"),
    "capture before its window": (_mutate("calificaciones", 2, fecha_captura="2025-08-01"),
                                  "calificaciones.csv, fila 2, columna «fecha_captura»: "
                                  "01/08/2025 es antes de que abriera la captura del corte 1"),
    "corte without a window": (_mutate("calificaciones", 11, periodo="2024-2025-2"),
                               "calificaciones.csv, fila 11, columna «corte»: el calendario no "
                               "tiene la ventana de captura del corte"),
    "unknown matricula": (_mutate("calificaciones", 12, matricula="9999999999"),
                          "calificaciones.csv, fila 12, columna «matricula»: la matrícula "
                          "9999999999 no está en alumnos"),
    "bad estatus": (_mutate("alumnos", 6, estatus="ACTIVO"),
                    "alumnos.csv, fila 6, columna «estatus»: «ACTIVO» no es un estatus"),
    "bad academic model": (_mutate("carreras", 2, modelo_academico="2011"),
                           "carreras.csv, fila 2, columna «modelo_academico»: «2011» no es un "
                           "modelo académico"),
    "window ends before it starts": (_mutate("calendario", 3, fin_captura="2025-10-01"),
                                     "calendario.csv, fila 3, columna «fin_captura»: el fin de "
                                     "la captura es anterior a su inicio"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_is_named_and_nothing_is_written(
        case: str, conalep_settings: ConalepSettings, conalep_sessions: Any,
        tmp_path: Path) -> None:
    (name, rows), expected = BAD_INPUT[case]
    folder = samples(tmp_path / "sae")
    write(folder, name, rows)
    answer = run(conalep_settings, "import-sae", str(folder))
    assert answer.exit_code == 1
    assert expected in answer.output, answer.output
    assert "No se importó nada" in answer.output
    assert counts(conalep_sessions) == (0, 0, 0, 0)


def test_duplicate_rows_and_missing_columns_are_named(
        conalep_settings: ConalepSettings, conalep_sessions: Any, tmp_path: Path) -> None:
    folder = samples(tmp_path / "sae")
    grades = read("calificaciones")
    write(folder, "calificaciones", [*grades, grades[3]])
    students = [{k: v for k, v in r.items() if k != "grupo"} for r in read("alumnos")]
    write(folder, "alumnos", students)
    answer = run(conalep_settings, "import-sae", str(folder))
    assert answer.exit_code == 1
    assert (f"calificaciones.csv, fila {len(grades) + 2}: repite la calificación de la fila 5"
            in answer.output), answer.output
    assert "alumnos.csv, encabezado: faltan las columnas «grupo»" in answer.output
    assert counts(conalep_sessions) == (0, 0, 0, 0)


def test_accept_valid_imports_only_the_valid_rows_and_exits_1(
        conalep_settings: ConalepSettings, conalep_sessions: Any, tmp_path: Path) -> None:
    folder = samples(tmp_path / "sae")
    students = read("alumnos")
    bad = students[0]
    bad["curp"] = bad["curp"][:17] + ("0" if bad["curp"][17] != "0" else "1")
    write(folder, "alumnos", students)
    answer = run(conalep_settings, "import-sae", str(folder), "--accept-valid")
    assert answer.exit_code == 1
    grades_of_bad = sum(1 for g in read("calificaciones") if g["matricula"] == bad["matricula"])
    assert "Se omitieron" in answer.output
    with conalep_sessions() as session:
        assert session.get(Alumno, bad["matricula"]) is None
        assert session.scalar(select(func.count()).select_from(Alumno)) == len(students) - 1
        assert session.scalar(select(func.count()).select_from(Calificacion)) \
            == len(read("calificaciones")) - grades_of_bad


def test_windows_1252_csv_and_xlsx_read_the_same(
        conalep_settings: ConalepSettings, conalep_sessions: Any, tmp_path: Path) -> None:
    folder = samples(tmp_path / "sae")
    write(folder, "alumnos", read("alumnos"), encoding="cp1252")
    (folder / "calificaciones.csv").unlink()
    book = openpyxl.Workbook()
    sheet = book.active
    grades = read("calificaciones")
    sheet.append(list(grades[0]))
    for g in grades:
        sheet.append([float(v) if k == "calificacion" and v else v for k, v in g.items()])
    book.save(folder / "calificaciones.xlsx")
    answer = run(conalep_settings, "import-sae", str(folder))
    assert answer.exit_code == 0, answer.output
    assert "alumnos.csv: leído como Windows-1252 (ANSI)" in answer.output
    assert "calificaciones.xlsx: leído como libro de Excel (.xlsx)" in answer.output
    with conalep_sessions() as session:
        assert session.get(Alumno, "2216500001").primer_apellido == "ZÚÑIGA"
        assert session.scalar(select(func.count()).select_from(Calificacion)) == len(grades)
