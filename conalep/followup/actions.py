"""What the follow-up pages change: each function checks the role and the plantel, validates
everything (all problems at once), and only then adds rows and an audit line. The caller
commits; on any refusal nothing was added.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from conalep.followup import records
from conalep.followup.dropouts import (
    ATENDIDA,
    MOTIVOS,
    PENDIENTE,
    RESULTADOS,
    read_attention,
    read_dropout,
)
from conalep.followup.meetings import (
    CELEBRADA,
    CONVOCADA,
    read_agreement,
    read_attendance,
    read_meeting,
)
from conalep.followup.scans import ScanError, check_scan, store_scan
from conalep.followup.tutoring import read_tutoring
from conalep.followup.validation import PERIODO, Checker, FollowupInputError, Problem
from conalep.models.followup import (
    Acuerdo,
    AcuerdoAlumno,
    Asesoria,
    AsesoriaAlumno,
    Baja,
    Reunion,
    ReunionAlumno,
    ReunionAsistente,
)
from conalep.roles import Role, Scope
from conalep.web import record
from foundation.web.refusal import Refusal

SCANS_FOLDER = "solicitudes-baja"


def scan_path(data_dir: Path, baja: Baja) -> Path:
    ext = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
    return data_dir / SCANS_FOLDER / f"{baja.solicitud_sha256}{ext[baja.solicitud_tipo]}"


def record_dropout(session: Session, scope: Scope, form: Mapping[str, str], scan: bytes, *,
                   data_dir: Path, max_scan_bytes: int, now: dt.datetime) -> Baja:
    """Norm 15: the plantel reports a baja; it enters Psicopedagogía's queue (PENDIENTE)."""
    scope.require("record_dropout")
    checker, data = read_dropout(form, today=now.date())
    periodo = checker.text("periodo", "Periodo", limit=20)
    if periodo and not PERIODO.fullmatch(periodo):
        checker.fail("Periodo", f"«{periodo}» no tiene la forma AAAA-AAAA-1 o AAAA-AAAA-2.")
    alumno = None
    if data.matricula:
        alumno = records.students(session, [data.matricula]).get(data.matricula)
        if alumno is None or not scope.sees_plantel(alumno.clave_plantel):
            checker.fail("Matrícula", f"no hay un alumno con matrícula {data.matricula} en su "
                                      "alcance.")
        elif alumno.estatus == "EGRESADO":
            checker.fail("Matrícula", f"{data.matricula} ya egresó; no se puede dar de baja.")
        elif session.scalar(select(Baja.id).where(Baja.matricula == data.matricula,
                                                  Baja.fecha_baja == data.fecha_baja)):
            checker.fail("Matrícula", f"la baja de {data.matricula} del "
                                      f"{data.fecha_baja.isoformat()} ya está registrada.")
    try:
        kind = check_scan(scan, max_bytes=max_scan_bytes)
    except ScanError as exc:
        checker.fail(exc.field, str(exc))
    checker.done()
    assert alumno is not None
    store_scan(data_dir / SCANS_FOLDER, scan, kind)
    baja = Baja(matricula=alumno.matricula, clave_plantel=alumno.clave_plantel,
                periodo=periodo, fecha_baja=data.fecha_baja, tipo=data.tipo,
                motivo=data.motivo, detalle=data.detalle, tutor_nombre=data.tutor_nombre,
                tutor_parentesco=data.tutor_parentesco, solicitud_sha256=kind.sha256,
                solicitud_tipo=kind.media_type, solicitud_bytes=kind.size,
                registrada_por=scope.username, registrada_en=now, estado=PENDIENTE)
    session.add(baja)
    session.flush()
    record(session, staff=scope.username, action="record_dropout", target=f"baja {baja.id}",
           reason=f"{alumno.matricula}: {MOTIVOS[data.motivo]}", now=now)
    return baja


def seen_by_dg(session: Session, scope: Scope, baja: Baja, now: dt.datetime) -> None:
    """The first time DG Servicios Escolares opens a baja (the «nuevas» mark goes away)."""
    if scope.role == Role.DG_ESCOLARES and baja.vista_dg_en is None:
        baja.vista_dg_por, baja.vista_dg_en = scope.username, now


def attend_dropout(session: Session, scope: Scope, baja: Baja, form: Mapping[str, str], *,
                   now: dt.datetime) -> Baja:
    scope.require("attend_dropout")
    scope.require_plantel(baja.clave_plantel, f"la baja {baja.id}")
    if baja.estado == ATENDIDA:
        raise Refusal(409, "baja-already-attended",
                      f"La baja {baja.id} ya fue atendida el {baja.fecha_atencion}.")
    data = read_attention(form, today=now.date(), fecha_baja=baja.fecha_baja)
    baja.estado, baja.fecha_atencion = ATENDIDA, data.fecha_atencion
    baja.resultado, baja.acciones = data.resultado, data.acciones
    baja.atendida_por, baja.atendida_en = scope.username, now
    record(session, staff=scope.username, action="attend_dropout", target=f"baja {baja.id}",
           reason=RESULTADOS[data.resultado], now=now)
    return baja


def create_tutoring(session: Session, scope: Scope, form: Mapping[str, str], *,
                    now: dt.datetime) -> Asesoria:
    """Norm 14: students of one plantel assigned to a tutoring group for one module."""
    scope.require("assign_tutoring")
    checker = Checker(form)
    plantel = checker.text("clave_plantel", "Plantel", limit=10)
    problems: list[Problem] = []
    try:
        data = read_tutoring(form)
    except FollowupInputError as exc:
        problems, data = exc.problems, None
    if plantel and not scope.sees_plantel(plantel):
        checker.fail("Plantel", f"su cuenta no puede asignar asesorías del plantel {plantel}.")
    if data is not None and plantel:
        for m in records.unknown_or_foreign(session, data.matriculas, plantel):
            checker.fail("Alumnos asignados", f"{m} no es alumno del plantel {plantel}.")
        taken = session.scalars(
            select(AsesoriaAlumno.matricula).join(Asesoria)
            .where(Asesoria.periodo == data.periodo, Asesoria.clave_modulo == data.clave_modulo,
                   AsesoriaAlumno.matricula.in_(data.matriculas))).all()
        for m in sorted(taken):
            checker.fail("Alumnos asignados", f"{m} ya tiene asesoría de {data.clave_modulo} "
                                              f"en {data.periodo}.")
    if problems or checker.problems:
        raise FollowupInputError([*checker.problems, *problems])
    assert data is not None
    motivos = {k.removeprefix("motivo_"): str(v)[:160] for k, v in form.items()
               if k.startswith("motivo_")}
    row = Asesoria(clave_plantel=plantel, periodo=data.periodo, clave_modulo=data.clave_modulo,
                   modulo=data.modulo, asesor=data.asesor, horario=data.horario,
                   aula=data.aula, fecha_inicio=data.fecha_inicio,
                   registrada_por=scope.username, registrada_en=now,
                   alumnos=[AsesoriaAlumno(matricula=m, motivo=motivos.get(m, ""))
                            for m in data.matriculas])
    session.add(row)
    session.flush()
    record(session, staff=scope.username, action="assign_tutoring",
           target=f"asesoría {row.id}",
           reason=f"{data.clave_modulo}: {len(data.matriculas)} alumnos", now=now)
    return row


def convene(session: Session, scope: Scope, form: Mapping[str, str], *,
            now: dt.datetime) -> Reunion:
    """Norm 12c: DG convenes a review meeting with the at-risk students to review."""
    scope.require("convene_meeting")
    plantel = str(form.get("clave_plantel", "") or "").strip()
    periodo = str(form.get("periodo", "") or "").strip()
    taken = list(session.scalars(select(Reunion.numero).where(
        Reunion.periodo == periodo, Reunion.clave_plantel == plantel)))
    problems: list[Problem] = []
    try:
        data = read_meeting(form, taken=taken)
    except FollowupInputError as exc:
        problems, data = exc.problems, None
    if plantel and plantel not in {p.clave_plantel for p in records.planteles(session, scope)}:
        problems.append(Problem("Plantel", f"el plantel {plantel} no existe o no le "
                                           "corresponde."))
    elif data is not None:
        for m in records.unknown_or_foreign(session, data.matriculas, plantel):
            problems.append(Problem("Alumnos en riesgo a revisar",
                                    f"{m} no es alumno del plantel {plantel}."))
    if problems:
        raise FollowupInputError(problems)
    assert data is not None
    row = Reunion(periodo=data.periodo, numero=data.numero, clave_plantel=plantel,
                  fecha=data.fecha, hora=data.hora.strftime("%H:%M"), lugar=data.lugar,
                  estado=CONVOCADA, convocada_por=scope.username, convocada_en=now,
                  alumnos=[ReunionAlumno(matricula=m) for m in data.matriculas])
    session.add(row)
    session.flush()
    record(session, staff=scope.username, action="convene_meeting",
           target=f"reunión {row.id}",
           reason=f"{plantel} {data.periodo} reunión {data.numero}", now=now)
    return row


def _open_minutes(scope: Scope, reunion: Reunion) -> None:
    scope.require("record_minutes")
    scope.require_plantel(reunion.clave_plantel, f"la reunión {reunion.id}")
    if reunion.estado == CELEBRADA:
        raise Refusal(409, "minutes-closed", f"La minuta de la reunión {reunion.id} ya está "
                                             "cerrada; no admite cambios.")


def set_attendance(session: Session, scope: Scope, reunion: Reunion,
                   form: Mapping[str, str], *, now: dt.datetime) -> None:
    _open_minutes(scope, reunion)
    people = read_attendance(form)
    reunion.asistentes = [ReunionAsistente(nombre=p.nombre, cargo=p.cargo) for p in people]
    record(session, staff=scope.username, action="record_attendance",
           target=f"reunión {reunion.id}", reason=f"{len(people)} asistentes", now=now)


def add_agreement(session: Session, scope: Scope, reunion: Reunion, form: Mapping[str, str],
                  *, now: dt.datetime) -> Acuerdo:
    _open_minutes(scope, reunion)
    data = read_agreement(form, reviewed=[a.matricula for a in reunion.alumnos],
                          fecha_reunion=reunion.fecha)
    row = Acuerdo(numero=len(reunion.acuerdos) + 1, texto=data.texto,
                  responsable=data.responsable, fecha_compromiso=data.fecha_compromiso,
                  registrado_por=scope.username, registrado_en=now,
                  alumnos=[AcuerdoAlumno(matricula=m) for m in data.matriculas])
    reunion.acuerdos.append(row)
    session.flush()
    record(session, staff=scope.username, action="add_agreement",
           target=f"reunión {reunion.id}", reason=f"acuerdo {row.numero}", now=now)
    return row


def close_minutes(session: Session, scope: Scope, reunion: Reunion, *,
                  now: dt.datetime) -> None:
    _open_minutes(scope, reunion)
    missing = []
    if not reunion.asistentes:
        missing.append(Problem("Asistentes", "registre la asistencia antes de cerrar la "
                                             "minuta."))
    if not reunion.acuerdos:
        missing.append(Problem("Acuerdos", "registre al menos un acuerdo antes de cerrar la "
                                           "minuta."))
    if missing:
        raise FollowupInputError(missing)
    reunion.estado, reunion.celebrada_en = CELEBRADA, now
    record(session, staff=scope.username, action="close_minutes",
           target=f"reunión {reunion.id}", reason=f"{len(reunion.acuerdos)} acuerdos", now=now)
