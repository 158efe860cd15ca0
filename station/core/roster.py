"""Validation of a SCEJAL roster export (``escuelas`` + ``alumnos``), pure: rows in, records out.

An importer (``station.importers.roster_files``) reads the files into :class:`RawTable` s;
:func:`validate_roster` turns them into :class:`~station.core.model.School` and
:class:`~station.core.model.Student` records, every problem it finds as a :class:`RowProblem`
(file, row, column, reason in Spanish) and every harmless fix it made (case, spaces, phone
format) as a :class:`Normalisation` note. Rows are numbered as a spreadsheet shows them:
the header is row 1.

>>> esc = RawTable("escuelas.csv", SCHOOL_COLUMNS, [(2, {
...     "cct": "14EPR0412K", "nombre": "ESCUELA PRIMARIA 412", "nivel": "PRIMARIA",
...     "turno": "MATUTINO", "domicilio": "AV. HIDALGO 1520", "municipio": "GUADALAJARA",
...     "telefono": "(33) 3658-1200", "drse": "CENTRO 1 GUADALAJARA", "matricula": "612",
...     "internet": "SI"})])
>>> alu = RawTable("alumnos.csv", STUDENT_COLUMNS, [(2, {
...     "curp": "TOIJ140603MJCRXSG7", "nombre": "MA. JOSÉ", "primer_apellido": "DEL TORO",
...     "segundo_apellido": "ÍÑIGUEZ", "cct": "14EPR0412K", "grado": "6", "grupo": "D",
...     "ciclo": "2026-2027", "estatus": "INSCRITO", "nuevo_ingreso": "NO"})])
>>> check = validate_roster(esc, alu)
>>> check.schools[0].telefono, len(check.students)
('3336581200', 0)
>>> print(check.problems[0].message_es)
alumnos.csv, fila 2, columna «nombre»: «MA.» es una abreviatura (¿MARÍA?); la credencial \
lleva el nombre completo: escríbalo sin abreviar.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from foundation.curp import validate_curp
from foundation.tables import RawTable, RowProblem, column_key
from station.core.eligibility import RosterScope, other_cycle_reason, private_school_reason
from station.core.model import Estatus, Nivel, School, Student, Turno

NAME_ABBREVIATIONS: dict[str, str] = {
    "MA": "MARÍA", "MARI": "MARÍA", "FCO": "FRANCISCO", "FCA": "FRANCISCA",
    "GPE": "GUADALUPE", "JS": "JESÚS", "JSUS": "JESÚS", "JOS": "JOSÉ", "MANL": "MANUEL",
    "FDO": "FERNANDO", "GMO": "GUILLERMO", "ALEJ": "ALEJANDRO", "ANT": "ANTONIO",
    "STA": "SANTA", "STO": "SANTO", "J": "JOSÉ, JUAN o JESÚS", "M": "MARÍA o MANUEL",
}  # fmt: skip
"""Abbreviations found in school records, with the full name they usually stand for.

Any word ending in a dot is an abbreviation too, and so is a single letter in the given
names (except the conjunction Y). The card must carry the full name.
"""

SCHOOL_COLUMNS = (
    "cct", "nombre", "nivel", "turno", "domicilio", "municipio", "telefono", "drse",
    "matricula", "internet",
)  # fmt: skip
"""Columns of ``escuelas``, in the order SCEJAL writes them."""
STUDENT_COLUMNS = (
    "curp", "nombre", "primer_apellido", "segundo_apellido", "cct", "grado", "grupo", "ciclo",
    "estatus", "nuevo_ingreso",
)  # fmt: skip
"""Columns of ``alumnos``, in the order SCEJAL writes them."""
GRADE_RANGE: dict[Nivel, tuple[int, int]] = {Nivel.PRIMARIA: (1, 6), Nivel.SECUNDARIA: (1, 3)}

CCT_PATTERN = re.compile(r"^\d{2}[A-Z]{3}\d{4}[A-Z]$")
_CICLO_PATTERN = re.compile(r"^(\d{4})-(\d{4})$")
_PHONE_NOISE = re.compile(r"[\s().+-]")
_YES_NO = {"SI": True, "SÍ": True, "NO": False}
_K = TypeVar("_K", bound=Hashable)
_E = TypeVar("_E", bound=enum.StrEnum)
_NIVELES = {m.value: m for m in Nivel}
_TURNOS = {m.value: m for m in Turno}
_ESTATUS = {m.value: m for m in Estatus}


@dataclass(frozen=True, slots=True)
class Normalisation:
    """A harmless fix applied while reading (e.g. lower case to upper case)."""

    file: str
    row: int
    field: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class RosterCheck:
    """The outcome: records of the rows without problems, the problems, the notes.

    Every student in ``students`` belongs to a school in ``schools``.
    """

    schools: tuple[School, ...]
    students: tuple[Student, ...]
    problems: tuple[RowProblem, ...]
    notes: tuple[Normalisation, ...] = field(default=())
    encodings: Mapping[str, str] = field(default_factory=dict)
    """File name → how it was read (e.g. ``"UTF-8 con BOM"``), filled in by the importer."""
    left_out: Mapping[str, int] = field(default_factory=dict)
    """Other schools' rows a school station left out, by file name (see RosterScope)."""

    @property
    def ok(self) -> bool:
        return not self.problems


def validate_roster(escuelas: RawTable, alumnos: RawTable, *,
                    scope: RosterScope | None = None) -> RosterCheck:
    """Check both tables of an export; see the module docstring for an example.

    Private schools are always refused (normativo 1); ``scope`` adds the station's own
    limits: students of another cycle are refused, other schools' rows left out.
    """
    scope = scope or RosterScope()
    out = _Collector()
    left_out: dict[str, int] = {}
    if scope.only_school:
        escuelas, alumnos = (_own_rows(t, scope, left_out) for t in (escuelas, alumnos))
    by_cct = _schools(escuelas, out)
    if scope.only_school and by_cct is not None and scope.only_school not in by_cct:
        out.problems.append(RowProblem(
            escuelas.file, 1, "cct", f"la escuela de esta estación ({scope.only_school}) no "
            "está en el archivo; exporte de SCEJAL la plantilla de su escuela"))
    students = _students(alumnos, by_cct, escuelas.file, out, cycle=scope.cycle)
    schools = [e.school for rows in (by_cct or {}).values() for e in rows if e.usable]
    schools.sort(key=lambda s: (s.cct, s.turno))
    valid_ccts = {s.cct for s in schools}
    return RosterCheck(
        schools=tuple(schools),
        students=tuple(s for s in students if s.cct in valid_ccts),
        # Schools first, then students, each by row: the order a person fixes them in.
        problems=tuple(sorted(out.problems, key=lambda p: (p.file != escuelas.file, p.row))),
        notes=tuple(out.notes),
        left_out=left_out,
    )


def _own_rows(table: RawTable, scope: RosterScope, left_out: dict[str, int]) -> RawTable:
    """``table`` without the rows of other schools (their CCT cell, cleaned, differs)."""
    header = {column_key(h): h for h in table.columns}.get("cct")
    if header is None:
        return table  # the missing column is reported by the checks
    kept = [(n, cells) for n, cells in table.rows
            if scope.keeps("".join((cells.get(header) or "").split()).upper())]
    if len(kept) != len(table.rows):
        left_out[table.file] = len(table.rows) - len(kept)
    return replace(table, rows=kept)


class _Collector:
    def __init__(self) -> None:
        self.problems: list[RowProblem] = []
        self.notes: list[Normalisation] = []
        self.cleaned: dict[tuple[str, bool], str] = {}
        self.name_faults: dict[tuple[str, bool], list[str]] = {}


class _Row:
    """One row being checked: reads cells, records notes and problems."""

    def __init__(self, table: RawTable, number: int, cells: Mapping[str, str],
                 headers: Mapping[str, str], out: _Collector) -> None:  # fmt: skip
        self.file, self.number, self.cells, self.headers = table.file, number, cells, headers
        self.out = out
        self.failed = False

    def problem(self, name: str, reason: str) -> None:
        self.failed = True
        self.out.problems.append(RowProblem(self.file, self.number, name, reason))

    def text(self, name: str, *, squeeze: bool = False) -> str:
        """The cell in upper case with single spaces (no spaces at all when ``squeeze``)."""
        raw = self.cells.get(self.headers[name]) or ""
        clean = self.out.cleaned.get((raw, squeeze))
        if clean is None:  # values repeat a lot (CCT, grade, cycle, names): clean each once
            clean = unicodedata.normalize("NFC", raw).upper()
            clean = "".join(clean.split()) if squeeze else " ".join(clean.split())
            self.out.cleaned[(raw, squeeze)] = clean
        if clean != raw:
            self.out.notes.append(Normalisation(self.file, self.number, name, raw, clean))
        return clean

    def required(self, name: str, what: str) -> str:
        value = self.text(name)
        if not value:
            self.problem(name, f"falta {what}")
        return value

    def choice(self, name: str, allowed: Mapping[str, _E]) -> _E | None:
        value = self.text(name)
        member = allowed.get(value)
        if member is not None:
            return member
        options = ", ".join(allowed)
        said = f"dice «{value}»" if value else "está vacío"
        self.problem(name, f"{said} y debe ser uno de: {options}")
        return None

    def yes_no(self, name: str) -> bool | None:
        value = self.text(name)
        if value in _YES_NO:
            return _YES_NO[value]
        self.problem(name, f"dice «{value}» y debe ser SI o NO")
        return None

    def integer(self, name: str, what: str) -> int | None:
        value = self.text(name)
        if value.isascii() and value.isdigit():
            return int(value)
        self.problem(name, f"{what} debe ser un número entero y dice «{value}»")
        return None

    def cct(self) -> str:
        value = self.text("cct", squeeze=True)
        if not value:
            self.problem("cct", "falta la clave del centro de trabajo (CCT)")
        elif not CCT_PATTERN.match(value):
            self.problem("cct", f"la CCT «{value}» no tiene la forma correcta: 2 números, 3 "
                                "letras, 4 números y 1 letra (por ejemplo 14EPR0412K)")
        return value

    def phone(self) -> str:
        raw = self.cells.get(self.headers["telefono"]) or ""
        digits = _PHONE_NOISE.sub("", raw)
        if len(digits) == 12 and digits.startswith("52"):
            digits = digits[2:]  # +52 country code: the card shows the 10-digit national number
        if "E+" in raw.upper():
            self.problem("telefono", f"Excel cambió el teléfono a notación científica («{raw}»); "
                                     "escríbalo de nuevo con sus 10 dígitos")  # fmt: skip
        elif not (digits.isascii() and digits.isdigit() and len(digits) == 10):
            self.problem("telefono", f"el teléfono debe tener 10 dígitos y dice «{raw}»")
        elif digits != raw:
            self.out.notes.append(Normalisation(self.file, self.number, "telefono", raw, digits))
        return digits

    def person_name(self, name: str, what: str, *, given: bool, required: bool) -> str:
        value = self.required(name, what) if required else self.text(name)
        faults = self.out.name_faults.get((value, given))
        if faults is None:
            faults = self.out.name_faults[(value, given)] = _name_faults(value, given=given)
        for reason in faults:
            self.problem(name, reason)
        return value


def _name_faults(value: str, *, given: bool) -> list[str]:
    """What is wrong with a name: characters that are not letters, abbreviations."""
    faults = []
    odd = sorted({c for c in value if not (c.isalpha() or c in " '.-")})
    if odd:
        faults.append("tiene caracteres que no son letras: " + " ".join(odd))
    for word in value.split():
        full = NAME_ABBREVIATIONS.get(word.rstrip("."))
        initial = len(word) == 1 and word.isalpha() and word != "Y"
        if word.endswith(".") or (given and (full or initial)):
            hint = f" (¿{full}?)" if full else ""
            faults.append(f"«{word}» es una abreviatura{hint}; la credencial lleva el nombre "
                          "completo: escríbalo sin abreviar")  # fmt: skip
            break
    return faults


def _headers(table: RawTable, expected: Sequence[str], out: _Collector) -> dict[str, str] | None:
    """Canonical column → the file's header; ``None`` (and problems) when columns are missing."""
    headers = {column_key(h): h for h in table.columns}
    missing = [c for c in expected if c not in headers]
    wanted = ", ".join(expected)
    for name in missing:
        reason = f"falta la columna «{name}»; el archivo debe tener las columnas: {wanted}"
        out.problems.append(RowProblem(table.file, 1, name, reason))
    return None if missing else headers


def _schools(table: RawTable, out: _Collector) -> dict[str, list[_SchoolRow]] | None:
    """Schools by CCT (several rows when a CCT has several turnos); ``None`` if unusable."""
    out.problems.extend(table.problems)
    headers = _headers(table, SCHOOL_COLUMNS, out)
    if headers is None:
        return None
    skip = {p.row for p in table.problems}
    entries: list[_SchoolRow] = []
    for number, cells in table.rows:
        if number in skip:
            continue
        r = _Row(table, number, cells, headers, out)
        cct = r.cct()
        if CCT_PATTERN.match(cct) and (private := private_school_reason(cct)):
            r.problem("cct", private)
        nombre = r.required("nombre", "el nombre de la escuela")
        nivel = r.choice("nivel", _NIVELES)
        turno = r.choice("turno", _TURNOS)
        domicilio = r.required("domicilio", "el domicilio de la escuela (va en la credencial)")
        municipio = r.required("municipio", "el municipio")
        telefono = r.phone()
        drse = r.required("drse", "la delegación regional (DRSE)")
        matricula = r.integer("matricula", "la matrícula (alumnos inscritos)")
        internet = r.yes_no("internet")
        school = None
        if not r.failed and nivel and turno and matricula is not None and internet is not None:
            school = School(cct, nombre, nivel, turno, domicilio, municipio,
                            telefono, drse, matricula, internet)  # fmt: skip
        entries.append(_SchoolRow(r, cct, turno or "", nivel, school))
    _flag_repeats([(e.row, (e.cct, e.turno)) for e in entries if e.cct], "cct",
                  lambda key, rows: f"la escuela {key[0]} turno {key[1]} aparece varias veces "
                                    f"(filas {rows}); debe aparecer una sola vez")  # fmt: skip
    by_cct: dict[str, list[_SchoolRow]] = defaultdict(list)
    for e in entries:
        by_cct[e.cct].append(e)
    return by_cct


def _students(table: RawTable, by_cct: dict[str, list[_SchoolRow]] | None, schools_file: str,
              out: _Collector, *, cycle: str | None = None) -> list[Student]:  # fmt: skip
    out.problems.extend(table.problems)
    headers = _headers(table, STUDENT_COLUMNS, out)
    if headers is None:
        return []
    skip = {p.row for p in table.problems}
    entries: list[tuple[_Row, Student | None, str, str]] = []
    for number, cells in table.rows:
        if number in skip:
            continue
        r = _Row(table, number, cells, headers, out)
        curp = r.text("curp", squeeze=True)
        bad = validate_curp(curp)
        if bad:
            r.problem("curp", bad.reason_es)
        nombre = r.person_name("nombre", "el nombre", given=True, required=True)
        apellido1 = r.person_name("primer_apellido", "el primer apellido", given=False,
                                  required=True)  # fmt: skip
        apellido2 = r.person_name("segundo_apellido", "", given=False, required=False)
        cct = r.cct()
        nivel = _school_nivel(r, cct, by_cct, schools_file)
        grado = _grade(r, nivel)
        grupo = r.text("grupo")
        ciclo = _ciclo(r)
        if cycle and (other := other_cycle_reason(ciclo, cycle)):
            r.problem("ciclo", other)
        estatus = r.choice("estatus", _ESTATUS)
        nuevo = r.yes_no("nuevo_ingreso")
        student = None
        if not r.failed and grado is not None and estatus and nuevo is not None:
            student = Student(curp, nombre, apellido1, apellido2, cct, grado, grupo, ciclo,
                              estatus, nuevo)  # fmt: skip
        entries.append((r, student, curp, ciclo))
    _flag_repeats([(r, curp) for r, _, curp, _ in entries if curp], "curp",
                  lambda key, rows: f"la CURP {key} está repetida (filas {rows}); cada alumno "
                                    "debe aparecer una sola vez")  # fmt: skip
    _flag_other_cycles([(r, ciclo) for r, _, _, ciclo in entries if ciclo])
    return [s for r, s, _, _ in entries if s is not None and not r.failed]


@dataclass(slots=True)
class _SchoolRow:
    row: _Row
    cct: str
    turno: str
    nivel: Nivel | None
    school: School | None

    @property
    def usable(self) -> bool:
        return self.school is not None and not self.row.failed


def _school_nivel(r: _Row, cct: str, by_cct: dict[str, list[_SchoolRow]] | None,
                  schools_file: str) -> Nivel | None:  # fmt: skip
    """The nivel of the student's school, or a problem when the school cannot be used."""
    if by_cct is None or not CCT_PATTERN.match(cct):
        return None
    rows = by_cct.get(cct)
    if not rows:
        r.problem("cct", f"la escuela con CCT {cct} no está en {schools_file}; "
                         "revise la clave o agregue la escuela")  # fmt: skip
        return None
    if not any(s.usable for s in rows):
        numbers = ", ".join(str(s.row.number) for s in rows)
        fila = "fila" if len(rows) == 1 else "filas"
        r.problem("cct", f"la escuela {cct} tiene errores en {schools_file} ({fila} {numbers}); "
                         "corríjalos primero")  # fmt: skip
    return next((s.nivel for s in rows if s.nivel), None)


def _grade(r: _Row, nivel: Nivel | None) -> int | None:
    grado = r.integer("grado", "el grado")
    if grado is None:
        return None
    low, high = GRADE_RANGE[nivel] if nivel else (1, 6)
    if not low <= grado <= high:
        where = f" en {nivel.lower()}" if nivel else ""
        r.problem("grado", f"el grado {grado} no existe{where}: debe ser de {low} a {high}")
        return None
    return grado


def _ciclo(r: _Row) -> str:
    ciclo = r.text("ciclo", squeeze=True)
    m = _CICLO_PATTERN.match(ciclo)
    if not m or int(m[2]) != int(m[1]) + 1:
        r.problem("ciclo", f"el ciclo escolar debe escribirse como 2026-2027 y dice «{ciclo}»")
        return ""
    return ciclo


def _flag_repeats(keyed: list[tuple[_Row, _K]], name: str,
                  reason: Callable[[_K, str], str]) -> None:  # fmt: skip
    """Reports every row whose key appears more than once, naming all those rows."""
    groups: dict[_K, list[_Row]] = defaultdict(list)
    for r, key in keyed:
        groups[key].append(r)
    for key, rows in groups.items():
        if len(rows) > 1:
            numbers = ", ".join(str(r.number) for r in rows)
            for r in rows:
                r.problem(name, reason(key, numbers))


def _flag_other_cycles(rows: list[tuple[_Row, str]]) -> None:
    """An export is one school cycle: rows of any other cycle than most rows are problems."""
    counts = Counter(ciclo for _, ciclo in rows)
    if len(counts) < 2:
        return
    main, n = counts.most_common(1)[0]
    for r, ciclo in rows:
        if ciclo != main:
            r.problem("ciclo", f"el ciclo {ciclo} no coincide con el de los demás alumnos "
                               f"({main}, {n} alumnos); todo el archivo debe ser del mismo "
                               "ciclo")  # fmt: skip
