"""The retention purge (``conalep privacy purge``) on SQLite and PostgreSQL: the dry run
reports and changes nothing; the run erases drop-outs' and graduates' follow-up data past
their period with an audit row per table, keeps grades and certificates, trims the access
record past its own period; and a real ``conalep`` process killed at a random point leaves
each student either wholly erased (with its audit rows) or untouched, and the next run
finishes the job, scan files included (the seed of the random point is in the messages)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from plugin_conalep import add_plantel
from privacy_conalep_setup import seed_everything
from sqlalchemy import func, select

from conalep.followup.actions import SCANS_FOLDER
from conalep.models.academic import Alumno, Calificacion, Carrera
from conalep.models.certificates import Certificate
from conalep.models.followup import Asesoria, AsesoriaAlumno, Baja
from conalep.models.privacy import AccessRecord, PurgeItem, PurgeRun
from conalep.privacy.erase import SUPPRESSED

ROOT = Path(__file__).resolve().parents[1]
NOW = dt.datetime.now(dt.UTC)
OLD = NOW - dt.timedelta(days=800)
PLANTEL, STUDENTS = "901", 40


def env_of(settings: Any) -> dict[str, str]:
    return {"CONALEP_DATA_DIR": str(settings.data_dir),
            "CONALEP_DATABASE_URL": settings.database_url}


def seed_dropouts(sessions: Any, data_dir: Path, n: int = STUDENTS) -> list[str]:
    """``n`` students who dropped out years ago (baja, scan file, tutoring), one who dropped
    out last month, old and recent access records."""
    add_plantel(sessions, PLANTEL)
    folder = data_dir / SCANS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    matriculas = [f"20{PLANTEL}{i:05d}" for i in range(n + 1)]
    with sessions() as s, s.begin():
        s.merge(Carrera(clave_carrera="PRUEBA-1", nombre="PRUEBA", modelo_academico=2023))
        s.flush()
        group = Asesoria(clave_plantel=PLANTEL, periodo="2020-2021-1", clave_modulo="M1",
                         modulo="Módulo", asesor="ASESOR", horario="L", aula="",
                         fecha_inicio=dt.date(2020, 9, 1), registrada_por="x", registrada_en=OLD)
        for i, m in enumerate(matriculas):
            recent = i == n
            s.add(Alumno(matricula=m, curp="XEXX010101HVZXXXA4", nombre=f"ALUMNO {i}",
                         primer_apellido="P", segundo_apellido="S", clave_plantel=PLANTEL,
                         clave_carrera="PRUEBA-1", generacion="2020-2023", semestre=2,
                         grupo="2A", estatus="BAJA"))
            scan = f"escaneo {m}".encode()
            sha = hashlib.sha256(scan).hexdigest()
            (folder / f"{sha}.png").write_bytes(scan)
            s.flush()
            s.add(Baja(matricula=m, clave_plantel=PLANTEL, periodo="2020-2021-1",
                       fecha_baja=(NOW - dt.timedelta(days=30)).date() if recent
                       else dt.date(2020, 10, 1), tipo="DEFINITIVA", motivo="ECONOMICO",
                       detalle=f"detalle {m}", tutor_nombre=f"TUTOR {m}",
                       tutor_parentesco="Padre", solicitud_sha256=sha,
                       solicitud_tipo="image/png", solicitud_bytes=len(scan),
                       registrada_por="x", registrada_en=OLD, estado="PENDIENTE"))
            group.alumnos.append(AsesoriaAlumno(matricula=m, motivo="Corte 1: 3.0"))
            s.add(AccessRecord(at=OLD, staff="x", role="dg_escolares", matricula=m,
                               what="ficha del alumno", detail="", ip=""))
            s.add(AccessRecord(at=NOW, staff="x", role="dg_escolares", matricula=m,
                               what="ficha del alumno", detail="", ip=""))
        s.add(group)
    return matriculas


def state_of(sessions: Any, data_dir: Path, matricula: str) -> str:
    """``erased`` or ``intact``; anything in between fails the test."""
    with sessions() as s:
        baja = s.scalars(select(Baja).where(Baja.matricula == matricula)).one()
        links = s.scalar(select(func.count()).select_from(AsesoriaAlumno)
                         .where(AsesoriaAlumno.matricula == matricula))
        items = {i.tabla: i for i in s.scalars(select(PurgeItem).where(
            PurgeItem.matricula == matricula))}
    scan = data_dir / SCANS_FOLDER / f"{baja.solicitud_sha256}.png"
    if baja.tutor_nombre == SUPPRESSED:
        assert (baja.detalle, links, set(items)) == ("", 0, {"bajas", "asesoria_alumnos"}), \
            matricula
        assert items["bajas"].file_pending or not scan.exists(), matricula
        return "erased"
    assert (baja.tutor_nombre, baja.detalle, links, items) == (
        f"TUTOR {matricula}", f"detalle {matricula}", 1, {}), matricula
    assert scan.exists(), matricula
    return "intact"


def test_dry_run_then_purge_with_its_report_and_audit(conalep_sessions: Any,
                                                      conalep_settings: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from plugin_followup import load_samples

    from conalep.cli import main

    load_samples(conalep_sessions)
    data_dir = conalep_settings.data_dir
    seed_everything(conalep_sessions, data_dir, "2216500001", "ZUNS070515HVZXXNJ2", 1,
                    released_on=(NOW - dt.timedelta(days=400)).date())   # graduate, past
    seed_everything(conalep_sessions, data_dir, "2216500002", "OISG080128MVZRNDH2", 2,
                    released_on=(NOW - dt.timedelta(days=10)).date())    # graduate, recent
    seed_everything(conalep_sessions, data_dir, "2216500004", "PECM070329HVZRSGE9", 3,
                    fecha_baja=dt.date(2021, 1, 1))                      # BAJA, past
    for key, value in env_of(conalep_settings).items():
        monkeypatch.setenv(key, value)
    dry = CliRunner().invoke(main, ["privacy", "purge", "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    plan = json.loads(dry.output)
    assert [(s["matricula"], s["motivo"]) for s in plan["students"]] == [
        ("2216500001", "egresado"), ("2216500004", "baja")]
    assert plan["students"][1]["tables"] == {"bajas": 1, "asesoria_alumnos": 1,
                                             "reunion_alumnos": 1, "acuerdo_alumnos": 1,
                                             "cert_debts": 1}
    assert plan["access_rows"] == 0 and plan["dry_run"] is True
    with conalep_sessions() as s:
        assert s.scalar(select(func.count()).select_from(PurgeItem)) == 3  # the seed's own
        assert s.scalar(select(func.count()).select_from(PurgeRun)) == 0
    text = CliRunner().invoke(main, ["privacy", "purge", "--dry-run"])
    assert "Se suprimirían los datos de seguimiento de 2 alumnos" in text.output
    done = CliRunner().invoke(main, ["privacy", "purge"])
    assert done.exit_code == 0, done.output
    assert "Se suprimieron los datos de seguimiento de 2 alumnos, 0 registros de acceso y " \
           "2 archivos." in done.output
    with conalep_sessions() as s:
        items = s.scalars(select(PurgeItem).where(PurgeItem.run_id.is_not(None))).all()
        assert sorted({(i.matricula, i.motivo) for i in items}) == [
            ("2216500001", "egresado"), ("2216500004", "baja")]
        assert all(i.file_pending is None for i in items)
        # grades and the certificate stay for everyone
        for m in ("2216500001", "2216500004"):
            assert s.scalar(select(func.count()).select_from(Calificacion)
                            .where(Calificacion.matricula == m)) >= 1
            assert s.scalar(select(func.count()).select_from(Certificate)
                            .where(Certificate.matricula == m)) == 1
        recent = s.scalars(select(Baja).where(Baja.matricula == "2216500002")).one()
        assert recent.tutor_nombre != SUPPRESSED
        assert s.scalars(select(PurgeRun)).one().finished_at is not None
    again = json.loads(CliRunner().invoke(main, ["privacy", "purge", "--dry-run",
                                                 "--json"]).output)
    assert again["students"] == []


def _run(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "conalep", "privacy", "purge"], cwd=ROOT,
                            env={**os.environ, **env, "PYTHONPATH": str(ROOT),
                                 "PYTHONUNBUFFERED": "1"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_killed_mid_way_leaves_nothing_half_deleted(conalep_sessions: Any,
                                                    conalep_settings: Any) -> None:
    data_dir = conalep_settings.data_dir
    matriculas = seed_dropouts(conalep_sessions, data_dir)
    seed = random.randrange(1 << 30)
    rnd = random.Random(seed)
    env = env_of(conalep_settings)
    # one kill per database (a process start-up costs seconds on a busy machine): after a
    # random number of students, or at a random instant after the first one
    proc = _run(env)
    assert proc.stdout is not None
    wanted, at_instant = rnd.randint(1, 8), rnd.random() < 0.5
    seen = 0
    while seen < (1 if at_instant else wanted):
        line = proc.stdout.readline()
        if not line:
            break
        seen += line.startswith("suprimido ")
    if at_instant:
        time.sleep(rnd.uniform(0, 0.02))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    states = [state_of(conalep_sessions, data_dir, m) for m in matriculas]
    erased_before = states.count("erased")
    assert states[-1] == "intact", f"seed {seed}: the recent baja is not due yet"
    assert 1 <= erased_before < STUDENTS, f"seed {seed}: {erased_before} erased"
    # the next (nightly) run, in this process to spare a second start-up
    from conalep.privacy.purge import describe, purge

    report = purge(conalep_sessions, conalep_settings, now=dt.datetime.now(dt.UTC))
    out = "\n".join(describe(report))
    assert len(report.students) == STUDENTS - erased_before
    states = [state_of(conalep_sessions, data_dir, m) for m in matriculas]
    assert states == ["erased"] * STUDENTS + ["intact"], f"seed {seed}"
    with conalep_sessions() as s:
        assert s.scalar(select(func.count()).select_from(PurgeItem)
                        .where(PurgeItem.file_pending.is_not(None))) == 0
        assert s.scalar(select(func.count()).select_from(AccessRecord)) == STUDENTS + 1
        assert s.scalar(select(func.count()).select_from(AccessRecord)
                        .where(AccessRecord.at < NOW - dt.timedelta(days=1))) == 0
        trimmed = s.scalar(select(func.sum(PurgeItem.filas))
                           .where(PurgeItem.tabla == "privacy_access"))
        assert trimmed == STUDENTS + 1
        runs = s.scalars(select(PurgeRun).order_by(PurgeRun.id)).all()
        assert len(runs) == 2 and runs[0].finished_at is None \
            and runs[-1].finished_at is not None
    left = {p.name for p in (data_dir / SCANS_FOLDER).iterdir()}
    assert len(left) == 1, f"seed {seed}: only the recent baja's scan stays"
    assert "Se suprimieron los datos de seguimiento de" in out
