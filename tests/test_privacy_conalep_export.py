"""ARCO on conalep, on SQLite and PostgreSQL: the export holds every table's rows on the
student (checked against the schema by this file's own rule), nothing of another student,
and reads back from its PDF; rectification and cancellation keep what the certificate rules
need and explain the refusal in Spanish."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import require_part
from plugin_conalep import add_plantel
from privacy_conalep_setup import NOW, scan_bytes, seed_everything, tutor_of
from sqlalchemy import func, select

from conalep.models import Base
from conalep.models.academic import Alumno, Calificacion
from conalep.models.certificates import Certificate, CertSignature
from conalep.models.followup import AsesoriaAlumno, Baja
from conalep.models.privacy import ArcoChange, PurgeItem
from conalep.privacy import arco
from conalep.privacy.documents import export_pdf
from conalep.privacy.erase import SUPPRESSED
from conalep.privacy.export import NOT_ABOUT_STUDENTS, export, held_files
from conalep.roles import Role, Scope
from foundation.web.refusal import Refusal

A, A_CURP = "2216500001", "ZUNS070515HVZXXNJ2"   # EGRESADO in the samples
B, B_CURP = "2216500002", "OISG080128MVZRNDH2"   # EGRESADO
ENROLLED = "2316500012"                          # INSCRITO
DG = Scope("dg.escolares", Role.DG_ESCOLARES, None)

sqlite_only = pytest.mark.parametrize("conalep_db_url", ["sqlite"], indirect=True)
"""Plain ORM updates: the database does not matter (the export and cancellation run both)."""


def student_referring_tables() -> set[str]:
    """This test's own reading of the schema: a column naming a matrícula or CURP, a
    foreign key to ``alumnos``, or an ``…_id`` column (foreign key, or by name for
    ``certificate_id``) pointing at a table that is itself about a student."""
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    about = {name for name, t in tables.items()
             if any("matricula" in c.name or c.name == "curp"
                    or any(fk.column.table.name == "alumnos" for fk in c.foreign_keys)
                    for c in t.columns)}
    while True:
        more = set()
        for name, t in tables.items():
            for c in t.columns:
                targets = {fk.column.table.name for fk in c.foreign_keys}
                if c.name == "certificate_id":
                    targets.add("certificates")
                if name not in about and targets & about:
                    more.add(name)
        if not more:
            return about
        about |= more


@pytest.fixture
def seeded(conalep_sessions: Any, conalep_settings: Any) -> Any:
    from plugin_followup import load_samples

    load_samples(conalep_sessions)
    add_plantel(conalep_sessions, "165")
    data_dir = conalep_settings.data_dir
    seed_everything(conalep_sessions, data_dir, A, A_CURP, 1)
    seed_everything(conalep_sessions, data_dir, B, B_CURP, 2)
    return conalep_sessions


def test_the_export_holds_every_table_on_the_student_and_nothing_of_another(
        seeded: Any, conalep_settings: Any, tmp_path: Path) -> None:
    with seeded() as session:
        doc = export(session, A, now=NOW,
                     files=held_files(session, conalep_settings.data_dir, A))
    doc = json.loads(json.dumps(doc))  # what the download carries
    schema = student_referring_tables()
    assert schema <= set(doc["datos"]), f"not exported: {sorted(schema - set(doc['datos']))}"
    every = {t.name for t in Base.metadata.sorted_tables}
    undecided = every - set(doc["datos"]) - set(NOT_ABOUT_STUDENTS)
    assert undecided == set(), f"tables neither exported nor explained: {sorted(undecided)}"
    empty = sorted(t for t, rows in doc["datos"].items() if not rows)
    assert empty == [], f"the seed put a row for {A} in these tables: {empty}"
    text = json.dumps(doc["datos"], ensure_ascii=False)
    assert B not in text and B_CURP not in text and tutor_of(B) not in text
    assert doc["datos"]["alumnos"][0]["curp"] == A_CURP
    assert doc["datos"]["bajas"][0]["tutor_nombre"] == tutor_of(A)
    assert {g["calificacion"] for g in doc["datos"]["calificaciones"]} >= {8.6}
    assert doc["datos"]["cert_folios"][0]["folio"] == doc["datos"]["certificates"][0]["folio"]
    assert doc["contexto"]["asesorias"][0]["modulo"] == "Ciencias sociales III"
    assert doc["archivos"] == [{"tabla": "bajas", "id": doc["datos"]["bajas"][0]["id"],
                                "descripcion": "Escaneo de la solicitud de baja (F04)",
                                "archivo": doc["archivos"][0]["archivo"], "presente": True}]

    require_part(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    pdf = tmp_path / "datos.pdf"
    pdf.write_bytes(export_pdf(doc, responsable="CONALEP Veracruz"))
    read = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for words in ("Datos personales en posesión de CONALEP Veracruz", A, A_CURP, tutor_of(A),
                  "Calificaciones por corte", "Registro de accesos del personal",
                  "Firmas del certificado"):
        assert words in read, words
    assert B not in read


@sqlite_only
def test_rectification_records_old_and_new(seeded: Any) -> None:
    asked = arco.Asked("MARÍA ZÚÑIGA (madre)", dt.date(2026, 1, 10), "acta de nacimiento")
    with seeded() as session:
        with pytest.raises(Refusal) as bad:
            arco.rectify(session, DG, A, "curp", "ZUNS070515HVZXXNJ3", asked, now=NOW)
        assert "dígito verificador" in bad.value.message
        with pytest.raises(Refusal) as grade:
            arco.rectify(session, DG, A, "calificacion", "10", asked, now=NOW)
        assert "rectificación de calificaciones (norma 6)" in grade.value.message
        req = arco.rectify(session, DG, A, "nombre", "santiago  josé", asked, now=NOW)
        session.commit()
        change = session.scalars(select(ArcoChange).where(ArcoChange.request_id == req.id)).one()
        assert (change.campo, change.anterior, change.nuevo) == ("nombre", "SANTIAGO",
                                                                 "SANTIAGO JOSÉ")
        assert session.get(Alumno, A).nombre == "SANTIAGO JOSÉ"
        assert (req.kind, req.resultado, req.registrada_por) == ("rectificacion", "atendida",
                                                                  "dg.escolares")


def test_cancellation_keeps_what_the_certificate_rules_need(seeded: Any,
                                                            conalep_settings: Any) -> None:
    from conalep.privacy.erase import unlink_pending

    asked = arco.Asked("ROSA (madre)", dt.date(2026, 1, 10), "ya no desea el seguimiento")
    data_dir = conalep_settings.data_dir
    with seeded() as session:
        # an enrolled student's grades are needed for the certificate not yet issued
        seed_grade = session.scalar(select(func.count()).select_from(Calificacion)
                                    .where(Calificacion.matricula == ENROLLED))
        with pytest.raises(Refusal) as refused:
            arco.cancel(session, DG, ENROLLED, asked, with_grades=True, now=NOW)
        assert refused.value.status == 409
        assert "No se pueden cancelar las calificaciones" in refused.value.message
        assert "certificado de terminación de estudios" in refused.value.message
        session.rollback()
        assert session.scalar(select(func.count()).select_from(Calificacion)
                              .where(Calificacion.matricula == ENROLLED)) == seed_grade

        # follow-up data only: grades and certificate stay, the scan file goes
        scan = held_files(session, data_dir, B)[0]["archivo"]
        req, items = arco.cancel(session, DG, B, asked, with_grades=False, now=NOW)
        session.commit()
        unlink_pending(session, data_dir)
        assert {i.tabla for i in items} == {"bajas", "asesoria_alumnos", "reunion_alumnos",
                                            "acuerdo_alumnos", "cert_debts"}
        baja = session.scalars(select(Baja).where(Baja.matricula == B)).one()
        assert (baja.tutor_nombre, baja.detalle, baja.acciones) == (SUPPRESSED, "", None)
        assert (baja.motivo, baja.fecha_baja) == ("ECONOMICO", dt.date(2025, 3, 1))
        assert not (data_dir / "solicitudes-baja" / scan).exists()
        assert session.scalar(select(func.count()).select_from(AsesoriaAlumno)
                              .where(AsesoriaAlumno.matricula == B)) == 0
        assert session.scalar(select(func.count()).select_from(Calificacion)
                              .where(Calificacion.matricula == B)) >= 1
        assert req.resultado == "parcial" and "las calificaciones" in req.detalle

        # a graduate whose certificate was released: grades may go, the certificate stays
        cert = session.scalars(select(Certificate).where(Certificate.matricula == A)).one()
        before = (cert.folio, cert.curp, cert.chain_sha256, cert.state)
        _req, items = arco.cancel(session, DG, A, asked, with_grades=True, now=NOW)
        session.commit()
        assert {"calificaciones", "rectificaciones", "alumnos"} <= {i.tabla for i in items}
        assert session.scalar(select(func.count()).select_from(Calificacion)
                              .where(Calificacion.matricula == A)) == 0
        alumno = session.get(Alumno, A)
        assert (alumno.curp, alumno.nombre, alumno.estatus) == ("", arco.SUPPRESSED_NAME,
                                                                "EGRESADO")
        session.expire_all()
        cert = session.get(Certificate, cert.id)
        assert (cert.folio, cert.curp, cert.chain_sha256, cert.state) == before
        assert session.scalar(select(func.count()).select_from(CertSignature)
                              .where(CertSignature.certificate_id == cert.id)) == 1
        logged = session.scalar(select(func.count()).select_from(PurgeItem).where(
            PurgeItem.matricula == A, PurgeItem.motivo == "arco-cancelacion"))
        assert logged == len(items) + 1  # + the seed's own row

    # the next SAE export brings the student again: the cancellation holds
    from plugin_conalep import SAE_SAMPLES

    from conalep.academic.sae_import import find_files, import_files

    with seeded() as session, session.begin():
        check, summary = import_files(session, find_files(SAE_SAMPLES), staff="pruebas",
                                      now=NOW, accept_valid=True)
        assert summary is not None, check.problems
        assert summary.as_dict()["arco_cancelled"] == 1
    with seeded() as session:
        alumno = session.get(Alumno, A)
        assert (alumno.curp, alumno.nombre) == ("", arco.SUPPRESSED_NAME)
        assert session.get(Alumno, B).curp == B_CURP  # B's cancellation kept the grades
    assert scan_bytes(A)  # the seed helper stays importable for the other files
