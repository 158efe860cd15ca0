"""Fixtures for the follow-up wing's tests: the SAE sample exports (tests/data/sae) imported,
a second plantel with one student for the scope tests, and the figures the pages must show
computed independently from the CSV files with plain csv.
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
    """The sample exports through ``conalep import-sae``'s importer, plantel 200 with one
    student, and the SISEAC report of the cortes in ``publish`` marked published."""
    from conalep.academic.sae_import import find_files, import_files
    from conalep.models.academic import Alumno, Plantel, SiseacPublication

    now = dt.datetime.now(dt.UTC)
    with sessions() as session, session.begin():
        check, summary = import_files(session, find_files(SAE_SAMPLES), staff="pruebas",
                                      now=now, accept_valid=False)
        assert summary is not None, check.problems
        session.add(Plantel(clave_plantel=OTHER_PLANTEL, nombre="CONALEP ORIZABA",
                            municipio="ORIZABA"))
        session.flush()
        session.add(Alumno(matricula=OTHER_STUDENT, curp="XEXX010101HVZXXXA4", nombre="ANA",
                           primer_apellido="ORIZABEÑA", segundo_apellido="PÉREZ",
                           clave_plantel=OTHER_PLANTEL, clave_carrera="INFO-23",
                           generacion="2023-2026", semestre=5, grupo="5INF-1",
                           estatus="INSCRITO"))
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


def expected_at_risk(corte: int, *, passing: float = 6.0, min_failing: int = 2,
                     below: float = 6.0,
                     weights: tuple[float, ...] = (0.3, 0.3, 0.4)) -> set[str]:
    """Students at risk at ``corte`` by the SISEAC report's documented rules (docs/conalep.md):
    failing ``min_failing`` modules, weighted progress below ``below``, or a module failed in
    every corte so far."""
    enrolled = {r["matricula"] for r in sample_rows("alumnos.csv") if r["estatus"] == "INSCRITO"}
    grades: dict[str, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    for g in sample_rows("calificaciones.csv"):
        if g["matricula"] in enrolled and int(g["corte"]) <= corte and g["calificacion"]:
            grades[g["matricula"]][g["clave_modulo"]][int(g["corte"])] = float(g["calificacion"])
    out = set()
    for matricula, modules in grades.items():
        failing = sum(1 for m in modules.values() if corte in m and m[corte] < passing)
        progress = [sum(weights[c - 1] * v for c, v in m.items())
                    / sum(weights[c - 1] for c in m) for m in modules.values() if m]
        mean = round(sum(progress) / len(progress), 2) if progress else None
        always = corte >= 2 and any(len(m) == corte and max(m.values()) < passing
                                    for m in modules.values())
        if failing >= min_failing or (mean is not None and mean < below) or always:
            out.add(matricula)
    return out


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
