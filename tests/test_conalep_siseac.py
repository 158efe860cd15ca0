"""The SISEAC figures follow from the definitions: failing students, late captures, missing
captures per teacher and corte, and students at risk are computed here in plain Python over
the sample CSV rows and compared with ``conalep siseac --json``, the page, the XLSX
(openpyxl) and the PDF (pdftotext)."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from collections import Counter, defaultdict
from io import BytesIO
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import require_part
from plugin_conalep import SAE_SAMPLES, add_staff, sign_in

from conalep.cli import main
from conalep.settings import ConalepSettings

PERIODO = "2025-2026-1"
PASSING, WEIGHTS = 6.0, (0.3, 0.3, 0.4)


def _csv(name: str) -> list[dict[str, str]]:
    with (SAE_SAMPLES / f"{name}.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def expected(corte: int) -> dict[str, Any]:
    """The figures of ``corte`` from the CSV rows, by the definitions of docs/conalep.md."""
    enrolled = {a["matricula"] for a in _csv("alumnos") if a["estatus"] == "INSCRITO"}
    closes = {(w["periodo"], int(w["corte"])): w["fin_captura"] for w in _csv("calendario")}
    rows = [g for g in _csv("calificaciones")
            if g["periodo"] == PERIODO and g["matricula"] in enrolled]
    now = [g for g in rows if int(g["corte"]) == corte]
    failing = {g["matricula"] for g in now if g["calificacion"]
               and float(g["calificacion"]) < PASSING}
    late = sum(1 for g in now if g["fecha_captura"]
               and g["fecha_captura"] > closes[(PERIODO, corte)])
    missing = Counter(g["clave_docente"] for g in now if not g["calificacion"])
    grades: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    for g in rows:
        if int(g["corte"]) <= corte and g["calificacion"]:
            grades[(g["matricula"], g["clave_modulo"])][int(g["corte"])] = float(g["calificacion"])
    modules: dict[str, list[tuple[str, dict[int, float]]]] = defaultdict(list)
    for g in now:
        modules[g["matricula"]].append((g["clave_modulo"], grades[(g["matricula"],
                                                                   g["clave_modulo"])]))
    at_risk = set()
    for matricula, mods in modules.items():
        fails = sum(1 for _, got in mods if corte in got and got[corte] < PASSING)
        progress = []
        for _, got in mods:
            weight = sum(WEIGHTS[c - 1] for c in got)
            if weight:
                progress.append(sum(WEIGHTS[c - 1] * v for c, v in got.items()) / weight)
        mean = sum(progress) / len(progress) if progress else None
        always = corte >= 2 and any(len(got) == corte and all(v < PASSING for v in got.values())
                                    for _, got in mods)
        if fails >= 2 or (mean is not None and round(mean, 2) < PASSING) or always:
            at_risk.add(matricula)
    return {"failing_students": len(failing), "failing_set": failing, "late_captures": late,
            "missing": {d: n for d, n in missing.items() if n}, "at_risk": at_risk}


def _cli(settings: ConalepSettings, *args: str) -> Any:
    env = {"CONALEP_DATA_DIR": str(settings.data_dir),
           "CONALEP_DATABASE_URL": settings.database_url}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def imported(conalep_settings: ConalepSettings) -> ConalepSettings:
    answer = _cli(conalep_settings, "import-sae", str(SAE_SAMPLES))
    assert answer.exit_code == 0, answer.output
    return conalep_settings


@pytest.mark.parametrize("corte", [1, 2, 3])
def test_the_cli_json_follows_from_the_definitions(imported: ConalepSettings,
                                                   corte: int) -> None:
    answer = _cli(imported, "siseac", "--periodo", PERIODO, "--corte", str(corte), "--json")
    assert answer.exit_code == 0, answer.output
    data, want = json.loads(answer.output), expected(corte)
    assert data["failing_students"] == want["failing_students"]
    assert data["late_captures"] == want["late_captures"]
    assert {m["clave_docente"]: m["count"] for m in data["missing_captures"]} == want["missing"]
    assert {m["corte"] for m in data["missing_captures"]} <= {corte}
    assert {s["matricula"] for s in data["at_risk"]} == want["at_risk"]
    assert all({"matricula", "modules_failing"} <= set(s) for s in data["at_risk"])
    assert want["failing_students"] > 0 and want["late_captures"] > 0  # the data exercises it


def test_page_xlsx_and_pdf_show_the_same_figures(imported: ConalepSettings,
                                                 conalep_client: Any,
                                                 conalep_sessions: Any) -> None:
    corte, want = 2, expected(2)
    add_staff(conalep_sessions, "dg.ana", "dg_escolares")
    sign_in(conalep_client, "dg.ana")
    query = f"periodo={PERIODO}&corte={corte}"
    html = conalep_client.get(f"/staff/siseac?{query}").text
    shown = dict(re.findall(r'id="(reprobados|tardias|sin-capturar|en-riesgo)">(\d+)', html))
    assert int(shown["reprobados"]) == want["failing_students"]
    assert int(shown["tardias"]) == want["late_captures"]
    assert int(shown["sin-capturar"]) == sum(want["missing"].values())
    assert int(shown["en-riesgo"]) == len(want["at_risk"])

    xlsx = conalep_client.get(f"/staff/siseac.xlsx?{query}")
    assert xlsx.headers["content-disposition"].startswith("attachment")
    book = openpyxl.load_workbook(BytesIO(xlsx.content))
    assert book.sheetnames == ["Alumnos y módulos", "Alumnos en riesgo", "Incumplimiento",
                               "Tendencia"]
    compliance = list(book["Incumplimiento"].iter_rows(min_row=2, values_only=True))
    missing: Counter[str] = Counter()
    for row in compliance:
        missing[row[1]] += row[7]
    assert {d: n for d, n in missing.items() if n} == want["missing"]
    assert sum(row[8] for row in compliance) == want["late_captures"]
    modules = book["Alumnos y módulos"]
    header = [c.value for c in modules[1]]
    failing = {r[2] for r in modules.iter_rows(min_row=2, values_only=True)
               if r[header.index("Reprueba")] == "sí"}
    assert len(failing) == want["failing_students"]
    risk = book["Alumnos en riesgo"]
    assert {r[2] for r in risk.iter_rows(min_row=2, values_only=True)} == want["at_risk"]
    assert (modules.freeze_panes, risk.freeze_panes) == ("A2", "A2")
    assert modules.auto_filter.ref.startswith("A1:")
    first_risk_row = next(i for i, r in enumerate(
        modules.iter_rows(min_row=2, values_only=True), start=2)
        if r[header.index("En riesgo")] == "sí")
    assert modules.cell(first_risk_row, 1).fill.fgColor.rgb.endswith("FDE3E3")

    pdf = conalep_client.get(f"/staff/siseac.pdf?{query}")
    assert pdf.content.startswith(b"%PDF")
    require_part(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.content,
                          capture_output=True, check=True).stdout.decode()
    assert f"{want['failing_students']} con algún módulo reprobado" in text
    assert f"{want['late_captures']} capturas tardías" in text
    assert f"{sum(want['missing'].values())} sin capturar" in text
    for matricula in want["at_risk"]:
        assert matricula in text
    for docente in want["missing"]:
        assert docente in text


def test_filters_narrow_the_report(imported: ConalepSettings, conalep_client: Any,
                                   conalep_sessions: Any) -> None:
    add_staff(conalep_sessions, "dg.beto", "dg_escolares")
    sign_in(conalep_client, "dg.beto")
    docente, count = sorted(expected(3)["missing"].items())[0]
    html = conalep_client.get(f"/staff/siseac?periodo={PERIODO}&corte=3&docente={docente}").text
    assert re.search(r'id="sin-capturar">(\d+)', html).group(1) == str(count)  # type: ignore[union-attr]
    only_risk = conalep_client.get(f"/staff/siseac.xlsx?periodo={PERIODO}&corte=3&riesgo=si")
    sheet = openpyxl.load_workbook(BytesIO(only_risk.content))["Alumnos y módulos"]
    header = [c.value for c in sheet[1]]
    values = {r[header.index("En riesgo")] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert values == {"sí"}


def test_large_sabana_goes_to_csv(imported: ConalepSettings, conalep_client: Any,
                                  conalep_sessions: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sábana too large for a quick workbook (the state's) comes as CSV; the workbook keeps
    the summary sheets and says where the sábana is."""
    from conalep.academic import siseac_export

    want = expected(3)
    add_staff(conalep_sessions, "dg.csv", "dg_escolares")
    sign_in(conalep_client, "dg.csv")
    query = f"periodo={PERIODO}&corte=3"
    sabana = conalep_client.get(f"/staff/siseac-sabana.csv?{query}")
    assert sabana.headers["content-disposition"].startswith("attachment")
    assert sabana.content.startswith("\ufeff".encode())
    rows = list(csv.reader(sabana.content.decode("utf-8-sig").splitlines()))
    header = rows[0]
    assert {r[2] for r in rows[1:] if r[header.index("Reprueba")] == "sí"} \
        == want["failing_set"]
    assert {r[2] for r in rows[1:] if r[header.index("En riesgo")] == "sí"} == want["at_risk"]

    monkeypatch.setattr(siseac_export, "SABANA_XLSX_MAX_ROWS", 10)
    assert 'id="sabana-csv-nota"' in conalep_client.get(f"/staff/siseac?{query}").text
    book = openpyxl.load_workbook(BytesIO(conalep_client.get(f"/staff/siseac.xlsx?{query}")
                                          .content))
    notice = " ".join(str(r[0]) for r in book["Alumnos y módulos"].iter_rows(values_only=True))
    assert "CSV" in notice and f"/staff/siseac-sabana.csv?{query}" in notice
    assert {r[2] for r in book["Alumnos en riesgo"].iter_rows(min_row=2, values_only=True)} \
        == want["at_risk"]
