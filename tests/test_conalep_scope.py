"""A campus user cannot read or change another campus's data, route by route; a campus sees
a corte's SISEAC only after DG published it (norm 11); roles without the action are refused."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from click.testing import CliRunner
from plugin_conalep import SAE_SAMPLES, add_plantel, add_staff, sign_in
from sqlalchemy import select

from conalep.cli import main
from conalep.models.academic import Alumno, Calificacion, Rectificacion
from conalep.settings import ConalepSettings

PERIODO = "2025-2026-1"
OTHER = "200"


@pytest.fixture
def two_campuses(conalep_settings: ConalepSettings, conalep_sessions: Any) -> dict[str, Any]:
    """The samples (plantel 165) plus plantel 200 with one student and one grade."""
    env = {"CONALEP_DATA_DIR": str(conalep_settings.data_dir),
           "CONALEP_DATABASE_URL": conalep_settings.database_url}
    assert CliRunner().invoke(main, ["import-sae", str(SAE_SAMPLES)], env=env).exit_code == 0
    add_plantel(conalep_sessions, OTHER, "CONALEP ORIZABA")
    with conalep_sessions() as session, session.begin():
        session.add(Alumno(matricula="2320000001", curp="XEXX010101HVZXXXA4", nombre="ANA",
                           primer_apellido="ORIZABEÑA", segundo_apellido="LUNA",
                           clave_plantel=OTHER, clave_carrera="INFO-23", generacion="2023-2026",
                           semestre=5, grupo="5INF-9", estatus="INSCRITO"))
        session.flush()
        session.add(Calificacion(periodo=PERIODO, corte=1, matricula="2320000001",
                                 clave_modulo="INFO-51", clave_plantel=OTHER, grupo="5INF-9",
                                 clave_docente="D165IN50", calificacion=4.0,
                                 fecha_captura=date(2025, 9, 25), late=False,
                                 updated_at=datetime.now(UTC)))
    with conalep_sessions() as session:
        grade_165 = session.scalars(select(Calificacion).where(
            Calificacion.clave_plantel == "165")).first()
        rect_165 = session.scalars(select(Rectificacion)).first()
        assert grade_165 is not None and rect_165 is not None
        student = session.get(Alumno, grade_165.matricula)
        assert student is not None
        return {"grade": grade_165.id, "matricula": grade_165.matricula, "rect": rect_165.id,
                "apellidos": f"{student.primer_apellido} {student.segundo_apellido}"}


def _publish(client: Any, csrf: str, corte: int) -> None:
    answer = client.post("/staff/siseac/publicar", data={"csrf": csrf, "periodo": PERIODO,
                                                          "corte": str(corte)},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text


READS = [
    "/staff/alumnos?plantel=165",
    "/staff/alumnos/{matricula}",
    "/staff/calificaciones/{grade}",
    f"/staff/siseac?periodo={PERIODO}&corte=1&plantel=165",
    f"/staff/siseac.xlsx?periodo={PERIODO}&corte=1&plantel=165",
    f"/staff/siseac.pdf?periodo={PERIODO}&corte=1&plantel=165",
]


@pytest.mark.parametrize("path", READS)
def test_a_campus_cannot_read_another_campus(two_campuses: dict[str, Any], path: str,
                                             conalep_client: Any,
                                             conalep_sessions: Any) -> None:
    add_staff(conalep_sessions, "dg.ana", "dg_escolares")
    _publish_as_dg(conalep_client, 1)
    add_staff(conalep_sessions, "orizaba.escolares", "plantel_escolares", OTHER)
    sign_in(conalep_client, "orizaba.escolares")
    answer = conalep_client.get(path.format(**two_campuses))
    assert answer.status_code in (403, 404), answer.text
    assert two_campuses["apellidos"] not in answer.text and "Calificación" not in answer.text
    assert "text/html" in answer.headers["content-type"]  # a Spanish page, not the file


def _publish_as_dg(client: Any, corte: int) -> None:
    _publish(client, sign_in(client, "dg.ana"), corte)
    client.cookies.clear()


def test_a_campus_sees_only_its_own_students_in_the_published_report(
        two_campuses: dict[str, Any], conalep_client: Any, conalep_sessions: Any) -> None:
    add_staff(conalep_sessions, "dg.ana", "dg_escolares")
    add_staff(conalep_sessions, "orizaba.director", "plantel_director", OTHER)
    sign_in(conalep_client, "orizaba.director")
    unpublished = conalep_client.get(f"/staff/siseac?periodo={PERIODO}&corte=1")
    assert unpublished.status_code == 404 and "todavía no publica" in unpublished.text
    conalep_client.cookies.clear()
    _publish_as_dg(conalep_client, 1)
    sign_in(conalep_client, "orizaba.director")
    page = conalep_client.get(f"/staff/siseac?periodo={PERIODO}&corte=1")
    assert page.status_code == 200
    assert "2320000001" in page.text and two_campuses["matricula"] not in page.text
    xlsx = conalep_client.get(f"/staff/siseac.xlsx?periodo={PERIODO}&corte=1")
    assert xlsx.status_code == 200 and b"2320000001" not in xlsx.content[:4]  # zipped
    from io import BytesIO

    import openpyxl

    sheet = openpyxl.load_workbook(BytesIO(xlsx.content))["Alumnos y módulos"]
    assert {r[0] for r in sheet.iter_rows(min_row=2, values_only=True)} == {OTHER}
    assert conalep_client.get(f"/staff/siseac?periodo={PERIODO}&corte=2").status_code == 404


CHANGES = [
    ("/staff/calificaciones/{grade}", {"nueva": "10", "solicitante": "Director",
                                       "oficio": "OF-1", "motivo": "error de captura"}),
    ("/staff/rectificaciones/{rect}", {"solicitante": "Director", "oficio": "OF-1",
                                       "motivo": "error de captura"}),
]


@pytest.mark.parametrize(("path", "data"), CHANGES)
def test_a_campus_cannot_change_another_campus(two_campuses: dict[str, Any], path: str,
                                               data: dict[str, str], conalep_client: Any,
                                               conalep_sessions: Any) -> None:
    add_staff(conalep_sessions, "orizaba.escolares", "plantel_escolares", OTHER)
    csrf = sign_in(conalep_client, "orizaba.escolares")
    answer = conalep_client.post(path.format(**two_campuses), data={"csrf": csrf, **data})
    assert answer.status_code == 404, answer.text
    with conalep_sessions() as session:
        grade = session.get(Calificacion, two_campuses["grade"])
        rect = session.get(Rectificacion, two_campuses["rect"])
        assert grade is not None and grade.calificacion != 10.0
        assert rect is not None and rect.recorded_at is None


@pytest.mark.parametrize(("method", "path"), [("get", "/staff/importar"),
                                              ("post", "/staff/importar"),
                                              ("post", "/staff/siseac/publicar")])
def test_campus_roles_cannot_import_or_publish(two_campuses: dict[str, Any], method: str,
                                               path: str, conalep_client: Any,
                                               conalep_sessions: Any) -> None:
    add_staff(conalep_sessions, "orizaba.director", "plantel_director", OTHER)
    csrf = sign_in(conalep_client, "orizaba.director")
    if method == "get":
        answer = conalep_client.get(path)
    else:
        answer = conalep_client.post(path, data={"csrf": csrf, "periodo": PERIODO,
                                                 "corte": "1"},
                                     files={"archivos": ("planteles.csv", b"x", "text/csv")})
    assert answer.status_code == 403 and "no permite" in answer.text, answer.text


def test_the_own_campus_can_rectify(two_campuses: dict[str, Any], conalep_client: Any,
                                    conalep_sessions: Any) -> None:
    add_staff(conalep_sessions, "xalapa.escolares", "plantel_escolares", "165")
    csrf = sign_in(conalep_client, "xalapa.escolares")
    incomplete = conalep_client.post(f"/staff/rectificaciones/{two_campuses['rect']}",
                                     data={"csrf": csrf, "solicitante": "", "oficio": "",
                                           "motivo": ""})
    assert incomplete.status_code == 422 and "necesita quién la solicita" in incomplete.text
    done = conalep_client.post(f"/staff/rectificaciones/{two_campuses['rect']}",
                               data={"csrf": csrf, "solicitante": "Lic. Ruiz, director",
                                     "oficio": "CONALEP/165/2025/031",
                                     "motivo": "captura extemporánea autorizada"},
                               follow_redirects=False)
    assert done.status_code == 303
    again = conalep_client.post(f"/staff/rectificaciones/{two_campuses['rect']}",
                                data={"csrf": csrf, "solicitante": "Otro", "oficio": "X-2",
                                      "motivo": "cambiar el historial"})
    assert again.status_code == 409  # a recorded rectification is history: never rewritten
    with conalep_sessions() as session:
        rect = session.get(Rectificacion, two_campuses["rect"])
        assert rect is not None and rect.oficio == "CONALEP/165/2025/031"
