"""Fixtures for conalep: every conalep test runs on SQLite and on the PostgreSQL server the
suite starts (``pg_server`` of plugin_central), conalep served by uvicorn on loopback, and
Debian's chromium driven by Playwright for the page tests.

Each test gets a fresh database copied from a migrated template (SQLite file or PostgreSQL
``TEMPLATE``). Helpers create accounts and sign in with a real HTTP client.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import require_part
from plugin_central import LiveCentral
from server_fixtures import app_fixtures, database_fixtures

from conalep.app import create_app
from conalep.db import upgrade
from conalep.settings import ConalepSettings
from foundation.sqldb import make_engine, make_sessionmaker

SAE_SAMPLES = Path(__file__).resolve().parent / "data" / "sae"
"""A copy of the synthetic SAE exports of ../shared/samples/sae (README there)."""
SECRET = "secreto-de-pruebas-conalep-suficientemente-largo"
PASSWORD = "contraseña-de-pruebas"
CHROMIUM = Path("/usr/bin/chromium")


conalep_templates, conalep_db_url = database_fixtures("conalep", upgrade, "conalep.db")
"""A fresh, migrated conalep database per test: SQLite file or PostgreSQL database."""


@pytest.fixture
def conalep_settings(tmp_path: Path, conalep_db_url: str) -> ConalepSettings:
    return ConalepSettings(data_dir=tmp_path / "conalep", database_url=conalep_db_url,
                           secret_key=SECRET)


@pytest.fixture
def conalep_sessions(conalep_settings: ConalepSettings) -> Iterator[Any]:
    engine = make_engine(conalep_settings.database_url)
    yield make_sessionmaker(engine)
    engine.dispose()


conalep_app, conalep_client = app_fixtures("conalep", create_app, client="conalep_client")


@pytest.fixture
def live_conalep(conalep_app: Any) -> Iterator[LiveCentral]:
    """uvicorn serving conalep on loopback (the same server class as central's tests)."""
    with LiveCentral(conalep_app) as live:
        yield live


def add_plantel(sessions: Any, clave: str, nombre: str = "CONALEP DE PRUEBA") -> None:
    from conalep.models.academic import Plantel

    with sessions() as session, session.begin():
        session.merge(Plantel(clave_plantel=clave, nombre=nombre, municipio="XALAPA"))


def add_staff(sessions: Any, username: str, role: str, clave_plantel: str | None = None,
              *, password: str = PASSWORD, must_change: bool = False) -> None:
    """An account made the way ``conalep staff add`` makes it."""
    from conalep.accounts import create_account
    from conalep.context import utcnow

    with sessions() as session, session.begin():
        create_account(session, username=username, password=password, role=role,
                       clave_plantel=clave_plantel, display_name=username.title(),
                       now=utcnow(), must_change=must_change)


_CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(client: Any, username: str, password: str = PASSWORD) -> str:
    """Sign ``client`` in through the form; the CSRF token of its session."""
    form = client.get("/staff/ingresar")
    answer = client.post("/staff/ingresar", data={"csrf": csrf_of(form.text),
                                                  "usuario": username, "contrasena": password},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    home = client.get("/staff")
    assert home.status_code == 200, home.text
    return csrf_of(home.text)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's chromium under Playwright (headless; PLATFORM-NOTES "Web pages in a real
    browser")."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    require_part(sync_playwright is not None and CHROMIUM.exists(),
                 "Playwright (pip) and Debian's chromium (/usr/bin/chromium)")
    assert sync_playwright is not None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


def office_page(chromium: Any) -> Any:
    """A page in a fresh browser context at an office PC's screen size, accepting downloads
    (``page.context.close()`` ends it)."""
    context = chromium.new_context(viewport={"width": 1366, "height": 768},
                                   accept_downloads=True, locale="es-MX")
    return context.new_page()


def sign_in_page(page: Any, url: str, username: str, password: str) -> Any:
    """Sign ``username`` in through the staff sign-in form (central's and conalep's share its
    fields) and wait for the staff home; the page."""
    page.goto(f"{url}/staff")
    page.fill("#usuario", username)
    page.fill("#contrasena", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/staff")
    return page


@pytest.fixture
def browser_page(chromium: Any, tmp_path: Path) -> Iterator[Any]:
    """A fresh browser context at an office PC's screen size, accepting downloads."""
    page = office_page(chromium)
    yield page
    page.context.close()
