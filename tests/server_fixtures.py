"""The fixtures every server's tests have (central's, conalep's), made once for both.

A program's migrated template database on SQLite and on the suite's PostgreSQL server
(``pg_server`` of plugin_central), and a fresh copy of it for each test: a copied SQLite file,
or a PostgreSQL database made with ``CREATE DATABASE … TEMPLATE`` (fast: no migrations per
test): :func:`database_fixtures`. The app on those settings and a TestClient on it:
:func:`app_fixtures`. A plugin binds each fixture to a module name of the same spelling.
"""

from __future__ import annotations

import inspect
import itertools
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import require_part

if TYPE_CHECKING:
    from plugin_central import PgServer

_names = itertools.count(1)
"""Numbers of the per-test PostgreSQL databases (one server for every program's tests)."""


class TemplateDatabases:
    """``program``'s database migrated once by ``upgrade`` into ``folder`` (SQLite) and into
    a PostgreSQL template database when the server runs."""

    def __init__(self, program: str, upgrade: Callable[[str], None], folder: Path,
                 pg_server: PgServer | None) -> None:
        self.program, self.pg_server = program, pg_server
        self.sqlite_file = folder / f"{program}-template.db"
        upgrade(f"sqlite:///{self.sqlite_file}")
        if pg_server is not None:
            pg_server.sql(f"CREATE DATABASE {program}_template")
            upgrade(pg_server.url(f"{program}_template"))

    def fresh(self, kind: str, sqlite_file: Path) -> str:
        """The URL of a fresh copy of the template: ``kind`` ``sqlite`` (copied to
        ``sqlite_file``) or ``postgresql`` (a new database; required in CI)."""
        if kind == "sqlite":
            shutil.copyfile(self.sqlite_file, sqlite_file)
            return f"sqlite:///{sqlite_file}"
        require_part(self.pg_server is not None,
                     "PostgreSQL 15 server binaries (postgresql package)")
        assert self.pg_server is not None
        name = f"{self.program[0]}{next(_names)}"
        self.pg_server.sql(f"CREATE DATABASE {name} TEMPLATE {self.program}_template")
        return self.pg_server.url(name)


def _fixture(func: Callable[..., Any], *needs: str, **options: Any) -> Any:
    """``func`` (which takes keyword arguments) as a fixture that needs the fixtures named
    ``needs``: pytest reads a fixture's dependencies from its signature, and the names here
    depend on the program, so the signature is set rather than written."""
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    func.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, kind) for name in needs])
    return pytest.fixture(**options)(func)


def database_fixtures(program: str, upgrade: Callable[[str], None],
                      sqlite_name: str) -> tuple[Any, Any]:
    """``<program>_templates`` (one per session) and ``<program>_db_url``, parametrised over
    SQLite and PostgreSQL: the URL of a fresh, migrated database of ``program``."""

    def templates(tmp_path_factory: pytest.TempPathFactory,
                  pg_server: PgServer | None) -> TemplateDatabases:
        return TemplateDatabases(program, upgrade, tmp_path_factory.mktemp(f"{program}-template"),
                                 pg_server)

    def db_url(**needs: Any) -> str:
        made: TemplateDatabases = needs[f"{program}_templates"]
        return made.fresh(needs["request"].param, needs["tmp_path"] / sqlite_name)

    return (pytest.fixture(scope="session", name=f"{program}_templates")(templates),
            _fixture(db_url, "request", "tmp_path", f"{program}_templates",
                     params=["sqlite", "postgresql"], name=f"{program}_db_url"))


def app_fixtures(program: str, create_app: Callable[..., Any], client: str) -> tuple[Any, Any]:
    """``<program>_app``: ``create_app(<program>_settings, migrate=False)`` (the database
    is migrated already), its engine closed afterwards; ``client``: a TestClient on it."""

    def app(**needs: Any) -> Iterator[Any]:
        made = create_app(needs[f"{program}_settings"], migrate=False)
        yield made
        made.state.engine.dispose()

    def test_client(**needs: Any) -> Iterator[Any]:
        from fastapi.testclient import TestClient

        with TestClient(needs[f"{program}_app"]) as answering:
            yield answering

    return (_fixture(app, f"{program}_settings", name=f"{program}_app"),
            _fixture(test_client, f"{program}_app", name=client))
