"""Issue 13 end to end in headless Chromium, on SQLite and PostgreSQL, with a real station
(the ``station`` CLI, enrolled with a code) feeding central through sync:

- the state's progress page per DRSE → school, its SVG chart and its XLSX (read back with
  openpyxl) show the figures counted independently from the station's own ledger and the
  SCEJAL export; a re-sync of the whole ledger (a restored station) changes none of them;
- a problem report written at the station is turned over to DGTI by its DRSE, DGTI answers on
  its page, the answer is on the DRSE's page and at the station after its next sync;
- a question asked at the station reaches its DRSE, is turned over to the state, answered
  there, and the answer is read at the station (``station question list``);
- scope: another DRSE's progress, XLSX, question and report answer 403 with the reason in
  Spanish, and nothing changes; DGTI answers only escalations; only the state edits the
  directory.
"""

from __future__ import annotations

import json
import sqlite3
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from plugin_central import enrollment_code, import_demo
from plugin_conalep import office_page, sign_in_page
from sqlalchemy import func, select

from central.models import ReportEscalation, SupportQuestion
from central.settings import CentralSettings
from foundation.sqldb import make_engine, make_sessionmaker
from station.cli import main as station_cli
from station.services.demo_data import demo_export_rows

PASSWORD = "contraseña de pruebas"
SCHOOL, DRSE, OTHER = "14DPR9901D", "CENTRO 2 ZAPOPAN", "ALTOS SUR (TEPATITLÁN)"


def station(data: Path, *args: str) -> str:
    out = CliRunner().invoke(station_cli, ["--data", str(data), *args], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    return str(out.output)


def _staff(settings: CentralSettings) -> None:
    from central.cli import main as central_cli

    env = {"CENTRAL_DATA_DIR": str(settings.data_dir),
           "CENTRAL_DATABASE_URL": settings.database_url}
    for args in (["ana", "--role", "estatal", "--name", "Ana Coordinación"],
                 ["zapo", "--role", "drse", "--region", DRSE, "--name", "Zoe Control Escolar"],
                 ["beto", "--role", "drse", "--region", OTHER],
                 ["tic", "--role", "dgti", "--name", "Tomás DGTI"]):
        out = CliRunner().invoke(central_cli, ["staff", "add", *args, "--password-stdin"],
                                 input=PASSWORD + "\n", env=env)
        assert out.exit_code == 0, out.output
    out = CliRunner().invoke(central_cli, ["import-photos", str(settings.data_dir.parent
                                                              / "export" / "fotos")], env=env)
    assert out.exit_code == 0, out.output


def _signed_in(chromium: Any, url: str, username: str) -> Any:
    return sign_in_page(office_page(chromium), url, username, PASSWORD)


def _post(page: Any, url: str, path: str, **form: str) -> Any:
    """A form post in this browser session (its cookie and CSRF token), as a forged page
    would send it."""
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    return page.request.post(f"{url}{path}", form={"csrf": csrf, **form})


def _ledger_truth(data: Path) -> dict[str, int]:
    """The school's figures counted from the station's own ledger and the SCEJAL export."""
    enrolled = {a["curp"] for a in demo_export_rows(students=30)[1]
                if a["cct"] == SCHOOL and a["estatus"] == "INSCRITO"}
    with sqlite3.connect(data / "ledger.sqlite3") as conn:
        carded = {c for (c,) in conn.execute("SELECT curp FROM cards WHERE status = 'active'")}
        declined = {c for (c,) in conn.execute(
            "SELECT curp FROM declines WHERE withdrawn_on IS NULL")}
        requested = {c for (c,) in conn.execute("SELECT curp FROM card_requests")}
        holograms = {c for (c,) in conn.execute(
            "SELECT curp FROM hologram_uses WHERE state = 'applied'")}
    with_card = enrolled & carded
    return {"enrolled": len(enrolled), "with_card": len(with_card),
            "declined": len((enrolled & declined) - carded),
            "pending": len(enrolled - carded - declined),
            "holograms": len(enrolled & holograms),
            "requests_open": len((enrolled & requested) - carded)}


def _row(page: Any, key: str) -> dict[str, str]:
    headers = page.locator("#avance tr").first.locator("th").all_inner_texts()
    cells = page.locator(f"#avance tr[data-clave='{key}'] > *").all_inner_texts()
    return dict(zip(headers, cells, strict=True))


def _shows(row: dict[str, str], truth: dict[str, int]) -> None:
    assert row["Inscritos"] == str(truth["enrolled"])
    assert row["Con credencial"] == str(truth["with_card"])
    assert row["Rechazaron"] == str(truth["declined"])
    assert row["Pendientes"] == str(truth["pending"])
    assert row["Hologramas del ciclo"] == str(truth["holograms"])
    assert row["Solicitudes abiertas"] == str(truth["requests_open"])


def test_progress_support_and_scope_in_a_browser(
        chromium: Any, live_central: Any, central_settings: CentralSettings,
        tmp_path: Path) -> None:
    from station.context import open_station
    from station.services import diagnostics

    url = live_central.url
    import_demo(central_settings, central_settings.data_dir.parent / "export", photos=True)
    _staff(central_settings)
    data = tmp_path / "station"
    station(data, "enroll", "--central", url, "--code",
            enrollment_code(url, school_cct=SCHOOL))
    station(data, "sync")
    curps = sorted(a["curp"] for a in demo_export_rows(students=30)[1]
                   if a["cct"] == SCHOOL and a["estatus"] == "INSCRITO")
    station(data, "print", "--school", SCHOOL, "--curp", curps[0], "--curp", curps[1],
            "--pdf", str(tmp_path / "planilla.pdf"))
    station(data, "hologram", "receive", "--first", "H000100", "--last", "H000109",
            "--by", "Directora Ana")
    station(data, "hologram", "apply", "--serial", "H000100", "--curp", curps[0],
            "--by", "Directora Ana")
    station(data, "decline", "record", "--curp", curps[2], "--declared-by", "tutor",
            "--by", "Directora Ana")
    station(data, "request", "record", "--curp", curps[3], "--requested-by", "tutor",
            "--by", "Directora Ana")
    asked = json.loads(station(data, "question", "ask", "¿Cuándo llegan los hologramas del "
                               "ciclo para los de nuevo ingreso?", "--by", "Directora Ana",
                               "--json"))
    opened = open_station(data)
    bundle = diagnostics.build_bundle(opened, category="impresora",
                                      description="La impresora marca atasco sin papel",
                                      printer=None)
    opened.close()
    assert "Sincronización completa" in station(data, "sync")
    truth = _ledger_truth(data)
    assert truth["with_card"] == 2 and truth["declined"] == 1 and truth["holograms"] == 1

    # --- the state's progress page, drill-down, chart and XLSX -------------------------------
    ana = _signed_in(chromium, url, "ana")
    ana.click("nav >> text=Avance")
    _shows(_row(ana, DRSE), truth)
    assert ana.locator("#grafica svg rect.barra").count() >= 3
    ana.click(f"#avance >> text={DRSE}")
    assert ana.locator("h1").inner_text().endswith(f"DRSE {DRSE}")
    _shows(_row(ana, SCHOOL), truth)
    with ana.expect_download() as got:
        ana.click("#exportar")
    book = load_workbook(BytesIO(Path(got.value.path()).read_bytes()))
    sheet = [[c.value for c in r] for r in book["Escuelas"].iter_rows()]
    school = dict(zip(sheet[0], next(r for r in sheet if r[1] == SCHOOL), strict=True))
    assert (school["Inscritos"], school["Con credencial"], school["Pendientes"],
            school["Rechazaron"], school["Hologramas del ciclo"],
            school["Solicitudes abiertas"]) == (
        truth["enrolled"], truth["with_card"], truth["pending"], truth["declined"],
        truth["holograms"], truth["requests_open"])
    assert [r[0] for r in book["DRSE"].iter_rows(values_only=True)][1:] == [DRSE]

    # A restored station sends its whole ledger again: central's figures do not move.
    with sqlite3.connect(data / "ledger.sqlite3") as conn:
        conn.execute("UPDATE sync_state SET value = '0' WHERE key = 'acked_through'")
    station(data, "sync")
    ana.reload()
    _shows(_row(ana, SCHOOL), truth)

    # --- DRSE scope: its own DRSE only ------------------------------------------------------
    beto = _signed_in(chromium, url, "beto")
    beto.click("nav >> text=Avance")
    assert beto.locator("h1").inner_text().endswith(f"DRSE {OTHER}")
    assert beto.locator(f"#avance tr[data-clave='{SCHOOL}']").count() == 0
    for path in (f"/staff/avance/drse?nombre={DRSE}", f"/staff/avance/exportar.xlsx?drse={DRSE}"):
        answer = beto.goto(f"{url}{path}")
        assert answer.status == 403
        assert f"Su cuenta es de la DRSE «{OTHER}»" in beto.content()

    # --- a problem report turned over to DGTI and answered -----------------------------------
    report_id = _report_id(central_settings)
    beto.goto(f"{url}/staff/soporte")
    refused = _post(beto, url, f"/staff/soporte/reportes/{report_id}/turnar", nota="mío")
    assert refused.status == 403 and "no le corresponde" in refused.text()
    zapo = _signed_in(chromium, url, "zapo")
    zapo.click("nav >> text=Reportes")
    zapo.fill(f"#reporte-{report_id} form[action$='/turnar'] input[name=nota]",
              "Se limpió el rodillo y sigue el atasco")
    zapo.click(f"#reporte-{report_id} >> text=Turnar a DGTI")
    assert "se turnó a DGTI" in zapo.locator(".hecho").inner_text()
    not_dgti = _post(zapo, url, f"/staff/soporte/reportes/{report_id}/responder",
                     respuesta="yo mismo")
    assert not_dgti.status == 403 and "Sólo DGTI" in not_dgti.text()
    tic = _signed_in(chromium, url, "tic")
    assert tic.goto(f"{url}/staff/avance/drse?nombre={DRSE}").status == 403
    tic.goto(f"{url}/staff/soporte")
    assert "Se limpió el rodillo" in tic.locator(f"#turnado-{report_id}").inner_text()
    tic.fill(f"#turnado-{report_id} textarea", "Cambie el rodillo con la refacción que le "
                                               "enviamos por paquetería")
    tic.click(f"#turnado-{report_id} >> text=Responder a la DRSE y a la estación")
    assert "Respuesta enviada" in tic.locator(".hecho").inner_text()
    zapo.goto(f"{url}/staff/reportes?estado=todos")
    assert "Respuesta de DGTI" in zapo.locator(f"#reporte-{report_id}").inner_text()

    # --- the question: school -> DRSE -> state -> school -------------------------------------
    question_id = _question_id(central_settings)
    beto.goto(f"{url}/staff/soporte")
    assert beto.locator(f"#pregunta-{question_id}").count() == 0
    foreign = _post(beto, url, f"/staff/soporte/preguntas/{question_id}/responder",
                    respuesta="No sé")
    assert foreign.status == 403 and f"la DRSE «{DRSE}» no le corresponde" in foreign.text()
    zapo.goto(f"{url}/staff/soporte")
    assert "nuevo ingreso" in zapo.locator(f"#pregunta-{question_id}").inner_text()
    zapo.fill(f"#pregunta-{question_id} form[action$='/turnar'] input[name=nota]",
              "Lo decide la coordinación estatal")
    zapo.click(f"#pregunta-{question_id} >> text=Turnar a la oficina estatal")
    assert "se turnó a la oficina estatal" in zapo.locator(".hecho").inner_text()
    ana.goto(f"{url}/staff/soporte")
    ana.fill(f"#pregunta-{question_id} textarea", "Llegan con la entrega de octubre a su DRSE.")
    ana.click(f"#pregunta-{question_id} >> text=Responder")
    assert "quedó respondida" in ana.locator(".hecho").inner_text()

    assert "Respuestas nuevas de soporte: 2" in station(data, "sync")
    listed = json.loads(station(data, "question", "list", "--json"))
    mine = next(q for q in listed["questions"] if q["number"] == asked["question"])
    assert (mine["status"], mine["answer"], mine["answered_by"]) == (
        "respondida", "Llegan con la entrega de octubre a su DRSE.", "ana")
    assert listed["reports"][bundle.path.name]["answer"].startswith("Cambie el rodillo")
    assert "Respuesta de DGTI: Cambie el rodillo" in station(data, "question", "list")

    # Nothing the refusals touched changed.
    engine = make_engine(central_settings.database_url)
    with make_sessionmaker(engine)() as session:
        esc = session.get(ReportEscalation, report_id)
        q = session.get(SupportQuestion, question_id)
        assert esc is not None and esc.escalated_by == "zapo" and esc.answered_by == "tic"
        assert q is not None and (q.answered_by, q.forwarded_by) == ("ana", "zapo")
        assert session.scalar(select(func.count()).select_from(ReportEscalation)) == 1
    engine.dispose()

    # --- the directory: everyone reads it, only the state edits it ---------------------------
    zapo.click("nav >> text=Directorio DRSE")
    assert zapo.locator("#directorio input").count() == 0
    edit = _post(zapo, url, "/staff/directorio/13", name="Centro 2 Zapopan",
                 responsible="Otra persona", phones="1", extension="", email="")
    assert edit.status == 403 and "Sólo el personal estatal" in edit.text()
    ana.click("nav >> text=Directorio DRSE")
    row = ana.locator("#drse-13")  # Centro 2 Zapopan, 13th of the seed's list
    row.locator("input[name=phones]").fill("3310027200, 3310027201")
    row.locator("text=Guardar").click()
    assert "Se guardaron los datos de «Centro 2 Zapopan»" in ana.locator(".hecho").inner_text()
    zapo.reload()
    assert "3310027201" in zapo.locator("#directorio").inner_text()
    assert "Susana Espinosa Regalado" in zapo.locator("#directorio").inner_text()
    for page in (ana, beto, zapo, tic):
        page.context.close()


def _report_id(settings: CentralSettings) -> int:
    from central.models import ProblemReport

    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine)() as session:
        found = session.scalar(select(ProblemReport.id))
    engine.dispose()
    assert found is not None
    return int(found)


def _question_id(settings: CentralSettings) -> int:
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine)() as session:
        found = session.scalar(select(SupportQuestion.id))
    engine.dispose()
    assert found is not None
    return int(found)


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
