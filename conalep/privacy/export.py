"""ARCO «acceso»: everything conalep holds on one student, found by walking the schema.

Which tables hold a student's data is read from :data:`conalep.models.Base.metadata`, not
listed by hand, so a wing that adds a table is exported without touching this module:

- **student rows**: a column whose name ends in ``matricula`` (or a foreign key to
  ``alumnos.matricula``) equal to the matrícula, or a ``curp`` column equal to the student's
  CURP; then, repeatedly, rows of any table whose foreign key (or a :data:`LOGICAL_LINKS`
  column, for the wings that keep a plain id) points at a student row — a grade's
  rectifications, a certificate's signatures, folio and events;
- **context rows**: the rows a student row refers to (the module of a grade, the tutoring
  group of an assignment), so the document reads on its own; they are not walked further
  (a meeting's other students are not this student's data).

Tables that hold no student's data say why in :data:`NOT_ABOUT_STUDENTS`;
tests/test_privacy_conalep_export.py fails when a table is in neither.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Table, or_, select
from sqlalchemy.orm import Session

from conalep.followup.actions import scan_path
from conalep.models import Base
from conalep.models.academic import Alumno
from conalep.models.followup import Baja
from conalep.privacy.erase import SUPPRESSED

LOGICAL_LINKS: dict[tuple[str, str], tuple[str, str]] = {
    ("cert_events", "certificate_id"): ("certificates", "id"),
    ("cert_folios", "certificate_id"): ("certificates", "id"),
}
"""Columns that point at another table's row without a database foreign key."""

NOT_ABOUT_STUDENTS: dict[str, str] = {
    "planteles": "catálogo de planteles",
    "carreras": "catálogo de carreras",
    "modulos": "catálogo de módulos",
    "docentes": "catálogo de docentes (datos del personal, no del alumno)",
    "capture_windows": "calendario de captura",
    "sae_imports": "bitácora de importaciones (conteos por archivo)",
    "siseac_publications": "publicaciones del reporte por corte",
    "staff_accounts": "cuentas del personal",
    "staff_actions": "bitácora del personal; nombra folios de filas (baja 12, rect 3) "
                     "cuyas filas sí se exportan",
    "cert_folio_grants": "bloques de folios otorgados al estado",
    "cert_folio_requests": "solicitudes de folios de un plantel (F01)",
    "cert_signer_keys": "llaves públicas de quienes firman",
    "privacy_purge_runs": "ejecuciones de la depuración (sus renglones por alumno sí se "
                          "exportan)",
    "asesorias": "grupos de asesoría (módulo, asesor, horario); la asignación del alumno "
                 "(asesoria_alumnos) se exporta y su grupo va como contexto",
    "reuniones": "reuniones de revisión; la mención del alumno (reunion_alumnos) se exporta y "
                 "la reunión va como contexto",
    "acuerdos": "acuerdos de una reunión; los que conciernen al alumno (acuerdo_alumnos) se "
                "exportan con su texto como contexto",
    "reunion_asistentes": "personal que asistió a una reunión",
    "alembic_version": "versión del esquema",
}
"""Tables with no student's data, and why (in the officer's words)."""

TABLE_LABELS_ES: dict[str, str] = {
    "alumnos": "Datos de inscripción (SAE)",
    "calificaciones": "Calificaciones por corte",
    "rectificaciones": "Rectificaciones de calificaciones",
    "bajas": "Bajas (formato F04) y atención de Psicopedagogía",
    "asesoria_alumnos": "Asignaciones a asesorías complementarias (F05)",
    "reunion_alumnos": "Menciones en reuniones de revisión",
    "acuerdo_alumnos": "Acuerdos de reuniones que le conciernen",
    "certificates": "Certificado de terminación de estudios",
    "cert_signatures": "Firmas del certificado",
    "cert_paper_checks": "Cotejo del certificado en papel",
    "cert_deliveries": "Entrega del certificado (F02/F03)",
    "cert_events": "Historial del certificado",
    "cert_folios": "Folio del certificado",
    "cert_debts": "Adeudos con el plantel",
    "privacy_access": "Registro de accesos del personal a sus datos",
    "arco_requests": "Solicitudes ARCO",
    "arco_changes": "Cambios hechos por solicitudes ARCO",
    "privacy_purge_items": "Datos suprimidos (depuración o cancelación)",
    "asesorias": "Asesorías complementarias",
    "reuniones": "Reuniones de revisión",
    "acuerdos": "Acuerdos",
    "modulos": "Módulos",
    "docentes": "Docentes",
    "planteles": "Planteles",
    "carreras": "Carreras",
}


def _tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables]


def _student_columns(table: Table) -> list[Column[Any]]:
    return [c for c in table.columns
            if c.name.endswith("matricula")
            or any(fk.column.table.name == "alumnos" and fk.column.name == "matricula"
                   for fk in c.foreign_keys)]


def _links(table: Table) -> list[tuple[Column[Any], str, str]]:
    """(column, target table, target column) of every foreign key and logical link."""
    out = [(c, fk.column.table.name, fk.column.name) for c in table.columns
           for fk in c.foreign_keys]
    out += [(table.c[col], target, tcol) for (name, col), (target, tcol) in LOGICAL_LINKS.items()
            if name == table.name]
    return out


def student_tables() -> list[str]:
    """Tables whose rows can be a student's data by the rules above (schema only)."""
    found = {t.name for t in _tables() if _student_columns(t) or "curp" in t.c}
    grew = True
    while grew:
        grew = False
        for t in _tables():
            if t.name not in found and any(target in found for _, target, _ in _links(t)):
                found.add(t.name)
                grew = True
    return sorted(found)


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _row(table: Table, row: Any) -> dict[str, Any]:
    return {c.name: _json_value(row._mapping[c]) for c in table.columns}


def _pk(table: Table, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[c.name] for c in table.primary_key.columns)


def collect(session: Session, matricula: str) -> tuple[dict[str, list[dict[str, Any]]],
                                                       dict[str, list[dict[str, Any]]]]:
    """(student rows, context rows) per table; every student table is a key (maybe empty)."""
    alumno = session.get(Alumno, matricula)
    curp = alumno.curp if alumno is not None and alumno.curp else None
    tables = {t.name: t for t in _tables()}
    data: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {
        name: {} for name in student_tables()}
    for name in data:
        t = tables[name]
        conditions = [c == matricula for c in _student_columns(t)]
        if curp and "curp" in t.c:
            conditions.append(t.c.curp == curp)
        if conditions:
            for row in session.execute(select(t).where(or_(*conditions))):
                found = _row(t, row)
                data[name][_pk(t, found)] = found
    grew = True
    while grew:  # children of student rows, until nothing new turns up
        grew = False
        for name in data:
            t = tables[name]
            for column, target, tcol in _links(t):
                keys = {r[tcol] for r in data.get(target, {}).values()} - {None}
                if not keys or (target == name and column.name == tcol):
                    continue
                for row in session.execute(select(t).where(column.in_(sorted(keys)))):
                    found = _row(t, row)
                    if _pk(t, found) not in data[name]:
                        data[name][_pk(t, found)] = found
                        grew = True
    context: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}
    for name, rows in data.items():
        for column, target, tcol in _links(tables[name]):
            if target in data or target == "staff_accounts":
                continue
            keys = {r[column.name] for r in rows.values()} - {None}
            if not keys:
                continue
            tt = tables[target]
            for row in session.execute(select(tt).where(tt.c[tcol].in_(sorted(keys)))):
                found = _row(tt, row)
                context.setdefault(target, {})[_pk(tt, found)] = found
    return ({n: list(r.values()) for n, r in data.items()},
            {n: list(r.values()) for n, r in sorted(context.items())})


def held_files(session: Session, data_dir: Path, matricula: str) -> list[dict[str, Any]]:
    """The files kept for the student (the scans of their bajas' written requests)."""
    return [{"tabla": "bajas", "id": b.id, "descripcion": "Escaneo de la solicitud de baja "
             "(F04)", "archivo": scan_path(data_dir, b).name,
             "presente": b.tutor_nombre != SUPPRESSED and scan_path(data_dir, b).is_file()}
            for b in session.scalars(select(Baja).where(Baja.matricula == matricula))]


def export(session: Session, matricula: str, *, now: dt.datetime,
           files: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
    """The JSON document of an ARCO «acceso» answer."""
    data, context = collect(session, matricula)
    return {
        "documento": "Datos personales en posesión de CONALEP Veracruz (derecho de acceso)",
        "matricula": matricula,
        "generado_en": now.isoformat(),
        "tablas": {n: TABLE_LABELS_ES.get(n, n) for n in [*data, *context]},
        "datos": data,
        "contexto": context,
        "archivos": list(files),
    }
