"""The DRSE offices (issue 13) walked in a real browser (Debian's chromium under Playwright)
against central on SQLite and PostgreSQL, fed by real stations (the ``station`` CLI, enrolled
with codes, syncing over HTTP):

- procedure 1: a small school's oficio from its station, returned once by Planeación with a
  reason the school reads at its next sync, sent again, checked, validated against central's
  enrolment (a student withdrawn in SCEJAL named as not covered), material decided from the
  stock central knows, printed on the DRSE station as the batch it received, delivered with
  the signed acknowledgement, shown on central;
- procedure 2: a big school's print refused before the stock goes below zero, its supply
  request (never a negative stock on paper) approved, shipped and closed by the station's
  receipt; and a request for a card unattended past the setting escalated to the DRSE page.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import require_part
from plugin_central import enrollment_code, import_demo
from plugin_conalep import office_page, sign_in_page
from plugin_lifecycle import cli, cli_json, pdf_text, pdf_words, refused
from sqlalchemy import update

from central.crud.staff import create_account
from central.crud.stations import now_utc
from central.models import Student
from central.settings import CentralSettings
from foundation.sqldb import make_engine, make_sessionmaker

PASSWORD = "contraseña de pruebas"
TEPA, ZAPOPAN = "14EPR9902E", "14DPR9901D"
ALTOS_SUR, CENTRO_2 = "ALTOS SUR (TEPATITLÁN)", "CENTRO 2 ZAPOPAN"


@pytest.fixture
def central(live_central: Any, central_settings: CentralSettings, tmp_path: Path) -> Any:
    """Central with the demo roster and its photos, and the offices' accounts."""
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
        for user, region, office in (("plan", ALTOS_SUR, "planeacion"),
                                     ("cesc", ALTOS_SUR, "control_escolar"),
                                     ("tec", ALTOS_SUR, "tecnologias"),
                                     ("zapo", CENTRO_2, None)):
            create_account(session, username=user, password=PASSWORD, role="drse",
                           region=region, display_name=user.title(), now=now_utc(),
                           office=office)
    yield live_central, sessions
    engine.dispose()


def station(url: str, folder: Path, *before_sync: tuple[str, ...], **target: str) -> Path:
    """A station enrolled with a code from central, then (after ``before_sync`` commands)
    synced: roster, photos, folios."""
    cli(folder, "enroll", "--central", url, "--code", enrollment_code(url, **target))
    for command in before_sync:
        cli(folder, *command)
    cli(folder, "sync")
    return folder


def signed_in(chromium: Any, url: str, user: str) -> Any:
    return sign_in_page(office_page(chromium), url, user, PASSWORD)


def _state(page: Any) -> str:
    return str(page.inner_text("#estado"))


def _oficio(folder: Path, number: str, tmp: Path) -> int:
    """The school's oficio from the CLI, its PDF read back, signed "scan" attached."""
    pdf = tmp / f"oficio-{number.replace('/', '-')}.pdf"
    made = cli_json(folder, "oficio", "create", "--number", number, "--director",
                    "Profra. Elena Ruiz Soto", "--pdf", str(pdf))
    words = pdf_words(pdf)
    assert "Solicitud de elaboración de credenciales para alumnos" in words
    assert f"Oficio núm.: {number}" in words and "Profra. Elena Ruiz Soto" in words
    assert "Credenciales nuevas (9)" in words, words
    cli(folder, "oficio", "scan", "--id", str(made["id"]), "--file", str(pdf))
    return int(made["id"])


def test_procedure_1_small_school_from_oficio_to_signed_delivery(
        central: Any, chromium: Any, tmp_path: Path) -> None:
    live, sessions = central
    url = live.url
    school = station(url, tmp_path / "escuela", school_cct=TEPA)
    drse = station(url, tmp_path / "drse",
                   ("supplies", "receive", "--item", "teslin", "--quantity", "20"),
                   ("supplies", "receive", "--item", "micas", "--quantity", "50"),
                   ("hologram", "receive", "--first", "AS-00001", "--last", "AS-00100"),
                   drse=ALTOS_SUR)

    plan = signed_in(chromium, url, "plan")
    plan.click("nav >> text=Solicitudes")
    assert "No hay solicitudes abiertas en su DRSE" in plan.inner_text("#solicitudes")

    # First oficio: Planeación returns it; the school reads why at its next sync.
    first = _oficio(school, "DIR/044/2026", tmp_path)
    cli(school, "sync")
    plan.reload()
    plan.click("#solicitudes a >> nth=0")
    assert "Recibida: espera la revisión de Planeación" in _state(plan)
    plan.check("input[name=contenido]")
    plan.check("input[name=firma]")
    plan.click("#revisar button[value=aceptar]")
    assert "marque que revisó el sello de la escuela" in plan.inner_text("[role=alert]")
    plan.go_back()
    plan.fill("#motivo-revision", "El oficio no trae el sello de la escuela.")
    plan.click("#revisar button[value=devolver]")
    assert "Devuelta a la escuela" in _state(plan)
    listed = cli_json(school, "oficio", "list")
    assert listed[0]["state"] == "recibida"  # central's answer comes with the next sync
    report = cli(school, "sync").output
    assert f"Solicitud de credenciales {first}: Devuelta a la escuela. Motivo: El oficio no " \
           "trae el sello de la escuela." in report
    assert cli_json(school, "oficio", "list")[0]["reason"] == \
        "El oficio no trae el sello de la escuela."

    # Second oficio, sealed: accepted by Planeación.
    _oficio(school, "DIR/045/2026", tmp_path)
    cli(school, "sync")
    with sessions() as session, session.begin():  # SCEJAL: one student left the school
        gone = session.scalar(Student.__table__.select().with_only_columns(Student.curp)
                              .where(Student.cct == TEPA).order_by(Student.curp).limit(1))
        session.execute(update(Student).where(Student.curp == gone).values(estatus="BAJA"))
    plan.goto(f"{url}/staff/solicitudes")
    plan.click("#solicitudes a >> nth=0")
    assert "DIR/045/2026" in plan.inner_text("main")
    with plan.expect_download() as scan:
        plan.click("#ver-oficio")
    assert scan.value.suggested_filename.endswith(".pdf")
    for box in ("contenido", "firma", "sello"):
        plan.check(f"input[name={box}]")
    plan.click("#revisar button[value=aceptar]")
    assert "Revisada por Planeación" in _state(plan)
    assert plan.url.endswith("/revisar")  # the answer to the form's POST
    request_url = plan.url.removesuffix("/revisar")
    csrf = plan.get_attribute("input[name=csrf]", "value")
    wrong = plan.request.post(f"{request_url}/validar",
                              form={"csrf": csrf, "decision": "validar"})
    assert wrong.status == 403 and "se necesita una cuenta de Control Escolar" in wrong.text()

    ce = signed_in(chromium, url, "cesc")
    ce.goto(request_url)
    assert ce.inner_text("#proceden-credencial") == "8"
    assert "su estatus en SCEJAL es «BAJA»" in ce.inner_text("#no-proceden")
    ce.click("#validar button[value=validar]")
    assert "Validada por Control Escolar" in _state(ce)
    assert "no proceden 1" in ce.inner_text("#pasos")

    tec = signed_in(chromium, url, "tec")
    tec.goto(request_url)
    material = tec.inner_text("#material")
    assert "hojas Teslin\t1\t20" in material and "hologramas\t8\t100" in material
    tec.click("#decidir-material button[value=suficiente]")
    assert "En producción en la estación de la DRSE" in _state(tec)

    # The DRSE station receives the validated list as its batch, prints and delivers it.
    assert "Lotes nuevos para producir: 1" in cli(drse, "sync").output
    batch = cli_json(drse, "batch", "list")
    number = int(request_url.split("/")[-1])
    assert batch == [{"request": number, "cct": TEPA, "cycle": "2026-2027", "cards": 8,
                      "holograms": 0}]
    assert [o["central_number"] for o in cli_json(school, "oficio", "list")][1] == number
    printed = cli_json(drse, "print", "--batch", str(batch[0]["request"]), "--pdf",
                       str(tmp_path / "lote.pdf"))
    assert sum(len(s["folios"]) for s in printed["sheets"]) == 8
    cli(drse, "confirm", *[a for s in printed["sheets"] for a in ("--sheet", str(s["sheet"]))])
    cli(drse, "hologram", "assign", "--school", TEPA, "--first-serial", "AS-00001")
    delivery = cli_json(drse, "delivery", "create", "--school", TEPA, "--by", "Rosa Díaz")
    scan_file = tmp_path / "acuse-firmado.jpg"
    scan_file.write_bytes(b"\xff\xd8\xff synthetic scan")
    cli(drse, "delivery", "close", "--id", str(delivery["delivery"]), "--received-by",
        "Profra. Elena Ruiz Soto", "--scan", str(scan_file))
    assert "Acuses de entrega firmados enviados: 1." in cli(drse, "sync").output

    tec.goto(request_url)
    assert "Entregada con acuse de recibo firmado" in _state(tec)
    steps = tec.inner_text("#pasos")
    for who in ("Plan (Planeación)", "Cesc (Control Escolar)", "Tec (Tecnologías)",
                "Estación de la DRSE"):
        assert who in steps, who
    assert "Recibió Profra. Elena Ruiz Soto" in tec.inner_text("#entregas")
    tec.click("nav >> text=Entregas")
    row = tec.inner_text("#entregas")
    assert TEPA in row and "Recibió Profra. Elena Ruiz Soto" in row
    with tec.expect_download() as acuse:
        tec.click("#entregas a.ver-acuse")
    assert Path(acuse.value.path()).read_bytes() == scan_file.read_bytes()
    acuse_url = tec.get_attribute("#entregas a.ver-acuse", "href")
    assert "Entregada con acuse" in cli(school, "sync").output
    assert [o["state"] for o in cli_json(school, "oficio", "list")] == ["devuelta",
                                                                        "entregada"]
    # Another DRSE sees none of it.
    zapo = signed_in(chromium, url, "zapo")
    zapo.goto(f"{url}/staff/solicitudes?estado=todas")
    assert "No hay solicitudes" in zapo.inner_text("#solicitudes")
    assert zapo.goto(request_url).status == 403
    assert zapo.goto(f"{url}{acuse_url}").status == 403
    for page in (plan, ce, tec, zapo):
        page.context.close()


def test_procedure_2_supplies_from_station_to_receipt_and_unattended_requests(
        central: Any, chromium: Any, tmp_path: Path) -> None:
    live, _sessions = central
    url = live.url
    school = station(url, tmp_path / "escuela", school_cct=ZAPOPAN)
    pending = cli_json(school, "pending", "--school", ZAPOPAN)
    curps = [s["curp"] for s in pending["needs_card"]]
    old = date.today() - timedelta(days=20)
    cli(school, "request", "record", "--curp", curps[-1], "--requested-by", "tutor", "--by",
        "Laura Méndez", "--date", f"{old:%d/%m/%Y}")

    cli(school, "supplies", "receive", "--item", "teslin", "--quantity", "1")
    cli(school, "supplies", "receive", "--item", "micas", "--quantity", "20")
    nine = [a for c in curps[:9] for a in ("--curp", c)]
    warned = refused(school, "print", "--school", ZAPOPAN, *nine, "--pdf",
                     str(tmp_path / "x.pdf"))
    assert "usa 2 hojas Teslin y sólo hay 1 registradas (falta 1)" in warned
    assert "--despite-stock" in warned
    assert not (tmp_path / "x.pdf").exists()
    cli(school, "print", "--school", ZAPOPAN, *nine, "--despite-stock", "--pdf",
        str(tmp_path / "a.pdf"))
    pdf = tmp_path / "solicitud.pdf"
    req = cli_json(school, "supplies", "request", "--no-printer", "--director",
                   "Mtro. Jorge Aceves", "--pdf", str(pdf))
    assert req["stock"]["teslin"] == 0
    table = pdf_text(pdf)
    teslin = next(line for line in table.splitlines() if line.strip().startswith("hojas Teslin"))
    assert teslin.split()[-2] == "0" and "-1" not in table
    assert "Se usaron 1 hojas Teslin más de las registradas" in pdf_words(pdf)
    cli(school, "sync")

    zapo = signed_in(chromium, url, "zapo")
    zapo.click("nav >> text=Sin atender")
    text = zapo.inner_text("#sin-atender")
    assert "Laura Méndez" in text and "20" in text and ZAPOPAN in text
    zapo.click("nav >> text=Material")
    assert "30 teslin" not in zapo.inner_text("#material-lista")
    zapo.click("#material-lista a >> nth=0")
    detail = zapo.url
    assert "Recibida en la DRSE" in zapo.inner_text("#estado")
    assert "Credenciales expedidas\t9" in zapo.inner_text("#justificacion")
    assert "hojas Teslin\t0\t" in zapo.inner_text("#cantidades")
    zapo.click("#rechazar button")
    assert "Para rechazar escriba el motivo" in zapo.inner_text("[role=alert]")
    zapo.goto(detail)
    assert "Recibida en la DRSE" in zapo.inner_text("#estado")  # nothing changed
    for item, quantity in (("teslin", "30"), ("micas", "0"), ("hologramas", "0"),
                           ("tinta", "0")):
        zapo.fill(f"#q_{item}", quantity)
    zapo.click("#aprobar button")
    assert "Aprobada" in zapo.inner_text("#estado")
    zapo.click("#enviar button")
    assert "Escriba la referencia del envío" in zapo.inner_text("[role=alert]")
    zapo.goto(detail)
    zapo.fill("#referencia", "VALE-CZ-0912")
    zapo.click("#enviar button")
    assert "Enviada" in zapo.inner_text("#estado")

    out = cli(school, "sync").output
    assert f"Solicitud de material {req['request']}: Enviada" in out
    news = cli_json(school, "supplies", "requests")
    assert news[0]["approved"] == {"teslin": 30}
    assert news[0]["shipped_reference"] == "VALE-CZ-0912"
    cli(school, "supplies", "receive", "--request", str(req["request"]), "--item", "teslin",
        "--quantity", "30", "--reference", "VALE-CZ-0912")
    assert "Recibida en la estación" in cli(school, "sync").output
    zapo.goto(detail)
    assert "Recibida en la estación" in zapo.inner_text("#estado")
    assert "recepcion" in zapo.inner_text("#pasos")
    stock = json.loads(cli(school, "supplies", "status", "--no-printer", "--json").output)
    assert {s["item"]: s["stock"] for s in stock["stock"]}["teslin"] == 29
    zapo.context.close()
