"""The transparency officer's round in a real browser (Debian's chromium under Playwright):
find a student on the ARCO desk, download everything held on them as PDF (read back with
pdftotext) and JSON (parsed), record the acceso request, and see those downloads in the
access record."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import require_part
from plugin_conalep import PASSWORD, add_staff, sign_in_page
from plugin_followup import load_samples

STUDENT = "2316500012"

sqlite_only = pytest.mark.parametrize("conalep_db_url", ["sqlite"], indirect=True)
"""The browser's part does not depend on the database (the web tests run both)."""


@sqlite_only
def test_officer_exports_a_students_data_and_the_access_record_shows_it(
        live_conalep: Any, conalep_sessions: Any, browser_page: Any, tmp_path: Path) -> None:
    require_part(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    load_samples(conalep_sessions)
    add_staff(conalep_sessions, "dg.ana", "dg_escolares")
    page, url = browser_page, live_conalep.url
    sign_in_page(page, url, "dg.ana", PASSWORD)

    page.click("text=Solicitudes ARCO")
    page.fill("#buscar", STUDENT)
    page.click("#buscar-alumno button")
    page.click(f"#encontrados a:has-text('{STUDENT}')")
    page.wait_for_url(f"{url}/staff/privacidad/arco/{STUDENT}")
    heading = page.inner_text("h1")
    assert heading.startswith("Datos personales de ")
    name = heading.removeprefix("Datos personales de ")

    with page.expect_download() as pdf_info:
        page.click("#descarga-pdf")
    pdf = tmp_path / pdf_info.value.suggested_filename
    pdf_info.value.save_as(pdf)
    assert pdf.name == f"datos-personales-{STUDENT}.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Datos personales en posesión de CONALEP Veracruz" in text
    assert STUDENT in text and "Calificaciones por corte" in text
    assert name.split()[0] in text

    with page.expect_download() as json_info:
        page.click("#descarga-json")
    document = json.loads(Path(json_info.value.path()).read_text("utf-8"))
    alumno = document["datos"]["alumnos"][0]
    assert alumno["matricula"] == STUDENT
    assert f"{alumno['primer_apellido']} {alumno['segundo_apellido']} {alumno['nombre']}" \
        == name
    assert document["datos"]["calificaciones"]

    page.fill("#acc-solicitante", "ROSA (madre)")
    page.fill("#acc-fundamento", "Solicitud de acceso por escrito")
    page.click("#registrar-acceso")
    assert "Solicitud de acceso registrada" in page.inner_text("[role=status]")
    assert "ROSA (madre)" in page.inner_text("#historial")
    page.screenshot(path=str(tmp_path / "arco.png"))

    page.click("text=Registro de accesos")
    page.fill("#matricula", STUDENT)
    page.click("#filtros button")
    rows = page.locator("#tabla-accesos tbody tr").all_inner_texts()
    whats = [r for r in rows if "dg.ana" in r]
    assert any("exportación ARCO (PDF)" in r for r in whats), rows
    assert any("exportación ARCO (JSON)" in r for r in whats), rows
    assert all(STUDENT in r for r in rows)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    page.screenshot(path=str(tmp_path / "accesos.png"))
