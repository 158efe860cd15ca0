"""The certificate pages and API over HTTP (SQLite and PostgreSQL): scope, CSRF, refusals
with nothing written, the audit command."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner
from conalep_cert_setup import add_all_staff, load_sae
from plugin_conalep import sign_in
from sqlalchemy import func, select

from conalep.certificates.academic_source import AcademicGraduates
from conalep.models.certificates import CertEvent, Certificate


def _counts(sessions: Any) -> tuple[int, int]:
    with sessions() as s:
        return (s.scalar(select(func.count()).select_from(Certificate)),
                s.scalar(select(func.count()).select_from(CertEvent)))


def test_api_steps_scope_and_refusals(conalep_client: Any, conalep_sessions: Any,
                                      conalep_settings: Any, monkeypatch: Any) -> None:
    graduates_165 = load_sae(conalep_sessions)
    add_all_staff(conalep_sessions)
    client = conalep_client
    csrf = sign_in(client, "dg.escolares")
    h = {"X-CSRF": csrf}
    assert client.post("/staff/api/certificados/folios/otorgamientos", json={
        "referencia": "ON/0417/2026", "bloque": "5001-5100", "fecha": "2026-06-20"},
        headers=h).status_code == 200
    # Without the session's CSRF header nothing is written.
    before = _counts(conalep_sessions)
    assert client.post("/staff/api/certificados/folios/asignaciones",
                       json={"plantel": "165", "bloque": "5001-5030"}).status_code == 403
    assert client.post("/staff/api/certificados/folios/asignaciones", json={
        "plantel": "165", "bloque": "5001-5030"}, headers=h).json() == {"asignados": 30}
    assert client.post("/staff/api/certificados/folios/asignaciones", json={
        "plantel": "166", "bloque": "5031-5035"}, headers=h).status_code == 200
    again = client.post("/staff/api/certificados/folios/asignaciones",
                        json={"plantel": "166", "bloque": "5025-5040"}, headers=h)
    assert again.status_code == 409 and again.json()["error"]["code"] == "folio-not-free"
    client.post("/staff/salir", data={"csrf": csrf})

    csrf = sign_in(client, "escolares.165")
    h = {"X-CSRF": csrf}
    made = client.post("/staff/api/certificados/folios/egresados", headers=h).json()
    assert len(made["certificados"]) == graduates_165 and made["sin_folio"] == []
    assert client.post("/staff/api/certificados/folios/egresados", headers=h).json()[
        "certificados"] == []  # a second run finds nobody new: no folio used twice
    mine = client.get("/staff/api/certificados").json()
    assert {c["plantel"] for c in mine} == {"165"}
    cid = mine[0]["id"]
    # Download before release is refused.
    early = client.get(f"/staff/certificados/{cid}/certificado.pdf")
    assert early.status_code == 403 and "no ha sido liberado" in early.text
    assert client.post(f"/staff/api/certificados/{cid}/solicitar", headers=h).json()["estado"] \
        == "solicitado"
    # The public verification API says the certificate exists but is not released yet.
    folio = mine[0]["folio"]
    pending = client.get(f"/certificados/api/verificar?folio={folio}")
    assert pending.status_code == 200
    assert {k: pending.json()[k] for k in ("existe", "liberado", "valido", "estado",
                                           "nombre")} == {
        "existe": True, "liberado": False, "valido": False, "estado": "no_liberado",
        "nombre": None}
    assert "no ha sido liberado" in pending.json()["mensaje"]
    unknown = client.get("/certificados/api/verificar?folio=9999999")
    assert unknown.status_code == 404 and unknown.json()["existe"] is False
    assert client.get("/certificados/api/verificar?folio=abc").status_code == 422
    forged = client.post("/certificados/api/verificar", json={"qr": "no es un código"}).json()
    # The graduate's own download: not before release; a wrong CURP reveals nothing.
    with conalep_sessions() as s:
        curp = s.scalar(select(Certificate.curp).where(Certificate.folio == folio))
    early_pdf = client.post("/certificados/mi-certificado", data={"folio": folio, "curp": curp})
    assert early_pdf.status_code == 409 and "todavía está en trámite" in early_pdf.text
    wrong = client.post("/certificados/mi-certificado",
                        data={"folio": folio, "curp": "XEXX010101HVZXXXA4"})
    assert wrong.status_code == 404 and "revise los dos datos" in wrong.text
    assert forged["valido"] is False and forged["liberado"] is False and forged["mensaje"]
    client.post("/staff/salir", data={"csrf": csrf})

    # Another plantel's staff cannot see, request or act on 165's certificates.
    csrf = sign_in(client, "escolares.166")
    h = {"X-CSRF": csrf}
    before = _counts(conalep_sessions)
    assert client.get(f"/staff/certificados/{cid}").status_code == 403
    other = client.post(f"/staff/api/certificados/{mine[1]['id']}/solicitar", headers=h)
    assert other.status_code == 403 and other.json()["error"]["code"] == "other-plantel"
    assert client.get("/staff/api/certificados").json() == []
    assert _counts(conalep_sessions) == before
    client.post("/staff/salir", data={"csrf": csrf})

    # DG returns the request with a reason; the plantel sees it.
    csrf = sign_in(client, "dg.escolares")
    h = {"X-CSRF": csrf}
    no_reason = client.post(f"/staff/api/certificados/{cid}/devolver", json={}, headers=h)
    assert no_reason.status_code == 422
    back = client.post(f"/staff/api/certificados/{cid}/devolver",
                       json={"motivo": "Falta la foto"}, headers=h).json()
    assert back["estado"] == "devuelto" and back["motivo"] == "Falta la foto"

    monkeypatch.setenv("CONALEP_DATA_DIR", str(conalep_settings.data_dir))
    monkeypatch.setenv("CONALEP_DATABASE_URL", conalep_settings.database_url)
    monkeypatch.setenv("CONALEP_SECRET_KEY", conalep_settings.secret_key.get_secret_value())
    from conalep.cli import main
    result = CliRunner().invoke(main, ["audit", "--json"])
    report = json.loads(result.output)
    assert result.exit_code == 0 and report["ok"]
    assert report["por_estado"] == {"unassigned": 65, "assigned": 35 - graduates_165,
                                    "used": graduates_165, "cancelled": 0}
    assert report["por_plantel"]["166"] == {"assigned": 5}


def test_failed_modules_and_debts_keep_a_graduate_without_folio(conalep_sessions: Any) -> None:
    from datetime import UTC, date, datetime

    from conalep.certificates.actors import Actor
    from conalep.certificates.debts import record_debt
    from conalep.models.academic import Calificacion, Docente, Modulo

    load_sae(conalep_sessions)
    now = datetime(2026, 7, 1, tzinfo=UTC)
    with conalep_sessions() as s, s.begin():
        s.add(Modulo(clave_modulo="INFO-61", nombre="Programación web"))
        s.add(Docente(clave_docente="D1", nombre="DOCENTE D1"))
        s.flush()
        s.add(Calificacion(periodo="2024-2025-2", corte=3, matricula="2216500043",
                           clave_modulo="INFO-61", clave_plantel="165", grupo="6INF-1",
                           clave_docente="D1", calificacion=5.4,
                           fecha_captura=date(2025, 6, 1), late=False, updated_at=now))
        record_debt(s, Actor("e", "plantel_escolares", "165"), matricula="2216500044",
                    concept="BIBLIOTECA", now=now)
    with conalep_sessions() as s:
        source = AcademicGraduates(s)
        assert source.get("2216500043").failed_modules == ("Programación web",)
        assert source.get("2216500044").debts == ("BIBLIOTECA",)
        assert source.get("2216500047").failed_modules == () == source.get("2216500047").debts
