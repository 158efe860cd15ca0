"""DRSE procedure 1 (seed 004, «Procedimiento 1»): a small school's request for its new
students' cards and its continuing students' holograms, step by step.

    recibida ──Planeación: contenido, firma y sello──▶ revisada
    revisada ──Control Escolar: validación contra la matrícula──▶ validada
    validada ──material (inventario que conoce central)──▶ en_produccion | material_insuficiente
    en_produccion ──la estación de la DRSE entrega (delivery_created)──▶ en_entrega
    en_entrega ──acuse firmado (delivery_closed)──▶ entregada

Planeación and Control Escolar may return it to the school (``devuelta``) with a reason the
school's station shows at its next sync. Every step is a row of ``office_steps``: who, which
office, when, outcome, why. Who may do a step: :func:`require_office`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from central.crud.staff import StaffScope
from central.errors import ApiError
from central.models import (
    Card,
    Hologram,
    OfficeRequest,
    OfficeRequestStudent,
    OfficeStep,
    School,
    Student,
)
from foundation.atomic_files import write_atomic
from foundation.words import count
from station.core.model import Estatus, Nivel
from station.core.routing import Thresholds, route

OFFICES = {"planeacion": "Planeación", "control_escolar": "Control Escolar",
           "tecnologias": "Tecnologías"}
"""The DRSE offices of seed 004 (a ``drse`` account's ``office``)."""
STATES = {
    "recibida": "Recibida: espera la revisión de Planeación",
    "revisada": "Revisada por Planeación: espera la validación de Control Escolar",
    "validada": "Validada por Control Escolar: espera la decisión de material",
    "material_insuficiente": "En espera de material: la DRSE lo solicitó",
    "en_produccion": "En producción en la estación de la DRSE",
    "en_entrega": "Entregada a la escuela: falta registrar el acuse firmado",
    "entregada": "Entregada con acuse de recibo firmado",
    "devuelta": "Devuelta a la escuela",
}
OPEN_STATES = ("recibida", "revisada", "validada", "material_insuficiente", "en_produccion",
               "en_entrega")
STEP_OFFICES = {"registrar": ("planeacion",), "revisar": ("planeacion",),
                "validar": ("control_escolar",), "material": ("tecnologias", "control_escolar"),
                "aprobar_material": ("tecnologias",), "enviar_material": ("tecnologias",)}
STEP_WORDS = {"registrar": "registrar un oficio", "revisar": "revisar el oficio",
              "validar": "validar contra la matrícula", "material": "decidir el material",
              "aprobar_material": "aprobar o rechazar material",
              "enviar_material": "registrar el envío de material"}
SCAN_TYPES = {b"%PDF": ".pdf", b"\xff\xd8\xff": ".jpg", b"\x89PNG": ".png"}
MAX_SCAN = 10 * 1024 * 1024


def office_label(role: str, office: str | None) -> str:
    """``Planeación`` / ``Oficina estatal`` / ``DRSE``: who did a step, in words."""
    if role == "estatal":
        return "Oficina estatal"
    return OFFICES.get(office or "", "DRSE")


def require_office(role: str, office: str | None, step: str) -> None:
    """The state office and a DRSE account without an office may do every step; a DRSE
    office account only its own (403 naming who does it)."""
    if role == "estatal" or office is None:
        return
    allowed = STEP_OFFICES[step]
    if office not in allowed:
        who = " o ".join(OFFICES[o] for o in allowed)
        raise ApiError(403, "wrong-office",
                       f"Para {STEP_WORDS[step]} se necesita una cuenta de {who} de la DRSE; "
                       f"la suya es de {OFFICES.get(office, office)}.")


def record_step(session: Session, *, procedure: str, request_id: int, step: str, outcome: str,
                staff: str, office: str, note: str, now: datetime) -> None:
    session.add(OfficeStep(procedure=procedure, request_id=request_id, step=step,
                           outcome=outcome, staff=staff, office=office, note=note, at=now))


def steps_of(session: Session, procedure: str, request_id: int) -> list[OfficeStep]:
    return list(session.scalars(select(OfficeStep).where(
        OfficeStep.procedure == procedure, OfficeStep.request_id == request_id)
        .order_by(OfficeStep.id)))


def scan_ext(data: bytes) -> str:
    """The file type of a signed oficio's scan (PDF, JPEG or PNG), or a refusal saying why.

    >>> scan_ext(b"%PDF-1.7 ...")
    '.pdf'
    """
    if not data:
        raise ApiError(422, "missing-scan", "Falta el oficio firmado y sellado escaneado (PDF, "
                                            "JPG o PNG).")
    if len(data) > MAX_SCAN:
        raise ApiError(413, "scan-too-large", "El escaneo del oficio pasa de 10 MB; escanéelo "
                                              "en blanco y negro o a menor resolución.")
    for magic, ext in SCAN_TYPES.items():
        if data.startswith(magic):
            return ext
    raise ApiError(422, "bad-scan", "El archivo del oficio no es PDF, JPG ni PNG; escanéelo "
                                    "otra vez en uno de esos formatos.")


def scan_path(data_dir: Path, req: OfficeRequest) -> Path:
    return data_dir / "oficios" / f"{req.scan_sha256}{req.scan_ext}"


def school_for_request(session: Session, cct: str, routing: Thresholds) -> School:
    """The school, if its DRSE prints for it (normativo 2); otherwise why not."""
    school = session.get(School, cct)
    if school is None:
        raise ApiError(404, "school-not-found", f"La escuela {cct} no está en la matrícula del "
                                                "servicio central (SCEJAL).")
    where = route(Nivel(school.nivel), school.matricula, school.internet, routing)
    if where.where != "drse":
        raise ApiError(409, "prints-own-cards",
                       f"La escuela {cct} {where.words}: no solicita a su DRSE la elaboración "
                       "de credenciales (procedimiento 1); si le falta material, use la "
                       "solicitud de material (procedimiento 2).")
    return school


def create_request(session: Session, *, school: School, cycle: str, oficio: str,
                   director: str, notes: str, curps: Sequence[str], scan: bytes,
                   source: str, staff: str, data_dir: Path, now: datetime,
                   station_id: str | None = None,
                   station_ref: int | None = None) -> tuple[OfficeRequest, bool]:
    """A new request with its scanned oficio; (request, False) when the station sent it
    before (same station and number: nothing added)."""
    if station_id is not None:
        old = session.scalar(select(OfficeRequest).where(
            OfficeRequest.station_id == station_id, OfficeRequest.station_ref == station_ref))
        if old is not None:
            return old, False
    oficio, director = " ".join(oficio.split()), " ".join(director.split())
    if len(oficio) < 2:
        raise ApiError(422, "missing-oficio", "Falta el número de oficio.")
    if len(director) < 5:
        raise ApiError(422, "missing-director", "Falta el nombre completo del director(a) que "
                                                "firma el oficio.")
    ext = scan_ext(scan)
    digest = hashlib.sha256(scan).hexdigest()
    req = OfficeRequest(drse=school.drse, cct=school.cct, cycle=cycle, state="recibida",
                        oficio=oficio[:60], director=director[:120], notes=notes,
                        scan_sha256=digest, scan_ext=ext, source=source,
                        station_id=station_id, station_ref=station_ref, reason=None,
                        created_at=now, created_by=staff[:120], updated_at=now)
    session.add(req)
    session.flush()
    for curp in dict.fromkeys(c.strip().upper() for c in curps if c.strip()):
        session.add(OfficeRequestStudent(request_id=req.id, curp=curp[:18], asked=True,
                                         need="pendiente", problem=None))
    path = scan_path(data_dir, req)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        write_atomic(path, scan, mode=0o600)
    how = "desde la estación de la escuela" if source == "estacion" else "en la página"
    record_step(session, procedure="oficio", request_id=req.id, step="solicitud",
                outcome="recibida", staff=staff, office="Escuela" if source == "estacion"
                else "Planeación", note=f"Oficio {req.oficio} de {director}, registrado {how}.",
                now=now)
    return req, True


def get_request(session: Session, scope: StaffScope, request_id: int) -> OfficeRequest:
    """The request, if the person's DRSE holds it (403 otherwise, nothing said about it)."""
    req = session.get(OfficeRequest, request_id)
    if req is None:
        raise ApiError(404, "request-not-found", f"No existe la solicitud {request_id}.")
    if not scope.everything and req.drse != scope.region:
        raise ApiError(403, "outside-region",
                       f"Su cuenta es de la DRSE «{scope.region}»: la solicitud {request_id} "
                       "no le corresponde.")
    return req


def list_requests(session: Session, region: str | None, *,
                  open_only: bool) -> list[OfficeRequest]:
    query = select(OfficeRequest).order_by(OfficeRequest.id.desc())
    if region is not None:
        query = query.where(OfficeRequest.drse == region)
    if open_only:
        query = query.where(OfficeRequest.state.in_(OPEN_STATES))
    return list(session.scalars(query))


def _expect(req: OfficeRequest, *states: str, doing: str) -> None:
    if req.state not in states:
        raise ApiError(409, "wrong-state",
                       f"No se puede {doing}: la solicitud {req.id} está «"
                       f"{STATES[req.state]}».")


def _return(session: Session, req: OfficeRequest, *, step: str, reason: str, staff: str,
            office: str, now: datetime) -> None:
    reason = " ".join(reason.split())
    if len(reason) < 5:
        raise ApiError(422, "missing-reason", "Para devolver la solicitud escriba el motivo: la "
                                              "escuela lo verá en su estación.")
    req.state, req.reason, req.updated_at = "devuelta", reason, now
    record_step(session, procedure="oficio", request_id=req.id, step=step, outcome="devuelta",
                staff=staff, office=office, note=reason, now=now)


def review(session: Session, req: OfficeRequest, *, accept: bool, content: bool,
           signature: bool, seal: bool, reason: str, staff: str, office: str,
           now: datetime) -> None:
    """Planeación's check of the oficio: content, signature and seal of the authority."""
    _expect(req, "recibida", doing="revisar el oficio")
    if not accept:
        _return(session, req, step="revision", reason=reason, staff=staff, office=office,
                now=now)
        return
    missing = [w for ok, w in ((content, "el contenido (ciclo, alumnos de nuevo ingreso y de "
                                         "grados superiores)"),
                               (signature, "la firma del director(a)"),
                               (seal, "el sello de la escuela")) if not ok]
    if missing:
        raise ApiError(422, "check-incomplete",
                       "Para aceptar el oficio marque que revisó " + ", ".join(missing)
                       + "; si falta algo, devuélvalo a la escuela con el motivo.")
    req.state, req.reason, req.updated_at = "revisada", None, now
    record_step(session, procedure="oficio", request_id=req.id, step="revision",
                outcome="aceptada", staff=staff, office=office,
                note="Contenido, firma y sello revisados.", now=now)


@dataclass(slots=True)
class Coverage:
    """Control Escolar's comparison of a request with central's enrolment."""

    cards: list[tuple[str, str]] = field(default_factory=list)
    """(CURP, name) of students who get a new card."""
    holograms: list[tuple[str, str]] = field(default_factory=list)
    """(CURP, name) of continuing students with a card who get the cycle's hologram."""
    mismatches: list[tuple[str, str, str]] = field(default_factory=list)
    """(CURP, name or «—», why it is not covered)."""
    left_out: list[tuple[str, str]] = field(default_factory=list)
    """Students of the school who need something the oficio did not ask for."""


def _name(s: Student) -> str:
    return " ".join(p for p in (s.nombre, s.primer_apellido, s.segundo_apellido) if p)


def coverage(session: Session, req: OfficeRequest) -> Coverage:
    """Which asked students central's enrolment supports, and why the others are not.

    An oficio that lists no CURP (a paper one registered on the page) asks for every student
    of the school who needs a card or the cycle's hologram.
    """
    asked = list(session.scalars(select(OfficeRequestStudent.curp).where(
        OfficeRequestStudent.request_id == req.id, OfficeRequestStudent.asked)))
    school_students = {s.curp: s for s in session.scalars(
        select(Student).where(Student.cct == req.cct))}
    wanted = set(asked) | set(school_students)
    outside = {s.curp: s for s in session.scalars(select(Student).where(
        Student.curp.in_(set(asked) - set(school_students))))} if asked else {}
    carded = set(session.scalars(select(Card.curp).where(
        Card.curp.in_(wanted), Card.status == "active")))
    hologram = set(session.scalars(select(Hologram.curp).where(
        Hologram.curp.in_(wanted), Hologram.ciclo == req.cycle)))
    out = Coverage()

    def need(s: Student) -> str | None:
        if s.estatus != Estatus.INSCRITO:
            return f"su estatus en SCEJAL es «{s.estatus}» (no inscrito)"
        if s.curp not in carded:
            return None
        if s.curp in hologram:
            return f"ya tiene credencial y holograma del ciclo {req.cycle}"
        return None

    for curp in asked:
        s = school_students.get(curp)
        if s is None:
            other = outside.get(curp)
            why = (f"está inscrito en otra escuela ({other.cct})" if other
                   else "no está en la matrícula de SCEJAL")
            out.mismatches.append((curp, _name(other) if other else "—", why))
            continue
        problem = need(s)
        if problem:
            out.mismatches.append((curp, _name(s), problem))
        elif curp in carded:
            out.holograms.append((curp, _name(s)))
        else:
            out.cards.append((curp, _name(s)))
    for curp, s in sorted(school_students.items(), key=lambda kv: _name(kv[1])):
        if curp in asked or need(s) is not None:
            continue
        if asked:
            out.left_out.append((curp, _name(s)))
        elif curp in carded:
            out.holograms.append((curp, _name(s)))
        else:
            out.cards.append((curp, _name(s)))
    return out


def validate(session: Session, req: OfficeRequest, *, accept: bool, reason: str, staff: str,
             office: str, now: datetime) -> Coverage:
    """Control Escolar's validation against central's enrolment: the covered list is kept
    (it is the DRSE station's batch), and every mismatch by name."""
    _expect(req, "revisada", doing="validar la solicitud")
    if not accept:
        _return(session, req, step="validacion", reason=reason, staff=staff, office=office,
                now=now)
        return coverage(session, req)
    cov = coverage(session, req)
    if not cov.cards and not cov.holograms:
        raise ApiError(409, "nothing-covered",
                       "Ningún alumno de la solicitud procede según la matrícula: "
                       + "; ".join(f"{n}: {why}" for _c, n, why in cov.mismatches[:5])
                       + ". Devuélvala a la escuela con ese motivo.")
    rows = {r.curp: r for r in session.scalars(select(OfficeRequestStudent).where(
        OfficeRequestStudent.request_id == req.id))}
    for need, people in (("credencial", cov.cards), ("holograma", cov.holograms)):
        for curp, _ in people:
            row = rows.get(curp) or OfficeRequestStudent(request_id=req.id, curp=curp,
                                                         asked=False)
            row.need, row.problem = need, None
            session.add(row)
    for curp, _, why in cov.mismatches:
        rows[curp].need, rows[curp].problem = "ninguno", why
    req.state, req.reason, req.updated_at = "validada", None, now
    note = (f"{count(len(cov.cards), 'credencial', 'credenciales')} y "
            f"{count(len(cov.holograms), 'holograma', 'hologramas')} proceden"
            + (f"; no proceden {len(cov.mismatches)}: " + "; ".join(
                f"{n} ({why})" for _c, n, why in cov.mismatches) if cov.mismatches else "")
            + ".")
    record_step(session, procedure="oficio", request_id=req.id, step="validacion",
                outcome="validada", staff=staff, office=office, note=note, now=now)
    return cov


def batch_of(session: Session, request_id: int) -> tuple[list[str], list[str]]:
    """(CURPs for new cards, CURPs for holograms) of a validated request."""
    rows = session.execute(select(OfficeRequestStudent.curp, OfficeRequestStudent.need).where(
        OfficeRequestStudent.request_id == request_id).order_by(OfficeRequestStudent.curp))
    cards, holograms = [], []
    for curp, need in rows:
        if need == "credencial":
            cards.append(curp)
        elif need == "holograma":
            holograms.append(curp)
    return cards, holograms


def count_open(session: Session, region: str | None) -> int:
    query = select(func.count()).select_from(OfficeRequest).where(
        OfficeRequest.state.in_(OPEN_STATES))
    if region is not None:
        query = query.where(OfficeRequest.drse == region)
    return int(session.scalar(query) or 0)
