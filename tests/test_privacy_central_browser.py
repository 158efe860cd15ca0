"""An ARCO request answered in a real browser (Debian's chromium under Playwright) against
central on SQLite and PostgreSQL: Control Escolar of a DRSE finds a student by name and CCT,
downloads the PDF for the family and the JSON (both read back), records a cancellation; the
state office reads one access record per view of the student's page."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import require_part
from plugin_central import import_demo
from plugin_conalep import office_page, sign_in_page
from plugin_lifecycle import pdf_words
from sqlalchemy import select
from test_central_web import students_of

from central.crud.staff import create_account
from central.crud.stations import now_utc
from central.models import AccessRecord, Student
from central.settings import CentralSettings
from foundation.sqldb import make_engine, make_sessionmaker

PASSWORD = "contraseña de pruebas"
ZAPOPAN, CENTRO_2 = "14DPR9901D", "CENTRO 2 ZAPOPAN"


def _signed_in(chromium: Any, url: str, user: str) -> Any:
    return sign_in_page(office_page(chromium), url, user, PASSWORD)


@pytest.mark.parametrize("central_db_url", ["sqlite"], indirect=True)
def test_arco_officer_exports_and_cancels_and_each_view_is_recorded(
        live_central: Any, central_settings: CentralSettings, chromium: Any,
        tmp_path: Path) -> None:
    from central.cli import main as central_cli

    require_part(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    escuelas, _ = import_demo(central_settings, tmp_path / "export", photos=True)
    env = {"CENTRAL_DATA_DIR": str(central_settings.data_dir),
           "CENTRAL_DATABASE_URL": central_settings.database_url}
    out = CliRunner().invoke(central_cli, ["import-photos", str(escuelas.parent / "fotos")],
                             env=env)
    assert out.exit_code == 0, out.output
    engine = make_engine(central_settings.database_url)
    sessions = make_sessionmaker(engine)
    with sessions() as session, session.begin():
        for user, role, region, office in (("ana", "estatal", None, None),
                                           ("cesc", "drse", CENTRO_2, "control_escolar"),
                                           ("plan", "drse", CENTRO_2, "planeacion")):
            create_account(session, username=user, password=PASSWORD, role=role,
                           region=region, display_name=f"{user.title()} Pruebas",
                           now=now_utc(), office=office)
    child = students_of(ZAPOPAN)[0]
    name = f"{child['nombre']} {child['primer_apellido']} {child['segundo_apellido']}"
    url = live_central.url

    plan = _signed_in(chromium, url, "plan")
    assert "Datos personales" not in plan.inner_text("nav")
    plan.context.close()

    cesc = _signed_in(chromium, url, "cesc")
    cesc.click("nav >> text=Datos personales")
    cesc.fill("#nombre", f"{child['nombre']} {child['primer_apellido']}".lower())
    cesc.fill("#cct", ZAPOPAN)
    cesc.click("text=Buscar alumno")
    cesc.click(f"tr:has-text('{child['primer_apellido']}') >> text=Ver sus datos")
    assert cesc.inner_text("h1") == name
    cesc.click("text=Buscar otro alumno")  # and once more, by CURP
    cesc.fill("#curp", child["curp"].lower())
    cesc.click("text=Buscar alumno")
    assert cesc.inner_text("h1") == name and child["curp"] in cesc.inner_text("main")
    views = 2
    with cesc.expect_download() as pdf_download:
        cesc.click("text=Descargar PDF para la familia")
    pdf = tmp_path / "arco.pdf"
    pdf_download.value.save_as(pdf)
    words = pdf_words(pdf)
    assert "Datos personales del alumno en el servicio central" in words
    assert name in words and child["curp"] in words
    assert "Fotografía (1)" in words and "Registro de accesos del personal" in words
    assert "puede pedir su rectificación" in words
    with cesc.expect_download() as json_download:
        cesc.click("text=Descargar JSON (datos completos)")
    data = json.loads(Path(json_download.value.path()).read_text("utf-8"))
    assert data["curp"] == child["curp"]
    assert data["tablas"]["students"][0]["nombre"] == child["nombre"]
    assert len(data["tablas"]["photos"]) == 1
    assert [r["what"] for r in data["tablas"]["access_records"]].count(
        "ficha del alumno (ARCO)") == views

    cesc.fill("#c-folio", "ARCO-21/2026")
    cesc.fill("#c-fund", "Art. 46 de la Ley General de Protección de Datos Personales")
    cesc.click("text=Cancelar los datos del alumno")  # the checkbox is required first
    assert cesc.inner_text("h1") == name
    cesc.check("#c-conf")
    cesc.click("text=Cancelar los datos del alumno")
    assert "Se cancelaron los datos del alumno (solicitud ARCO-21/2026)" in cesc.inner_text(
        ".hecho")
    listed = cesc.inner_text("main")
    assert "ARCO-21/2026" in listed and "Cancelación" in listed
    assert date.today().strftime("%d/%m/%Y") in listed
    cesc.fill("#curp", child["curp"])
    cesc.click("text=Buscar alumno")
    assert "ya se borraron" in cesc.inner_text("main")
    with sessions() as session:
        assert session.get(Student, child["curp"]) is None
        recorded = list(session.scalars(select(AccessRecord.what).where(
            AccessRecord.staff == "cesc")))
    assert recorded.count("ficha del alumno (ARCO)") == views
    assert recorded.count("exportación ARCO (PDF)") == 1

    ana = _signed_in(chromium, url, "ana")
    ana.click("nav >> text=Registro de accesos")
    ana.fill("#personal", "cesc")
    ana.click("button:has-text('Filtrar')")
    rows = ana.inner_text("#accesos")
    assert rows.count("ficha del alumno (ARCO)") == views
    assert "exportación ARCO (JSON)" in rows and "drse/control_escolar" in rows
    assert child["curp"] not in rows
    with ana.expect_download() as csv_download:
        ana.click("text=Descargar (CSV)")
    lines = Path(csv_download.value.path()).read_text("utf-8-sig").splitlines()
    assert len(lines) == 1 + len(recorded) and child["curp"] not in "".join(lines)
    ana.context.close()
    cesc.context.close()
    engine.dispose()
