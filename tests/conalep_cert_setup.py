"""Test data for the certificates wing: the sample SAE export loaded into the academic tables,
a second plantel, and the staff accounts of every office taking part."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from plugin_conalep import SAE_SAMPLES, add_staff

from conalep.models.academic import Alumno, Plantel

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
    """The sample SAE export imported the way ``conalep import-sae`` does, plus plantel 166
    with one graduate; returns how many EGRESADOs plantel 165 has."""
    from conalep.academic.sae_import import find_files, import_files

    with sessions() as session, session.begin():
        _check, summary = import_files(session, find_files(Path(SAE_SAMPLES)), staff="pruebas",
                                       now=datetime(2026, 1, 10, tzinfo=UTC), accept_valid=True)
        assert summary is not None
        session.add(Plantel(clave_plantel="166", nombre="CONALEP VERACRUZ II",
                            municipio="VERACRUZ"))
        session.flush()
        session.add(Alumno(matricula="2216600001", curp="GOSA071107MVZNNNI8",
                           nombre="ANA SOFÍA", primer_apellido="GONZÁLEZ",
                           segundo_apellido="SÁNCHEZ", clave_plantel="166",
                           clave_carrera="INFO-23", generacion="2022-2025", semestre=6,
                           grupo="6INF-1", estatus="EGRESADO"))
    alumnos = _rows("alumnos.csv")
    return sum(1 for r in alumnos if r["estatus"] == "EGRESADO" and r["clave_plantel"] == "165")


def add_all_staff(sessions: Any) -> None:
    for username, (role, plantel) in STAFF.items():
        add_staff(sessions, username, role, plantel)
