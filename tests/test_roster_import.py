"""Reading and validating SCEJAL exports: station.importers.roster_files + station.core.roster."""

from __future__ import annotations

import csv
import doctest
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_curp import sample_dir

import station.core.roster as roster_module
from foundation.errors import InputError
from foundation.table_files import read_table
from foundation.tables import RawTable
from station.core.roster import (
    SCHOOL_COLUMNS,
    STUDENT_COLUMNS,
    RosterCheck,
    validate_roster,
)
from station.importers.roster_files import load_roster
from station.services.demo_data import demo_export_rows

Rows = list[dict[str, str]]
NUMERIC = {"telefono", "matricula", "grado"}


def write_csv(path: Path, rows: Rows, columns: tuple[str, ...] | list[str], *,
              encoding: str = "utf-8-sig", delimiter: str = ",") -> Path:  # fmt: skip
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: Rows, columns: tuple[str, ...], *, floats: bool) -> Path:
    """Numbers as Excel keeps them; ``floats`` rewrites them as ``3336581200.0``."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(columns))
    for row in rows:
        sheet.append([int(row[c]) if c in NUMERIC and row[c].isdigit() else row[c]
                      for c in columns])  # fmt: skip
    book.save(path)
    if floats:
        with zipfile.ZipFile(path) as z:
            parts = {name: z.read(name) for name in z.namelist()}
        sheet_xml = parts["xl/worksheets/sheet1.xml"].decode()
        changed = re.sub(r'(t="n"><v>)(\d+)(</v>)', r"\g<1>\g<2>.0\g<3>", sheet_xml)
        assert changed != sheet_xml
        parts["xl/worksheets/sheet1.xml"] = changed.encode()
        with zipfile.ZipFile(path, "w") as z:
            for name, data in parts.items():
                z.writestr(name, data)
    return path


def read_rows(path: Path) -> Rows:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def samples() -> tuple[Rows, Rows]:
    from conftest import require_part

    folder = sample_dir()
    require_part(folder is not None, "muestras SCEJAL (escuelas.csv, alumnos.csv)")
    assert folder is not None
    return read_rows(folder / "escuelas.csv"), read_rows(folder / "alumnos.csv")


def demo() -> tuple[Rows, Rows]:
    return demo_export_rows(students=12, seed=11)


def check_files(tmp_path: Path, escuelas: Rows, alumnos: Rows,
                school_columns: tuple[str, ...] = SCHOOL_COLUMNS,
                student_columns: tuple[str, ...] = STUDENT_COLUMNS) -> RosterCheck:  # fmt: skip
    return load_roster(write_csv(tmp_path / "escuelas.csv", escuelas, school_columns),
                       write_csv(tmp_path / "alumnos.csv", alumnos, student_columns))  # fmt: skip


def where(check: RosterCheck) -> set[tuple[str, int, str]]:
    return {(p.file, p.row, p.field) for p in check.problems}


# --- the good path -----------------------------------------------------------------------


def test_docstring_example() -> None:
    result = doctest.testmod(roster_module)
    assert result.attempted >= 4 and result.failed == 0


def test_shared_samples_import_with_zero_problems() -> None:
    from conftest import require_part

    folder = sample_dir()
    require_part(folder is not None, "muestras SCEJAL")
    assert folder is not None
    check = load_roster(folder / "escuelas.csv", folder / "alumnos.csv")
    assert check.problems == ()
    assert check.notes == ()
    assert check.ok
    assert len(check.schools) == 6 and len(check.students) == 40
    assert check.encodings == {"escuelas.csv": "UTF-8 con BOM", "alumnos.csv": "UTF-8 con BOM"}
    school = next(s for s in check.schools if s.cct == "14EPR0412K")
    assert (school.telefono, school.matricula, school.internet) == ("3336581200", 612, True)
    assert school.nombre == 'ESCUELA PRIMARIA URBANA 412 "JOSEFA ORTIZ DE DOMÍNGUEZ"'
    student = next(s for s in check.students if s.curp == "CAXM110212HJCSXGJ5")
    assert (student.nombre, student.segundo_apellido, student.grado) == ("MIGUEL ÁNGEL", "", 3)
    assert student.nuevo_ingreso is False and student.estatus == "INSCRITO"


def _variants(tmp_path: Path, escuelas: Rows, alumnos: Rows) -> dict[str, tuple[Path, Path]]:
    out: dict[str, tuple[Path, Path]] = {}
    for label, encoding, delimiter in [("UTF-8 con BOM", "utf-8-sig", ","),
                                       ("UTF-8", "utf-8", ","),
                                       ("Windows-1252 (ANSI)", "cp1252", ","),
                                       ("UTF-8", "utf-8", ";"),
                                       ("Unicode (UTF-16)", "utf-16", "\t")]:  # fmt: skip
        folder = tmp_path / f"{encoding}{ord(delimiter)}"
        folder.mkdir()
        out[f"{label}|{delimiter}"] = (
            write_csv(folder / "escuelas.csv", escuelas, SCHOOL_COLUMNS, encoding=encoding,
                      delimiter=delimiter),
            write_csv(folder / "alumnos.csv", alumnos, STUDENT_COLUMNS, encoding=encoding,
                      delimiter=delimiter),
        )  # fmt: skip
    for floats in (False, True):
        folder = tmp_path / f"xlsx{floats}"
        folder.mkdir()
        out[f"libro de Excel (.xlsx)|{floats}"] = (
            write_xlsx(folder / "escuelas.xlsx", escuelas, SCHOOL_COLUMNS, floats=floats),
            write_xlsx(folder / "alumnos.xlsx", alumnos, STUDENT_COLUMNS, floats=floats),
        )
    return out


@pytest.mark.parametrize("source", ["samples", "demo"])
def test_every_format_gives_identical_records(tmp_path: Path, source: str) -> None:
    escuelas, alumnos = samples() if source == "samples" else demo()
    reference = check_files(tmp_path, escuelas, alumnos)
    assert reference.ok and len(reference.students) == len(alumnos)
    for key, (esc_path, alu_path) in _variants(tmp_path, escuelas, alumnos).items():
        label = key.split("|")[0]
        check = load_roster(esc_path, alu_path)
        assert check.problems == (), key
        assert check.notes == (), key
        assert check.schools == reference.schools, key
        assert check.students == reference.students, key
        assert set(check.encodings.values()) == {label}, key


def test_cp1252_file_keeps_accents_and_enie(tmp_path: Path) -> None:
    escuelas, _ = demo()
    path = write_csv(tmp_path / "escuelas.csv", escuelas, SCHOOL_COLUMNS, encoding="cp1252")
    assert "DEMOSTRACIÓN".encode("cp1252") in path.read_bytes()
    table = read_table(path)
    assert table.encoding == "cp1252"
    assert [cells["nombre"] for _, cells in table.rows] == [e["nombre"] for e in escuelas]


def test_xlsx_numbers_come_back_as_plain_text(tmp_path: Path) -> None:
    escuelas, _ = demo()
    table = read_table(write_xlsx(tmp_path / "e.xlsx", escuelas, SCHOOL_COLUMNS, floats=True))
    assert [c["telefono"] for _, c in table.rows] == [e["telefono"] for e in escuelas]
    assert [c["matricula"] for _, c in table.rows] == [e["matricula"] for e in escuelas]
    assert [n for n, _ in table.rows] == [2, 3, 4]


def test_headers_are_matched_without_case_or_accents(tmp_path: Path) -> None:
    escuelas, alumnos = demo()
    fancy = {"primer_apellido": "Primer Apellido", "curp": " CURP", "matricula": "Matrícula"}
    renamed_a = [{fancy.get(k, k): v for k, v in row.items()} for row in alumnos]
    renamed_e = [{fancy.get(k, k): v for k, v in row.items()} for row in escuelas]
    check = check_files(
        tmp_path, renamed_e, renamed_a,
        tuple(fancy.get(c, c) for c in SCHOOL_COLUMNS),
        tuple(fancy.get(c, c) for c in STUDENT_COLUMNS),
    )  # fmt: skip
    assert check.ok and len(check.students) == len(alumnos)


def test_two_thousand_students_validate(tmp_path: Path) -> None:
    escuelas, alumnos = demo_export_rows(students=2000, seed=3)
    check = check_files(tmp_path, escuelas, alumnos)
    assert check.ok and len(check.students) == 2000
    assert len({s.curp for s in check.students}) == 2000


# --- every kind of bad row ------------------------------------------------------------------


def _first(rows: Rows, **match: str) -> int:
    return next(i for i, r in enumerate(rows) if all(r[k] == v for k, v in match.items()))


def _bump_digit(curp: str) -> str:
    return curp[:17] + str((int(curp[17]) + 1) % 10)


STUDENT_CASES = [
    ("curp", lambda r: _bump_digit(r["curp"]), "el dígito verificador debería ser"),
    ("curp", lambda r: r["curp"][:17], "debe tener 18 caracteres y tiene 17"),
    ("nombre", lambda r: "", "falta el nombre"),
    ("primer_apellido", lambda r: "", "falta el primer apellido"),
    ("cct", lambda r: "14EPR9999X", "la escuela con CCT 14EPR9999X no está en escuelas.csv"),
    ("cct", lambda r: "14-EPR-0412", "no tiene la forma correcta"),
    ("grado", lambda r: "7", "el grado 7 no existe en primaria: debe ser de 1 a 6"),
    ("grado", lambda r: "0", "debe ser de 1 a 6"),
    ("grado", lambda r: "TERCERO", "el grado debe ser un número entero"),
    ("estatus", lambda r: "ACTIVO", "debe ser uno de: INSCRITO, BAJA"),
    ("nuevo_ingreso", lambda r: "TAL VEZ", "debe ser SI o NO"),
    ("nombre", lambda r: "MA. GUADALUPE", "«MA.» es una abreviatura (¿MARÍA?)"),
    ("nombre", lambda r: "MA GUADALUPE", "«MA» es una abreviatura (¿MARÍA?)"),
    ("nombre", lambda r: "MA. DE JESÚS", "«MA.» es una abreviatura"),
    ("nombre", lambda r: "J. LUIS", "«J.» es una abreviatura"),
    ("nombre", lambda r: "J LUIS", "«J» es una abreviatura"),
    ("nombre", lambda r: "FCO. JAVIER", "(¿FRANCISCO?)"),
    ("nombre", lambda r: "GPE.", "(¿GUADALUPE?)"),
    ("primer_apellido", lambda r: "GLEZ.", "«GLEZ.» es una abreviatura"),
    ("nombre", lambda r: "SANTIAGO 2", "tiene caracteres que no son letras: 2"),
    ("ciclo", lambda r: "2026/2027", "debe escribirse como 2026-2027"),
    ("ciclo", lambda r: "2025-2026", "el ciclo 2025-2026 no coincide con el de los demás"),
]


@pytest.mark.parametrize(("field", "change", "words"), STUDENT_CASES,
                         ids=[f"{c[0]}:{c[2][:30]}" for c in STUDENT_CASES])  # fmt: skip
def test_bad_student_row_is_reported_by_file_row_field(
    tmp_path: Path, field: str, change: Callable[[dict[str, str]], str], words: str
) -> None:
    escuelas, alumnos = demo()
    i = _first(alumnos, cct="14DPR9901D")  # a primaria
    alumnos[i][field] = change(alumnos[i])
    check = check_files(tmp_path, escuelas, alumnos)
    assert where(check) == {("alumnos.csv", i + 2, field)}
    (problem,) = check.problems
    assert words in problem.reason_es
    assert problem.message_es.startswith(f"alumnos.csv, fila {i + 2}, columna «{field}»: ")
    assert len(check.students) == len(alumnos) - 1
    assert alumnos[i]["curp"] not in {s.curp for s in check.students} or field == "curp"


def test_grade_range_follows_the_school_level(tmp_path: Path) -> None:
    escuelas, alumnos = demo()
    i = _first(alumnos, cct="14ETV9903F")  # a telesecundaria
    alumnos[i]["grado"] = "4"
    check = check_files(tmp_path, escuelas, alumnos)
    assert where(check) == {("alumnos.csv", i + 2, "grado")}
    assert "no existe en secundaria: debe ser de 1 a 3" in check.problems[0].reason_es


def test_duplicate_curp_reports_both_rows(tmp_path: Path) -> None:
    escuelas, alumnos = demo()
    alumnos[5]["curp"] = alumnos[1]["curp"]
    check = check_files(tmp_path, escuelas, alumnos)
    assert where(check) == {("alumnos.csv", 3, "curp"), ("alumnos.csv", 7, "curp")}
    assert all("repetida (filas 3, 7)" in p.reason_es for p in check.problems)
    assert alumnos[1]["curp"] not in {s.curp for s in check.students}
    assert len(check.students) == len(alumnos) - 2


SCHOOL_CASES = [
    ("turno", "NOCHE", "MATUTINO, VESPERTINO, NOCTURNO, DISCONTINUO, TIEMPO COMPLETO"),
    ("nivel", "PREESCOLAR", "debe ser uno de: PRIMARIA, SECUNDARIA"),
    ("matricula", "QUINIENTOS", "la matrícula (alumnos inscritos) debe ser un número entero"),
    ("internet", "TAL VEZ", "debe ser SI o NO"),
    ("telefono", "12345", "el teléfono debe tener 10 dígitos"),
    ("telefono", "3.39999E+09", "notación científica"),
    ("domicilio", "", "falta el domicilio"),
    ("nombre", "", "falta el nombre de la escuela"),
    ("drse", "", "falta la delegación regional"),
]


@pytest.mark.parametrize(("field", "value", "words"), SCHOOL_CASES,
                         ids=[f"{c[0]}:{c[1]}" for c in SCHOOL_CASES])  # fmt: skip
def test_bad_school_row_is_reported_and_its_students_held_back(
    tmp_path: Path, field: str, value: str, words: str
) -> None:
    escuelas, alumnos = demo()
    escuelas[1][field] = value
    cct = escuelas[1]["cct"]
    held = {i + 2 for i, a in enumerate(alumnos) if a["cct"] == cct}
    assert held
    check = check_files(tmp_path, escuelas, alumnos)
    assert where(check) == {("escuelas.csv", 3, field)} | {("alumnos.csv", n, "cct") for n in held}
    assert words in check.problems[0].reason_es and check.problems[0].file == "escuelas.csv"
    assert all("tiene errores en escuelas.csv (fila 3)" in p.reason_es
               for p in check.problems[1:])  # fmt: skip
    assert cct not in {s.cct for s in check.schools} | {s.cct for s in check.students}
    assert len(check.schools) == len(escuelas) - 1


def test_bad_school_cct_shape(tmp_path: Path) -> None:
    escuelas, alumnos = demo()
    old = escuelas[2]["cct"]
    escuelas[2]["cct"] = "14ETV-9903"
    check = check_files(tmp_path, escuelas, alumnos)
    assert ("escuelas.csv", 4, "cct") in where(check)
    orphans = {("alumnos.csv", i + 2, "cct") for i, a in enumerate(alumnos) if a["cct"] == old}
    assert where(check) == {("escuelas.csv", 4, "cct")} | orphans
    assert all("no está en escuelas.csv" in p.reason_es for p in check.problems[1:])


def test_repeated_school_reports_both_rows(tmp_path: Path) -> None:
    escuelas, alumnos = demo()
    escuelas.append(dict(escuelas[0]))
    check = check_files(tmp_path, escuelas, alumnos)
    school_problems = [p for p in check.problems if p.file == "escuelas.csv"]
    assert {(p.row, p.field) for p in school_problems} == {(2, "cct"), (5, "cct")}
    assert "aparece varias veces (filas 2, 5)" in school_problems[0].reason_es


def test_missing_student_column_is_one_problem(tmp_path: Path) -> None:
    escuelas, alumnos = demo()
    columns = tuple(c for c in STUDENT_COLUMNS if c != "grado")
    trimmed = [{k: v for k, v in a.items() if k != "grado"} for a in alumnos]
    check = check_files(tmp_path, escuelas, trimmed, student_columns=columns)
    assert where(check) == {("alumnos.csv", 1, "grado")}
    assert check.problems[0].message_es.startswith("alumnos.csv, encabezado, columna «grado»")
    assert check.students == () and len(check.schools) == len(escuelas)


def test_missing_school_column_is_one_problem(tmp_path: Path) -> None:
    escuelas, alumnos = demo()
    columns = tuple(c for c in SCHOOL_COLUMNS if c != "telefono")
    trimmed = [{k: v for k, v in e.items() if k != "telefono"} for e in escuelas]
    check = check_files(tmp_path, trimmed, alumnos, school_columns=columns)
    assert where(check) == {("escuelas.csv", 1, "telefono")}
    assert "falta la columna «telefono»" in check.problems[0].reason_es
    assert check.schools == () and check.students == ()


def test_row_with_extra_cells_is_a_problem_of_the_whole_row(tmp_path: Path) -> None:
    escuelas, alumnos = demo()
    esc = write_csv(tmp_path / "escuelas.csv", escuelas, SCHOOL_COLUMNS)
    text = esc.read_text("utf-8-sig").replace('"AV. DE LAS AMÉRICAS 1500, COL. PROVIDENCIA"',
                                              "AV. DE LAS AMÉRICAS 1500, COL. PROVIDENCIA")
    esc.write_text(text, "utf-8-sig")
    check = load_roster(esc, write_csv(tmp_path / "alumnos.csv", alumnos, STUDENT_COLUMNS))
    assert ("escuelas.csv", 2, "") in where(check)
    problem = next(p for p in check.problems if p.field == "")
    assert "11 datos y el encabezado 10 columnas" in problem.reason_es
    assert problem.message_es.startswith("escuelas.csv, fila 2: ")


def test_validation_is_deterministic() -> None:
    escuelas, alumnos = demo()
    alumnos[2]["nombre"] = "ma. luisa"
    tables = (RawTable("e.csv", SCHOOL_COLUMNS, list(enumerate(escuelas, 2))),
              RawTable("a.csv", STUDENT_COLUMNS, list(enumerate(alumnos, 2))))  # fmt: skip
    assert validate_roster(*tables) == validate_roster(*tables)


# --- normalisation -------------------------------------------------------------------------


def test_fixable_noise_becomes_notes_not_problems(tmp_path: Path) -> None:
    escuelas, alumnos = demo()
    (tmp_path / "clean").mkdir()
    clean = check_files(tmp_path / "clean", escuelas, alumnos)
    assert clean.ok
    a0, a1 = alumnos[0], alumnos[1]
    messy_a0 = {"nombre": a0["nombre"].lower(), "curp": " " + a0["curp"].lower(),
                "primer_apellido": unicodedata.normalize("NFD", a0["primer_apellido"]),
                "segundo_apellido": a0["segundo_apellido"].replace(" ", "  ") + " "}
    messy_a1 = {"nuevo_ingreso": a1["nuevo_ingreso"].capitalize(), "grupo": a1["grupo"].lower()}
    messy_e0 = {"telefono": "(33) 9999-0101", "internet": "Sí"}
    messy_e1 = {"telefono": "+52 378 999 0202"}
    a0.update(messy_a0)
    a1.update(messy_a1)
    escuelas[0].update(messy_e0)
    escuelas[1].update(messy_e1)
    check = check_files(tmp_path, escuelas, alumnos)
    assert check.problems == ()
    assert check.schools == clean.schools and check.students == clean.students
    notes = {(n.file, n.row, n.field, n.before): n.after for n in check.notes}
    expected = {("alumnos.csv", 2, k, v) for k, v in messy_a0.items()}
    expected |= {("alumnos.csv", 3, k, v) for k, v in messy_a1.items()}
    expected |= {("escuelas.csv", 2, k, v) for k, v in messy_e0.items()}
    expected |= {("escuelas.csv", 3, k, v) for k, v in messy_e1.items()}
    assert set(notes) == expected
    assert notes[("escuelas.csv", 2, "telefono", "(33) 9999-0101")] == "3399990101"
    assert notes[("escuelas.csv", 3, "telefono", "+52 378 999 0202")] == "3789990202"
    assert notes[("alumnos.csv", 2, "nombre", "maría fernanda")] == "MARÍA FERNANDA"
    assert notes[("alumnos.csv", 2, "segundo_apellido", "DE  LA  TORRE ")] == "DE LA TORRE"


_noise = st.sampled_from([str.lower, str.upper, str.title, lambda s: f"  {s} ",
                          lambda s: s.replace(" ", "   ")])  # fmt: skip


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 11), st.sampled_from(["nombre", "primer_apellido",
                                                               "segundo_apellido", "grupo"]),
                          _noise), max_size=8))  # fmt: skip
def test_case_and_space_noise_never_changes_the_records(
    changes: list[tuple[int, str, Callable[[str], str]]],
) -> None:
    escuelas, alumnos = demo()

    def table(name: str, cols: tuple[str, ...], rows: Rows) -> RawTable:
        return RawTable(name, cols, list(enumerate(rows, 2)))
    reference = validate_roster(table("e", SCHOOL_COLUMNS, escuelas),
                                table("a", STUDENT_COLUMNS, alumnos))  # fmt: skip
    for i, field, noise in changes:
        alumnos[i][field] = noise(alumnos[i][field])
    check = validate_roster(table("e", SCHOOL_COLUMNS, escuelas),
                            table("a", STUDENT_COLUMNS, alumnos))  # fmt: skip
    assert check.problems == ()
    assert check.students == reference.students


# --- files that cannot be read -------------------------------------------------------------


def _unreadable_cases(tmp_path: Path) -> list[tuple[Path, str]]:
    png = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (20, 20), "red").save(png, "PNG")
    xlsx = write_xlsx(tmp_path / "real.xlsx", demo()[0], SCHOOL_COLUMNS, floats=False)
    cases = {
        "vacio.csv": (b"", "está vacío"),
        "blancos.csv": (b"\r\n  \r\n,,,\r\n", "está vacío"),
        "foto.csv": (png.getvalue(), "no es un archivo de texto"),
        "libro.csv": (xlsx.read_bytes(), "es un libro de Excel con nombre .csv"),
        "viejo.csv": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"x" * 100, "antiguo (.xls)"),
        "raro.csv": (b"cct,nombre\r\n14EPR0412K,\x81\x8d\x8f\x90\r\n", "no se pueden leer"),
        "doble.csv": (b"cct,nombre,CCT\r\n1,2,3\r\n", "tiene dos columnas"),
        "danado.xlsx": (b"PK\x03\x04" + b"\x00garbage" * 50, "no es un libro de Excel válido"),
        "texto.xlsx": (b"cct,nombre\r\n", "no es un libro de Excel válido"),
        "escuelas.txt": (b"cct\r\n", "no es un archivo CSV ni un libro de Excel"),
        "escuelas.xls": (b"\xd0\xcf\x11\xe0", "formato antiguo de Excel (.xls)"),
    }
    out = []
    for name, (data, words) in cases.items():
        (tmp_path / name).write_bytes(data)
        out.append((tmp_path / name, words))
    out.append((tmp_path / "no-existe.csv", "no existe"))
    return out


def test_unreadable_files_raise_input_error_naming_the_file(tmp_path: Path) -> None:
    for path, words in _unreadable_cases(tmp_path):
        with pytest.raises(InputError) as caught:
            read_table(path)
        message = caught.value.user_message()
        assert f"«{path.name}»" in message, message
        assert words in message, message
        assert caught.value.way_out


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "alumnos.csv"
    path.write_text(",".join(STUDENT_COLUMNS) + "\r\n", "utf-8")
    table = read_table(path)
    assert table.rows == [] and tuple(table.columns) == STUDENT_COLUMNS
    assert table.encoding_label == "UTF-8"
