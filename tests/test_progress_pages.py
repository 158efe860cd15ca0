"""Issue 13's pages on an empty central and the summary's bookkeeping, through TestClient on
central's real database (SQLite; the browser test runs both databases with a real station).

- every new page says what to do next when there is nothing to show;
- the seed's 14 DRSE are in the directory from the migration;
- the per-school summary recomputes, never counts: marking a school twice, replaying the
  office rows of the same events, or refreshing again leaves the same figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from plugin_central import import_demo
from sqlalchemy import select

from central.crud import progress, progress_summary
from central.crud.stations import now_utc
from central.models import DrseContact, School, Station, Student, StudentCardWish
from central.settings import CentralSettings
from foundation.sqldb import make_engine, make_sessionmaker

PASSWORD = "contraseña de pruebas"
sqlite_only = pytest.mark.parametrize("central_db_url", ["sqlite"], indirect=True)


def _staff(settings: CentralSettings, *accounts: list[str]) -> None:
    from central.cli import main as central_cli

    env = {"CENTRAL_DATA_DIR": str(settings.data_dir),
           "CENTRAL_DATABASE_URL": settings.database_url}
    for args in accounts:
        out = CliRunner().invoke(central_cli, ["staff", "add", *args, "--password-stdin"],
                                 input=PASSWORD + "\n", env=env)
        assert out.exit_code == 0, out.output


def _sign_in(client: Any, username: str) -> None:
    import re

    form = client.get("/staff/ingresar")
    csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', form.text)
    assert csrf is not None
    answer = client.post("/staff/ingresar", data={"csrf": csrf.group(1), "usuario": username,
                                                  "contrasena": PASSWORD},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text


@sqlite_only
def test_empty_pages_say_what_to_do_next(api: Any, central_settings: CentralSettings) -> None:
    _staff(central_settings, ["ana", "--role", "estatal"], ["tic", "--role", "dgti"])
    _sign_in(api, "ana")
    page = api.get("/staff/avance")
    assert page.status_code == 200
    assert "Todavía no hay escuelas" in page.text and "/staff/importar" in page.text
    support = api.get("/staff/soporte").text
    assert "Las escuelas preguntan desde su estación" in support
    assert "No hay reportes turnados a DGTI" in support
    directory = api.get("/staff/directorio").text
    assert directory.count('id="drse-') == 14  # the seed's 14 DRSE, from the migration
    assert "Centro 2 Zapopan" in directory and "susana.espinosa@jalisco.gob.mx" in directory
    bad = api.post("/staff/directorio/nueva", data={"csrf": _csrf(directory), "name": "X"})
    assert bad.status_code == 422 and "Falta «DRSE» (al menos 3 letras)" in bad.text
    api.post("/staff/salir", data={"csrf": _csrf(directory)})
    api.cookies.clear()
    _sign_in(api, "tic")
    dgti = api.get("/staff/soporte").text
    assert "Aquí aparecerán los reportes que las DRSE no puedan resolver" in dgti
    refused = api.get("/staff/avance/drse", params={"nombre": "CENTRO 2 ZAPOPAN"})
    assert refused.status_code == 404  # no school imported: the DRSE does not exist yet
    assert "No existe la DRSE" in refused.text


def _csrf(html: str) -> str:
    import re

    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert found is not None
    return found.group(1)


@sqlite_only
def test_summary_recomputes_marked_schools_and_replays_change_nothing(
        central_settings: CentralSettings, tmp_path: Path) -> None:
    from central.crud import office_feed

    import_demo(central_settings, tmp_path / "export")
    engine = make_engine(central_settings.database_url)
    sessions = make_sessionmaker(engine)
    cycle = "2026-2027"
    with sessions() as session, session.begin():
        first = {r.key: r.figures for r in progress.drse_rows(session, cycle=cycle)}
        students = list(session.scalars(select(Student).where(Student.cct == "14DPR9901D")
                                        .order_by(Student.curp)))
        session.add(Station(id="EST-1", name="e", kind="escuela", school_cct="14DPR9901D",
                            drse=None, key_id="0" * 16, public_key=b"0" * 32,
                            enrolled_at=now_utc(), applied_through=0))
        session.flush()
        session.add(StudentCardWish(curp=students[0].curp, cct="14DPR9901D",
                                    declined_on=now_utc().date(), station_id="EST-1"))
        # Nothing marked yet: the summary is what it was (it is not read from the base tables).
        now = {r.key: r.figures for r in progress.drse_rows(session, cycle=cycle)}
        assert now == first
        for _ in range(3):  # marked three times, counted once
            progress_summary.mark_students(session, [students[0].curp])
        again = {r.key: r.figures for r in progress.drse_rows(session, cycle=cycle)}
    zapopan = again["CENTRO 2 ZAPOPAN"]
    assert zapopan.declined == first["CENTRO 2 ZAPOPAN"].declined + 1 == 1
    assert zapopan.enrolled == 12 and zapopan.pending == 11
    assert again["ALTOS SUR (TEPATITLÁN)"] == first["ALTOS SUR (TEPATITLÁN)"]

    # The office rows of the same events applied twice (a replay): the same rows, the same
    # figures after the marks they leave are refreshed.
    from datetime import date

    from central.crud.event_scope import StationScope
    from foundation.contract.events import (
        CardDeclined,
        CardRequested,
        DeliveryClosed,
        DeliveryCreated,
        SuppliesRequested,
    )

    class Ev:
        def __init__(self, payload: Any) -> None:
            self.payload, self.at, self.seq = payload, "2026-09-01T10:00:00+00:00", 1

    events = [Ev(CardDeclined(curp=students[1].curp, declined_on="2026-09-01",
                              declared_by="tutor", taken_by="Ana")),
              Ev(CardRequested(curp=students[2].curp, requested_on="2026-09-02",
                               requested_by="tutor", taken_by="Ana")),
              Ev(DeliveryCreated(delivery=1, cct="14DPR9901D", cycle=cycle, cards=[5, 6],
                                 holograms=["H000001"])),
              Ev(DeliveryCreated(delivery=2, cct="14DPR9901D", cycle=cycle, cards=[7],
                                 holograms=[])),
              Ev(DeliveryClosed(delivery=1, received_by="Directora", received_on="2026-09-04",
                                scan=None)),
              *(Ev(SuppliesRequested.model_validate({
                  "request": n, "date": "2026-09-0" + str(n), "station": "EST-1",
                  "station_kind": "escuela", "requested_by": "Directora", "cycle": cycle,
                  "usage": {"from": None, "to": "2026-09-01T10:00:00+00:00",
                            "sheets_printed": 2, "cards_issued": 16, "replacements": 0,
                            "blanks_cancelled": 0, "sheets_spoiled": 0, "cards_spoiled": 0,
                            "holograms_applied": 0, "holograms_spoiled": 0, "adjustments": []},
                  "stock": {"teslin": stock}, "pending": {"cards": 3, "holograms": 0},
                  "requested": {"teslin": 10}, "warnings": [], "director": "Ana",
                  "ink": None})) for n, stock in ((1, 9), (2, 4)))]
    results = []
    for _ in range(2):
        with sessions() as session, session.begin():
            station = session.get(Station, "EST-1")
            assert station is not None
            scope = StationScope(session=session, station=station,
                                 ccts=frozenset({"14DPR9901D"}), blocks=[], folio_first=1,
                                 today=date(2026, 9, 3))
            office_feed.project(session, scope=scope, events=events, now=now_utc())
            figures = {r.key: r.figures for r in progress.school_rows(
                session, drse="CENTRO 2 ZAPOPAN", cycle=cycle)}["14DPR9901D"]
            wishes = session.scalars(select(StudentCardWish).order_by(StudentCardWish.curp))
            results.append((figures, [(w.curp, w.declined_on, w.requested_on) for w in wishes]))
    assert results[0] == results[1]
    figures = results[0][0]
    assert (figures.declined, figures.requests_open) == (2, 1)
    # One delivery open, one acknowledged; two supplies requests, Teslin of the latest.
    assert (figures.deliveries_open, figures.deliveries_closed) == (1, 1)
    assert (figures.supply_requests, figures.teslin) == (2, 4)
    with sessions() as session:
        assert session.scalar(select(School.drse).where(School.cct == "14DPR9901D")) \
            == "CENTRO 2 ZAPOPAN"
        assert session.scalar(select(DrseContact.name).where(DrseContact.id == 1))
    engine.dispose()
