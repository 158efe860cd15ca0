"""The office's day in a real browser (Debian's chromium under Playwright, 1366×768): sign
in, upload the SAE exports through the page, filter the SISEAC report, download the XLSX and
the PDF and read them back."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
from conftest import require_part
from plugin_conalep import PASSWORD, SAE_SAMPLES, add_staff, sign_in_page
from test_conalep_siseac import PERIODO, expected


def test_sign_in_upload_filter_and_download(live_conalep: Any, conalep_sessions: Any,
                                            browser_page: Any, tmp_path: Path) -> None:
    require_part(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    add_staff(conalep_sessions, "dg.ana", "dg_escolares")
    page, url = browser_page, live_conalep.url
    sign_in_page(page, url, "dg.ana", PASSWORD)

    page.click("text=Importar SAE")
    page.set_input_files("#archivos", sorted(str(p) for p in SAE_SAMPLES.glob("*.csv")))
    page.click("text=Revisar e importar")
    assert "Importado." in page.inner_text("[role=status]")
    page.screenshot(path=str(tmp_path / "importar.png"))

    page.click("text=Reporte SISEAC")
    page.select_option("#periodo", PERIODO)
    page.select_option("#corte", "3")
    page.click("text=Ver reporte")
    want = expected(3)
    assert int(page.inner_text("#reprobados")) == want["failing_students"]
    assert int(page.inner_text("#tardias")) == want["late_captures"]
    # readable on the office PC: the report needs no sideways scrolling at 1366 px
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    page.screenshot(path=str(tmp_path / "siseac.png"), full_page=False)
    page.check("input[name=riesgo]")
    page.click("text=Ver reporte")
    assert "riesgo=si" in page.url
    rows = page.locator("#tabla-riesgo tbody tr").count()
    assert rows == len(want["at_risk"])

    with page.expect_download() as xlsx_info:
        page.click("#descarga-xlsx")
    xlsx = tmp_path / xlsx_info.value.suggested_filename
    xlsx_info.value.save_as(xlsx)
    assert xlsx.name == f"SISEAC-{PERIODO}-corte-3.xlsx"
    book = openpyxl.load_workbook(xlsx)
    risk = {r[2] for r in book["Alumnos en riesgo"].iter_rows(min_row=2, values_only=True)}
    assert risk == want["at_risk"]
    sheet = book["Alumnos y módulos"]
    flags = {r[-1] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert flags == {"sí"}  # the «sólo en riesgo» filter reached the download

    with page.expect_download() as pdf_info:
        page.click("#descarga-pdf")
    pdf = tmp_path / "reporte.pdf"
    pdf_info.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          check=True).stdout.decode()
    assert f"Reporte SISEAC · periodo {PERIODO} · corte 3" in text
    assert "sólo en riesgo" in text
    for matricula in want["at_risk"]:
        assert matricula in text
