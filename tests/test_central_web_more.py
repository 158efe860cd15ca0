"""Central's staff pages, second part: problem reports, conflict review, the upload limit,
staff accounts and passwords, and the configuration published to stations.

Same setup as ``test_central_web.py`` (TestClient over central's real, migrated database);
every refusal is checked to have written nothing.
"""
# The fixtures ``accounts`` and ``db`` come from test_central_web (imported by name).
# ruff: noqa: F811

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from plugin_central import STAFF, enroll_key, signed
from sqlalchemy import select
from test_central_web import (  # noqa: F401  (fixtures)
    PASSWORD,
    TEPA_DRSE,
    ZAPOPAN,
    Db,
    accounts,
    csrf_of,
    db,
    issue_cards,
    sign_in,
    signed_in,
    sqlite_only,
    students_of,
)

from central.models import (
    ConfigItem,
    Conflict,
    Counter,
    ProblemReport,
    StaffAccount,
    StaffAction,
    Student,
)
from central.settings import CentralSettings
from foundation.credential.keys import StationKey


def report_zip(description: str, category: str = "impresora") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("reporte.json", json.dumps({
            "category": category, "created_at": "2026-09-01T10:15:00-06:00",
            "description": description}))
        bundle.writestr("kiosko.log", "linea de registro\n" * 50)
    return buffer.getvalue()


def send_report(api: Any, key: StationKey, data: bytes, name: str) -> int:
    answer = signed(api, key, "PUT", f"/api/v1/sync/problem-reports/"
                    f"{hashlib.sha256(data).hexdigest()}", raw=data, params={"name": name})
    assert answer.status_code == 200, answer.text
    return int(answer.json()["id"])


def all_actions(db: Db) -> list[tuple[str, str, str]]:
    with db.sessions() as session:
        return [(a.staff, a.action, a.target) for a in session.scalars(
            select(StaffAction).order_by(StaffAction.id))]


# --- 1. problem reports ---------------------------------------------------------------------

def test_problem_reports_page_scope_download_and_attend(api: Any, accounts: None, db: Db,
                                                        tmp_path: Path) -> None:
    zap = StationKey.generate(tmp_path / "z" / "station.key")
    tepa = StationKey.generate(tmp_path / "t" / "station.key")
    enroll_key(api, zap, school=ZAPOPAN)                 # EST-00001, CENTRO 2 ZAPOPAN
    enroll_key(api, tepa, school=None, drse=TEPA_DRSE)   # EST-00002, ALTOS SUR
    zap_zip = report_zip("la impresora no jala la hoja")
    tepa_zip = report_zip("la cámara no enfoca", category="camara")
    zap_id = send_report(api, zap, zap_zip, "reporte-20260901-101500.zip")
    tepa_id = send_report(api, tepa, tepa_zip, "reporte-20260902-090000.zip")

    csrf = signed_in(api, "beto")
    assert "1 reporte de problema nuevo" in api.get("/staff").text
    listed = api.get("/staff/reportes").text
    assert "la cámara no enfoca" in listed and "La cámara o las fotos" in listed
    assert "DRSE ALTOS SUR (TEPATITLÁN)" in listed
    assert "la impresora no jala" not in listed and "EST-00001" not in listed
    before = all_actions(db)
    refused = [api.get(f"/staff/reportes/{zap_id}/descargar"),
               api.post(f"/staff/reportes/{zap_id}/atender",
                        data={"csrf": csrf, "nota": "no es mío"})]
    for answer in refused:
        assert answer.status_code == 403, answer.text
        assert answer.headers["content-type"].startswith("text/html")
        assert f"el reporte de problema {zap_id} no le corresponde" in answer.text
        assert "impresora" not in answer.text and "CENTRO 2" not in answer.text
        assert zap_zip not in answer.content
    assert api.get("/staff/reportes/999/descargar").status_code == 404
    with db.sessions() as session:
        assert session.get(ProblemReport, zap_id).attended_at is None
    assert all_actions(db) == before
    got = api.get(f"/staff/reportes/{tepa_id}/descargar")
    assert got.status_code == 200 and got.content == tepa_zip
    assert "EST-00002-reporte-20260902-090000.zip" in got.headers["content-disposition"]
    short = api.post(f"/staff/reportes/{tepa_id}/atender", data={"csrf": csrf, "nota": "x"})
    assert short.status_code == 422 and "al menos 3 letras" in short.text
    done = api.post(f"/staff/reportes/{tepa_id}/atender",
                    data={"csrf": csrf, "nota": "se limpió el lente"})
    assert done.status_code == 200
    assert f"El reporte {tepa_id} de EST-00002 quedó atendido." in done.text
    assert "No hay reportes pendientes en su DRSE." in done.text
    attended = api.get("/staff/reportes", params={"estado": "atendidos"}).text
    assert re.search(r"Atendido el \d\d/\d\d/\d{4} \d\d:\d\d por beto: se limpió el lente",
                     attended), attended
    again = api.post(f"/staff/reportes/{tepa_id}/atender",
                     data={"csrf": csrf, "nota": "otra vez"})
    assert again.status_code == 409 and "ya fue atendido por beto" in again.text
    assert "No hay reportes de problema sin atender." in api.get("/staff").text

    api.post("/staff/salir", data={"csrf": csrf})
    signed_in(api, "ana")
    assert "1 reporte de problema nuevo" in api.get("/staff").text
    everything = api.get("/staff/reportes", params={"estado": "todos"}).text
    # newest first: the Altos Sur report arrived after the Zapopan one
    assert everything.index(f'id="reporte-{tepa_id}"') < everything.index(
        f'id="reporte-{zap_id}"')
    assert "14DPR9901D" in everything and "la impresora no jala la hoja" in everything
    assert api.get(f"/staff/reportes/{zap_id}/descargar").content == zap_zip
    with db.sessions() as session:
        row = session.get(ProblemReport, tepa_id)
        assert (row.attended_by, row.attended_note) == ("beto", "se limpió el lente")
    assert ("beto", "attend-problem-report", f"reporte {tepa_id} (EST-00002)") \
        in all_actions(db)
    listed_api = api.get("/api/v1/admin/problem-reports", headers=STAFF).json()
    assert [r["attended_by"] for r in listed_api["problem_reports"]] == ["beto", None]


# --- 2. conflicts reviewed ------------------------------------------------------------------

def test_conflicts_reviewed_from_the_page_and_the_api(api: Any, accounts: None, db: Db,
                                                      tmp_path: Path) -> None:
    a = StationKey.generate(tmp_path / "a" / "station.key")
    b = StationKey.generate(tmp_path / "b" / "station.key")
    enroll_key(api, a, school=ZAPOPAN)
    enroll_key(api, b, school=ZAPOPAN)
    first, second = students_of(ZAPOPAN)[:2]
    issue_cards(api, a, [(1_000_000, first["curp"]), (1_000_001, second["curp"])], ZAPOPAN)
    issue_cards(api, b, [(1_000_080, first["curp"]), (1_000_081, second["curp"])], ZAPOPAN)
    with db.sessions() as session:
        ids = {c.curp: c.id for c in session.scalars(select(Conflict))}
    assert len(ids) == 2

    csrf = signed_in(api, "beto")  # Altos Sur: neither conflict is of its schools
    refused = api.post(f"/staff/conflictos/{ids[first['curp']]}/revisar",
                       data={"csrf": csrf, "nota": "revisado"})
    assert refused.status_code == 403 and "no le corresponde" in refused.text
    assert db.count(Conflict, Conflict.resolved_at.is_not(None)) == 0
    api.post("/staff/salir", data={"csrf": csrf})

    csrf = signed_in(api, "ana")
    assert "2 conflictos abiertos" in api.get("/staff").text
    done = api.post(f"/staff/conflictos/{ids[first['curp']]}/revisar",
                    data={"csrf": csrf, "nota": "el alumno tiene la de folio 1000080"})
    assert done.status_code == 200
    assert f"El conflicto {ids[first['curp']]} quedó revisado" in done.text
    assert first["curp"] not in done.text and second["curp"] in done.text  # still open
    reviewed = api.get("/staff/conflictos", params={"estado": "revisados"}).text
    assert first["curp"] in reviewed and second["curp"] not in reviewed
    assert "por ana: el alumno tiene la de folio 1000080" in reviewed
    assert "1 conflicto abierto" in api.get("/staff").text

    url = f"/api/v1/admin/conflicts/{ids[second['curp']]}/review"
    answer = api.post(url, headers=STAFF, json={"staff": "Ana API", "reason": "se llamó"})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["reviewed_by"], answer.json()["note"]) == ("Ana API", "se llamó")
    twice = api.post(url, headers=STAFF, json={"staff": "Otra", "reason": "otra nota"})
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "conflict-reviewed"
    listed = api.get("/api/v1/admin/conflicts", headers=STAFF,
                     params={"status": "open"}).json()["conflicts"]
    assert listed == []
    assert "No hay conflictos abiertos." in api.get("/staff/conflictos").text
    with db.sessions() as session:
        notes = {c.id: (c.reviewed_by, c.note) for c in session.scalars(select(Conflict))}
    assert notes[ids[second["curp"]]] == ("Ana API", "se llamó")
    assert [a[1] for a in all_actions(db) if a[1] == "review-conflict"] == ["review-conflict"] * 2


# --- 3. upload limit ------------------------------------------------------------------------

@pytest.fixture
def small_upload_api(central_settings: CentralSettings) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from central.api.app import create_app

    settings = central_settings.model_copy(update={"max_upload_bytes": 3 * 1024 * 1024})
    app = create_app(settings, migrate=False)
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


@sqlite_only
def test_import_upload_has_its_own_limit_and_an_html_413(small_upload_api: Any,
                                                         accounts: None, db: Db) -> None:
    api = small_upload_api
    csrf = signed_in(api, "ana")
    before = db.count(Student)
    junk = b"cct,nombre\n" + b"x" * (2 * 1024 * 1024 + 500_000)   # over 2 MiB, under 3 MiB
    passed = api.post("/staff/importar", data={"csrf": csrf}, files={
        "escuelas": ("escuelas.csv", junk, "text/csv"),
        "alumnos": ("alumnos.csv", b"curp\n", "text/csv")})
    assert passed.status_code == 422, passed.text[:500]  # read by the page, not cut at 2 MiB
    assert passed.headers["content-type"].startswith("text/html")
    big = junk + b"y" * (1024 * 1024)
    refused = api.post("/staff/importar", data={"csrf": csrf}, files={
        "escuelas": ("escuelas.csv", big, "text/csv"),
        "alumnos": ("alumnos.csv", b"curp\n", "text/csv")})
    assert refused.status_code == 413
    assert refused.headers["content-type"] == "text/html; charset=utf-8"
    assert re.search(r"El archivo pesa 3\.\d MB; el máximo es 3 MB\. Use `central "
                     r"import-roster` para archivos más grandes\.", refused.text), refused.text
    assert "No se guardó ningún cambio" in refused.text

    def chunks() -> Iterator[bytes]:
        for _ in range(4):
            yield b"z" * (1024 * 1024)

    chunked = api.post("/staff/importar", content=chunks(),
                       headers={"content-type": "multipart/form-data; boundary=x"})
    assert chunked.status_code == 413 and "pesa más de 3 MB" in chunked.text
    other = api.post("/staff/estaciones/codigo", content=b"a" * (2 * 1024 * 1024 + 1),
                     headers={"content-type": "application/x-www-form-urlencoded"})
    assert other.status_code == 413 and other.json()["error"]["code"] == "body-too-large"
    assert db.count(Student) == before
    assert [a[1] for a in all_actions(db) if a[0] == "ana"] == ["sign-in"]


# --- 5. staff accounts ----------------------------------------------------------------------

def test_estatal_manages_accounts_and_passwords_must_be_changed(
        api: Any, accounts: None, db: Db, central_app: Any) -> None:
    from fastapi.testclient import TestClient

    with TestClient(central_app) as drse:
        beto_csrf = signed_in(drse, "beto")
        assert drse.get("/staff/cuentas").status_code == 403
        for url in ("/staff/cuentas", "/staff/cuentas/ana/deshabilitar",
                    "/staff/cuentas/ana/contrasena"):
            answer = drse.post(url, data={"csrf": beto_csrf, "usuario": "intruso",
                                          "rol": "estatal"})
            assert answer.status_code == 403
            assert "Sólo el personal estatal puede administrar las cuentas" in answer.text
    assert db.count(StaffAccount) == 2 and db.actions("beto") == ["sign-in"]
    assert db.count(StaffAccount, StaffAccount.disabled.is_(True)) == 0

    csrf = signed_in(api, "ana")
    mismatch = api.post("/staff/cuentas", data={
        "csrf": csrf, "usuario": "carla", "rol": "drse", "drse": TEPA_DRSE,
        "contrasena": "una contraseña larga", "contrasena2": "otra contraseña larga"})
    assert mismatch.status_code == 422 and "no son iguales" in mismatch.text
    assert db.count(StaffAccount) == 2
    made = api.post("/staff/cuentas", data={"csrf": csrf, "usuario": "Carla", "nombre":
                                            "Carla Díaz", "rol": "drse", "drse": TEPA_DRSE})
    assert made.status_code == 201
    shown = re.search(r'<p class="codigo">([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</p>', made.text)
    assert shown and "Anótela ahora: no se vuelve a mostrar." in made.text
    first_password = shown.group(1)
    assert "debe cambiar su contraseña" in made.text
    assert first_password not in api.get("/staff/cuentas").text

    with TestClient(central_app) as carla:
        assert sign_in(carla, "carla", first_password).status_code == 303
        for path in ("/staff", "/staff/reportes", "/staff/credenciales"):
            sent = carla.get(path, follow_redirects=False)
            assert sent.status_code == 303 and sent.headers["location"] == "/staff/contrasena"
        form = carla.get("/staff/contrasena").text
        assert "La oficina estatal le puso esta contraseña" in form
        c_csrf = csrf_of(form)
        wrong = carla.post("/staff/contrasena", data={
            "csrf": c_csrf, "actual": "no es", "nueva": "mi frase secreta",
            "nueva2": "mi frase secreta"})
        assert wrong.status_code == 422 and "La contraseña actual no es correcta." in wrong.text
        changed = carla.post("/staff/contrasena", data={
            "csrf": c_csrf, "actual": first_password, "nueva": "mi frase secreta",
            "nueva2": "mi frase secreta"}, follow_redirects=False)
        assert changed.status_code == 303 and "sc_sesion=" in changed.headers["set-cookie"]
        home = carla.get("/staff")
        assert home.status_code == 200 and "Carla Díaz · Personal de DRSE" in home.text
        old_cookie = carla.cookies["sc_sesion"]

        reset = api.post("/staff/cuentas/carla/contrasena", data={
            "csrf": csrf, "contrasena": "clave temporal 2026", "contrasena2":
            "clave temporal 2026"})
        assert reset.status_code == 200 and "tiene contraseña nueva" in reset.text
        assert 'class="codigo"' not in reset.text  # typed, not generated: not shown back
        carla.cookies.set("sc_sesion", old_cookie, path="/staff")
        assert carla.get("/staff", follow_redirects=False).headers["location"] \
            == "/staff/ingresar"
        carla.cookies.clear()
        assert sign_in(carla, "carla", "mi frase secreta").status_code == 401
        assert sign_in(carla, "carla", "clave temporal 2026").status_code == 303
        assert carla.get("/staff", follow_redirects=False).headers["location"] \
            == "/staff/contrasena"

    own = api.post("/staff/cuentas/ana/deshabilitar", data={"csrf": csrf})
    assert own.status_code == 409
    off = api.post("/staff/cuentas/carla/deshabilitar", data={"csrf": csrf})
    assert off.status_code == 200 and "quedó deshabilitada" in off.text
    with TestClient(central_app) as carla:
        assert sign_in(carla, "carla", "clave temporal 2026").status_code == 401
        on = api.post("/staff/cuentas/carla/habilitar", data={"csrf": csrf})
        assert on.status_code == 200 and "quedó habilitada" in on.text
        assert sign_in(carla, "carla", "clave temporal 2026").status_code == 303
    with db.sessions() as session:
        account = session.scalar(select(StaffAccount).where(StaffAccount.username == "carla"))
        assert account is not None
        assert (account.role, account.region, account.must_change, account.disabled) == \
            ("drse", TEPA_DRSE, True, False)
    assert [a for a in all_actions(db) if a[0] == "ana" and a[1] != "sign-in"] == [
        ("ana", "create-account", "carla"), ("ana", "reset-password", "carla"),
        ("ana", "disable-account", "carla"), ("ana", "enable-account", "carla")]
    assert ("carla", "change-password", "carla") in all_actions(db)


# --- 6. configuration published to stations --------------------------------------------------

def _config_rev(db: Db) -> int:
    with db.sessions() as session:
        counter = session.get(Counter, "config")
        return counter.value if counter else 0


def test_configuration_page_publishes_checked_values(api: Any, accounts: None, db: Db,
                                                     tmp_path: Path, central_app: Any) -> None:
    from fastapi.testclient import TestClient

    key = StationKey.generate(tmp_path / "k" / "station.key")
    enroll_key(api, key, school=ZAPOPAN)
    with TestClient(central_app) as drse:
        beto = signed_in(drse, "beto")
        assert drse.get("/staff/configuracion").status_code == 403
        denied = drse.post("/staff/configuracion", data={
            "csrf": beto, "clave": "fees.replacement_mxn", "valor": "99", "accion": "publicar"})
        assert denied.status_code == 403 and "Sólo el personal estatal" in denied.text
    assert db.count(ConfigItem) == 0

    csrf = signed_in(api, "ana")
    listed = api.get("/staff/configuracion").text
    assert "Costo de reposición (MXN)" in listed and "fees.replacement_mxn" in listed
    assert "printer.queue" not in listed and "station.id" not in listed
    assert '<option value="jalisco-basica/v1"' in listed

    def publish(key: str, value: str, action: str = "publicar") -> Any:
        return api.post("/staff/configuracion", data={"csrf": csrf, "clave": key,
                                                      "valor": value, "accion": action})

    ok = publish("fees.replacement_mxn", " 35 ")
    assert ok.status_code == 200
    assert "Publicado «fees.replacement_mxn» = 35" in ok.text
    rev = _config_rev(db)
    for key_, value, reason in (
            ("fees.replacement_mxn", "treinta", "debe ser un número entero (sin decimales), "
                                                "no «treinta»"),
            ("sync.interval_s", "-5", "no puede ser negativo"),
            ("printer.queue", "Otra", "es un ajuste propio de cada estación"),
            ("ajuste.inventado", "1", "ese ajuste no existe"),
            ("card.template", "jalisco-basica/v9", "la plantilla jalisco-basica/v9 no está en "
                                                   "este servicio central")):
        refused = publish(key_, value)
        assert refused.status_code == 422, (key_, refused.text[:300])
        assert f"No se publicó «{key_}»: {reason}" in refused.text
        assert "No se publicó nada" in refused.text
    assert _config_rev(db) == rev
    with db.sessions() as session:
        items = {i.key: json.loads(i.value) for i in session.scalars(select(ConfigItem))}
    assert items == {"fees.replacement_mxn": 35}
    assert publish("sync.interval_s", "90,5").status_code == 200
    assert publish("card.template", "jalisco-basica/v1").status_code == 200
    pulled = signed(api, key, "GET", "/api/v1/sync/config").json()
    assert pulled["items"] == {"card.template": "jalisco-basica/v1",
                               "fees.replacement_mxn": 35, "sync.interval_s": 90.5}
    assert pulled["version"] == _config_rev(db) == rev + 2
    cleared = publish("fees.replacement_mxn", "", action="quitar")
    assert cleared.status_code == 200
    assert "Se dejó de publicar «fees.replacement_mxn»" in cleared.text
    assert _config_rev(db) == rev + 3
    assert "fees.replacement_mxn" not in signed(api, key, "GET",
                                                "/api/v1/sync/config").json()["items"]
    nothing = publish("fees.replacement_mxn", "", action="quitar")
    assert nothing.status_code == 404 and _config_rev(db) == rev + 3
    assert [a[1:] for a in all_actions(db) if a[0] == "ana" and a[1] != "sign-in"] == [
        ("set-config", "fees.replacement_mxn"), ("set-config", "sync.interval_s"),
        ("set-config", "card.template"), ("clear-config", "fees.replacement_mxn")]
