"""The follow-up wing through its pages and commands, on SQLite and PostgreSQL: bajas with
the tutor's scan and Psicopedagogía's queue, asesorías (F05 PDF/XLSX read back), review
meetings and their minutes, terminal efficiency (page, chart, CLI, Junta PDF) against the
figures computed independently from the sample CSVs, bad input, and scope on every route."""

from __future__ import annotations

import io
import json
import re
import shutil
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import require_part
from openpyxl import load_workbook
from plugin_conalep import csrf_of, sign_in
from plugin_followup import (
    OTHER_STUDENT,
    PERIODO,
    expected_at_risk,
    expected_efficiency,
    expected_failing,
    png_scan,
)
from sqlalchemy import func, select

from conalep.models.base import StaffAction
from conalep.models.followup import Asesoria, Baja, Reunion

STUDENT = "2316500012"  # plantel 165, ENFE-23, 5th semester


@contextmanager
def as_user(app: Any, username: str) -> Iterator[tuple[Any, str]]:
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        yield client, sign_in(client, username)


def pdf_text(data: bytes, tmp_path: Path) -> str:
    require_part(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    assert data.startswith(b"%PDF-"), data[:200]
    path = tmp_path / "leido.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True, timeout=60).stdout


BAJA = {"matricula": STUDENT, "periodo": PERIODO, "fecha_baja": "2025-11-03",
        "tipo": "DEFINITIVA", "motivo": "ECONOMICO", "tutor_nombre": "ROSA GARCÍA LUNA",
        "tutor_parentesco": "Madre"}


def record_baja(client: Any, csrf: str, scan: bytes = b"", **changes: str) -> Any:
    return client.post("/staff/bajas", data={"csrf": csrf, **BAJA, **changes},
                       files={"solicitud": ("solicitud.png", scan or png_scan(), "image/png")},
                       follow_redirects=False)


def count(sessions: Any, model: Any) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_baja_reaches_dg_and_psicopedagogia(conalep_app: Any, followup_data: Any,
                                              conalep_settings: Any, tmp_path: Path) -> None:
    with as_user(conalep_app, "plantel.165") as (client, csrf):
        answer = record_baja(client, csrf)
        assert answer.status_code == 303, answer.text
        detail = client.get(answer.headers["location"])
        assert "ya está en la bandeja de Psicopedagogía" in detail.text
        baja_id = int(re.search(r"/staff/bajas/(\d+)", answer.headers["location"]).group(1))
        assert client.get(f"/staff/bajas/{baja_id}/solicitud").content == png_scan()
    scans = list((conalep_settings.data_dir / "solicitudes-baja").iterdir())
    assert len(scans) == 1 and stat.S_IMODE(scans[0].stat().st_mode) == 0o600
    with as_user(conalep_app, "dg.escolares") as (client, _):
        listing = client.get("/staff/bajas")
        assert STUDENT in listing.text and 'class="nueva"' in listing.text
        client.get(f"/staff/bajas/{baja_id}")
        assert 'class="nueva"' not in client.get("/staff/bajas").text
    with as_user(conalep_app, "psico") as (client, csrf):
        queue = client.get("/staff/bajas?estado=pendientes")
        assert f'href="/staff/bajas/{baja_id}"' in queue.text
        bad = client.post(f"/staff/bajas/{baja_id}/atencion", data={
            "csrf": csrf, "fecha_atencion": "2025-11-01", "resultado": "NO-EXISTE",
            "acciones": ""})
        assert bad.status_code == 422
        assert "Fecha de atención" in bad.text and "no puede ser anterior al 2025-11-03" \
            in bad.text and "Resultado" in bad.text and "Acciones realizadas" in bad.text
        done = client.post(f"/staff/bajas/{baja_id}/atencion", data={
            "csrf": csrf, "fecha_atencion": "2025-11-05", "resultado": "REINCORPORADO",
            "acciones": "Entrevista con la alumna y su madre; beca de transporte."})
        assert done.status_code == 200 and "quedó atendida" in done.text
        assert f'href="/staff/bajas/{baja_id}"' not in client.get("/staff/bajas").text
        again = client.post(f"/staff/bajas/{baja_id}/atencion", data={
            "csrf": csrf, "fecha_atencion": "2025-11-06", "resultado": "REINCORPORADO",
            "acciones": "otra"})
        assert again.status_code == 409
        text = pdf_text(client.get(f"/staff/bajas/{baja_id}/f04.pdf").content, tmp_path)
    for words in ("Formato de bajas", "30-524-PO-04-F04", STUDENT, "03/11/2025",
                  "Problemas económicos", "ROSA GARCÍA LUNA (Madre)", "PNG",
                  "Se reincorpora a clases", "165 CONALEP XALAPA"):
        assert words in text, words
    with as_user(conalep_app, "director.165") as (client, _):
        listing = client.get(f"/staff/bajas?estado=todas&periodo={PERIODO}")
        assert f'href="/staff/bajas/{baja_id}"' in listing.text
        assert f'href="/staff/bajas/{baja_id}"' not in client.get(
            "/staff/bajas?estado=todas&periodo=2024-2025-2").text
        text = pdf_text(client.get(f"/staff/bajas/f04.pdf?periodo={PERIODO}").content,
                        tmp_path)
        assert STUDENT in text and f"Periodo: {PERIODO}" in text and "165 CONALEP XALAPA" in text
        empty = pdf_text(client.get("/staff/bajas/f04.pdf?periodo=2024-2025-2").content,
                         tmp_path)
        assert STUDENT not in empty
    with followup_data() as session:
        row = session.get(Baja, baja_id)
        assert (row.estado, row.vista_dg_por, row.atendida_por) == ("ATENDIDA",
                                                                   "dg.escolares", "psico")
        actions = set(session.scalars(select(StaffAction.action)))
    assert {"record_dropout", "attend_dropout"} <= actions


def test_bad_baja_input_names_fields_and_writes_nothing(conalep_app: Any, followup_data: Any,
                                                        conalep_settings: Any) -> None:
    with as_user(conalep_app, "plantel.165") as (client, csrf):
        answer = record_baja(client, csrf, scan=b"esto no es un escaneo, solo texto",
                             fecha_baja="2025-02-30", motivo="OTRO", tutor_nombre="")
        assert answer.status_code == 422
        for words in ("No se guardó nada", "Fecha de baja", "«2025-02-30» no es una fecha",
                      "Descripción del motivo", "Nombre de la persona tutora",
                      "Solicitud por escrito de la persona tutora",
                      "se revisa su contenido, no su nombre"):
            assert words in answer.text, words
        assert 'value="ROSA' not in answer.text  # the emptied field stays empty
        foreign = record_baja(client, csrf, matricula=OTHER_STUDENT)
        assert foreign.status_code == 422
        assert f"no hay un alumno con matrícula {OTHER_STUDENT} en su alcance" in foreign.text
        graduate = record_baja(client, csrf, matricula="2216500001")
        assert graduate.status_code == 422 and "ya egresó" in graduate.text
        huge = record_baja(client, csrf, scan=b"%PDF-1.4\n" + b"0" * (6 * 1024 * 1024))
        assert huge.status_code == 422 and "el máximo es 5 MB" in huge.text
        no_csrf = client.post("/staff/bajas", data=BAJA,
                              files={"solicitud": ("s.png", png_scan(), "image/png")})
        assert no_csrf.status_code in (400, 403)
    assert count(followup_data, Baja) == 0
    assert not (conalep_settings.data_dir / "solicitudes-baja").exists()


def test_tutoring_suggested_from_the_published_corte_and_f05(conalep_app: Any,
                                                              followup_data: Any,
                                                              tmp_path: Path) -> None:
    failing = expected_failing(2)
    module, students = sorted(failing.items(), key=lambda kv: -len(kv[1]))[0]
    with as_user(conalep_app, "plantel.165") as (client, _csrf):
        unpublished = client.get(f"/staff/asesorias?periodo={PERIODO}&corte=3")
        assert "aún no se publica" in unpublished.text
        page = client.get(f"/staff/asesorias?periodo={PERIODO}&corte=2")
        table = page.text.split('id="sugerencias"')[1].split("</table>")[0]
        assert set(re.findall(r"(\d{10}) ", table)) == {m for ms in failing.values() for m in ms}
        filled = client.get(f"/staff/asesorias?periodo={PERIODO}&corte=2&modulo={module}")
        box = filled.text.split('id="matriculas"')[1].split("</textarea>")[0]
        assert set(re.findall(r"\d{10}", box)) == set(students)
        form = {"csrf": csrf_of(filled.text), "clave_plantel": "165", "periodo": PERIODO,
                "clave_modulo": module, "modulo": "Módulo de prueba",
                "asesor": "MTRA. LUZ PAZ", "horario": "Lunes y miércoles 14:00 a 15:00",
                "aula": "B-4", "fecha_inicio": "2025-11-10",
                "matriculas": "\n".join(students),
                **{f"motivo_{m}": f"Corte 2: {g:.1f}" for m, g in students.items()}}
        created = client.post("/staff/asesorias", data=form, follow_redirects=False)
        assert created.status_code == 303, created.text
        twice = client.post("/staff/asesorias", data=form)
        assert twice.status_code == 422 and "ya tiene asesoría de" in twice.text
        stranger = client.post("/staff/asesorias", data={
            **form, "clave_modulo": "OTRO-1", "matriculas": OTHER_STUDENT})
        assert stranger.status_code == 422 and f"{OTHER_STUDENT} no es alumno del plantel 165" \
            in stranger.text
        book = load_workbook(io.BytesIO(client.get(
            f"/staff/asesorias/f05.xlsx?periodo={PERIODO}").content))
        sheet = book.active
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
        header = [c.value for c in sheet[1]]
        rows = [dict(zip(header, (c.value for c in r), strict=True))
                for r in sheet.iter_rows(min_row=2)]
        assert {r["Matrícula"] for r in rows} == set(students)
        assert {r["Motivo de la asignación"] for r in rows} == {
            f"Corte 2: {g:.1f}" for g in students.values()}
        assert {(r["Asesor(a)"], r["Plantel"], r["Periodo"]) for r in rows} == {
            ("MTRA. LUZ PAZ", "165", PERIODO)}
        text = pdf_text(client.get(f"/staff/asesorias/f05.pdf?periodo={PERIODO}").content,
                        tmp_path)
    assert "30-524-PO-04-F05" in text and "MTRA. LUZ PAZ" in text
    assert all(m in text for m in students)
    assert count(followup_data, Asesoria) == 1


def test_review_meetings_minutes_and_history(conalep_app: Any, followup_data: Any,
                                             tmp_path: Path) -> None:
    at_risk = expected_at_risk(1)
    assert at_risk  # the sample has students at risk in corte 1
    with as_user(conalep_app, "dg.escolares") as (client, _):
        page = client.get(f"/staff/reuniones?plantel=165&periodo={PERIODO}&numero=1")
        box = page.text.split('id="matriculas"')[1].split("</textarea>")[0]
        assert set(re.findall(r"\d{10}", box)) == at_risk
        chosen = sorted(at_risk)[:3]
        form = {"csrf": csrf_of(page.text), "clave_plantel": "165", "periodo": PERIODO,
                "numero": "1", "fecha": "2025-10-06", "hora": "10:30",
                "lugar": "Sala de juntas del plantel", "matriculas": "\n".join(chosen)}
        created = client.post("/staff/reuniones", data=form, follow_redirects=False)
        assert created.status_code == 303, created.text
        url = created.headers["location"].split("?")[0]
        again = client.post("/staff/reuniones", data=form)
        assert again.status_code == 422 and "ya fue convocada" in again.text
        nowhere = client.post("/staff/reuniones", data={**form, "clave_plantel": "999"})
        assert nowhere.status_code == 422 and "el plantel 999 no existe" in nowhere.text
        fourth = client.post("/staff/reuniones", data={**form, "numero": "4"})
        assert fourth.status_code == 422 and "Número de reunión" in fourth.text
        csrf = csrf_of(client.get(url).text)
        closed_early = client.post(f"{url}/cerrar", data={"csrf": csrf})
        assert closed_early.status_code == 422 and "registre la asistencia" in closed_early.text
        assert client.post(f"{url}/asistencia", data={
            "csrf": csrf, "asistentes": "Ana Ruiz — Jefa de Servicios Escolares\n"
                                        "Luis Paz — Psicopedagogía"}).status_code == 200
        bad = client.post(f"{url}/acuerdos", data={"csrf": csrf, "texto": "x",
                                                   "responsable": "Tutor",
                                                   "matriculas": OTHER_STUDENT})
        assert bad.status_code == 422 and "no está(n) entre los alumnos revisados" in bad.text
        assert client.post(f"{url}/acuerdos", data={
            "csrf": csrf, "texto": "Canalizar a asesoría de matemáticas",
            "responsable": "Formación Técnica", "matriculas": chosen[0]}).status_code == 200
        assert client.post(f"{url}/acuerdos", data={
            "csrf": csrf, "texto": "Llamar a las personas tutoras",
            "responsable": "Orientación"}).status_code == 200
        assert "Minuta cerrada" in client.post(f"{url}/cerrar", data={"csrf": csrf}).text
        assert client.post(f"{url}/acuerdos", data={"csrf": csrf, "texto": "tarde",
                                                    "responsable": "x"}).status_code == 409
        text = pdf_text(client.get(f"{url}/minuta.pdf").content, tmp_path)
    for words in ("Minuta de la reunión de revisión", "1 de 3", "Ana Ruiz", "Psicopedagogía",
                  "Canalizar a asesoría de matemáticas", "General", *chosen):
        assert words in text, words
    with as_user(conalep_app, "plantel.165") as (client, csrf):
        history = client.get(f"/staff/alumnos/{chosen[0]}/seguimiento").text
        assert "Canalizar a asesoría de matemáticas" in history
        assert "Llamar a las personas tutoras" not in history  # general: in the minutes only
        other = client.get(f"/staff/alumnos/{chosen[1]}/seguimiento").text
        assert "Canalizar a asesoría" not in other and "Ningún acuerdo le concierne" in other
        refused = client.post("/staff/reuniones", data={**form, "csrf": csrf, "numero": "2"})
        assert refused.status_code == 403
    with followup_data() as session:
        (meeting,) = session.scalars(select(Reunion))
        assert meeting.estado == "CELEBRADA" and len(meeting.acuerdos) == 2


def test_terminal_efficiency_page_chart_cli_and_junta(conalep_app: Any, followup_data: Any,
                                                      conalep_settings: Any,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    expected = expected_efficiency()
    assert expected  # the sample's 2022-2025 generation has concluded
    monkeypatch.setenv("CONALEP_DATA_DIR", str(conalep_settings.data_dir))
    monkeypatch.setenv("CONALEP_DATABASE_URL", conalep_settings.database_url)
    from conalep.cli import main

    result = CliRunner().invoke(main, ["eficiencia", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == expected
    out = tmp_path / "junta.pdf"
    result = CliRunner().invoke(main, ["informe-junta", "--trimestre", "2025-T4",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    bad = CliRunner().invoke(main, ["informe-junta", "--trimestre", "2025-4", "--out",
                                    str(tmp_path / "x.pdf")])
    assert bad.exit_code == 1 and "--trimestre" in bad.output and "AAAA-T1" in bad.output
    junta_cli = pdf_text(out.read_bytes(), tmp_path)
    with as_user(conalep_app, "dg.escolares") as (client, _):
        page = client.get("/staff/eficiencia").text
        svg = client.get("/staff/eficiencia/grafica.svg")
        junta_web = pdf_text(client.get("/staff/eficiencia/junta.pdf?trimestre=2025-T4")
                             .content, tmp_path)
        assert client.get("/staff/eficiencia/junta.pdf?trimestre=T4").status_code == 422
    assert svg.headers["content-type"].startswith("image/svg+xml") and "<svg" in svg.text
    assert "egresados" in page.lower() and "Inscritos en primer semestre" in page
    table = page.split('id="eficiencia"')[1].split("</table>")[0]
    for e in expected:
        value = f"{e['eficiencia']:.2f}"
        row = next(r for r in table.split("<tr>") if e["generacion"] in r
                   and str(e["clave_carrera"]) in r)
        assert f"<td>{e['egresados']}</td><td>{e['inscritos_primer_semestre']}</td>" \
               f"<td>{value}</td>" in row
        assert value in svg.text
        for text in (junta_cli, junta_web):
            line = next(li for li in text.splitlines() if e["generacion"] in li
                        and str(e["clave_carrera"]) in li)
            assert value in line and str(e["inscritos_primer_semestre"]) in line
    assert "en curso" in table  # the generations still studying have no percentage
    assert "Junta Directiva" in junta_web and "01/10/2025" in junta_web


def test_campus_accounts_stay_in_their_plantel(conalep_app: Any, followup_data: Any) -> None:
    """Every follow-up route, for a record of plantel 165 opened by plantel 200's account."""
    with as_user(conalep_app, "plantel.165") as (client, csrf):
        baja = record_baja(client, csrf).headers["location"].split("?")[0]
        page = client.get(f"/staff/asesorias?periodo={PERIODO}")
        created = client.post("/staff/asesorias", data={
            "csrf": csrf_of(page.text), "clave_plantel": "165", "periodo": PERIODO,
            "clave_modulo": "ENFE-51", "modulo": "Ciencias sociales III", "asesor": "MTRO. X",
            "horario": "Martes 13:00", "fecha_inicio": "2025-11-10", "matriculas": STUDENT},
            follow_redirects=False)
        tutoring = created.headers["location"].split("?")[0]
    with as_user(conalep_app, "dg.escolares") as (client, _):
        page = client.get("/staff/reuniones")
        meeting = client.post("/staff/reuniones", data={
            "csrf": csrf_of(page.text), "clave_plantel": "165", "periodo": PERIODO,
            "numero": "2", "fecha": "2025-11-07",
            "hora": "09:00", "lugar": "Sala", "matriculas": STUDENT},
            follow_redirects=False).headers["location"].split("?")[0]
    with as_user(conalep_app, "plantel.200") as (client, csrf):
        for url in (baja, f"{baja}/solicitud", f"{baja}/f04.pdf", tutoring, meeting,
                    f"{meeting}/minuta.pdf", f"/staff/alumnos/{STUDENT}/seguimiento"):
            assert client.get(url).status_code == 404, url
        for url in ("/staff/bajas?plantel=165", "/staff/bajas/f04.pdf?plantel=165",
                    "/staff/asesorias?plantel=165", "/staff/asesorias/f05.pdf?plantel=165",
                    "/staff/asesorias/f05.xlsx?plantel=165", "/staff/reuniones?plantel=165",
                    "/staff/eficiencia/junta.pdf"):
            assert client.get(url).status_code == 403, url
        for url, data in ((f"{baja}/atencion", {"fecha_atencion": "2025-11-05"}),
                          (f"{meeting}/acuerdos", {"texto": "x", "responsable": "y"}),
                          (f"{meeting}/asistencia", {"asistentes": "A — B"}),
                          (f"{meeting}/cerrar", {})):
            assert client.post(url, data={"csrf": csrf, **data}).status_code in (403, 404), url
        own = client.get("/staff/bajas?estado=todas").text
        assert STUDENT not in own
        assert "165" not in client.get("/staff/eficiencia").text.split('id="eficiencia"')[1] \
            .split("</table>")[0]
        assert STUDENT not in client.get("/staff/asesorias").text
    with as_user(conalep_app, "director.165") as (client, csrf):
        assert client.get(baja).status_code == 200
        assert client.post(f"{baja}/atencion", data={"csrf": csrf}).status_code == 403
    with as_user(conalep_app, "dg.ft") as (client, _):
        assert client.get(meeting).status_code == 200
        assert client.get("/staff/eficiencia/junta.pdf").status_code == 403
    with followup_data() as session:
        assert session.get(Baja, int(baja.rsplit("/", 1)[1])).estado == "PENDIENTE"
        assert not session.scalars(select(Reunion)).one().acuerdos


def test_json_api_same_scope_and_figures_as_pages_and_cli(
        conalep_app: Any, followup_data: Any, conalep_settings: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """/staff/api/seguimiento: the figures of ``conalep siseac --json`` and ``conalep
    eficiencia --json``; a campus account gets 403 for another plantel; DG's home page
    counts the bajas it has not opened yet."""
    monkeypatch.setenv("CONALEP_DATA_DIR", str(conalep_settings.data_dir))
    monkeypatch.setenv("CONALEP_DATABASE_URL", conalep_settings.database_url)
    from fastapi.testclient import TestClient

    from conalep.cli import main

    def cli(*args: str) -> Any:
        result = CliRunner().invoke(main, list(args))
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    api = "/staff/api/seguimiento"
    state = cli("siseac", "--periodo", PERIODO, "--corte", "2", "--json")
    campus = cli("siseac", "--periodo", PERIODO, "--corte", "2", "--plantel", "165", "--json")
    assert {s["matricula"] for s in campus["at_risk"]} == set(expected_at_risk(2))
    with TestClient(conalep_app) as anonymous:
        assert anonymous.get(f"{api}/eficiencia").status_code == 401
    with as_user(conalep_app, "plantel.165") as (client, csrf):
        assert client.get(f"{api}/siseac?periodo={PERIODO}&corte=2").json() == campus
        assert client.get(f"{api}/en-riesgo?periodo={PERIODO}&corte=2").json()["at_risk"] \
            == campus["at_risk"]
        assert client.get(f"{api}/siseac?periodo={PERIODO}&corte=3").status_code == 404
        assert record_baja(client, csrf).status_code == 303
        own = client.get(f"{api}/bajas").json()
        assert [b["matricula"] for b in own] == [STUDENT] and "curp" not in own[0]
    with as_user(conalep_app, "plantel.200") as (client, _):
        for url in (f"{api}/siseac?periodo={PERIODO}&corte=2&plantel=165",
                    f"{api}/en-riesgo?periodo={PERIODO}&corte=2&plantel=165",
                    f"{api}/bajas?plantel=165", f"{api}/eficiencia?plantel=165"):
            answer = client.get(url)
            assert answer.status_code == 403 and answer.json()["error"]["code"], url
        assert client.get(f"{api}/bajas?estado=todas").json() == []
        assert all(r["clave_plantel"] == "200" for r in client.get(f"{api}/eficiencia").json())
    with as_user(conalep_app, "dg.escolares") as (client, _):
        assert client.get(f"{api}/siseac?periodo={PERIODO}&corte=2").json() == state
        assert client.get(f"{api}/siseac?periodo={PERIODO}&corte=2&plantel=165").json() \
            == campus
        assert client.get(f"{api}/eficiencia").json() == cli("eficiencia", "--json") \
            == expected_efficiency()
        new = client.get(f"{api}/bajas?estado=nuevas").json()
        assert [b["matricula"] for b in new] == [STUDENT]
        home = client.get("/staff").text
        assert re.search(r'id="bajas-nuevas"><a href="/staff/bajas\?estado=nuevas"><strong>1'
                         r'</strong> baja nueva', home), home
        listed = client.get("/staff/bajas?estado=nuevas").text
        assert STUDENT in listed and 'class="nueva"' in listed
        assert client.get(f"/staff/bajas/{new[0]['folio']}").status_code == 200  # DG opens it
        assert client.get(f"{api}/bajas?estado=nuevas").json() == []
        assert "No hay bajas nuevas" in client.get("/staff").text
        assert client.get(f"{api}/bajas?estado=otra").status_code == 422
