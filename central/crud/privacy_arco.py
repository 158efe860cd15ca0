"""ARCO requests answered on central's pages (issue 18): record each request, rectify a name,
cancel (erase) a student, and queue the orders the stations that hold the student apply.

Who may: the state office (``estatal``) for every school, and a DRSE's Control Escolar (an
account of office ``control_escolar``, or of no office: a small DRSE where one person does
all) for its own schools (:func:`can_answer`). Every request is recorded
(:class:`~central.models.PrivacyRequest`) with the request's own folio, the dates, the legal
basis and the answer, so the office can show what it answered and when.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.crud.privacy_digest import student_digest
from central.crud.privacy_erase import erase_student
from central.crud.staff import StaffScope
from central.db import next_rev
from central.errors import ApiError
from central.models import PrivacyOrderRecord, PrivacyRequest, School, Student, StudentMove

KINDS = {"acceso": "Acceso", "rectificacion": "Rectificación", "cancelacion": "Cancelación",
         "oposicion": "Oposición"}
RECTIFIABLE = {"nombre": "Nombre(s)", "primer_apellido": "Primer apellido",
               "segundo_apellido": "Segundo apellido"}
"""The fields a rectification may change here; the rest comes from SCEJAL (and is rectified
there, see docs/privacy-central.md)."""
_NAME = re.compile(r"^[A-ZÑÁÉÍÓÚÜ][A-ZÑÁÉÍÓÚÜ .'-]{0,119}$")


def can_answer(role: str, office: str | None) -> bool:
    """The state office, or a DRSE's Control Escolar (or a one-person DRSE account)."""
    return role == "estatal" or (role == "drse" and office in (None, "control_escolar"))


def require_officer(scope: StaffScope, office: str | None) -> None:
    if not can_answer(scope.role, office):
        raise ApiError(403, "arco-officer-only",
                       "Las solicitudes de datos personales (ARCO) las atiende Control Escolar "
                       "de la DRSE o la oficina estatal; su cuenta no tiene ese permiso.")


def student_in_scope(session: Session, scope: StaffScope, curp: str) -> Student:
    """The student, if the person may see them: the same 404 for «does not exist» and «is
    another DRSE's», so a refusal never tells whether a CURP is enrolled elsewhere."""
    student = session.get(Student, curp.strip().upper()) if curp else None
    if student is not None and not scope.everything:
        drse = session.scalar(select(School.drse).where(School.cct == student.cct))
        if drse != scope.region:
            raise ApiError(403, "outside-region",
                           "Ese alumno no es de las escuelas de su DRSE; no puede ver sus "
                           "datos. Si la solicitud le llegó a usted, túrnela a la oficina "
                           "estatal.")
    if student is None:
        raise ApiError(404, "student-not-found",
                       "No hay ningún alumno con esa CURP en el servicio central (o sus datos "
                       "ya se borraron). Revise la CURP letra por letra.")
    return student


def find_students(session: Session, scope: StaffScope, *, name: str, cct: str,
                  limit: int = 50) -> list[Student]:
    """Students of ``cct`` (in the person's scope) whose full name has every word of
    ``name``."""
    cct = cct.strip().upper()
    if not cct or not name.strip():
        raise ApiError(422, "missing-search", "Escriba la CURP del alumno, o su nombre y la "
                                              "clave (CCT) de su escuela.")
    scope.require_school(session, cct)
    rows = session.scalars(select(Student).where(Student.cct == cct)
                           .order_by(Student.primer_apellido, Student.segundo_apellido,
                                     Student.nombre))
    words = name.upper().split()
    out = []
    for st in rows:
        full = f"{st.nombre} {st.primer_apellido} {st.segundo_apellido}".upper()
        if all(w in full for w in words):
            out.append(st)
            if len(out) >= limit:
                break
    return out


def _check_request(folio: str, legal_reason: str, received_on: date, today: date) -> None:
    if not folio or len(folio) > 40:
        raise ApiError(422, "missing-folio", "Escriba el folio de la solicitud ARCO (hasta 40 "
                                             "caracteres), por ejemplo «ARCO-12/2026».")
    if len(legal_reason) < 5:
        raise ApiError(422, "missing-legal-reason",
                       "Escriba el fundamento legal (al menos 5 letras), por ejemplo «Art. 46 "
                       "de la Ley General de Protección de Datos Personales».")
    if received_on > today:
        raise ApiError(422, "future-date", "La fecha de recepción no puede ser posterior a hoy.")


def record_request(session: Session, *, key: bytes, student: Student, kind: str, folio: str,
                   received_on: date, legal_reason: str, result: str, staff: str,
                   now: datetime, detail: dict[str, object] | None = None) -> PrivacyRequest:
    """Record one ARCO request and its answer (answered today)."""
    if kind not in KINDS:
        raise ApiError(422, "bad-kind", "El tipo de solicitud es acceso, rectificación, "
                                        "cancelación u oposición.")
    _check_request(folio, legal_reason, received_on, now.date())
    drse = session.scalar(select(School.drse).where(School.cct == student.cct))
    row = PrivacyRequest(folio=folio, kind=kind, student=student_digest(key, student.curp),
                         cct=student.cct, drse=drse, received_on=received_on,
                         answered_on=now.date(), legal_reason=legal_reason, result=result,
                         detail=json.dumps(detail or {}, ensure_ascii=False), staff=staff,
                         created_at=now)
    session.add(row)
    session.flush()
    return row


def queue_order(session: Session, *, kind: str, curp: str, cct: str, reason: str,
                now: datetime, request_id: int | None,
                fields: dict[str, str] | None = None) -> PrivacyOrderRecord:
    """An order for the stations of ``cct``'s school and DRSE, numbered by counter
    ``privacy`` (the number is the stations' cursor)."""
    order = PrivacyOrderRecord(id=next_rev(session, "privacy"), kind=kind, curp=curp, cct=cct,
                               fields=json.dumps(fields, ensure_ascii=False) if fields else None,
                               reason=reason, ordered_at=now, request_id=request_id)
    session.add(order)
    session.flush()
    return order


def rectify(session: Session, *, key: bytes, student: Student, field: str, value: str,
            folio: str, received_on: date, legal_reason: str, staff: str,
            now: datetime) -> PrivacyRequest:
    """Change one name field; the stations get the new roster row and a ``rectificacion``
    order."""
    if field not in RECTIFIABLE:
        raise ApiError(422, "bad-field", "Sólo se rectifican aquí el nombre y los apellidos; "
                                         "los demás datos se corrigen en SCEJAL.")
    new = " ".join(value.upper().split())
    if not _NAME.match(new):
        raise ApiError(422, "bad-name", f"«{value}» no es un valor válido para "
                                        f"{RECTIFIABLE[field].lower()}: sólo letras, espacios, "
                                        "punto, apóstrofo o guion (hasta 120).")
    old = getattr(student, field)
    if new == old:
        raise ApiError(422, "same-value", f"{RECTIFIABLE[field]} ya es «{old}».")
    row = record_request(session, key=key, student=student, kind="rectificacion", folio=folio,
                         received_on=received_on, legal_reason=legal_reason,
                         result=f"Se rectificó {RECTIFIABLE[field].lower()}.", staff=staff,
                         now=now, detail={"campo": field, "anterior": old, "nuevo": new})
    setattr(student, field, new)
    student.rev, student.updated_at = next_rev(session, "roster"), now
    queue_order(session, kind="rectificacion", curp=student.curp, cct=student.cct,
                reason=f"Solicitud {folio}: {legal_reason}", now=now, request_id=row.id,
                fields={field: new})
    return row


def cancel(session: Session, *, key: bytes, student: Student, folio: str, received_on: date,
           legal_reason: str, staff: str, now: datetime) -> PrivacyRequest:
    """Erase the student (keyed digest instead of the CURP) and tell the stations of their
    school and of the schools they moved from."""
    curp, cct = student.curp, student.cct
    row = record_request(session, key=key, student=student, kind="cancelacion", folio=folio,
                         received_on=received_on, legal_reason=legal_reason,
                         result="Se cancelaron (borraron) los datos personales y la foto; "
                                "quedan el folio, las fechas y el estado de sus credenciales.",
                         staff=staff, now=now)
    # The schools the child came from may still hold them too (their moves go with the data).
    moved_from = set(session.scalars(select(StudentMove.from_cct)
                                     .where(StudentMove.curp == curp)))
    for school in sorted({cct} | moved_from):
        queue_order(session, kind="cancelacion", curp=curp, cct=school,
                    reason=f"Solicitud {folio}: {legal_reason}", now=now, request_id=row.id)
    erase_student(session, key=key, curp=curp, cause="cancelacion", by=staff, now=now,
                  request_id=row.id)
    return row


def requests_of(session: Session, scope: StaffScope,
                student_digest_: str | None = None) -> Sequence[PrivacyRequest]:
    """The recorded requests the person may see (one student's, or the latest 200)."""
    query = select(PrivacyRequest).order_by(PrivacyRequest.created_at.desc(),
                                            PrivacyRequest.id.desc()).limit(200)
    if student_digest_:
        query = query.where(PrivacyRequest.student == student_digest_)
    if not scope.everything:
        query = query.where(PrivacyRequest.drse == scope.region)
    return list(session.scalars(query))


def orders_after(session: Session, *, ccts: Sequence[str], after: int,
                 limit: int) -> tuple[list[PrivacyOrderRecord], int, bool]:
    """Orders for students of ``ccts`` numbered after ``after``: (orders, cursor, more)."""
    if not ccts:
        last = session.scalar(select(PrivacyOrderRecord.id).order_by(
            PrivacyOrderRecord.id.desc()).limit(1))
        return [], max(after, int(last or 0)), False
    rows = list(session.scalars(select(PrivacyOrderRecord)
                                .where(PrivacyOrderRecord.id > after,
                                       PrivacyOrderRecord.cct.in_(ccts))
                                .order_by(PrivacyOrderRecord.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if rows else after), more
