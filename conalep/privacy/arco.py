"""ARCO requests on conalep: record each one (acceso, rectificación, cancelación,
oposición), and carry out a rectification or a cancellation within the law's limits.

- **rectificación** changes a student's identity field (name, surnames, CURP) with the old
  and new value and the legal reason; a grade is corrected by the grade rectification of
  norm 6 (/staff/calificaciones/…) and a certificate's name by its review or a replacement
  (norm 28), not here.
- **cancelación** erases the personal follow-up data at once (:mod:`.erase`); grades only
  when no certificate still needs them, and then also the student's CURP and name (the
  matrícula, plantel, career, generation and status stay for the indicators); a
  certificate's record (folio, signatures, frozen document) is always kept so it keeps
  verifying and can be replaced (docs/privacy.md explains why).
- **acceso** is answered with the export (:mod:`.export`, PDF and JSON); **oposición** is
  recorded with its result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from conalep.certificates.workflow import State
from conalep.followup.records import student
from conalep.models.academic import Alumno, Calificacion, Rectificacion
from conalep.models.certificates import Certificate
from conalep.models.privacy import ArcoChange, ArcoRequest, PurgeItem
from conalep.privacy.erase import erase
from conalep.roles import Scope
from conalep.web import record
from foundation.curp import validate_curp
from foundation.web.refusal import Refusal

KINDS = {"acceso": "Acceso", "rectificacion": "Rectificación", "cancelacion": "Cancelación",
         "oposicion": "Oposición"}
RESULTS = {"atendida": "Atendida", "parcial": "Atendida en parte (lo demás se conserva por "
                                              "ley)", "improcedente": "Improcedente",
           "en_tramite": "En trámite"}
RECTIFIABLE = {"nombre": "nombre", "primer_apellido": "primer apellido",
               "segundo_apellido": "segundo apellido", "curp": "CURP"}
SUPPRESSED_NAME = "[SUPRIMIDO]"
RELEASED = (State.RELEASED.value, State.DELIVERED.value)


@dataclass(frozen=True, slots=True)
class Asked:
    """What the officer typed for any request."""

    solicitante: str
    recibida_el: dt.date
    fundamento: str
    detalle: str = ""


def _request(session: Session, scope: Scope, kind: str, matricula: str, asked: Asked, *,
             resultado: str, detalle: str, now: dt.datetime) -> ArcoRequest:
    if not asked.solicitante.strip():
        raise Refusal(422, "no-requester", "Escriba quién presenta la solicitud (la persona "
                      "estudiante o su madre, padre o tutor, con el parentesco).")
    if not asked.fundamento.strip():
        raise Refusal(422, "no-reason", "Escriba el fundamento legal o el motivo de la "
                      "solicitud; queda en el registro de solicitudes ARCO.")
    req = ArcoRequest(kind=kind, matricula=matricula, solicitante=asked.solicitante.strip(),
                      recibida_el=asked.recibida_el, fundamento=asked.fundamento.strip(),
                      resultado=resultado, detalle=(asked.detalle + "\n" + detalle).strip(),
                      respondida_el=None if resultado == "en_tramite" else now.date(),
                      registrada_por=scope.username, registrada_en=now)
    session.add(req)
    session.flush()
    record(session, staff=scope.username, action=f"arco-{kind}", target=f"alumno {matricula}",
           reason=asked.fundamento[:500], now=now)
    return req


def record_request(session: Session, scope: Scope, kind: str, matricula: str, asked: Asked,
                   *, resultado: str, now: dt.datetime) -> ArcoRequest:
    """An acceso (answered with the export) or an oposición, with its result."""
    if kind not in ("acceso", "oposicion"):
        raise Refusal(422, "bad-kind", "Use la sección de rectificación o de cancelación.")
    if resultado not in RESULTS:
        raise Refusal(422, "bad-result", "Elija el resultado de la solicitud.")
    student(session, scope, matricula)
    return _request(session, scope, kind, matricula, asked, resultado=resultado, detalle="",
                    now=now)


def answer(session: Session, scope: Scope, request_id: int, resultado: str, detalle: str, *,
           now: dt.datetime) -> ArcoRequest:
    """Close a request recorded «en trámite» (an acceso or oposición answered later)."""
    req = session.get(ArcoRequest, request_id)
    if req is None:
        raise Refusal(404, "request-not-found", f"No hay una solicitud ARCO con folio "
                                                f"{request_id}.")
    student(session, scope, req.matricula)
    if req.resultado != "en_tramite":
        raise Refusal(409, "already-answered", f"La solicitud {request_id} ya fue respondida "
                      f"el {req.respondida_el:%d/%m/%Y}.")
    if resultado not in RESULTS or resultado == "en_tramite":
        raise Refusal(422, "bad-result", "Elija el resultado con que se respondió.")
    req.resultado, req.respondida_el = resultado, now.date()
    req.detalle = (req.detalle + "\n" + detalle).strip()
    record(session, staff=scope.username, action="arco-respuesta", target=f"solicitud {req.id}",
           reason=resultado, now=now)
    return req


def rectify(session: Session, scope: Scope, matricula: str, campo: str, nuevo: str,
            asked: Asked, *, now: dt.datetime) -> ArcoRequest:
    """Change one identity field of the student; old → new recorded with the request."""
    alumno = student(session, scope, matricula)
    if campo not in RECTIFIABLE:
        raise Refusal(422, "bad-field",
                      "Aquí se rectifican el nombre, los apellidos y la CURP. Una calificación "
                      "se corrige con la rectificación de calificaciones (norma 6) y el nombre "
                      "de un certificado ya emitido con su reposición (norma 28).")
    nuevo = " ".join(nuevo.upper().split())
    if not nuevo:
        raise Refusal(422, "empty-value", f"Escriba el valor correcto del campo "
                                          f"{RECTIFIABLE[campo]}.")
    if campo == "curp" and (problem := validate_curp(nuevo)) is not None:
        raise Refusal(422, "bad-curp", f"La CURP nueva no es válida: {problem.reason_es}.")
    anterior = getattr(alumno, campo)
    if anterior == nuevo:
        raise Refusal(422, "same-value", f"El {RECTIFIABLE[campo]} ya es «{nuevo}».")
    req = _request(session, scope, "rectificacion", matricula, asked, resultado="atendida",
                   detalle=f"{RECTIFIABLE[campo]} rectificado", now=now)
    session.add(ArcoChange(request_id=req.id, tabla="alumnos", campo=campo, anterior=anterior,
                           nuevo=nuevo))
    setattr(alumno, campo, nuevo)
    return req


def grades_needed(session: Session, alumno: Alumno) -> str | None:
    """Why the grades must stay (in the officer's words), or None when they may go."""
    certs = list(session.scalars(select(Certificate).where(
        Certificate.matricula == alumno.matricula)))
    if any(c.state in RELEASED for c in certs):
        return None
    if any(c.state != State.REVOKED.value for c in certs):
        return ("su certificado de terminación de estudios está en trámite y se emite con "
                "base en estas calificaciones")
    if alumno.estatus == "INSCRITO":
        return ("la persona sigue inscrita: sus calificaciones son necesarias para emitir "
                "su certificado de terminación de estudios cuando concluya")
    if alumno.estatus == "EGRESADO":
        return ("concluyó sus estudios pero su certificado de terminación de estudios todavía "
                "no se emite, y se emite con base en estas calificaciones")
    return None


def cancel(session: Session, scope: Scope, matricula: str, asked: Asked, *,
           with_grades: bool, now: dt.datetime) -> tuple[ArcoRequest, list[PurgeItem]]:
    """Erase the follow-up data (and, if asked and allowed, grades and identity)."""
    alumno = student(session, scope, matricula)
    why = grades_needed(session, alumno) if with_grades else None
    if why:
        raise Refusal(409, "grades-needed",
                      f"No se pueden cancelar las calificaciones de la matrícula {matricula}: "
                      f"{why}. La ley permite conservar los datos necesarios para cumplir "
                      f"una obligación legal. Registre la cancelación sin calificaciones "
                      f"(se suprimen los datos de seguimiento) e informe a la persona "
                      f"solicitante que las calificaciones se conservan por ese motivo.")
    kept = ["el registro del certificado (folio, firmas y documento) si lo hay, para que siga "
            "verificándose y pueda reponerse"]
    if not with_grades:
        kept.insert(0, "las calificaciones")
    req = _request(session, scope, "cancelacion", matricula, asked,
                   resultado="parcial",
                   detalle="Se conserva: " + "; ".join(kept) + ".", now=now)
    items = erase(session, matricula, motivo="arco-cancelacion", now=now, request_id=req.id)
    if with_grades:
        grade_ids = select(Calificacion.id).where(Calificacion.matricula == matricula)
        rect = session.execute(delete(Rectificacion).where(
            Rectificacion.calificacion_id.in_(grade_ids))).rowcount
        grades = session.execute(delete(Calificacion).where(
            Calificacion.matricula == matricula)).rowcount
        done = [(t, n, "calificaciones y su historial")
                for t, n in (("rectificaciones", rect), ("calificaciones", grades)) if n]
        for campo in ("curp", "nombre", "primer_apellido", "segundo_apellido"):
            session.add(ArcoChange(request_id=req.id, tabla="alumnos", campo=campo,
                                   anterior=None, nuevo=None))
        alumno.curp = ""
        alumno.nombre = alumno.primer_apellido = alumno.segundo_apellido = SUPPRESSED_NAME
        done.append(("alumnos", 1, "CURP y nombre (se conservan matrícula, plantel, carrera, "
                                   "generación y estatus)"))
        for tabla, n, detalle in done:
            item = PurgeItem(request_id=req.id, matricula=matricula, motivo="arco-cancelacion",
                             tabla=tabla, filas=n, detalle=detalle, at=now)
            session.add(item)
            items.append(item)
    session.flush()
    return req, items
