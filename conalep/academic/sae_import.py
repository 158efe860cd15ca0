"""Import of SAE exports into conalep's database: read the files of a folder, validate them
(:mod:`conalep.academic.sae`), write nothing when a row is refused unless told to import
the valid rows, and write by difference so that importing a later export of the same corte
updates in place (and importing the same export twice changes nothing).

A grade captured after its window closed is marked ``late``; when it is new or changed, a
pending :class:`~conalep.models.academic.Rectificacion` is opened for it (norm 6).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from conalep.academic.sae import FILES, GradeRecord, Known, SaeBatch, validate
from conalep.models.academic import (
    Alumno,
    Calificacion,
    CaptureWindow,
    Carrera,
    Docente,
    Modulo,
    Plantel,
    Rectificacion,
    SaeImport,
)
from conalep.models.privacy import PurgeItem
from foundation.errors import InputError
from foundation.sqldb import bulk_insert
from foundation.table_files import ENCODING_LABELS, open_table
from foundation.tables import RawTable, RowProblem

MAX_SAE_BYTES = 400 * 1024 * 1024
"""A state's grade sheet of a whole semester (50,000 students × 6 modules × 3 cortes) is
about 110 MB as CSV."""
_CHUNK = 20_000
_SQLITE_CACHE_KIB = 256 * 1024
"""SQLite's page cache while an import writes (its default is 2 MiB): a state's grade sheet
fills five B-trees (the table, the unique key and three indexes) of ≈ 150 MiB; with the
default cache every insert into the indexes re-reads evicted pages and the import spent most
of its wall time waiting on them (bench/bench_conalep.py)."""


@dataclass(slots=True)
class SaeCheck:
    """What reading and validating a folder found: the batch, how each file was read, and
    the files that could not be read at all."""

    batch: SaeBatch
    encodings: dict[str, str] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[RowProblem]:
        return self.batch.problems

    @property
    def ok(self) -> bool:
        return not self.unreadable and self.batch.ok

    def messages(self) -> list[str]:
        return [*self.unreadable, *(p.message_es for p in self.batch.problems)]


@dataclass(slots=True)
class ImportSummary:
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    late: int = 0
    rectifications_opened: int = 0
    refused_rows: int = 0
    arco_cancelled: int = 0
    """Rows skipped because the student's data was cancelled by an ARCO request."""

    def as_dict(self) -> dict[str, Any]:
        return {"inserted": self.inserted, "updated": self.updated, "late": self.late,
                "rectifications_opened": self.rectifications_opened,
                "refused_rows": self.refused_rows,
                **({"arco_cancelled": self.arco_cancelled} if self.arco_cancelled else {})}


def find_files(folder: Path) -> dict[str, Path]:
    """The SAE files in ``folder`` by name (``calificaciones.csv`` or ``.xlsx``, any case)."""
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        stem, ext = path.stem.lower(), path.suffix.lower()
        if stem in FILES and ext in {".csv", ".xlsx", ".xlsm"}:
            if stem in found:
                raise InputError(f"La carpeta tiene dos archivos «{stem}»: {found[stem].name} y "
                                 f"{path.name}.", way_out="Deje sólo uno.")
            found[stem] = path
    if not found:
        raise InputError(f"La carpeta «{folder}» no tiene archivos del SAE.",
                         way_out="Se esperan " + ", ".join(f"{n}.csv" for n in FILES)
                         + " (o .xlsx).")
    return found


def load_known(session: Session) -> Known:
    """What the database holds that an export may refer to."""
    known = Known()
    known.planteles = set(session.scalars(select(Plantel.clave_plantel)))
    known.carreras = set(session.scalars(select(Carrera.clave_carrera)))
    known.alumnos = {m: (p, g, c) for m, p, g, c in session.execute(
        select(Alumno.matricula, Alumno.clave_plantel, Alumno.grupo, Alumno.curp))}
    known.windows = {(p, c): (i, f) for p, c, i, f in session.execute(
        select(CaptureWindow.periodo, CaptureWindow.corte, CaptureWindow.inicio_captura,
               CaptureWindow.fin_captura))}
    return known


def check_files(files: Mapping[str, Path], session: Session, *,
                today: date | None = None) -> SaeCheck:
    """Read and validate ``files`` (name → path) against the database; writes nothing."""
    tables: dict[str, RawTable] = {}
    encodings: dict[str, str] = {}
    unreadable: list[str] = []
    for name in FILES:
        if name not in files:
            continue
        try:
            stream = open_table(files[name], source="SAE", max_bytes=MAX_SAE_BYTES)
        except InputError as exc:
            unreadable.append(exc.user_message())
            continue
        # Rows stay a stream (validation reads each once; a state's sheet as dicts would
        # take a gigabyte); the reader's own problems fill in as they are read.
        tables[name] = RawTable(stream.file, stream.columns, _RowStream(stream.rows),
                                stream.problems)
        encodings[stream.file] = ENCODING_LABELS.get(stream.encoding, stream.encoding)
    try:
        batch = validate(tables, load_known(session), today=today)
    except InputError as exc:  # a file broken half-way (a bad CSV quote, a damaged sheet)
        return SaeCheck(SaeBatch(), encodings, [*unreadable, exc.user_message()])
    return SaeCheck(batch, encodings, unreadable)


class _RowStream(list[tuple[int, dict[str, str]]]):
    """The rows of a file, read once while validating (a list only to the type checker)."""

    def __init__(self, rows: Iterator[tuple[int, dict[str, str]]]) -> None:
        super().__init__()
        self._rows = rows

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        return self._rows


def import_files(session: Session, files: Mapping[str, Path], *, staff: str, now: datetime,
                 accept_valid: bool) -> tuple[SaeCheck, ImportSummary | None]:
    """Check ``files`` and write them when every row is valid, or when ``accept_valid``
    (then only the valid rows); the summary is None when nothing was written."""
    # Millions of short-lived rows: the cyclic collector would rescan a growing heap over and
    # over (no cycles are made here; it runs again at the end).
    gc.disable()
    try:
        check = check_files(files, session, today=now.date())
        if check.unreadable or (check.problems and not accept_valid):
            return check, None
        summary = write(session, check, staff=staff, now=now)
        return check, summary
    finally:
        gc.enable()


@contextmanager
def _large_cache(session: Session) -> Iterator[None]:
    """A larger SQLite page cache for the connection while the import writes, given back
    after (the server's other requests keep the default)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{_SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before or -2000)}")


def write(session: Session, check: SaeCheck, *, staff: str, now: datetime) -> ImportSummary:
    """Write the valid records of ``check`` (the caller decided that is wanted) in the
    caller's transaction, by difference with what is stored."""
    with _large_cache(session):
        return _write(session, check, staff=staff, now=now)


def _write(session: Session, check: SaeCheck, *, staff: str, now: datetime) -> ImportSummary:
    batch, summary = check.batch, ImportSummary()
    summary.refused_rows = len({(p.file, p.row) for p in batch.problems})
    _merge(session, Plantel, "clave_plantel", batch.planteles, summary, "planteles")
    _merge(session, Carrera, "clave_carrera", batch.carreras, summary, "carreras")
    _merge(session, Modulo, "clave_modulo",
           [{"clave_modulo": k, "nombre": v} for k, v in batch.modulos.items()], summary,
           "modulos")
    _merge(session, Docente, "clave_docente",
           [{"clave_docente": k, "nombre": v} for k, v in batch.docentes.items()], summary,
           "docentes")
    # An ARCO cancellation that erased a student's identity and grades here must not be
    # undone by the next export of SAE (the system of record keeps its own copy).
    cancelled = cancelled_matriculas(session)
    alumnos = [a for a in batch.alumnos if a["matricula"] not in cancelled]
    grades = [g for g in batch.grades if g[2] not in cancelled]
    summary.arco_cancelled = len(batch.alumnos) - len(alumnos) + len(batch.grades) - len(grades)
    _merge(session, Alumno, "matricula", alumnos, summary, "alumnos")
    changed_windows = _merge_windows(session, batch.windows, summary)
    _write_grades(session, grades, summary, now)
    for periodo, corte in changed_windows:  # a moved window moves what counts as late
        _relabel_late(session, periodo, corte)
    session.add(SaeImport(at=now, staff=staff, summary=json.dumps(
        {**summary.as_dict(), "rows_read": batch.rows_read, "encodings": check.encodings},
        ensure_ascii=False)))
    return summary


def cancelled_matriculas(session: Session) -> set[str]:
    """Students whose identity and grades an ARCO cancellation erased (docs/privacy.md)."""
    return set(session.scalars(select(PurgeItem.matricula).where(
        PurgeItem.motivo == "arco-cancelacion", PurgeItem.tabla == "alumnos")))


def _merge(session: Session, model: Any, key: str, rows: Sequence[Mapping[str, Any]],
           summary: ImportSummary, name: str) -> None:
    """Insert the new rows of ``model``, update the changed ones (by primary key ``key``)."""
    if not rows:
        return
    columns = list(rows[0])
    stored = {r[0]: tuple(r[1:]) for r in session.execute(
        select(getattr(model, key), *(getattr(model, c) for c in columns if c != key)))}
    fresh, changed = [], []
    for row in rows:
        values = tuple(row[c] for c in columns if c != key)
        old = stored.get(row[key])
        if old is None:
            fresh.append(dict(row))
        elif old != values:
            changed.append(dict(row))
    for chunk in _chunks(fresh):
        bulk_insert(session, model, chunk)
    if changed:
        session.execute(update(model), changed)
    summary.inserted[name], summary.updated[name] = len(fresh), len(changed)


def _merge_windows(session: Session, windows: Sequence[Mapping[str, Any]],
                   summary: ImportSummary) -> list[tuple[str, int]]:
    stored = {(w.periodo, w.corte): w for w in session.scalars(select(CaptureWindow))}
    moved: list[tuple[str, int]] = []
    inserted = 0
    for w in windows:
        old = stored.get((w["periodo"], w["corte"]))
        if old is None:
            session.add(CaptureWindow(**w))
            inserted += 1
        elif (old.inicio_captura, old.fin_captura) != (w["inicio_captura"], w["fin_captura"]):
            old.inicio_captura, old.fin_captura = w["inicio_captura"], w["fin_captura"]
            moved.append((w["periodo"], w["corte"]))
    session.flush()
    summary.inserted["calendario"], summary.updated["calendario"] = inserted, len(moved)
    return moved


def _write_grades(session: Session, grades: Sequence[GradeRecord], summary: ImportSummary,
                  now: datetime) -> None:
    if not grades:
        summary.inserted["calificaciones"] = summary.updated["calificaciones"] = 0
        return
    windows = {(w.periodo, w.corte): w.fin_captura for w in session.scalars(
        select(CaptureWindow))}
    periodos = sorted({g[0] for g in grades})
    stored = {(r.periodo, r.matricula, r.clave_modulo, r.corte):
              (r.id, r.calificacion, r.fecha_captura, r.clave_docente, r.grupo,
               r.clave_plantel) for r in session.execute(
        select(Calificacion.id, Calificacion.periodo, Calificacion.matricula,
               Calificacion.clave_modulo, Calificacion.corte, Calificacion.calificacion,
               Calificacion.fecha_captura, Calificacion.clave_docente, Calificacion.grupo,
               Calificacion.clave_plantel).where(Calificacion.periodo.in_(periodos)))}
    fresh: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    late_new: list[tuple[str, str, str, int]] = []
    opened: list[Rectificacion] = []
    for periodo, corte, matricula, modulo, plantel, grupo, docente, grade, captured in grades:
        late = captured is not None and captured > windows[(periodo, corte)]
        summary.late += late
        key = (periodo, matricula, modulo, corte)
        old = stored.get(key)
        if old is None:
            fresh.append({"periodo": periodo, "corte": corte, "matricula": matricula,
                          "clave_modulo": modulo, "clave_plantel": plantel, "grupo": grupo,
                          "clave_docente": docente, "calificacion": grade,
                          "fecha_captura": captured, "late": late, "updated_at": now})
            if late:
                late_new.append(key)
            continue
        if old[1:] == (grade, captured, docente, grupo, plantel):
            continue
        changed.append({"id": old[0], "calificacion": grade, "fecha_captura": captured,
                        "clave_docente": docente, "grupo": grupo, "clave_plantel": plantel,
                        "late": late, "updated_at": now})
        if late and (old[1], old[2]) != (grade, captured):
            opened.append(Rectificacion(
                calificacion_id=old[0], kind="correccion" if old[1] is not None
                else "captura_tardia", anterior=old[1], nueva=grade, fecha_captura=captured,
                detected_at=now))
    # In the unique key's order: each B-tree page of the key (and, rowids following it, of
    # the table) is filled once instead of revisited at random.
    fresh.sort(key=_grade_key)
    for chunk in _chunks(fresh):
        bulk_insert(session, Calificacion, chunk)
    if changed:
        session.execute(update(Calificacion), changed)
    opened += _open_for_new(session, late_new, now)
    session.add_all(opened)
    summary.inserted["calificaciones"], summary.updated["calificaciones"] = \
        len(fresh), len(changed)
    summary.rectifications_opened = len(opened)


def _grade_key(row: Mapping[str, Any]) -> tuple[str, str, str, int]:
    return row["periodo"], row["matricula"], row["clave_modulo"], row["corte"]


def _open_for_new(session: Session, keys: list[tuple[str, str, str, int]],
                  now: datetime) -> list[Rectificacion]:
    """Pending rectifications of the late grades just inserted (their ids are new)."""
    if not keys:
        return []
    wanted = set(keys)
    periodos = sorted({k[0] for k in keys})
    out = []
    for row in session.execute(
            select(Calificacion.id, Calificacion.periodo, Calificacion.matricula,
                   Calificacion.clave_modulo, Calificacion.corte, Calificacion.calificacion,
                   Calificacion.fecha_captura)
            .where(Calificacion.periodo.in_(periodos), Calificacion.late.is_(True))):
        if (row.periodo, row.matricula, row.clave_modulo, row.corte) in wanted:
            out.append(Rectificacion(calificacion_id=row.id, kind="captura_tardia",
                                     anterior=None, nueva=row.calificacion,
                                     fecha_captura=row.fecha_captura, detected_at=now))
    return out


def _relabel_late(session: Session, periodo: str, corte: int) -> None:
    window = session.get(CaptureWindow, (periodo, corte))
    assert window is not None
    session.execute(update(Calificacion)
                    .where(Calificacion.periodo == periodo, Calificacion.corte == corte)
                    .values(late=func.coalesce(Calificacion.fecha_captura > window.fin_captura,
                                               False)))


def _chunks(rows: list[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), _CHUNK):
        yield rows[start:start + _CHUNK]
