"""ARCO orders reach an enrolled station (issue 18), over real HTTP on loopback: real central
(SQLite and PostgreSQL) for enrolment, roster, photos and the events the station pushes.

The first test drives the station against the contract with a STAND-IN route mounted on the
real central app in front of central's own ``GET /api/v1/privacy-orders`` (so it can hand the
station orders central would never send: unknown fields, an older central without the route).
The stand-in authenticates the station exactly like central's other station pulls (central's
own ``AnyStation`` dependency checks the signed request). The last test uses central's real
route end to end: a cancellation recorded on central reaches the enrolled station."""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from plugin_central import enrollment_code, import_demo

from central.api.deps import AnyStation
from central.settings import CentralSettings
from foundation.contract.responses import PrivacyOrderPage
from station.cli import main as station_cli
from station.context import Station, open_station
from station.services.lifecycle import request_card
from station.store import sync_state
from station.sync import privacy_orders
from station.sync.client import SyncError
from station.sync.engine import client_for, run_sync
from station.sync.enroll import enroll

SCHOOL = "14DPR9901D"
PATH = privacy_orders.PRIVACY_ORDERS


def _mount_stand_in(app: Any, orders: list[dict[str, Any]], asked: list[str]) -> None:
    """STAND-IN for central's privacy-orders route (see the module docstring)."""

    def stand_in_privacy_orders(station: AnyStation, after: int = 0,
                                limit: int = 100) -> dict[str, object]:
        asked.append(station.id)
        rows = [o for o in orders if o["id"] > after]
        page = rows[:limit]
        return {"orders": page, "cursor": page[-1]["id"] if page else after,
                "more": len(rows) > limit}

    app.router.add_api_route(PATH, stand_in_privacy_orders, methods=["GET"],
                             response_model=PrivacyOrderPage)
    app.router.routes.insert(0, app.router.routes.pop())


def _without_route(app: Any) -> None:
    """An older central: the privacy-orders path answers 404 (a route in front of central's
    own, which FastAPI keeps inside its included routers)."""
    from fastapi import HTTPException

    def older_central_has_no_such_route() -> None:
        raise HTTPException(status_code=404, detail="Not Found")

    app.router.add_api_route(PATH, older_central_has_no_such_route, methods=["GET"])
    app.router.routes.insert(0, app.router.routes.pop())


def _restore_route(app: Any) -> None:
    app.router.routes[:] = [r for r in app.router.routes
                            if getattr(r, "endpoint", None) is None
                            or r.endpoint.__name__ != "older_central_has_no_such_route"]


@pytest.fixture
def enrolled(live_central: Any, central_app: Any, central_settings: CentralSettings,
             tmp_path: Path) -> Any:
    """Central with the demo roster and photos; a station of 14DPR9901D enrolled."""
    from central.cli import main as central_cli

    escuelas, _ = import_demo(central_settings, tmp_path / "export", students=12, photos=True)
    env = {"CENTRAL_DATA_DIR": str(central_settings.data_dir),
           "CENTRAL_DATABASE_URL": central_settings.database_url}
    out = CliRunner().invoke(central_cli, ["import-photos", str(escuelas.parent / "fotos")],
                             env=env)
    assert out.exit_code == 0, out.output
    station = open_station(tmp_path / "station")
    enroll(station, central_url=live_central.url,
           code=enrollment_code(live_central.url, school_cct=SCHOOL))
    yield station, central_app
    station.close()


def _dump(station: Station) -> str:
    conn = sqlite3.connect(f"{station.folder.ledger.as_uri()}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type ="
                                             " 'table' AND name NOT LIKE 'sqlite_%'")]
        return json.dumps({t: [list(r) for r in conn.execute(f"SELECT * FROM {t}")]
                           for t in tables}, ensure_ascii=False, default=str)
    finally:
        conn.close()


def _with_photo(station: Station) -> list[tuple[str, str, str]]:
    with station.db.read() as conn:
        return [tuple(r) for r in conn.execute(
            "SELECT curp, photo_hash, nombre FROM students WHERE cct = ? AND photo_hash IS NOT"
            " NULL ORDER BY curp", (SCHOOL,))]


def test_a_cancellation_purges_at_once_and_nothing_brings_the_student_back(
        enrolled: Any, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    station, app = enrolled
    # An older central first: no orders route. The sync carries on and says so once.
    _without_route(app)
    monkeypatch.setattr(privacy_orders, "_said_unsupported", False)
    caplog.set_level(logging.WARNING, logger=privacy_orders.__name__)
    for _ in range(2):
        older = run_sync(station, client_for(station))
        assert older.ok, older.errors
        assert older.privacy.supported is False
    said = [r for r in caplog.records if "órdenes de privacidad" in r.getMessage()]
    assert len(said) == 1, "the missing route is logged once"
    assert _with_photo(station), "the steps after the orders (roster, photos) still ran"

    orders: list[dict[str, Any]] = []
    asked: list[str] = []
    _restore_route(app)
    _mount_stand_in(app, orders, asked)
    first = run_sync(station, client_for(station))
    assert first.ok and first.privacy.supported, first.errors
    (gone, gone_photo, _), (fixed, _, old_name) = _with_photo(station)[:2]
    assert station.photos.has(gone_photo)

    orders += [
        {"id": 7, "kind": "cancelacion", "curp": gone, "cct": SCHOOL,
         "reason": "Solicitud ARCO 12/2026", "ordered_at": "2026-12-02T10:00:00Z"},
        {"id": 9, "kind": "rectificacion", "curp": fixed, "cct": SCHOOL,
         "fields": {"nombre": "MARÍA JOSÉ", "domicilio": "CALLE FALSA 123"},
         "reason": "Solicitud ARCO 13/2026", "ordered_at": "2026-12-02T10:05:00Z"}]
    caplog.set_level(logging.INFO)
    report = run_sync(station, client_for(station))
    assert report.ok, report.errors
    assert asked and set(asked) == {asked[0]}, "the stand-in saw the enrolled station"
    p = report.privacy
    assert (p.cancelled, p.rectified, p.refused) == (1, 1, 1)
    assert "1 cancelación aplicada" in report.describe()
    assert not station.photos.has(gone_photo)
    assert gone not in _dump(station)
    with station.db.read() as conn:
        assert conn.execute("SELECT nombre FROM students WHERE curp = ?",
                            (fixed,)).fetchone()[0] == "MARÍA JOSÉ"
        tomb = conn.execute("SELECT reason, order_id FROM purged_students").fetchall()
        assert [tuple(t) for t in tomb] == [("cancelacion", 7)]
        assert sync_state.get_int(conn, privacy_orders.CURSOR) == 9
    logged = caplog.text
    assert "domicilio" in logged
    assert gone not in logged and fixed not in logged and "CALLE FALSA" not in logged

    # The purge event went up and central took it: the station's events are all acknowledged.
    again = run_sync(station, client_for(station))
    assert again.ok and again.privacy.cancelled == 0
    with station.db.read() as conn:
        last = conn.execute("SELECT max(seq) FROM events").fetchone()[0]
        kinds = [r[0] for r in conn.execute("SELECT kind FROM events")]
        assert sync_state.get_int(conn, "acked_through") == last
    assert "student_data_purged" in kinds

    # A full roster pull from central (which still lists the student and their photo).
    with station.db.write() as conn:
        sync_state.set_state(conn, "roster_cursor", "")
    pulled = run_sync(station, client_for(station))
    assert pulled.ok, pulled.errors
    assert pulled.students > 0
    assert gone not in _dump(station), "a roster pull brought the cancelled student back"
    assert not station.photos.has(gone_photo), "the cancelled student's photo came back"
    assert old_name != "MARÍA JOSÉ"

    # A cancellation of a student named by an event central does not hold yet waits: no
    # pseudonym may reach central in place of the student; the next sync sends, then purges.
    waiting = _with_photo(station)[0][0]
    request_card(station, waiting, on=date.today(), requested_by="alumno",
                 taken_by="Ana Pérez")
    orders.append({"id": 11, "kind": "cancelacion", "curp": waiting, "cct": SCHOOL,
                   "reason": "Solicitud ARCO 14/2026", "ordered_at": "2026-12-02T11:00:00Z"})
    with pytest.raises(SyncError) as held:
        privacy_orders.pull_privacy_orders(station, client_for(station))
    assert held.value.code == "privacy-order-waiting" and waiting not in held.value.message
    with station.db.read() as conn:
        assert sync_state.get_int(conn, privacy_orders.CURSOR) == 9
    assert waiting in _dump(station)
    later = run_sync(station, client_for(station))
    assert later.ok and later.privacy.cancelled == 1, later.errors
    assert waiting not in _dump(station)


def test_a_cancellation_recorded_on_central_reaches_the_enrolled_station(
        enrolled: Any, central_settings: CentralSettings) -> None:
    """End to end with central's own route (no stand-in): the officer's cancellation on
    central is erased there, and the school's station purges the child at its next sync."""
    from sqlalchemy import select

    from central.crud import privacy_arco
    from central.crud.privacy_digest import privacy_key
    from central.crud.stations import now_utc
    from central.models import Student
    from foundation.sqldb import make_engine, make_sessionmaker

    station, _ = enrolled
    first = run_sync(station, client_for(station))
    assert first.ok and first.privacy.supported, first.errors
    gone, gone_photo, _ = _with_photo(station)[0]
    assert station.photos.has(gone_photo)

    key_file = central_settings.privacy_key_file
    assert key_file is not None
    engine = make_engine(central_settings.database_url)
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            student = session.scalar(select(Student).where(Student.curp == gone))
            assert student is not None
            privacy_arco.cancel(session, key=privacy_key(key_file), student=student,
                                folio="ARCO-21/2026", received_on=date.today(),
                                legal_reason="Cancelación solicitada por el padre",
                                staff="cesc", now=now_utc())
    finally:
        engine.dispose()

    report = run_sync(station, client_for(station))
    assert report.ok, report.errors
    assert report.privacy.cancelled == 1
    assert gone not in _dump(station)
    assert not station.photos.has(gone_photo)
    with station.db.read() as conn:
        assert [r[0] for r in conn.execute("SELECT reason FROM purged_students")] == \
            ["cancelacion"]
    # Nothing comes back at the following sync, and the station's audit still balances.
    again = run_sync(station, client_for(station))
    assert again.ok and again.privacy.cancelled == 0, again.errors
    assert gone not in _dump(station)
    audited = CliRunner().invoke(station_cli, ["--data", str(station.data_dir), "audit"])
    assert audited.exit_code == 0, audited.output
