"""Support above the school (seed 004, técnicos 10–12): problem reports the DRSE escalates to
DGTI (the state's IT office) and DGTI's answer; questions a school asks its DRSE's Control
Escolar, which answers them or passes them on to the state; the DRSE directory.

Every change takes the next number of counter ``support`` (``rev``): a station pulls the
state of its questions and escalated reports changed after the number it last saw
(``GET /api/v1/sync/support``), so the answer reaches it at its next sync.

>>> clean_note("  se   cambió el cable ", what="La nota")
'se cambió el cable'
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.crud.problem_reports import read_problem_report
from central.crud.staff import record
from central.db import next_rev
from central.errors import ApiError
from central.models import (
    DrseContact,
    ProblemReport,
    ReportEscalation,
    School,
    Station,
    SupportQuestion,
)
from foundation.scrub import scrub
from foundation.sqldb import insert_ignore

LEVEL_DRSE, LEVEL_STATE = "drse", "estatal"


def clean_note(text: str, *, what: str, limit: int = 2000) -> str:
    """One line of staff text; 422 in words when it is too short to mean anything."""
    text = " ".join(text.split())
    if len(text) < 3:
        raise ApiError(422, "missing-note", f"{what} está vacía o es muy corta: escriba al "
                                            "menos 3 letras.")
    return scrub(text)[:limit]


# --- problem reports escalated to DGTI ---------------------------------------------------------

def escalate_report(session: Session, *, report_id: int, staff: str, note: str,
                    now: datetime) -> ReportEscalation:
    """The DRSE passes a report it cannot solve on to DGTI (técnico 10)."""
    report = read_problem_report(session, report_id=report_id)
    note = clean_note(note, what="La nota para DGTI")
    if session.get(ReportEscalation, report_id) is not None:
        raise ApiError(409, "report-escalated",
                       f"El reporte {report_id} ya se turnó a DGTI; espere su respuesta.")
    if report.attended_at is not None:
        raise ApiError(409, "report-attended",
                       f"El reporte {report_id} ya fue atendido por {report.attended_by}: no "
                       "hace falta turnarlo a DGTI.")
    row = ReportEscalation(report_id=report_id, note=note, escalated_by=staff,
                           escalated_at=now, rev=next_rev(session, "support"))
    session.add(row)
    record(session, staff=staff, action="escalate-problem-report",
           target=f"reporte {report_id} ({report.station_id})", reason=note, now=now)
    session.flush()
    return row


def answer_escalation(session: Session, *, report_id: int, staff: str, answer: str,
                      now: datetime) -> ReportEscalation:
    """DGTI's answer; it goes back to the DRSE page and to the station."""
    row = session.get(ReportEscalation, report_id)
    if row is None:
        raise ApiError(404, "report-not-escalated",
                       f"El reporte {report_id} no está turnado a DGTI.")
    if row.answered_at is not None:
        raise ApiError(409, "escalation-answered",
                       f"DGTI ya respondió el reporte {report_id} ({row.answered_by}).")
    row.answer = clean_note(answer, what="La respuesta")
    row.answered_by, row.answered_at = staff, now
    row.rev = next_rev(session, "support")
    record(session, staff=staff, action="answer-problem-report", target=f"reporte {report_id}",
           reason=row.answer, now=now)
    session.flush()
    return row


def escalations(session: Session, *, answered: bool | None = None,
                region_code: str | None = None) -> list[tuple[ReportEscalation, ProblemReport]]:
    query = (select(ReportEscalation, ProblemReport)
             .join(ProblemReport, ProblemReport.id == ReportEscalation.report_id)
             .order_by(ReportEscalation.escalated_at.desc()))
    if answered is not None:
        query = query.where(ReportEscalation.answered_at.is_not(None) if answered
                            else ReportEscalation.answered_at.is_(None))
    if region_code is not None:
        query = query.where(ProblemReport.drse == region_code)
    return [(e, r) for e, r in session.execute(query)]


def escalations_by_report(session: Session, report_ids: list[int]) -> dict[int, ReportEscalation]:
    if not report_ids:
        return {}
    return {e.report_id: e for e in session.scalars(
        select(ReportEscalation).where(ReportEscalation.report_id.in_(report_ids)))}


# --- questions: school -> DRSE Control Escolar -> state ----------------------------------------

def station_drse(session: Session, station: Station) -> str | None:
    if station.school_cct:
        drse = session.scalar(select(School.drse).where(School.cct == station.school_cct))
        if drse is not None:
            return drse
    return station.drse


def store_question(session: Session, *, station: Station, number: int, text: str,
                   asked_by: str, asked_at: str, now: datetime) -> bool:
    """A question from a station's ledger; once per (station, number), so a replay adds none.
    The CURPs a person may have typed are removed (scrub)."""
    return insert_ignore(session, SupportQuestion, {
        "station_id": station.id, "number": number, "school_cct": station.school_cct,
        "drse": station_drse(session, station), "text": scrub(" ".join(text.split()))[:2000],
        "asked_by": asked_by[:120], "asked_at": asked_at[:40], "level": LEVEL_DRSE,
        "received_at": now, "rev": next_rev(session, "support")})


def read_question(session: Session, question_id: int) -> SupportQuestion:
    row = session.get(SupportQuestion, question_id)
    if row is None:
        raise ApiError(404, "question-not-found", f"No existe la pregunta {question_id}.")
    return row


def forward_question(session: Session, *, question_id: int, staff: str, note: str,
                     now: datetime) -> SupportQuestion:
    """DRSE Control Escolar passes a question it cannot answer on to the state (técnico 12)."""
    row = read_question(session, question_id)
    note = clean_note(note, what="La nota para la oficina estatal")
    if row.answered_at is not None:
        raise ApiError(409, "question-answered",
                       f"La pregunta {question_id} ya fue respondida por {row.answered_by}.")
    if row.level == LEVEL_STATE:
        raise ApiError(409, "question-forwarded",
                       f"La pregunta {question_id} ya se turnó a la oficina estatal.")
    row.level, row.forwarded_note, row.forwarded_by, row.forwarded_at = (
        LEVEL_STATE, note, staff, now)
    row.rev = next_rev(session, "support")
    record(session, staff=staff, action="forward-question", target=f"pregunta {question_id}",
           reason=note, now=now)
    session.flush()
    return row


def answer_question(session: Session, *, question_id: int, staff: str, state_staff: bool,
                    answer: str, now: datetime) -> SupportQuestion:
    """The answer of the DRSE (while the question is with it) or of the state (any time)."""
    row = read_question(session, question_id)
    text = clean_note(answer, what="La respuesta")
    if row.answered_at is not None:
        raise ApiError(409, "question-answered",
                       f"La pregunta {question_id} ya fue respondida por {row.answered_by}.")
    if row.level == LEVEL_STATE and not state_staff:
        raise ApiError(409, "question-forwarded",
                       f"La pregunta {question_id} ya se turnó a la oficina estatal: la "
                       "responde el estado.")
    row.answer, row.answered_by, row.answered_at = text, staff, now
    row.rev = next_rev(session, "support")
    record(session, staff=staff, action="answer-question", target=f"pregunta {question_id}",
           reason=text, now=now)
    session.flush()
    return row


def questions(session: Session, *, region_code: str | None,
              state_level_only: bool = False) -> list[SupportQuestion]:
    """Open questions first, then answered, newest first."""
    query = select(SupportQuestion).order_by(SupportQuestion.answered_at.is_not(None),
                                             SupportQuestion.received_at.desc(),
                                             SupportQuestion.id.desc())
    if region_code is not None:
        query = query.where(SupportQuestion.drse == region_code)
    if state_level_only:
        query = query.where(SupportQuestion.level == LEVEL_STATE)
    return list(session.scalars(query))


# --- what goes back to the station --------------------------------------------------------------

def _status(answered: datetime | None, forwarded: bool) -> str:
    return "respondida" if answered is not None else ("turnada" if forwarded else "recibida")


def messages_for_station(session: Session, *, station_id: str, after: int,
                         limit: int = 500) -> tuple[list[dict[str, object]], int]:
    """The questions and escalated reports of this station changed after ``after``; the
    highest ``rev`` sent (the station's next cursor)."""
    out: list[dict[str, object]] = []
    for q in session.scalars(select(SupportQuestion).where(
            SupportQuestion.station_id == station_id, SupportQuestion.rev > after)
            .order_by(SupportQuestion.rev).limit(limit)):
        out.append({"rev": q.rev, "subject": "question", "ref": str(q.number),
                    "status": _status(q.answered_at, q.level == LEVEL_STATE),
                    "note": q.forwarded_note, "answer": q.answer, "answered_by": q.answered_by,
                    "answered_at": q.answered_at.isoformat() if q.answered_at else None})
    for e, r in session.execute(
            select(ReportEscalation, ProblemReport)
            .join(ProblemReport, ProblemReport.id == ReportEscalation.report_id)
            .where(ProblemReport.station_id == station_id, ReportEscalation.rev > after)
            .order_by(ReportEscalation.rev).limit(limit)):
        out.append({"rev": e.rev, "subject": "report", "ref": r.report_name,
                    "status": _status(e.answered_at, True), "note": None, "answer": e.answer,
                    "answered_by": "DGTI" if e.answered_by else None,
                    "answered_at": e.answered_at.isoformat() if e.answered_at else None})
    out.sort(key=lambda m: int(str(m["rev"])))
    out = out[:limit]
    return out, int(str(out[-1]["rev"])) if out else after


# --- the DRSE directory --------------------------------------------------------------------------

def _fold(name: str) -> str:
    """Upper case without accents and spaces collapsed: «Ciénega (Ocotlán)» = «CIENEGA
    (OCOTLAN)»."""
    plain = unicodedata.normalize("NFKD", name)
    return " ".join("".join(c for c in plain if not unicodedata.combining(c)).upper().split())


def contacts(session: Session) -> list[DrseContact]:
    return list(session.scalars(select(DrseContact).order_by(DrseContact.name)))


def contact_for(session: Session, region: str | None) -> DrseContact | None:
    """The directory entry of a SCEJAL region name (case and accents ignored)."""
    if not region:
        return None
    wanted = _fold(region)
    return next((c for c in contacts(session) if _fold(c.name) == wanted), None)


FIELDS = {"name": ("DRSE", 120), "responsible": ("Responsable", 200),
          "phones": ("Teléfonos", 200), "extension": ("Extensión", 60),
          "email": ("Correo electrónico", 200)}


def save_contact(session: Session, *, contact_id: int | None, values: dict[str, str],
                 staff: str, now: datetime) -> DrseContact:
    """Add (``contact_id`` None) or change one DRSE of the directory; 422 names the field."""
    clean = {k: " ".join(values.get(k, "").split()) for k in FIELDS}
    for key in ("name", "responsible"):
        if len(clean[key]) < 3:
            raise ApiError(422, "bad-contact", f"Falta «{FIELDS[key][0]}» (al menos 3 letras).",
                           field=key)
    for key, (label, limit) in FIELDS.items():
        if len(clean[key]) > limit:
            raise ApiError(422, "bad-contact", f"«{label}» es demasiado largo (máximo {limit} "
                                               "caracteres).", field=key)
    if clean["email"] and ("@" not in clean["email"] or " " in clean["email"]):
        raise ApiError(422, "bad-contact", f"El correo «{clean['email']}» no parece un correo "
                                           "electrónico (nombre@dominio).", field="email")
    same = session.scalar(select(DrseContact).where(DrseContact.name == clean["name"]))
    if same is not None and same.id != contact_id:
        raise ApiError(409, "contact-exists", f"La DRSE «{clean['name']}» ya está en el "
                                              "directorio; edite esa fila.")
    if contact_id is None:
        row = DrseContact(**clean)
        session.add(row)
    else:
        found = session.get(DrseContact, contact_id)
        if found is None:
            raise ApiError(404, "contact-not-found", f"No existe la fila {contact_id} del "
                                                     "directorio.")
        row = found
        for key, value in clean.items():
            setattr(row, key, value)
    row.updated_at, row.updated_by = now, staff
    record(session, staff=staff, action="save-drse-contact", target=clean["name"],
           reason="directorio", now=now)
    session.flush()
    return row
