"""Fixtures for the follow-up wing's tests: the SAE sample exports (tests/data/sae) loaded
straight into the academic tables with plain csv + the ORM (the wing needs students, grades
and a published corte, not the importer), a second plantel with one student for the scope
tests, and the figures the pages must show computed independently from the CSV files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from plugin_conalep import SAE_SAMPLES, add_staff

PERIODO = "2025-2026-1"
OTHER_PLANTEL, OTHER_STUDENT = "200", "2320000001"
USERS = {"plantel.165": ("plantel_escolares", "165"), "plantel.200": ("plantel_escolares", "200"),
         "director.165": ("plantel_director", "165"), "dg.escolares": ("dg_escolares", None),
         "psico": ("psicopedagogia", None), "dg.ft": ("dg_formacion_tecnica", None),
         "dg.general": ("dg_director_general", None)}


def sample_rows(name: str, folder: Path = SAE_SAMPLES) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def load_samples(sessions: Any, *, publish: tuple[int, ...] = (1, 2)) -> None:
    """Every sample row into the academic tables, plantel 200 with one student, and the
    SISEAC report of the cortes in ``publish`` marked published."""
    from conalep.models.academic import (
        Alumno,
        Calificacion,
        CaptureWindow,
        Carrera,
        Docente,
        Modulo,
        Plantel,
        SiseacPublication,
    )

    now = dt.datetime.now(dt.UTC)
    with sessions() as session, session.begin():
        for r in sample_rows("planteles.csv"):
            session.add(Plantel(**r))
        session.add(Plantel(clave_plantel=OTHER_PLANTEL, nombre="CONALEP ORIZABA",
                            municipio="ORIZABA"))
        for r in sample_rows("carreras.csv"):
            session.add(Carrera(clave_carrera=r["clave_carrera"], nombre=r["nombre"],
                                modelo_academico=int(r["modelo_academico"])))
        session.flush()
        for r in sample_rows("alumnos.csv"):
            session.add(Alumno(**{**r, "semestre": int(r["semestre"])}))
        session.add(Alumno(matricula=OTHER_STUDENT, curp="XEXX010101HVZXXXA4", nombre="ANA",
                           primer_apellido="ORIZABEÑA", segundo_apellido="PÉREZ",
                           clave_plantel=OTHER_PLANTEL, clave_carrera="INFO-23",
                           generacion="2023-2026", semestre=5, grupo="5INF-1",
                           estatus="INSCRITO"))
        windows = {}
        for r in sample_rows("calendario.csv"):
            w = CaptureWindow(periodo=r["periodo"], corte=int(r["corte"]),
                              inicio_captura=dt.date.fromisoformat(r["inicio_captura"]),
                              fin_captura=dt.date.fromisoformat(r["fin_captura"]))
            windows[(w.periodo, w.corte)] = w
            session.add(w)
        grades = sample_rows("calificaciones.csv")
        for key, name in {(g["clave_modulo"], g["modulo"]) for g in grades}:
            session.add(Modulo(clave_modulo=key, nombre=name))
        for key, name in {(g["clave_docente"], g["docente"]) for g in grades}:
            session.add(Docente(clave_docente=key, nombre=name))
        session.flush()
        for g in grades:
            captured = dt.date.fromisoformat(g["fecha_captura"]) if g["fecha_captura"] else None
            window = windows[(g["periodo"], int(g["corte"]))]
            session.add(Calificacion(
                periodo=g["periodo"], corte=int(g["corte"]), matricula=g["matricula"],
                clave_modulo=g["clave_modulo"], clave_plantel=g["clave_plantel"],
                grupo=g["grupo"], clave_docente=g["clave_docente"],
                calificacion=float(g["calificacion"]) if g["calificacion"] else None,
                fecha_captura=captured,
                late=bool(captured and captured > window.fin_captura), updated_at=now))
        for corte in publish:
            session.add(SiseacPublication(periodo=PERIODO, corte=corte, published_at=now,
                                          published_by="dg.escolares"))


def expected_failing(corte: int, passing: float = 6.0) -> dict[str, dict[str, float]]:
    """Module → {matrícula: grade} below passing in ``corte``, enrolled students only."""
    enrolled = {r["matricula"] for r in sample_rows("alumnos.csv") if r["estatus"] == "INSCRITO"}
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for g in sample_rows("calificaciones.csv"):
        if int(g["corte"]) == corte and g["calificacion"] and g["matricula"] in enrolled \
                and float(g["calificacion"]) < passing:
            out[g["clave_modulo"]][g["matricula"]] = float(g["calificacion"])
    return dict(out)


def expected_efficiency() -> list[dict[str, object]]:
    """The seed's formula from alumnos.csv, written out separately from the wing's code."""
    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for r in sample_rows("alumnos.csv"):
        groups[(r["clave_plantel"], r["clave_carrera"], r["generacion"])].append(r["estatus"])
    out = []
    for (plantel, carrera, gen), statuses in sorted(groups.items()):
        if "EGRESADO" not in statuses and "INSCRITO" in statuses:
            continue  # in course: not measured yet
        graduates = statuses.count("EGRESADO")
        out.append({"clave_plantel": plantel, "clave_carrera": carrera, "generacion": gen,
                    "egresados": graduates, "inscritos_primer_semestre": len(statuses),
                    "eficiencia": round(graduates * 100 / len(statuses) + 1e-9, 2)})
    return out


def png_scan() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 160), "white").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def followup_data(conalep_sessions: Any) -> Any:
    """The samples loaded, cortes 1 and 2 published, one account per role (USERS)."""
    load_samples(conalep_sessions)
    for username, (role, plantel) in USERS.items():
        add_staff(conalep_sessions, username, role, plantel)
    return conalep_sessions
