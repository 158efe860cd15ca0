"""Validation of SAE exports (planteles, carreras, alumnos, calendario, calificaciones), pure:
rows in, records and problems out. Reading the files is :mod:`foundation.table_files`;
writing is :mod:`conalep.academic.sae_import`.

Every bad row becomes a :class:`~foundation.tables.RowProblem` naming the file, the row (as a
spreadsheet numbers it: header = 1), the column and why, in Spanish. A row that depends on a
refused row (a grade of a student whose row was refused) is refused too, saying so.

>>> from foundation.tables import RawTable
>>> known = Known()
>>> batch = validate({"planteles": RawTable("planteles.csv", PLANTEL_COLUMNS, [
...     (2, {"clave_plantel": "165", "nombre": "CONALEP XALAPA", "municipio": "XALAPA"}),
...     (3, {"clave_plantel": "165", "nombre": "OTRO", "municipio": "XALAPA"})])}, known)
>>> len(batch.planteles), print(batch.problems[0].message_es)
planteles.csv, fila 3, columna «clave_plantel»: el plantel 165 ya está en la fila 2.
(1, None)
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter

from foundation.curp import validate_curp
from foundation.tables import RawTable, RowProblem, column_key

FILES = ("planteles", "carreras", "alumnos", "calendario", "calificaciones")
"""The SAE export files, in the order they are validated (each may refer to the ones before)."""
PLANTEL_COLUMNS = ("clave_plantel", "nombre", "municipio")
CARRERA_COLUMNS = ("clave_carrera", "nombre", "modelo_academico")
ALUMNO_COLUMNS = ("matricula", "curp", "nombre", "primer_apellido", "segundo_apellido",
                  "clave_plantel", "clave_carrera", "generacion", "semestre", "grupo", "estatus")
CALENDARIO_COLUMNS = ("periodo", "corte", "inicio_captura", "fin_captura")
CALIFICACION_COLUMNS = ("periodo", "clave_plantel", "grupo", "clave_modulo", "modulo",
                        "clave_docente", "docente", "matricula", "corte", "calificacion",
                        "fecha_captura")
COLUMNS: dict[str, tuple[str, ...]] = {
    "planteles": PLANTEL_COLUMNS, "carreras": CARRERA_COLUMNS, "alumnos": ALUMNO_COLUMNS,
    "calendario": CALENDARIO_COLUMNS, "calificaciones": CALIFICACION_COLUMNS}
ACADEMIC_MODELS = (1990, 1997, 2003, 2008, 2018, 2023)
"""Norm 29: the academic models a career can belong to."""
ESTATUS = ("INSCRITO", "BAJA", "EGRESADO")
CORTES = (1, 2, 3)
SEMESTRES = range(1, 7)

_CLAVE = re.compile(r"^[0-9A-Z][0-9A-Z._-]{0,19}$")
_GENERACION = re.compile(r"^(\d{4})-(\d{4})$")
_PERIODO = re.compile(r"^(\d{4})-(\d{4})-([12])$")
_GRADE = re.compile(r"^(10|\d)([.,]\d)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(slots=True)
class Known:
    """What the database already holds, so a later export may refer to it."""

    planteles: set[str] = field(default_factory=set)
    carreras: set[str] = field(default_factory=set)
    alumnos: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    """matricula → (clave_plantel, grupo, curp)."""
    windows: dict[tuple[str, int], tuple[date, date]] = field(default_factory=dict)
    """(periodo, corte) → (inicio_captura, fin_captura)."""


GradeRecord = tuple[str, int, str, str, str, str, str, float | None, date | None]
"""(periodo, corte, matricula, clave_modulo, clave_plantel, grupo, clave_docente,
calificacion, fecha_captura): one valid row of ``calificaciones``."""


@dataclass(slots=True)
class SaeBatch:
    """The valid records of an export, the problems, and how many rows each file had."""

    planteles: list[dict[str, str]] = field(default_factory=list)
    carreras: list[dict[str, object]] = field(default_factory=list)
    alumnos: list[dict[str, object]] = field(default_factory=list)
    windows: list[dict[str, object]] = field(default_factory=list)
    modulos: dict[str, str] = field(default_factory=dict)
    docentes: dict[str, str] = field(default_factory=dict)
    grades: list[GradeRecord] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    rows_read: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Checker:
    """Problems of one file; ``bad`` remembers which rows were refused."""

    def __init__(self, file: str, out: list[RowProblem]) -> None:
        self.file, self.out, self.bad = file, out, False

    def __call__(self, row: int, column: str, reason: str) -> None:
        self.out.append(RowProblem(self.file, row, column, reason))
        self.bad = True


def _headers(table: RawTable, expected: tuple[str, ...], out: list[RowProblem]
             ) -> dict[str, str] | None:
    """Canonical column → the file's header text; None (and a problem) when one is missing."""
    by_key = {column_key(c): c for c in table.columns}
    missing = [c for c in expected if c not in by_key]
    if missing:
        out.append(RowProblem(table.file, 1, "",
                              "faltan las columnas " + ", ".join(f"«{c}»" for c in missing)
                              + "; se esperan " + ", ".join(expected)))
        return None
    return {c: by_key[c] for c in expected}


def _rows(table: RawTable, expected: tuple[str, ...], batch: SaeBatch, name: str
          ) -> Iterable[tuple[int, dict[str, str], _Checker]]:
    """Each data row with its cells trimmed and keyed by canonical column."""
    heads = _headers(table, expected, batch.problems)
    count = 0
    if heads is not None:
        pairs = list(heads.items())
        canonical, cells = list(heads), itemgetter(*heads.values())
        strip = str.strip
        for n, raw in table.rows:
            count += 1
            check = _Checker(table.file, batch.problems)
            try:  # a state's sheet has a million rows: C-level picking and trimming
                values = dict(zip(canonical, map(strip, cells(raw)), strict=True))
            except KeyError:  # a row given without some column (not from a file)
                values = {c: raw.get(h, "").strip() for c, h in pairs}
            yield n, values, check
    batch.problems.extend(table.problems)  # the reader's, known once every row was read
    batch.rows_read[name] = batch.rows_read.get(name, 0) + count


def _required(values: dict[str, str], columns: Iterable[str], check: _Checker, n: int) -> None:
    for column in columns:
        if not values[column]:
            check(n, column, "está vacío")


def _clave(value: str, column: str, check: _Checker, n: int) -> None:
    if value and not _CLAVE.match(value):
        check(n, column, f"«{value}» no es una clave válida (letras mayúsculas, números, "
                         "punto o guion; hasta 20)")


def _iso(value: str, column: str, check: _Checker, n: int,
         cache: dict[str, date | None]) -> date | None:
    if value in cache:
        parsed = cache[value]
    else:
        try:
            parsed = date.fromisoformat(value) if _ISO_DATE.match(value) else None
        except ValueError:
            parsed = None
        cache[value] = parsed
    if parsed is None:
        check(n, column, f"«{value}» no es una fecha AAAA-MM-DD")
    return parsed


def validate(tables: Mapping[str, RawTable], known: Known, *,
             today: date | None = None) -> SaeBatch:
    """Validate the given files (any of :data:`FILES`) against each other and ``known``."""
    batch = SaeBatch()
    first_row: dict[str, dict[object, int]] = {}
    steps: list[tuple[str, Callable[[RawTable, Known, SaeBatch, dict[object, int]], None]]] = [
        ("planteles", _planteles), ("carreras", _carreras), ("alumnos", _alumnos),
        ("calendario", _calendario)]
    for name, step in steps:
        if name in tables:
            step(tables[name], known, batch, first_row.setdefault(name, {}))
    if "calificaciones" in tables:
        _calificaciones(tables["calificaciones"], known, batch, today or date.today())
    return batch


def _planteles(table: RawTable, known: Known, batch: SaeBatch, seen: dict[object, int]) -> None:
    for n, v, check in _rows(table, PLANTEL_COLUMNS, batch, "planteles"):
        _required(v, PLANTEL_COLUMNS, check, n)
        _clave(v["clave_plantel"], "clave_plantel", check, n)
        if v["clave_plantel"] in seen:
            check(n, "clave_plantel", f"el plantel {v['clave_plantel']} ya está en la fila "
                                      f"{seen[v['clave_plantel']]}")
        seen.setdefault(v["clave_plantel"], n)
        if not check.bad:
            batch.planteles.append(v)
            known.planteles.add(v["clave_plantel"])


def _carreras(table: RawTable, known: Known, batch: SaeBatch, seen: dict[object, int]) -> None:
    for n, v, check in _rows(table, CARRERA_COLUMNS, batch, "carreras"):
        _required(v, CARRERA_COLUMNS, check, n)
        _clave(v["clave_carrera"], "clave_carrera", check, n)
        model = v["modelo_academico"]
        if model and (not model.isdigit() or int(model) not in ACADEMIC_MODELS):
            check(n, "modelo_academico", f"«{model}» no es un modelo académico; son "
                                         + ", ".join(map(str, ACADEMIC_MODELS)))
        if v["clave_carrera"] in seen:
            check(n, "clave_carrera", f"la carrera {v['clave_carrera']} ya está en la fila "
                                      f"{seen[v['clave_carrera']]}")
        seen.setdefault(v["clave_carrera"], n)
        if not check.bad:
            batch.carreras.append({**v, "modelo_academico": int(model)})
            known.carreras.add(v["clave_carrera"])


def _alumnos(table: RawTable, known: Known, batch: SaeBatch, seen: dict[object, int]) -> None:
    curps: dict[str, tuple[int, str]] = {}
    for n, v, check in _rows(table, ALUMNO_COLUMNS, batch, "alumnos"):
        _required(v, [c for c in ALUMNO_COLUMNS if c != "segundo_apellido"], check, n)
        matricula, curp = v["matricula"], v["curp"]
        if matricula and not matricula.isalnum():
            check(n, "matricula", f"«{matricula}» no es una matrícula (sólo letras y números)")
        if matricula in seen:
            check(n, "matricula", f"la matrícula {matricula} ya está en la fila "
                                  f"{seen[matricula]}")
        seen.setdefault(matricula, n)
        if curp:
            problem = validate_curp(curp)
            if problem is not None:
                check(n, "curp", problem.reason_es)
            elif curp in curps and curps[curp][1] != matricula:
                check(n, "curp", f"la misma CURP está en la fila {curps[curp][0]} con otra "
                                 "matrícula")
            curps.setdefault(curp, (n, matricula))
        if v["clave_plantel"] and v["clave_plantel"] not in known.planteles:
            check(n, "clave_plantel", f"el plantel {v['clave_plantel']} no existe (no está en "
                                      "planteles ni en la base)")
        if v["clave_carrera"] and v["clave_carrera"] not in known.carreras:
            check(n, "clave_carrera", f"la carrera {v['clave_carrera']} no existe (no está en "
                                      "carreras ni en la base)")
        generation = _GENERACION.match(v["generacion"])
        if v["generacion"] and (generation is None
                                or int(generation[2]) - int(generation[1]) != 3):
            check(n, "generacion", f"«{v['generacion']}» no es una generación como 2023-2026")
        semestre = v["semestre"]
        if semestre and (not semestre.isdigit() or int(semestre) not in SEMESTRES):
            check(n, "semestre", f"«{semestre}» no es un semestre del 1 al 6")
        if v["estatus"] and v["estatus"] not in ESTATUS:
            check(n, "estatus", f"«{v['estatus']}» no es un estatus; son " + ", ".join(ESTATUS))
        if not check.bad:
            batch.alumnos.append({**v, "semestre": int(semestre)})
            known.alumnos[sys.intern(matricula)] = (v["clave_plantel"], v["grupo"], curp)


def _calendario(table: RawTable, known: Known, batch: SaeBatch,
                seen: dict[object, int]) -> None:
    cache: dict[str, date | None] = {}
    for n, v, check in _rows(table, CALENDARIO_COLUMNS, batch, "calendario"):
        _required(v, CALENDARIO_COLUMNS, check, n)
        if v["periodo"] and not _PERIODO.match(v["periodo"]):
            check(n, "periodo", f"«{v['periodo']}» no es un periodo como 2025-2026-1")
        corte = int(v["corte"]) if v["corte"] in ("1", "2", "3") else None
        if v["corte"] and corte is None:
            check(n, "corte", f"«{v['corte']}» no es un corte (1, 2 o 3)")
        start = _iso(v["inicio_captura"], "inicio_captura", check, n, cache) \
            if v["inicio_captura"] else None
        end = _iso(v["fin_captura"], "fin_captura", check, n, cache) if v["fin_captura"] \
            else None
        if start and end and end < start:
            check(n, "fin_captura", "el fin de la captura es anterior a su inicio")
        key = (v["periodo"], corte)
        if key in seen:
            check(n, "corte", f"el corte {corte} del periodo {v['periodo']} ya está en la fila "
                              f"{seen[key]}")
        seen.setdefault(key, n)
        if not check.bad and corte is not None and start and end:
            batch.windows.append({"periodo": v["periodo"], "corte": corte,
                                  "inicio_captura": start, "fin_captura": end})
            known.windows[(v["periodo"], corte)] = (start, end)
    _windows_in_order(table.file, known, batch, seen)


def _windows_in_order(file: str, known: Known, batch: SaeBatch,
                      seen: dict[object, int]) -> None:
    """Norm 8: the three windows of a periodo follow each other without overlapping."""
    for w in batch.windows:
        before = known.windows.get((str(w["periodo"]), int(str(w["corte"])) - 1))
        if before is not None and not before[1] < w["inicio_captura"]:  # type: ignore[operator]
            batch.problems.append(RowProblem(
                file, seen[(w["periodo"], w["corte"])], "inicio_captura",
                f"la ventana del corte {w['corte']} empieza antes de que cierre la del corte "
                f"{int(str(w['corte'])) - 1}"))


def _calificaciones(table: RawTable, known: Known, batch: SaeBatch, today: date) -> None:
    groups = {(plantel, grupo) for plantel, grupo, _ in known.alumnos.values()}
    seen: dict[tuple[str, str, str, int], int] = {}
    dates: dict[str, date | None] = {}
    strings: dict[str, str] = {}
    intern = strings.setdefault
    modulo_row: dict[str, int] = {}
    docente_row: dict[str, int] = {}
    required = ("periodo", "clave_plantel", "grupo", "clave_modulo", "modulo", "clave_docente",
                "docente", "matricula", "corte")
    # The few hundred distinct grade texts of a sheet, parsed once (only valid ones are kept:
    # a bad one is reported on every row that has it).
    grades: dict[str, float | None] = {"": None}
    modulos, docentes = batch.modulos, batch.docentes
    filled = itemgetter(*required)
    for n, v, check in _rows(table, CALIFICACION_COLUMNS, batch, "calificaciones"):
        if "" in filled(v):
            _required(v, required, check, n)
        periodo, plantel, grupo = v["periodo"], v["clave_plantel"], v["grupo"]
        matricula, clave_modulo, clave_docente = v["matricula"], v["clave_modulo"], \
            v["clave_docente"]
        corte = int(v["corte"]) if v["corte"] in ("1", "2", "3") else None
        if v["corte"] and corte is None:
            check(n, "corte", f"«{v['corte']}» no es un corte (1, 2 o 3)")
        window = known.windows.get((periodo, corte)) if corte else None
        if periodo and corte and window is None:
            check(n, "corte", f"el calendario no tiene la ventana de captura del corte {corte} "
                              f"del periodo {periodo}")
        if plantel and plantel not in known.planteles:
            check(n, "clave_plantel", f"el plantel {plantel} no existe")
        elif plantel and grupo and (plantel, grupo) not in groups:
            check(n, "grupo", f"el grupo {grupo} no existe en el plantel {plantel}")
        student = known.alumnos.get(matricula)
        if matricula and student is None:
            check(n, "matricula", f"la matrícula {matricula} no está en alumnos (ni en la base)")
        elif student is not None and plantel and student[0] != plantel:
            check(n, "matricula", f"el alumno {matricula} es del plantel {student[0]}, no del "
                                  f"{plantel}")
        if modulos.get(clave_modulo) != v["modulo"]:
            _same_name(modulos, modulo_row, clave_modulo, v["modulo"], "modulo", "módulo",
                       check, n)
        if docentes.get(clave_docente) != v["docente"]:
            _same_name(docentes, docente_row, clave_docente, v["docente"], "docente",
                       "docente", check, n)
        text = v["calificacion"]
        if text in grades:
            grade = grades[text]
        else:
            grade = _grade(text, check, n)
            if not check.bad:
                grades[text] = grade
        captured = _iso(v["fecha_captura"], "fecha_captura", check, n, dates) \
            if v["fecha_captura"] else None
        if v["calificacion"] and not v["fecha_captura"]:
            check(n, "fecha_captura", "una calificación capturada necesita su fecha de captura")
        if v["fecha_captura"] and not v["calificacion"]:
            check(n, "calificacion", "tiene fecha de captura pero no calificación")
        if captured is not None and window is not None and captured < window[0]:
            check(n, "fecha_captura", f"{captured:%d/%m/%Y} es antes de que abriera la captura "
                                      f"del corte {corte} ({window[0]:%d/%m/%Y}): la fecha no "
                                      "cae en ningún periodo de captura")
        elif captured is not None and captured > today:
            check(n, "fecha_captura", f"{captured:%d/%m/%Y} es una fecha futura")
        key = (periodo, matricula, clave_modulo, corte or 0)
        if key in seen:
            check(n, "", f"repite la calificación de la fila {seen[key]} (mismo periodo, "
                         "matrícula, módulo y corte)")
        else:
            seen[key] = n
        if not check.bad:
            batch.grades.append((intern(periodo, periodo), corte or 0,
                                 sys.intern(matricula), intern(clave_modulo, clave_modulo),
                                 intern(plantel, plantel), intern(grupo, grupo),
                                 intern(clave_docente, clave_docente), grade, captured))


def _same_name(names: dict[str, str], rows: dict[str, int], clave: str, name: str,
               column: str, what: str, check: _Checker, n: int) -> None:
    """A module or teacher keeps one name within the file (SAE may rename it later: the
    database then takes the new name)."""
    if not clave or not name:
        return
    first = names.get(clave)
    if first is None:
        names[clave], rows[clave] = name, n
    elif first != name:
        check(n, column, f"el {what} {clave} se llama «{first}» en la fila {rows[clave]} y "
                         f"«{name}» aquí")


def _grade(text: str, check: _Checker, n: int) -> float | None:
    """A grade 0–10 with at most one decimal (comma or point), or None when empty."""
    if not text:
        return None
    found = _GRADE.match(text)
    if found is None:
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            check(n, "calificacion", f"«{text}» no es un número")
            return None
        if not 0 <= value <= 10:
            check(n, "calificacion", f"{text} está fuera de la escala de 0 a 10")
        else:
            check(n, "calificacion", f"{text} tiene más de un decimal")
        return None
    if found[1] == "10" and found[2] and found[2][1:] != "0":
        check(n, "calificacion", f"{text} está fuera de la escala de 0 a 10")
        return None
    return float(text.replace(",", "."))
