"""The access record and the ARCO desk through conalep's pages, on SQLite and PostgreSQL:
every staff read of a student's data (detail pages, lists naming students, downloads, the
JSON API) leaves one record per student and read, a refused read none; the state office
lists and downloads the record with filters, a campus cannot; the officer finds a student,
downloads the JSON and records requests, and a cancellation the certificate rules forbid is
explained in Spanish."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from openpyxl import load_workbook
from plugin_conalep import sign_in
from plugin_followup import OTHER_STUDENT, PERIODO, expected_at_risk
from privacy_conalep_setup import seed_everything
from sqlalchemy import func, select

from conalep.models.privacy import AccessRecord, ArcoRequest

STUDENT = "2316500012"   # plantel 165, INSCRITO
GRADUATE, GRADUATE_CURP = "2216500001", "ZUNS070515HVZXXNJ2"


@contextmanager
def as_user(app: Any, username: str) -> Iterator[tuple[Any, str]]:
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        yield client, sign_in(client, username)


def reads(sessions: Any, **where: str) -> list[AccessRecord]:
    with sessions() as session:
        query = select(AccessRecord).order_by(AccessRecord.id)
        for key, value in where.items():
            query = query.where(getattr(AccessRecord, key) == value)
        return list(session.scalars(query))


def test_every_read_of_a_student_leaves_one_record(conalep_app: Any, followup_data: Any,
                                                   conalep_settings: Any) -> None:
    seed_everything(followup_data, conalep_settings.data_dir, GRADUATE, GRADUATE_CURP, 1)
    with as_user(conalep_app, "plantel.165") as (client, _):
        assert client.get(f"/staff/alumnos/{STUDENT}").status_code == 200
        mine = reads(followup_data, staff="plantel.165", matricula=STUDENT)
        assert [(r.what, r.role, r.detail) for r in mine] == [
            ("ficha del alumno", "plantel_escolares", f"/staff/alumnos/{STUDENT}")]
        assert mine[0].ip  # the client's address
        client.get(f"/staff/alumnos/{STUDENT}")
        client.get(f"/staff/alumnos/{STUDENT}/seguimiento")
        assert [r.what for r in reads(followup_data, staff="plantel.165",
                                      matricula=STUDENT)] == [
            "ficha del alumno", "ficha del alumno", "seguimiento del alumno"]
        # another campus's student: refused, and nothing was shown so nothing is recorded
        assert client.get(f"/staff/alumnos/{OTHER_STUDENT}").status_code == 404
        assert reads(followup_data, matricula=OTHER_STUDENT) == []
        page = client.get(f"/staff/siseac?periodo={PERIODO}&corte=1&riesgo=si")
        assert page.status_code == 200
        at_risk = expected_at_risk(1)
        listed = {r.matricula for r in reads(followup_data, what="reporte SISEAC")}
        assert listed == at_risk, listed ^ at_risk
        sabana = client.get(f"/staff/siseac-sabana.csv?periodo={PERIODO}&corte=1")
        named = {row["Matrícula"] for row in
                 csv.DictReader(io.StringIO(sabana.content.decode("utf-8-sig")))}
        downloaded = {r.matricula for r in reads(followup_data, what="sábana SISEAC (CSV)")}
        assert named == downloaded and STUDENT in downloaded and len(named) > 20
        client.get("/staff/bajas?estado=todas")
        assert [r.matricula for r in reads(followup_data, what="lista de bajas")] == [GRADUATE]
    with as_user(conalep_app, "dg.escolares") as (client, _):
        api = client.get(f"/staff/api/seguimiento/en-riesgo?periodo={PERIODO}&corte=1")
        assert api.status_code == 200
        assert {r.matricula for r in reads(followup_data, what="alumnos en riesgo (API)")} \
            == {s["matricula"] for s in api.json()["at_risk"]} == at_risk
        assert client.get("/staff/certificados").status_code == 200
        assert [r.matricula for r in reads(followup_data, what="lista de certificados")] \
            == [GRADUATE]
    with followup_data() as session:
        assert session.scalar(select(func.count()).select_from(AccessRecord)
                              .where(AccessRecord.matricula == "")) == 0


def test_the_state_office_lists_and_downloads_the_record(conalep_app: Any,
                                                         followup_data: Any) -> None:
    with as_user(conalep_app, "plantel.165") as (client, _):
        client.get(f"/staff/alumnos/{STUDENT}")
        client.get(f"/staff/alumnos/{STUDENT}/seguimiento")
        assert client.get("/staff/privacidad/accesos").status_code == 403
        assert client.get("/staff/privacidad/arco").status_code == 403
    with as_user(conalep_app, "dg.general") as (client, _):
        page = client.get(f"/staff/privacidad/accesos?matricula={STUDENT}&usuario=plantel.165")
        assert page.status_code == 200, page.text
        assert 'id="total-accesos">2<' in page.text
        assert "seguimiento del alumno" in page.text and "Servicios Escolares de plantel" \
            in page.text
        narrowed = client.get(f"/staff/privacidad/accesos?matricula={STUDENT}&que=seguimiento")
        assert 'id="total-accesos">1<' in narrowed.text
        future = client.get("/staff/privacidad/accesos?desde=2999-01-01")
        assert 'id="total-accesos">0<' in future.text
        bad = client.get("/staff/privacidad/accesos?desde=ayer")
        assert bad.status_code == 422 and "AAAA-MM-DD" in bad.text
        book = load_workbook(io.BytesIO(client.get(
            f"/staff/privacidad/accesos.xlsx?matricula={STUDENT}").content))
        rows = list(book.active.iter_rows(min_row=2, values_only=True))
        assert sorted(r[4] for r in rows) == ["ficha del alumno", "seguimiento del alumno"]
        assert {(r[1], r[3]) for r in rows} == {("plantel.165", STUDENT)}


def test_the_officer_exports_and_records_requests(conalep_app: Any, followup_data: Any) -> None:
    with as_user(conalep_app, "dg.escolares") as (client, csrf):
        found = client.get("/staff/privacidad/arco?buscar=2316500012")
        assert f'href="/staff/privacidad/arco/{STUDENT}"' in found.text
        desk = client.get(f"/staff/privacidad/arco/{STUDENT}")
        assert "Las calificaciones no pueden cancelarse: la persona sigue inscrita" in desk.text
        data = json.loads(client.get(f"/staff/privacidad/arco/{STUDENT}/datos.json").content)
        assert data["matricula"] == STUDENT and data["datos"]["alumnos"][0]["matricula"] \
            == STUDENT
        assert len(data["datos"]["calificaciones"]) > 0
        form = {"csrf": csrf, "solicitante": "ROSA (madre)", "recibida_el": "2026-01-05",
                "fundamento": "Derecho de cancelación"}
        refused = client.post(f"/staff/privacidad/arco/{STUDENT}",
                              data={**form, "tipo": "cancelacion", "calificaciones": "si"})
        assert refused.status_code == 409
        assert "No se pueden cancelar las calificaciones" in refused.text
        missing = client.post(f"/staff/privacidad/arco/{STUDENT}",
                              data={**form, "tipo": "acceso", "resultado": "atendida",
                                    "solicitante": ""})
        assert missing.status_code == 422 and "quién presenta la solicitud" in missing.text
        done = client.post(f"/staff/privacidad/arco/{STUDENT}",
                           data={**form, "tipo": "acceso", "resultado": "atendida"},
                           follow_redirects=False)
        assert done.status_code == 303
        assert "Solicitud de acceso registrada" in client.get(done.headers["location"]).text
        client.post(f"/staff/privacidad/arco/{STUDENT}",
                    data={**form, "tipo": "oposicion", "resultado": "en_tramite",
                          "detalle": "no desea aparecer en las minutas"})
        with followup_data() as session:
            pending = session.scalars(select(ArcoRequest).where(
                ArcoRequest.kind == "oposicion")).one()
            assert (pending.resultado, pending.respondida_el) == ("en_tramite", None)
        page = client.get(f"/staff/privacidad/arco/{STUDENT}")
        assert f'id="responder-{pending.id}"' in page.text
        answer = {"csrf": csrf, "resultado": "atendida", "detalle": "se omitirá su nombre"}
        answered = client.post(f"/staff/privacidad/arco/solicitudes/{pending.id}", data=answer)
        assert answered.status_code == 200 and "Respuesta registrada" in answered.text
        again = client.post(f"/staff/privacidad/arco/solicitudes/{pending.id}", data=answer)
        assert again.status_code == 409 and "ya fue respondida" in again.text
    with followup_data() as session:
        requests = list(session.scalars(select(ArcoRequest).order_by(ArcoRequest.id)))
        assert [(r.kind, r.resultado, r.registrada_por) for r in requests] == [
            ("acceso", "atendida", "dg.escolares"), ("oposicion", "atendida", "dg.escolares")]
        assert requests[1].respondida_el is not None
        assert requests[1].detalle == "no desea aparecer en las minutas\nse omitirá su nombre"
    assert [r.what for r in reads(followup_data, matricula=STUDENT, staff="dg.escolares")] \
        == ["búsqueda ARCO", "resumen ARCO del alumno", "exportación ARCO (JSON)",
            *["resumen ARCO del alumno"] * 4]
