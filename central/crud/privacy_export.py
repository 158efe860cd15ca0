"""«Everything central holds on this student» (ARCO acceso, issue 18): one JSON document and
a PDF a parent can read.

The tables are found from the schema (:func:`central.crud.privacy_erase.student_columns`:
every column that holds the CURP), plus the rows that name the student by the keyed digest
(access record, ARCO requests), the ledger events and staff audit lines whose text carries
the CURP, the student's photo and school. ``tests/test_privacy_central.py`` checks the export
against every table of the schema.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from sqlalchemy import Table, or_, select
from sqlalchemy.orm import Session

from central.crud.privacy_digest import student_digest
from central.crud.privacy_erase import school_stations, student_columns
from central.models import (
    AccessRecord,
    Photo,
    PrivacyErasure,
    PrivacyRequest,
    School,
    StaffAction,
    StationEvent,
    Student,
)

TABLE_LABELS = {
    "students": "Datos de inscripción (de SCEJAL)",
    "schools": "Escuela",
    "photos": "Fotografía",
    "cards": "Credenciales expedidas",
    "holograms": "Hologramas del ciclo",
    "receipts": "Recibos de pago de reposición",
    "card_requests": "Solicitudes de credencial",
    "student_card_wishes": "Credencial rechazada o pedida",
    "conflicts": "Credenciales duplicadas revisadas",
    "double_uses": "Holograma o recibo usado dos veces",
    "wanted_photos": "Fotos pendientes de recibir",
    "student_moves": "Cambios de escuela",
    "office_request_students": "Oficios de la escuela que lo incluyen",
    "privacy_orders": "Órdenes de datos personales enviadas a las estaciones",
    "privacy_requests": "Solicitudes ARCO registradas",
    "privacy_erasures": "Borrados de datos",
    "access_records": "Registro de accesos del personal",
    "station_events": "Registros de las estaciones (bitácora)",
    "staff_actions": "Acciones del personal",
}
COLUMN_LABELS = {"curp": "CURP", "nombre": "Nombre(s)", "primer_apellido": "Primer apellido",
                 "segundo_apellido": "Segundo apellido", "cct": "Escuela (CCT)",
                 "grado": "Grado", "grupo": "Grupo", "ciclo": "Ciclo escolar",
                 "estatus": "Estatus", "folio": "Folio", "issued_on": "Expedida el",
                 "status": "Estado", "at": "Fecha y hora", "staff": "Personal",
                 "what": "Qué consultó", "ip": "Desde (IP)", "kind": "Tipo",
                 "serial": "Número", "station_id": "Estación", "id": "Número interno",
                 "photo_hash": "Huella de la foto", "role": "Rol", "key_id": "Llave de la estación",
                 "sheet": "Hoja", "event_seq": "Registro de la estación",
                 "issued_at": "Hora de expedición", "status_reason": "Motivo del estado",
                 "superseded_by": "Reemplazada por", "updated_at": "Actualizado",
                 "rev": "Versión", "nuevo_ingreso": "Nuevo ingreso", "reason": "Motivo",
                 "requested_on": "Pedida el", "ordered_at": "Ordenada el",
                 "received_on": "Recibida el", "answered_on": "Respondida el",
                 "legal_reason": "Fundamento legal", "result": "Respuesta",
                 "payload": "Contenido", "digest": "Huella", "student": "Alumno (huella)",
                 "created_at": "Registrado el", "ext": "Formato", "size": "Tamaño (bytes)",
                 "source": "Origen", "used_at": "Usado el", "amount_mxn": "Monto (MXN)"}
STATUS_ES = {"active": "vigente", "replaced": "reemplazada", "revoked": "revocada",
             "spoiled": "inutilizada", "undone": "expedición anulada"}
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}).*)?$")


def _readable(column: str, value: Any) -> str:
    """A cell for the family: dates as día/mes/año, yes/no, card states in Spanish."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "sí" if value else "no"
    if column == "status":
        return STATUS_ES.get(str(value), str(value))
    found = _ISO.match(str(value)) if isinstance(value, str) else None
    if found:
        y, m, d, hh, mm = found.groups()
        return f"{d}/{m}/{y}" + (f" {hh}:{mm} (UTC)" if hh else "")
    return str(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _rows(session: Session, table: Table, *conditions: Any) -> list[dict[str, Any]]:
    query = select(table).where(or_(*conditions))
    pk = list(table.primary_key.columns)
    if pk:
        query = query.order_by(*pk)
    return [{k: _jsonable(v) for k, v in r.items()} for r in session.execute(query).mappings()]


def export_student(session: Session, *, key: bytes, curp: str, now: datetime) -> dict[str, Any]:
    """Every row central holds that names the student, by table (JSON-ready)."""
    student = session.get(Student, curp)
    assert student is not None
    digest = student_digest(key, curp)
    by_table: dict[str, list[Table]] = {}
    conditions: dict[str, list[Any]] = {}
    for table, col in student_columns():
        by_table.setdefault(table.name, []).append(table)
        conditions.setdefault(table.name, []).append(col == curp)
    tables: dict[str, list[dict[str, Any]]] = {}
    for name, conds in conditions.items():
        tables[name] = _rows(session, by_table[name][0], *conds)
    for model in (AccessRecord, PrivacyRequest, PrivacyErasure):
        t = model.__table__
        tables[t.name] = _rows(session, t, t.c.student == digest)  # type: ignore[attr-defined]
    tables["schools"] = _rows(session, School.__table__, School.cct == student.cct)
    tables["photos"] = (_rows(session, Photo.__table__, Photo.hash == student.photo_hash)
                        if student.photo_hash else [])
    stations = school_stations(session, student.cct)
    tables["station_events"] = (_rows(session, StationEvent.__table__,
                                      StationEvent.station_id.in_(stations)
                                      & StationEvent.payload.contains(curp, autoescape=True))
                                if stations else [])
    tables["staff_actions"] = _rows(session, StaffAction.__table__,
                                    StaffAction.target.contains(curp, autoescape=True),
                                    StaffAction.reason.contains(curp, autoescape=True))
    return {"documento": "Datos personales en el servicio central de credenciales escolares",
            "generado": now.isoformat(), "curp": curp,
            "tablas": {k: tables[k] for k in sorted(tables)}}


def _escape(text: object) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def export_pdf(data: dict[str, Any], *, photo: Path | None, officer: str) -> bytes:
    """The export as a letter-size PDF in Spanish for the parent or guardian."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    out = BytesIO()
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(out, pagesize=letter, leftMargin=2 * cm, rightMargin=2 * cm,
                            topMargin=1.8 * cm, bottomMargin=1.8 * cm,
                            title="Datos personales del alumno")
    cell = styles["BodyText"].clone("cell", fontSize=8.5, leading=10.5)
    tables = data["tablas"]
    st = (tables.get("students") or [{}])[0]
    name = " ".join(str(st.get(k) or "") for k in ("nombre", "primer_apellido",
                                                   "segundo_apellido")).strip()
    story: list[Any] = [
        Paragraph("Secretaría de Educación Jalisco · Credenciales escolares", styles["Normal"]),
        Paragraph("Datos personales del alumno en el servicio central", styles["Title"]),
        Paragraph(_escape(
            f"Alumno: {name} · CURP {data['curp']} · documento generado el "
            f"{_readable('', data['generado'][:10])} por {officer}."), styles["Normal"]),
        Spacer(1, 0.3 * cm),
        Paragraph(
            "Este documento responde a su solicitud de acceso (derechos ARCO). Contiene todos "
            "los datos del alumno que guarda el servicio central de credenciales escolares: "
            "los que vienen de SCEJAL, su fotografía, las credenciales y hologramas que se le "
            "expidieron, y quién del personal consultó sus datos. Si algún dato es incorrecto, "
            "puede pedir su rectificación; también puede pedir su cancelación u oponerse a su "
            "uso, en la Delegación Regional (DRSE) de su escuela.", styles["BodyText"]),
        Spacer(1, 0.3 * cm)]
    if photo is not None and photo.is_file():
        story += [Image(str(photo), width=3 * cm, height=4 * cm, kind="proportional"),
                  Spacer(1, 0.3 * cm)]
    for table_name, rows in tables.items():
        label = TABLE_LABELS.get(table_name, table_name)
        story.append(Paragraph(_escape(f"{label} ({len(rows)})"), styles["Heading3"]))
        if not rows:
            story.append(Paragraph("Ningún dato.", cell))
            continue
        for row in rows[:200]:
            pairs = [[Paragraph(_escape(COLUMN_LABELS.get(k, k)), cell),
                      Paragraph(_escape(_readable(k, v))[:600], cell)]
                     for k, v in row.items()]
            t = Table(pairs, colWidths=[5 * cm, 12 * cm])
            t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                                   ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story += [t, Spacer(1, 0.15 * cm)]
        if len(rows) > 200:
            story.append(Paragraph(f"… y {len(rows) - 200} más (vea el archivo JSON).", cell))
    doc.build(story)
    return out.getvalue()


def export_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1).encode()

