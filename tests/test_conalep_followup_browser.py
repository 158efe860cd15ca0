"""The follow-up wing driven through its pages in Debian's Chromium (Playwright, 1366×768):
a baja with the tutor's scan reaches Psicopedagogía's queue and is attended; an asesoría is
assigned from the SISEAC suggestions and F05 is downloaded as XLSX and PDF and read back; a
review meeting is convened, its minutes recorded and downloaded; the terminal-efficiency
page shows the figures and its chart."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from conftest import require_part
from openpyxl import load_workbook
from plugin_conalep import PASSWORD
from plugin_followup import PERIODO, expected_efficiency, expected_failing, png_scan

STUDENT = "2316500012"


@contextmanager
def signed_in(chromium: Any, base: str, username: str) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1366, "height": 768},
                                   accept_downloads=True, locale="es-MX")
    page = context.new_page()
    try:
        page.goto(f"{base}/staff/ingresar")
        page.fill("#usuario", username)
        page.fill("#contrasena", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/staff")
        yield page
    finally:
        context.close()


def download(page: Any, selector: str, folder: Path) -> Path:
    with page.expect_download() as info:
        page.click(selector)
    target = folder / info.value.suggested_filename
    info.value.save_as(target)
    return target


def pdf_text(path: Path) -> str:
    assert path.read_bytes().startswith(b"%PDF-")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True, timeout=60).stdout


def test_follow_up_in_a_real_browser(live_conalep: Any, followup_data: Any, chromium: Any,
                                     tmp_path: Path) -> None:
    require_part(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    base = live_conalep.url
    scan = tmp_path / "solicitud-tutora.png"
    scan.write_bytes(png_scan())

    with signed_in(chromium, base, "plantel.165") as page:
        page.click("nav >> text=Bajas")
        page.fill("#matricula", STUDENT)
        page.select_option("#periodo", PERIODO)
        page.fill("#fecha_baja", "2025-11-03")
        page.select_option("#tipo", "DEFINITIVA")
        page.select_option("#motivo", "TRABAJO")
        page.fill("#tutor_nombre", "ROSA GARCÍA LUNA")
        page.fill("#tutor_parentesco", "Madre")
        page.set_input_files("#solicitud", str(scan))
        page.click("#registrar-baja button[type=submit]")
        assert "ya está en la bandeja de Psicopedagogía" in page.inner_text(".hecho")
        baja_url = page.url.split("?")[0]
        page.screenshot(path=str(tmp_path / "baja.png"))

    with signed_in(chromium, base, "psico") as page:
        page.goto(f"{base}/staff/bajas")
        assert STUDENT in page.inner_text("#bajas")
        page.click(f"#bajas a[href='{baja_url.removeprefix(base)}']")
        solicitud = download(page, "text=Descargar escaneo", tmp_path)
        assert solicitud.read_bytes() == png_scan()
        page.fill("#fecha_atencion", "2025-11-05")
        page.select_option("#resultado", "CANALIZADO")
        page.fill("#acciones", "Entrevista con la alumna; canalizada a bolsa de trabajo.")
        page.click("#atender button[type=submit]")
        assert "quedó atendida" in page.inner_text(".hecho")
        assert page.inner_text("#estado-baja") == "Atendida"
        f04 = pdf_text(download(page, "text=Formato F04 de esta baja (PDF)", tmp_path))
        assert STUDENT in f04 and "Necesidad de trabajar" in f04 and "Canalizado" in f04

    failing = expected_failing(2)
    module, students = sorted(failing.items(), key=lambda kv: -len(kv[1]))[0]
    with signed_in(chromium, base, "plantel.165") as page:
        page.click("nav >> text=Asesorías")
        page.select_option("#f-corte", "2")
        page.click("form.fila button[type=submit]")
        page.click(f"#sugerencias a[href*='modulo={module}']")
        page.fill("#asesor", "MTRA. LUZ PAZ")
        page.fill("#horario", "Lunes y miércoles 14:00 a 15:00")
        page.fill("#aula", "B-4")
        page.fill("#fecha_inicio", "2025-11-10")
        page.click("#asignar-asesoria button[type=submit]")
        assert "registrada con" in page.inner_text(".hecho")
        page.click("text=Volver")
        book = load_workbook(download(page, "#f05-xlsx", tmp_path))
        header = [c.value for c in book.active[1]]
        got = {dict(zip(header, (c.value for c in row), strict=True))["Matrícula"]
               for row in book.active.iter_rows(min_row=2)}
        assert got == set(students)
        f05 = pdf_text(download(page, "#f05-pdf", tmp_path))
        assert "30-524-PO-04-F05" in f05 and all(m in f05 for m in students)

    with signed_in(chromium, base, "dg.escolares") as page:
        # DG's home counts the bajas nobody at DG has opened yet and leads to them.
        assert "1 baja nueva" in page.inner_text("#bajas-nuevas")
        page.click("#bajas-nuevas a")
        assert page.input_value("#estado") == "nuevas"
        assert STUDENT in page.inner_text("#bajas") and page.is_visible("#bajas .nueva")
        page.click(f"#bajas a[href='{baja_url.removeprefix(base)}']")
        page.goto(f"{base}/staff")
        assert "No hay bajas nuevas" in page.inner_text("#bajas-nuevas")
        page.click("nav >> text=Reuniones")
        page.select_option("#s-plantel", "165")
        page.select_option("#s-periodo", PERIODO)
        page.select_option("#s-numero", "1")
        page.click("#sugerir")
        assert "alumnos en riesgo" in page.inner_text("#sugerencia")
        page.fill("#fecha", "2025-10-06")
        page.fill("#hora", "10:30")
        page.fill("#lugar", "Sala de juntas del plantel")
        page.click("#convocar-reunion button[type=submit]")
        assert "Reunión convocada" in page.inner_text(".hecho")
        page.fill("#asistentes", "Ana Ruiz — Jefa de Servicios Escolares\n"
                                 "Luis Paz — Psicopedagogía")
        page.click("#asistencia button[type=submit]")
        page.fill("#texto", "Canalizar a asesoría complementaria")
        page.fill("#responsable", "Formación Técnica")
        first = page.locator("#acuerdo input[type=checkbox]").first
        concerned = first.get_attribute("value")
        first.check()
        page.click("#acuerdo button[type=submit]")
        assert "Canalizar a asesoría complementaria" in page.inner_text("#acuerdos")
        page.click("#cerrar button[type=submit]")
        assert "minuta cerrada" in page.inner_text("#estado-reunion")
        minutes = pdf_text(download(page, "#minuta", tmp_path))
        assert "Ana Ruiz" in minutes and "Canalizar a asesoría complementaria" in minutes
        page.goto(f"{base}/staff/alumnos/{concerned}/seguimiento")
        assert "Canalizar a asesoría complementaria" in page.inner_text("#acuerdos-alumno")

        page.click("nav >> text=Eficiencia terminal")
        table = page.inner_text("#eficiencia")
        for e in expected_efficiency():
            assert f"{e['eficiencia']:.2f}" in table
        assert "inscritos en primer semestre" in page.inner_text("#definiciones").lower()
        chart = page.locator("#grafica")
        chart.scroll_into_view_if_needed()
        # the <img> loads after the page: wait until the browser decoded the SVG
        page.wait_for_function("document.getElementById('grafica').complete && "
                               "document.getElementById('grafica').naturalWidth > 0",
                               timeout=20_000)
        chart.screenshot(path=str(tmp_path / "grafica.png"))
        junta = pdf_text(download(page, "#informe-junta", tmp_path))
        assert "Junta Directiva" in junta
