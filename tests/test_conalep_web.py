"""Conalep's staff pages on the shared web foundation: sign-in, lockout, must-change,
CSRF, roles and plantel scope (every route), in a real browser too."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from plugin_conalep import PASSWORD, add_plantel, add_staff, csrf_of, sign_in

from conalep.models.academic import Alumno, Carrera
from foundation.web.accounts import MAX_FAILURES


def _students(sessions: Any) -> None:
    """Two planteles with one student each."""
    add_plantel(sessions, "165", "CONALEP XALAPA")
    add_plantel(sessions, "200", "CONALEP ORIZABA")
    with sessions() as session, session.begin():
        session.add(Carrera(clave_carrera="INFO-23", nombre="INFORMÁTICA", modelo_academico=2023))
        session.flush()  # no relationship() orders the inserts: the career goes first
        for matricula, plantel, apellido in (("2316500001", "165", "XALAPEÑO"),
                                             ("2320000001", "200", "ORIZABEÑO")):
            session.add(Alumno(matricula=matricula, curp="XEXX010101HVZXXXA4", nombre="ANA",
                               primer_apellido=apellido, segundo_apellido="PÉREZ",
                               clave_plantel=plantel, clave_carrera="INFO-23",
                               generacion="2023-2026", semestre=5, grupo="5INF-1",
                               estatus="INSCRITO"))


def test_sign_in_and_home_in_spanish(conalep_client: Any, conalep_sessions: Any) -> None:
    add_staff(conalep_sessions, "dg.ana", "dg_escolares")
    assert conalep_client.get("/staff", follow_redirects=False).headers["location"] \
        == "/staff/ingresar"
    sign_in(conalep_client, "dg.ana")
    home = conalep_client.get("/staff")
    assert "Servicios Escolares (DG)" in home.text and "Ve todo el estado" in home.text
    assert '<html lang="es-MX">' in home.text and 'href="/staff/alumnos"' in home.text
    assert conalep_client.get("/staff/estilo.css").headers["content-type"].startswith("text/css")


def test_wrong_passwords_lock_the_account(conalep_client: Any, conalep_sessions: Any) -> None:
    add_staff(conalep_sessions, "dg.beto", "dg_escolares")
    for attempt in range(MAX_FAILURES):
        form = conalep_client.get("/staff/ingresar")
        answer = conalep_client.post("/staff/ingresar", data={
            "csrf": csrf_of(form.text), "usuario": "dg.beto", "contrasena": "no-es-la-buena"})
        expected = 423 if attempt == MAX_FAILURES - 1 else 401
        assert answer.status_code == expected, answer.text
    form = conalep_client.get("/staff/ingresar")
    locked = conalep_client.post("/staff/ingresar", data={
        "csrf": csrf_of(form.text), "usuario": "dg.beto", "contrasena": PASSWORD})
    assert locked.status_code == 423 and "bloqueada" in locked.text


def test_a_reset_password_must_be_changed_first(conalep_client: Any,
                                                conalep_sessions: Any) -> None:
    add_staff(conalep_sessions, "plantel.eva", "dg_escolares", must_change=True)
    form = conalep_client.get("/staff/ingresar")
    conalep_client.post("/staff/ingresar", data={"csrf": csrf_of(form.text),
                                                 "usuario": "plantel.eva",
                                                 "contrasena": PASSWORD})
    assert conalep_client.get("/staff", follow_redirects=False).headers["location"] \
        == "/staff/contrasena"
    page = conalep_client.get("/staff/contrasena")
    changed = conalep_client.post("/staff/contrasena", data={
        "csrf": csrf_of(page.text), "actual": PASSWORD, "nueva": "otra-frase-larga",
        "nueva2": "otra-frase-larga"}, follow_redirects=False)
    assert changed.status_code == 303
    assert conalep_client.get("/staff").status_code == 200


def test_a_form_without_its_csrf_token_is_refused(conalep_client: Any,
                                                  conalep_sessions: Any) -> None:
    add_staff(conalep_sessions, "dg.ciro", "dg_escolares")
    sign_in(conalep_client, "dg.ciro")
    refused = conalep_client.post("/staff/salir", data={"csrf": "0" * 64})
    assert refused.status_code == 403 and "formulario venció" in refused.text
    assert conalep_client.get("/staff").status_code == 200  # still signed in


@pytest.mark.parametrize("path", ["/staff/alumnos?plantel=200", "/staff/alumnos/2320000001"])
def test_a_campus_user_cannot_read_another_campus(conalep_client: Any, conalep_sessions: Any,
                                                  path: str) -> None:
    _students(conalep_sessions)
    add_staff(conalep_sessions, "xalapa.escolares", "plantel_escolares", "165")
    sign_in(conalep_client, "xalapa.escolares")
    refused = conalep_client.get(path)
    assert refused.status_code in (403, 404)
    assert "ORIZABEÑO" not in refused.text
    own = conalep_client.get("/staff/alumnos")
    assert "XALAPEÑO" in own.text and "ORIZABEÑO" not in own.text
    assert conalep_client.get("/staff/alumnos/2316500001").status_code == 200


def test_state_staff_see_every_campus(conalep_client: Any, conalep_sessions: Any) -> None:
    _students(conalep_sessions)
    add_staff(conalep_sessions, "dg.dora", "dg_formacion_tecnica")
    sign_in(conalep_client, "dg.dora")
    listing = conalep_client.get("/staff/alumnos")
    assert "XALAPEÑO" in listing.text and "ORIZABEÑO" in listing.text


def test_a_role_without_the_action_is_refused(conalep_client: Any,
                                              conalep_sessions: Any) -> None:
    add_staff(conalep_sessions, "cosfac.uno", "cosfac")
    sign_in(conalep_client, "cosfac.uno")
    refused = conalep_client.get("/staff/alumnos")
    assert refused.status_code == 403 and "no permite consultar calificaciones" in refused.text


def test_chromium_signs_in_at_1366x768(live_conalep: Any, conalep_sessions: Any,
                                       browser_page: Any) -> None:
    add_staff(conalep_sessions, "dg.elsa", "dg_escolares")
    page = browser_page
    page.goto(f"{live_conalep.url}/staff")
    assert page.url.endswith("/staff/ingresar")
    page.fill("#usuario", "dg.elsa")
    page.fill("#contrasena", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_conalep.url}/staff")
    assert "Servicios Escolares (DG)" in page.inner_text("header")
    # the layout fits an office PC's screen: no horizontal scroll bar on the home page
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert requests.get(f"{live_conalep.url}/staff", timeout=10,
                        allow_redirects=False).status_code == 303
