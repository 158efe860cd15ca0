"""Central's staff web pages: sign-in, sessions, CSRF, DRSE scope, and every page action.

FastAPI's TestClient over central's real database (a migrated SQLite file, and PostgreSQL for
the tests that write through the pages); the HTML answers are read, not only the status.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from plugin_central import enroll_key, import_demo, signed
from sqlalchemy import func, select

from central.crud.stations import now_utc
from central.models import (
    Card,
    Conflict,
    EnrollmentCode,
    StaffAccount,
    StaffAction,
    Station,
    Student,
)
from central.settings import CentralSettings
from foundation.credential.keys import StationKey
from foundation.sqldb import make_engine, make_sessionmaker
from station.services.demo_data import demo_export_rows, write_demo_export

PASSWORD = "contraseña de pruebas"
ZAPOPAN, TEPA = "14DPR9901D", "14EPR9902E"
TEPA_DRSE = "ALTOS SUR (TEPATITLÁN)"
sqlite_only = pytest.mark.parametrize("central_db_url", ["sqlite"], indirect=True)


class Db:
    """Reads and small fix-ups straight in central's database (what the pages wrote)."""

    def __init__(self, settings: CentralSettings) -> None:
        self.engine = make_engine(settings.database_url)
        self.sessions = make_sessionmaker(self.engine)

    def count(self, model: Any, *where: Any) -> int:
        with self.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(model).where(*where))
                       or 0)

    def actions(self, staff: str) -> list[str]:
        with self.sessions() as session:
            return list(session.scalars(select(StaffAction.action).where(
                StaffAction.staff == staff).order_by(StaffAction.id)))


@pytest.fixture
def db(central_settings: CentralSettings) -> Any:
    d = Db(central_settings)
    yield d
    d.engine.dispose()


@pytest.fixture
def accounts(central_settings: CentralSettings, tmp_path: Path) -> None:
    """The demo roster, then ``ana`` (estatal) and ``beto`` (DRSE Altos Sur) by the CLI."""
    from central.cli import main as central_cli

    import_demo(central_settings, tmp_path / "export")
    env = {"CENTRAL_DATA_DIR": str(central_settings.data_dir),
           "CENTRAL_DATABASE_URL": central_settings.database_url}
    for args in (["ana", "--role", "estatal", "--name", "Ana Pérez"],
                 ["beto", "--role", "drse", "--region", "altos sur (tepatitlán)"]):
        out = CliRunner().invoke(central_cli, ["staff", "add", *args, "--password-stdin"],
                                 input=PASSWORD + "\n", env=env)
        assert out.exit_code == 0, out.output
    assert "beto\tdrse\tALTOS SUR (TEPATITLÁN)\tactiva" in CliRunner().invoke(
        central_cli, ["staff", "list"], env=env).output


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert match, html
    return match.group(1)


def sign_in(client: Any, username: str, password: str = PASSWORD) -> Any:
    form = client.get("/staff/ingresar")
    assert form.status_code == 200
    return client.post("/staff/ingresar", data={
        "csrf": csrf_of(form.text), "usuario": username, "contrasena": password},
        follow_redirects=False)


def signed_in(client: Any, username: str) -> str:
    """Sign in; the CSRF token of the session (read from the home page)."""
    answer = sign_in(client, username)
    assert answer.status_code == 303 and answer.headers["location"] == "/staff", answer.text
    home = client.get("/staff")
    assert home.status_code == 200
    return csrf_of(home.text)


def issue_cards(api: Any, key: StationKey, cards: list[tuple[int, str]], cct: str) -> None:
    event = {"seq": 1, "prev_seq": 0, "at": "2026-09-01T10:00:00+00:00", "kind": "sheet_issued",
             "payload": {"sheet": 1, "cct": cct, "issued_on": "2026-09-01",
                         "key_id": key.key_id.hex(), "reprint_of": None, "cancelled": [],
                         "cards": [{"folio": f, "curp": c} for f, c in cards]}}
    answer = signed(api, key, "POST", "/api/v1/sync/events", body={"events": [event]})
    assert answer.status_code == 200, answer.text


def students_of(cct: str) -> list[dict[str, str]]:
    return [a for a in demo_export_rows(students=30)[1] if a["cct"] == cct]


@sqlite_only
def test_sign_in_failure_lockout_and_success(api: Any, accounts: None, db: Db) -> None:
    first = api.get("/staff", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/staff/ingresar"
    for name in ("ana", "nadie"):  # a wrong password and an unknown user read the same
        wrong = sign_in(api, name, "no es la contraseña")
        assert wrong.status_code == 401
        assert "Usuario o contraseña incorrectos." in wrong.text
        assert "sc_sesion" not in api.cookies
    for _ in range(3):
        assert sign_in(api, "ana", "tampoco es").status_code == 401
    locked = sign_in(api, "ana", "quinto intento")
    assert locked.status_code == 423
    assert re.search(r"bloqueada por 5 contraseñas incorrectas seguidas\. Intente de nuevo "
                     r"después de las \d\d:\d\d \(hora de Jalisco\)", locked.text), locked.text
    still = sign_in(api, "ana")  # the right password does not open a locked account
    assert still.status_code == 423 and "sc_sesion" not in api.cookies
    with db.sessions() as session, session.begin():
        account = session.scalar(select(StaffAccount).where(StaffAccount.username == "ana"))
        assert account is not None and account.locked_until is not None
        account.locked_until = now_utc() - timedelta(seconds=1)
    ok = sign_in(api, "ana")
    assert ok.status_code == 303
    cookie = ok.headers["set-cookie"]
    assert "sc_sesion=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/staff" in cookie and "Max-Age=28800" in cookie
    home = api.get("/staff")
    assert "Ana Pérez · Personal estatal" in home.text and "<h1>Inicio" in home.text
    assert "Importar</a>" in home.text
    assert db.actions("ana") == ["sign-in-locked", "sign-in"]


@sqlite_only
def test_tampered_cookie_and_signed_out_session_are_refused(api: Any, accounts: None) -> None:
    csrf = signed_in(api, "beto")
    cookie = api.cookies["sc_sesion"]
    body, mac = cookie.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    for forged in (
        # beto claims account 1 (ana, estatal) keeping his signature
        base64.urlsafe_b64encode(json.dumps({**payload, "a": 1}).encode()).decode()
        .rstrip("=") + "." + mac,
        body + "." + mac[:-4] + ("AAAA" if not mac.endswith("AAAA") else "BBBB"),
        "no-es-una-cookie",
    ):
        api.cookies.set("sc_sesion", forged, path="/staff")
        answer = api.get("/staff", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/staff/ingresar"
    api.cookies.set("sc_sesion", cookie, path="/staff")
    assert api.get("/staff").status_code == 200
    out = api.post("/staff/salir", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303
    api.cookies.set("sc_sesion", cookie, path="/staff")  # the old cookie, kept by a thief
    assert api.get("/staff", follow_redirects=False).status_code == 303


@sqlite_only
def test_https_cookie_is_secure_and_a_disabled_account_is_out_at_once(
        central_app: Any, accounts: None, central_settings: CentralSettings) -> None:
    from fastapi.testclient import TestClient

    from central.cli import main as central_cli

    with TestClient(central_app, base_url="https://testserver") as client:
        answer = sign_in(client, "ana")
        assert answer.status_code == 303 and "; Secure" in answer.headers["set-cookie"]
        assert client.get("/staff").status_code == 200
        out = CliRunner().invoke(central_cli, ["staff", "disable", "ana"], env={
            "CENTRAL_DATA_DIR": str(central_settings.data_dir),
            "CENTRAL_DATABASE_URL": central_settings.database_url})
        assert out.exit_code == 0 and "Cuenta deshabilitada: ana" in out.output
        assert client.get("/staff", follow_redirects=False).status_code == 303
        again = sign_in(client, "ana")
        assert again.status_code == 401 and "Usuario o contraseña incorrectos." in again.text


def test_missing_or_wrong_csrf_writes_nothing(api: Any, accounts: None, db: Db,
                                              central_app: Any) -> None:
    from fastapi.testclient import TestClient

    signed_in(api, "ana")
    with TestClient(central_app) as other:
        foreign = signed_in(other, "beto")  # a valid token, of another session
    form = {"tipo": "escuela", "cct": ZAPOPAN, "nombre": "Primaria"}
    for data in (form, {**form, "csrf": "0" * 64}, {**form, "csrf": foreign}):
        answer = api.post("/staff/estaciones/codigo", data=data)
        assert answer.status_code == 403
        assert "El formulario venció o no salió de estas páginas" in answer.text
        assert "No se guardó ningún cambio" in answer.text
    assert db.count(EnrollmentCode) == 0
    bare = TestClient(central_app)  # sign-in without the form's pre-session
    refused = bare.post("/staff/ingresar", data={"csrf": "0" * 64, "usuario": "ana",
                                                 "contrasena": PASSWORD})
    assert refused.status_code == 403 and "sc_sesion" not in bare.cookies
    assert db.actions("ana") == ["sign-in"]


def test_drse_staff_see_and_act_only_in_their_region(api: Any, accounts: None, db: Db,
                                                     tmp_path: Path) -> None:
    zap = StationKey.generate(tmp_path / "z" / "station.key")
    tepa = StationKey.generate(tmp_path / "t" / "station.key")
    enroll_key(api, zap, school=ZAPOPAN)                 # EST-00001, CENTRO 2 ZAPOPAN
    enroll_key(api, tepa, school=None, drse=TEPA_DRSE)   # EST-00002, ALTOS SUR
    zap_student = students_of(ZAPOPAN)[0]
    issue_cards(api, zap, [(1_000_000, zap_student["curp"])], ZAPOPAN)
    csrf = signed_in(api, "beto")
    home = api.get("/staff").text
    assert "EST-00002" in home and "DRSE ALTOS SUR (TEPATITLÁN)" in home
    assert "EST-00001" not in home and "CENTRO 2 ZAPOPAN" not in home
    assert "Importar</a>" not in home
    found = api.get("/staff/credenciales", params={"folio": "1000000"}).text
    assert "No se encontró ninguna credencial en su DRSE" in found
    by_name = api.get("/staff/credenciales",
                      params={"nombre": zap_student["primer_apellido"]}).text
    assert zap_student["curp"] not in by_name
    with db.sessions() as session:
        card_id = session.scalar(select(Card.id))
    refusals = [
        api.get(f"/staff/credenciales/{card_id}"),
        api.post(f"/staff/credenciales/{card_id}/revocar",
                 data={"csrf": csrf, "motivo": "no es mía", "confirmar": "si"}),
        api.post("/staff/estaciones/codigo", data={"csrf": csrf, "tipo": "escuela",
                                                   "cct": ZAPOPAN, "nombre": "X"}),
        api.post("/staff/estaciones/codigo", data={"csrf": csrf, "tipo": "drse",
                                                   "drse": "CENTRO 2 ZAPOPAN", "nombre": "X"}),
        api.post("/staff/estaciones/EST-00001/retirar",
                 data={"csrf": csrf, "motivo": "prueba", "confirmar": "si"}),
    ]
    for answer in refusals:
        assert answer.status_code == 403, answer.text
        assert "Su cuenta es de la DRSE «ALTOS SUR (TEPATITLÁN)»" in answer.text
        assert "no le corresponde" in answer.text
    imports = api.get("/staff/importar")
    assert imports.status_code == 403
    assert "Sólo el personal estatal puede importar" in imports.text
    assert db.count(EnrollmentCode) == 2  # the two the API made
    assert db.count(Station, Station.withdrawn_at.is_not(None)) == 0
    assert db.count(Card, Card.status == "active") == 1
    ok = api.post("/staff/estaciones/codigo", data={"csrf": csrf, "tipo": "escuela",
                                                    "cct": TEPA, "nombre": "Primaria 9902"})
    assert ok.status_code == 201 and "Primaria 9902" in ok.text
    assert db.actions("beto") == ["sign-in", "enrollment-code"]


def test_enrollment_code_from_the_page_enrolls_a_station_then_withdraw(
        api: Any, accounts: None, db: Db, tmp_path: Path) -> None:
    csrf = signed_in(api, "ana")
    page = api.post("/staff/estaciones/codigo", data={
        "csrf": csrf, "tipo": "escuela", "cct": ZAPOPAN, "nombre": "Dirección 9901"})
    assert page.status_code == 201
    code = re.search(r'<p class="codigo">([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</p>', page.text)
    assert code, page.text
    assert "Anótelo ahora: no se vuelve a mostrar." in page.text and "Vence el " in page.text
    key = StationKey.generate(tmp_path / "k" / "station.key")
    enrolled = signed(api, key, "POST", "/api/v1/enroll", body={
        "code": code.group(1), "public_key": base64.b64encode(key.public_bytes()).decode()})
    assert enrolled.status_code == 200 and enrolled.json()["scope"] == [ZAPOPAN]
    home = api.get("/staff").text
    assert "EST-00001" in home and "Dirección 9901" in home and "hace un momento" in home
    assert "sin bloques" in home
    assert code.group(1) not in api.get("/staff/estaciones").text  # shown once only
    ask = api.post("/staff/estaciones/EST-00001/retirar",
                   data={"csrf": csrf, "motivo": "equipo robado"})
    assert ask.status_code == 200 and "¿Retirar la estación EST-00001?" in ask.text
    assert 'name="confirmar" value="si"' in ask.text
    assert db.count(Station, Station.withdrawn_at.is_not(None)) == 0
    done = api.post("/staff/estaciones/EST-00001/retirar",
                    data={"csrf": csrf_of(ask.text), "motivo": "equipo robado",
                          "confirmar": "si"})
    assert done.status_code == 200
    assert "La estación EST-00001 quedó retirada: equipo robado." in done.text
    refused = signed(api, key, "GET", "/api/v1/sync/hello")
    assert refused.status_code == 403 and "equipo robado" in refused.json()["error"]["message"]
    assert db.actions("ana") == ["sign-in", "enrollment-code", "withdraw-station"]


def test_undo_issued_and_revoke_reach_the_revocation_list(api: Any, accounts: None, db: Db,
                                                          tmp_path: Path) -> None:
    key = StationKey.generate(tmp_path / "k" / "station.key")
    enroll_key(api, key, school=ZAPOPAN)
    first, second = students_of(ZAPOPAN)[:2]
    issue_cards(api, key, [(1_000_000, first["curp"]), (1_000_001, second["curp"])], ZAPOPAN)
    csrf = signed_in(api, "ana")
    found = api.get("/staff/credenciales", params={"folio": "1000000"}).text
    link = re.search(r'<a href="/staff/credenciales/(\d+)">1000000</a>', found)
    assert link and first["nombre"] in found
    by_name = api.get("/staff/credenciales", params={
        "nombre": f"{second['nombre'].lower()} {second['primer_apellido']}"}).text
    assert ">1000001</a>" in by_name and ">1000000</a>" not in by_name
    detail = api.get(f"/staff/credenciales/{link.group(1)}").text
    assert "<strong>vigente</strong>" in detail and first["curp"] in detail
    assert "Deshacer expedida…" in detail
    ask = api.post(f"/staff/credenciales/{link.group(1)}/deshacer",
                   data={"csrf": csrf, "motivo": "se marcó por error"})
    assert "¿Deshacer la expedición de la credencial con folio 1000000?" in ask.text
    assert db.count(Card, Card.status == "active") == 2
    undone = api.post(f"/staff/credenciales/{link.group(1)}/deshacer",
                      data={"csrf": csrf, "motivo": "se marcó por error", "confirmar": "si"})
    assert undone.status_code == 200
    assert "<strong>expedición anulada</strong>: se marcó por error" in undone.text
    assert "Deshacer expedida…" not in undone.text  # nothing more to do with it
    second_id = re.search(r'/staff/credenciales/(\d+)">1000001<', by_name)
    assert second_id
    revoked = api.post(f"/staff/credenciales/{second_id.group(1)}/revocar",
                       data={"csrf": csrf, "motivo": "credencial robada", "confirmar": "si"})
    assert "<strong>revocada</strong>: credencial robada" in revoked.text
    pulled = signed(api, key, "GET", "/api/v1/sync/revocations").json()["revocations"]
    assert [(r["folio"], r["cause"]) for r in pulled] == [(1_000_000, "undone"),
                                                          (1_000_001, "revoked")]
    assert "se marcó por error" in pulled[0]["reason"]
    assert db.actions("ana") == ["sign-in", "undo-issued", "revoke-card"]
    again = api.post(f"/staff/credenciales/{link.group(1)}/revocar",
                     data={"csrf": csrf, "motivo": "otra vez", "confirmar": "si"})
    assert again.status_code == 409 and "ya está «undone»" in again.text


@sqlite_only
def test_conflicts_page_lists_two_cards_for_one_student(api: Any, accounts: None,
                                                        tmp_path: Path, db: Db) -> None:
    a = StationKey.generate(tmp_path / "a" / "station.key")
    b = StationKey.generate(tmp_path / "b" / "station.key")
    enroll_key(api, a, school=ZAPOPAN)
    enroll_key(api, b, school=ZAPOPAN)
    student = students_of(ZAPOPAN)[0]
    issue_cards(api, a, [(1_000_000, student["curp"])], ZAPOPAN)
    issue_cards(api, b, [(1_000_080, student["curp"])], ZAPOPAN)
    assert db.count(Conflict) == 1
    signed_in(api, "ana")
    assert "1 conflicto abierto" in api.get("/staff").text
    page = api.get("/staff/conflictos").text
    assert student["curp"] in page and student["primer_apellido"] in page
    assert "folio 1000000</a><br>EST-00001" in page and "folio 1000080</a><br>EST-00002" in page
    api.post("/staff/salir", data={"csrf": csrf_of(page)})
    signed_in(api, "beto")  # Altos Sur: not its school
    assert "No hay conflictos abiertos." in api.get("/staff/conflictos").text


def test_import_with_a_bad_row_shows_it_and_imports_nothing(
        api: Any, accounts: None, db: Db, tmp_path: Path) -> None:
    escuelas, alumnos = write_demo_export(tmp_path / "nuevo", students=12, seed=7)
    lines = alumnos.read_text("utf-8-sig").splitlines()
    lines[3] = lines[3].replace(",INSCRITO,", ",INSCRITA,")
    alumnos.write_text("\n".join(lines) + "\n", "utf-8-sig")
    before = db.count(Student)
    csrf = signed_in(api, "ana")

    def upload(**extra: str) -> Any:
        files = {"escuelas": ("escuelas.csv", escuelas.read_bytes(), "text/csv"),
                 "alumnos": ("alumnos.csv", alumnos.read_bytes(), "text/csv")}
        return api.post("/staff/importar", data={"csrf": csrf, **extra}, files=files)

    refused = upload()
    assert refused.status_code == 422
    assert "No se importó nada: 1 problema en" in refused.text
    assert re.search(r"<td>alumnos\.csv</td><td>4</td><td>estatus</td><td>[^<]*INSCRITA",
                     refused.text), refused.text
    assert db.count(Student) == before
    accepted = upload(solo_validas="si")
    assert accepted.status_code == 200
    assert re.search(r"Importado: 0 escuelas nuevas, 0 actualizadas;\s*11 alumnos nuevos",
                     accepted.text), accepted.text
    assert db.count(Student) == before + 11
    assert db.actions("ana") == ["sign-in", "import-roster"]


@sqlite_only
def test_import_reads_an_xlsx_pair(api: Any, accounts: None, db: Db, tmp_path: Path) -> None:
    import csv

    import openpyxl

    escuelas, alumnos = write_demo_export(tmp_path / "nuevo", students=6, seed=11)
    files = {}
    for field, path in (("escuelas", escuelas), ("alumnos", alumnos)):
        book = openpyxl.Workbook()
        for row in csv.reader(path.read_text("utf-8-sig").splitlines()):
            book.active.append(row)
        book.save(tmp_path / f"{field}.xlsx")
        files[field] = (f"{field}.xlsx", (tmp_path / f"{field}.xlsx").read_bytes(),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    before = db.count(Student)
    csrf = signed_in(api, "ana")
    answer = api.post("/staff/importar", data={"csrf": csrf}, files=files)
    assert answer.status_code == 200, answer.text
    assert "Leído: alumnos.xlsx (libro de Excel (.xlsx))" in answer.text
    assert db.count(Student) == before + 6
