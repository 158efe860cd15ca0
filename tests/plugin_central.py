"""Fixtures for central: every central test runs on SQLite and on a real PostgreSQL server.

The PostgreSQL server is started once per session on loopback (Debian's postgresql 15, run
as the ``postgres`` user because it refuses root), with its data and socket in a temporary
folder. Each test gets a fresh database copied from a migrated template (fast), or a fresh
copy of a migrated SQLite file.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from plugin_logs import collect_log
from server_fixtures import app_fixtures, database_fixtures

from central.api.app import create_app
from central.crud.roster import import_roster
from central.crud.stations import now_utc
from central.db import upgrade
from central.settings import CentralSettings
from foundation.contract import protocol
from foundation.credential.keys import StationKey
from foundation.sqldb import make_engine, make_sessionmaker
from station.importers.roster_files import load_roster
from station.services.demo_data import write_demo_export

PG_BIN = Path("/usr/lib/postgresql/15/bin")
ADMIN_TOKEN = "token-de-pruebas-con-suficientes-caracteres"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgServer:
    port: int
    folder: Path

    def url(self, db: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def sql(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(statement)


def _as_postgres(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer | None]:
    if not (PG_BIN / "initdb").exists() or shutil.which("runuser") is None:
        yield None
        return
    # Not under pytest's basetemp: that is 0700 root and the postgres user must reach it.
    folder = Path(tempfile.mkdtemp(prefix="central-pg-"))
    folder.chmod(0o755)
    data, sock = folder / "data", folder / "sock"
    sock.mkdir()
    shutil.chown(folder, "postgres")
    shutil.chown(sock, "postgres")
    port = free_port()
    _as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                 "-E", "UTF8", "--locale=C.UTF-8")
    options = (f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
    _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w",
                 "-o", options, "start")
    server = PgServer(port, folder)
    try:
        yield server
    finally:
        _stop_postgres(data)
        shutil.rmtree(folder, ignore_errors=True)


def _stop_postgres(data: Path) -> None:
    """Immediate shutdown (SIGQUIT to the postmaster), SIGKILL if it lingers: a test server
    holds nothing worth a clean checkpoint."""
    try:
        pid = int((data / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGQUIT)
    except (OSError, ValueError, IndexError):
        return
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:  # gone, or a zombie nobody reaps (no init in a container)
            if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
                return
        except (OSError, IndexError):
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


central_templates, central_db_url = database_fixtures("central", upgrade, "central.sqlite3")
"""A fresh, migrated central database per test: SQLite file or PostgreSQL database."""


@pytest.fixture
def central_settings(tmp_path: Path, central_db_url: str) -> CentralSettings:
    return CentralSettings(data_dir=tmp_path / "central", database_url=central_db_url,
                           admin_token=ADMIN_TOKEN, folio_block_size=80)


central_app, api = app_fixtures("central", create_app, client="api")


STAFF = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def import_demo(settings: CentralSettings, folder: Path, *, students: int = 30,
                seed: int = 2026, photos: bool = False) -> tuple[Path, Path]:
    """The demo export (same as the stations' fixture) imported into central."""
    escuelas, alumnos = write_demo_export(folder, students=students, seed=seed, photos=photos)
    check = load_roster(escuelas, alumnos)
    assert check.ok, check.problems
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine)() as session, session.begin():
        import_roster(session, schools=check.schools, students=check.students, now=now_utc())
    engine.dispose()
    return escuelas, alumnos


def signed(client: Any, key: StationKey, method: str, path: str, *, body: object = None,
           raw: bytes | None = None, params: dict[str, object] | None = None,
           timestamp: int | None = None, headers: dict[str, str] | None = None) -> Any:
    """Send one request signed with ``key`` through a TestClient (or return it prepared)."""
    from urllib.parse import urlencode

    if params:
        path = f"{path}?{urlencode(params)}"
    data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    h = protocol.signed_headers(method, path, data, key_id=key.key_id, sign=key.sign,
                                timestamp=int(time.time()) if timestamp is None else timestamp)
    h["Content-Type"] = "application/json"
    h.update(headers or {})
    return client.request(method, path, content=data, headers=h)


def enrollment_code(url: str, **target: str) -> str:
    """A one-time enrollment code from a live central (``school_cct=`` or ``drse=``)."""
    kind = "escuela" if "school_cct" in target else "drse"
    answer = requests.post(f"{url}/api/v1/admin/enrollment-codes", headers=STAFF, timeout=10,
                           json={"kind": kind, "station_name": "Pruebas", "staff": "Ana",
                                 **target})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["code"])


def take_block(client: Any, key: StationKey, ordinal: int = 1) -> tuple[int, int]:
    """The station's folio block ``ordinal`` (central refuses cards outside its blocks)."""
    answer = signed(client, key, "POST", "/api/v1/sync/folio-blocks", body={"ordinal": ordinal})
    assert answer.status_code == 200, answer.text
    return int(answer.json()["first"]), int(answer.json()["last"])


def enroll_key(client: Any, key: StationKey, *, school: str | None = "14DPR9901D",
               drse: str | None = None, block: bool = True) -> dict[str, Any]:
    """Create a code as staff and enroll ``key`` with it (and take its first folio block,
    unless ``block=False``); the enrollment answer."""
    kind = "escuela" if school else "drse"
    answer = client.post("/api/v1/admin/enrollment-codes", headers=STAFF, json={
        "kind": kind, "school_cct": school, "drse": drse, "station_name": "Pruebas",
        "staff": "Ana Pruebas"})
    assert answer.status_code == 201, answer.text
    response = signed(client, key, "POST", "/api/v1/enroll", body={
        "code": answer.json()["code"],
        "public_key": base64.b64encode(key.public_bytes()).decode()})
    assert response.status_code == 200, response.text
    if block:
        take_block(client, key)
    return response.json()


class LiveCentral:
    """uvicorn serving central on loopback in a thread of the test process."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveCentral:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live_central(central_app: Any) -> Iterator[LiveCentral]:
    with LiveCentral(central_app) as live:
        yield live


@dataclass
class CentralProcess:
    """``central serve`` as its own process (one uvicorn worker) on loopback."""

    port: int
    pid: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def central_process(central_settings: CentralSettings) -> Iterator[CentralProcess]:
    import sys

    port = free_port()
    env = {**os.environ, "CENTRAL_DATA_DIR": str(central_settings.data_dir),
           "CENTRAL_DATABASE_URL": central_settings.database_url,
           "CENTRAL_ADMIN_TOKEN": ADMIN_TOKEN, "CENTRAL_WORKERS": "1",
           "CENTRAL_FOLIO_BLOCK_SIZE": str(central_settings.folio_block_size)}
    log = central_settings.data_dir.parent / "central-serve.log"
    central_settings.data_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        process = subprocess.Popen([Path(sys.executable).parent / "central", "serve", "--port",
                                    str(port)], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}/staff/ingresar", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "central did not start"
            time.sleep(0.2)
        yield CentralProcess(port, process.pid)
    finally:
        process.terminate()
        process.wait(20)
        collect_log(log)
