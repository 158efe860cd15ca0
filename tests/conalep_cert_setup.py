"""Test data for the certificates wing: the sample SAE export loaded into the academic tables,
a second plantel, and the staff accounts of every office taking part."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from plugin_conalep import SAE_SAMPLES, add_staff

from conalep.models.academic import Alumno, Carrera, Plantel

STAFF = {
    "on.folios": ("oficinas_nacionales", None),
    "dg.escolares": ("dg_escolares", None),
    "escolares.165": ("plantel_escolares", "165"),
    "escolares.166": ("plantel_escolares", "166"),
    "director.165": ("plantel_director", "165"),
    "director.general": ("dg_director_general", None),
    "dg.nacional": ("director_general_nacional", None),
    "cosfac": ("cosfac", None),
}


def _rows(name: str) -> list[dict[str, str]]:
    with open(Path(SAE_SAMPLES) / name, encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def load_sae(sessions: Any) -> int:
    """planteles, carreras, alumnos of the sample export, plus plantel 166 with one
    graduate; returns how many EGRESADOs plantel 165 has."""
    with sessions() as session, session.begin():
        for r in _rows("planteles.csv"):
            session.add(Plantel(**r))
        session.add(Plantel(clave_plantel="166", nombre="CONALEP VERACRUZ II",
                            municipio="VERACRUZ"))
        for r in _rows("carreras.csv"):
            session.add(Carrera(clave_carrera=r["clave_carrera"], nombre=r["nombre"],
                                modelo_academico=int(r["modelo_academico"])))
        session.flush()
        alumnos = _rows("alumnos.csv")
        for r in alumnos:
            session.add(Alumno(**{**r, "semestre": int(r["semestre"])}))
        session.add(Alumno(matricula="2216600001", curp="GOSA071107MVZNNNI8",
                           nombre="ANA SOFÍA", primer_apellido="GONZÁLEZ",
                           segundo_apellido="SÁNCHEZ", clave_plantel="166",
                           clave_carrera="INFO-23", generacion="2022-2025", semestre=6,
                           grupo="6INF-1", estatus="EGRESADO"))
    return sum(1 for r in alumnos if r["estatus"] == "EGRESADO" and r["clave_plantel"] == "165")


def add_all_staff(sessions: Any) -> None:
    for username, (role, plantel) in STAFF.items():
        add_staff(sessions, username, role, plantel)
