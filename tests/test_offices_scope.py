"""The DRSE offices' routes (issue 13) hold their scope, refuse with reasons, and take events
from stations older than issue 13.

- Every new route answers 403 to another DRSE's request and changes nothing; the lists show
  only the person's DRSE; a DRSE office may do only its own step.
- An oficio registered on the page (multipart, with its scan) and one sent by a station are
  refused for a school that prints its own cards, a scan that is not PDF/JPG/PNG, a school of
  another DRSE or station.
- A DRSE station whose ledger predates migration 0008 (events without ``request``) syncs with
  the ``station`` CLI: central matches its delivery to the school's request in production and
  its acknowledgement closes it; a school station's receipt without ``request`` closes the
  oldest shipped supply request.
"""

from __future__ import annotations

import base64
import json
import re
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from plugin_central import enroll_key, enrollment_code, import_demo, signed
from plugin_lifecycle import cli
from sqlalchemy import func, select

from central.crud.staff import create_account
from central.crud.stations import now_utc
from central.models import (
    Delivery,
    OfficeRequest,
    OfficeStep,
    StaffAccount,
    SupplyRequest,
)
from central.settings import CentralSettings
from foundation.credential.keys import StationKey
from foundation.sqldb import make_engine, make_sessionmaker
from station.context import open_station
from station.services.demo_data import demo_export_rows

PASSWORD = "contraseña de pruebas"
TEPA, ZAPOPAN = "14EPR9902E", "14DPR9901D"
ALTOS_SUR, CENTRO_2 = "ALTOS SUR (TEPATITLÁN)", "CENTRO 2 ZAPOPAN"
SCAN = b"%PDF-1.4\n% oficio firmado y sellado (sintetico)\n"


@pytest.fixture
def db(central_settings: CentralSettings, tmp_path: Path) -> Any:
    import_demo(central_settings, tmp_path / "export")
    engine = make_engine(central_settings.database_url)
    sessions = make_sessionmaker(engine)
    with sessions() as session, session.begin():
        for user, role, region, office in (("ana", "estatal", None, None),
                                           ("plan", "drse", ALTOS_SUR, "planeacion"),
                                           ("zapo", "drse", CENTRO_2, None)):
            create_account(session, username=user, password=PASSWORD, role=role,
                           region=region, display_name=user.title(), now=now_utc(),
                           office=office)
    yield sessions
    engine.dispose()


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert found, html
    return found.group(1)


class Person:
    """A signed-in browser session of one account (its own cookie jar)."""

    def __init__(self, api: Any, username: str) -> None:
        from fastapi.testclient import TestClient

        self.client = TestClient(api.app)
        form = self.client.get("/staff/ingresar")
        answer = self.client.post("/staff/ingresar", data={
            "csrf": _csrf(form.text), "usuario": username, "contrasena": PASSWORD},
            follow_redirects=False)
        assert answer.status_code == 303, answer.text
        self.csrf = _csrf(self.client.get("/staff").text)

    def get(self, path: str) -> Any:
        return self.client.get(path)

    def post(self, path: str, **fields: str) -> Any:
        return self.client.post(path, data={"csrf": self.csrf, **fields})


def _snapshot(sessions: Any) -> tuple[Any, ...]:
    with sessions() as session:
        return (sorted((r.id, r.state, r.reason) for r in session.scalars(select(OfficeRequest))),
                sorted((r.id, r.state, r.approved) for r in session.scalars(
                    select(SupplyRequest))),
                session.scalar(select(func.count()).select_from(OfficeStep)))


def _event(seq: int, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"seq": seq, "prev_seq": seq - 1, "at": f"{date.today()}T10:00:0{seq % 10}+00:00",
            "kind": kind, "payload": payload}


def _supplies_requested(ref: int) -> dict[str, Any]:
    usage = {"from": None, "to": f"{date.today()}T09:00:00+00:00", "sheets_printed": 3,
             "cards_issued": 20, "replacements": 0, "blanks_cancelled": 4,
             "sheets_spoiled": 0, "cards_spoiled": 0, "holograms_applied": 20,
             "holograms_spoiled": 1, "adjustments": []}
    return {"request": ref, "date": str(date.today()), "station": "X", "station_kind": "escuela",
            "requested_by": ZAPOPAN, "cycle": "2026-2027", "usage": usage,
            "stock": {"teslin": 0, "micas": 2, "hologramas": 0, "tinta": 1},
            "pending": {"cards": 12, "holograms": 0}, "requested": {"teslin": 27, "micas": 110,
                                                                    "hologramas": 112, "tinta": 0},
            "warnings": [], "director": "Mtro. Jorge Aceves", "ink": None}


def test_scope_refusals_and_a_station_older_than_the_offices(
        api: Any, db: Any, live_central: Any, tmp_path: Path) -> None:
    sessions = db
    plan, zapo, ana = Person(api, "plan"), Person(api, "zapo"), Person(api, "ana")
    for person in (plan, zapo):  # empty states say what to do next
        assert "Cuando una escuela envíe su oficio" in person.get("/staff/solicitudes").text
        material = person.get("/staff/material").text
        assert "hace su solicitud de material en su estación" in material
        assert "Aparecen cuando la estación de la DRSE" in person.get("/staff/entregas").text
        unattended = person.get("/staff/sin-atender").text
        assert "registran las solicitudes de credencial en su estación" in unattended

    def register(who: Person, cct: str, scan: bytes = SCAN) -> Any:
        return who.client.post("/staff/solicitudes", data={
            "csrf": who.csrf, "cct": cct, "oficio": "DIR/12/2026",
            "director": "Profra. Elena Ruiz Soto", "curps": ""},
            files={"escaneo": ("oficio.pdf", scan, "application/pdf")})

    before = _snapshot(sessions)
    assert register(plan, ZAPOPAN).status_code == 403
    refused = register(zapo, ZAPOPAN)
    assert refused.status_code == 409 and "no solicita a su DRSE" in refused.text
    bad = register(plan, TEPA, b"GIF89a not a scan")
    assert bad.status_code == 422 and "no es PDF, JPG ni PNG" in bad.text
    assert _snapshot(sessions) == before
    made = register(plan, TEPA)
    assert made.status_code == 201, made.text
    number = int(re.search(r"Solicitud (\d+) —", made.text).group(1))  # type: ignore[union-attr]
    base = f"/staff/solicitudes/{number}"
    assert plan.get(f"{base}/oficio").content == SCAN

    # A school station (signed events, as every station pushes them) of another DRSE.
    key = StationKey.generate(tmp_path / "k" / "station.key")
    enroll_key(api, key, school=ZAPOPAN)
    zap_students = [a["curp"] for a in demo_export_rows(students=30)[1] if a["cct"] == ZAPOPAN]
    old_day = date.today() - timedelta(days=40)
    answer = signed(api, key, "POST", "/api/v1/sync/events", body={"events": [
        _event(1, "supplies_requested", _supplies_requested(1)),
        _event(2, "card_requested", {"curp": zap_students[0], "requested_on": str(old_day),
                                     "requested_by": "tutor", "taken_by": "Laura Méndez"})]})
    assert answer.status_code == 200 and answer.json()["applied"] == 2, answer.text
    outside = signed(api, key, "POST", "/api/v1/sync/office-requests", body={
        "ref": 1, "cct": TEPA, "cycle": "2026-2027", "oficio": "X/1", "director": "Nadie Nunca",
        "curps": [], "scan": base64.b64encode(SCAN).decode()})
    assert outside.status_code == 403 and "no puede enviar solicitudes de 14EPR9902E" in \
        outside.text
    own = signed(api, key, "POST", "/api/v1/sync/office-requests", body={
        "ref": 1, "cct": ZAPOPAN, "cycle": "2026-2027", "oficio": "X/1",
        "director": "Mtro. Jorge Aceves", "curps": [], "scan": base64.b64encode(SCAN).decode()})
    assert own.status_code == 409 and "no solicita a su DRSE" in own.text
    with sessions() as session:
        supply = session.scalar(select(SupplyRequest.id))
    supply_base = f"/staff/material/{supply}"

    # Another DRSE's request and supply request: 403 on every route, nothing changes.
    before = _snapshot(sessions)
    for path in (base, f"{base}/oficio"):
        assert zapo.get(path).status_code == 403, path
    for action, fields in (("revisar", {"decision": "aceptar", "contenido": "si", "firma": "si",
                                        "sello": "si"}),
                           ("validar", {"decision": "validar"}),
                           ("material", {"decision": "suficiente"})):
        answer = zapo.post(f"{base}/{action}", **fields)
        assert answer.status_code == 403 and "no le corresponde" in answer.text, action
    assert plan.get(supply_base).status_code == 403
    for action, fields in (("aprobar", {"q_teslin": "5"}), ("rechazar", {"motivo": "no procede"}),
                           ("enviar", {"referencia": "VALE-1"})):
        assert plan.post(f"{supply_base}/{action}", **fields).status_code == 403, action
    # Planeación cannot do Control Escolar's step in its own DRSE either.
    wrong = plan.post(f"{base}/validar", decision="validar")
    assert wrong.status_code == 403 and "Control Escolar" in wrong.text
    assert _snapshot(sessions) == before
    assert "Mtro. Jorge Aceves" not in plan.get("/staff/material").text
    assert "Laura Méndez" not in plan.get("/staff/sin-atender").text
    assert "Laura Méndez" in zapo.get("/staff/sin-atender").text
    assert "DIR/12/2026" not in zapo.get("/staff/solicitudes?estado=todas").text

    # The state office walks the request to production (it may do every step).
    assert plan.post(f"{base}/revisar", decision="aceptar", contenido="si", firma="si",
                     sello="si").status_code == 200
    assert ana.post(f"{base}/validar", decision="validar").status_code == 200
    short = ana.post(f"{base}/material", decision="suficiente")
    assert short.status_code == 409 and "no tiene estación inscrita" in short.text

    # A DRSE station whose ledger predates migration 0008, holding events of the old shape.
    folder = tmp_path / "drse-antigua"
    open_station(folder).close()
    conn = sqlite3.connect(folder / "ledger.sqlite3")
    with conn:
        for table in ("office_requests", "office_news", "office_batches"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("DELETE FROM schema_migrations WHERE name = '0008_offices'")
        for kind, payload in (
                ("supplies_received", {"item": "teslin", "quantity": 10, "reference": "kit",
                                       "on": str(date.today())}),
                ("supplies_received", {"item": "micas", "quantity": 40, "reference": "kit",
                                       "on": str(date.today())}),
                ("hologram_range_received", {"range": 1, "cycle": "2026-2027",
                                             "first": "AS-1", "last": "AS-50", "count": 50,
                                             "reference": "kit",
                                             "received_on": str(date.today())})):
            conn.execute("INSERT INTO events (at, kind, payload) VALUES (?, ?, ?)",
                         (f"{date.today()}T08:00:00+00:00", kind, json.dumps(payload)))
    conn.close()
    cli(folder, "enroll", "--central", live_central.url, "--code",
        enrollment_code(live_central.url, drse=ALTOS_SUR))
    assert cli(folder, "sync").exit_code == 0
    page = ana.post(f"{base}/material", decision="suficiente")
    assert page.status_code == 200 and "En producción" in page.text, page.text
    conn = sqlite3.connect(folder / "ledger.sqlite3")
    with conn:
        for kind, payload in (
                ("delivery_created", {"delivery": 1, "cct": TEPA, "cycle": "2026-2027",
                                      "cards": [1000001], "holograms": []}),
                ("delivery_closed", {"delivery": 1, "received_by": "Profra. Elena Ruiz Soto",
                                     "received_on": str(date.today()), "scan": None})):
            conn.execute("INSERT INTO events (at, kind, payload) VALUES (?, ?, ?)",
                         (f"{date.today()}T12:00:00+00:00", kind, json.dumps(payload)))
    conn.close()
    assert cli(folder, "sync").exit_code == 0
    with sessions() as session:
        req = session.get(OfficeRequest, number)
        delivery = session.scalar(select(Delivery))
        assert req is not None and req.state == "entregada"
        assert delivery is not None and delivery.request_id == number
        assert delivery.received_by == "Profra. Elena Ruiz Soto"
    assert "Entregada con acuse de recibo firmado" in plan.get(base).text
    assert "Aún no hay entregas de su DRSE" in zapo.get("/staff/entregas").text

    # Procedure 2 for the school station; its receipt names no request (older station).
    assert zapo.post(f"{supply_base}/aprobar", q_teslin="27", q_micas="0", q_hologramas="0",
                     q_tinta="0").status_code == 200
    assert zapo.post(f"{supply_base}/enviar", referencia="VALE-CZ-1").status_code == 200
    answer = signed(api, key, "POST", "/api/v1/sync/events", body={"events": [
        _event(3, "supplies_received", {"item": "teslin", "quantity": 27,
                                        "reference": "VALE-CZ-1", "on": str(date.today())})]})
    assert answer.status_code == 200, answer.text
    assert "Recibida en la estación" in zapo.get(supply_base).text
    news = signed(api, key, "GET", "/api/v1/sync/office-news").json()
    assert [(n["procedure"], n["state"]) for n in news["requests"]] == [
        ("material", "recibida_estacion")]
    with sessions() as session:
        assert session.scalar(select(StaffAccount.office).where(
            StaffAccount.username == "plan")) == "planeacion"
