"""Hologram and receipt control (issue 13) through real stations: two stations enrolled with
central (uvicorn on loopback, SQLite and PostgreSQL), driven by the `station` command line.

The state hands hologram ranges down to a school; its station receives them with its sync and
refuses a roll outside them. A DRSE station that central gave no range works as before, and
uses the same hologram serial and the same fee receipt as the school's station: central keeps
the first, lists both cards on the conflicts page, and both stations are told at their next
sync (``station status``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from plugin_central import enrollment_code, import_demo
from plugin_lifecycle import cli, cli_json, day, ledger_snapshot, refused
from sqlalchemy import select

from central.crud import holograms
from central.crud.staff import StaffScope, create_account
from central.models import DoubleUse, Hologram, Receipt
from central.settings import CentralSettings
from foundation.sqldb import make_engine, make_sessionmaker

ZAPOPAN_SCHOOL, TEPA_SCHOOL = "14DPR9901D", "14EPR9902E"
ZAPOPAN, TEPA = "CENTRO 2 ZAPOPAN", "ALTOS SUR (TEPATITLÁN)"
PASSWORD = "contraseña de pruebas"
CYCLE = "2026-2027"


class Central:
    """The live central and its database (what the pages and the sync wrote)."""

    def __init__(self, url: str, settings: CentralSettings) -> None:
        self.url = url
        self.engine = make_engine(settings.database_url)
        self.sessions = make_sessionmaker(self.engine)

    def hand_ranges_to_zapopan_school(self) -> None:
        """What the pages do (tests/test_hologram_pages.py drives them in a browser)."""
        now = datetime.now(UTC)
        state = StaffScope("ana", "estatal", None)
        drse = StaffScope("zoe", "drse", ZAPOPAN)
        with self.sessions() as session, session.begin():
            roll = holograms.register_roll(session, first="H000100", last="H000299",
                                           cycle=CYCLE, reference="Remisión 1", staff="ana",
                                           now=now)
            part = holograms.hand_out(session, scope=state, lot_id=roll.id, first="H000100",
                                      last="H000199", to=ZAPOPAN, reference="", staff="ana",
                                      now=now)
            holograms.hand_out(session, scope=drse, lot_id=part.id, first="H000100",
                               last="H000149", to=ZAPOPAN_SCHOOL, reference="", staff="zoe",
                               now=now)
            create_account(session, username="ana", password=PASSWORD, role="estatal",
                           region=None, display_name="Ana", now=now)

    def staff_page(self, path: str) -> str:
        with requests.Session() as http:
            form = http.get(f"{self.url}/staff/ingresar", timeout=10).text
            token = re.search(r'name="csrf" value="([0-9a-f]+)"', form)
            assert token, form
            answer = http.post(f"{self.url}/staff/ingresar", timeout=10, data={
                "csrf": token.group(1), "usuario": "ana", "contrasena": PASSWORD})
            assert answer.status_code == 200, answer.text
            page = http.get(f"{self.url}{path}", timeout=10)
            assert page.status_code == 200, page.text
            return page.text


@pytest.fixture
def central(live_central: Any, central_settings: CentralSettings,
            tmp_path: Path) -> Any:
    from central.cli import main as central_cli

    escuelas, _ = import_demo(central_settings, tmp_path / "export", photos=True)
    out = CliRunner().invoke(central_cli, ["import-photos", str(escuelas.parent / "fotos")],
                             env={"CENTRAL_DATA_DIR": str(central_settings.data_dir),
                                  "CENTRAL_DATABASE_URL": central_settings.database_url})
    assert out.exit_code == 0, out.output
    c = Central(live_central.url, central_settings)
    yield c
    c.engine.dispose()


def _station(url: str, data: Path, **target: str) -> str:
    out = cli_json(data, "enroll", "--central", url, "--code", enrollment_code(url, **target))
    cli_json(data, "sync")
    return str(out["station_id"])


def _print(data: Path, cct: str, curps: list[str], out: Path) -> list[int]:
    args = ["print", "--school", cct, "--pdf", str(out)]
    for curp in curps:
        args += ["--curp", curp]
    return [f for s in cli_json(data, *args)["sheets"] for f in s["folios"]]


def _lost_and_replaced(data: Path, folio: int, curp: str, receipt: str, pdf: Path) -> str:
    cli(data, "card", "lost", "--folio", str(folio), "--by", "Ana Pérez")
    rep = cli_json(data, "replacement", "request", "--curp", curp, "--reason", "extravio",
                   "--receipt", receipt, "--receipt-date", day(0), "--by", "Ana Pérez",
                   "--pdf", str(pdf))
    return str(rep["replacement"]["receipt"])


def test_ranges_reach_the_station_and_a_double_use_is_told_to_both(
        central: Central, tmp_path: Path) -> None:
    central.hand_ranges_to_zapopan_school()
    a, b = tmp_path / "escuela", tmp_path / "drse"
    id_a = _station(central.url, a, school_cct=ZAPOPAN_SCHOOL)
    id_b = _station(central.url, b, drse=TEPA)
    assert cli_json(a, "status")["hologram_ranges"] == ["H000100–H000149"]
    assert cli_json(b, "status")["hologram_ranges"] == []  # none given: works as before

    # The school's station refuses a roll (and a serial) outside its ranges, in words.
    snapshot = ledger_snapshot(a)
    words = refused(a, "hologram", "receive", "--first", "H000150", "--last", "H000160")
    assert ("Los hologramas H000150–H000160 no son de los rangos que la oficina central "
            "asignó a esta estación (H000100–H000149)") in words
    assert "pida a su DRSE" in words
    assert ledger_snapshot(a) == snapshot
    cli(a, "hologram", "receive", "--first", "H000100", "--last", "H000149")
    cli(b, "hologram", "receive", "--first", "H000100", "--last", "H000149")

    need_a = [s["curp"] for s in cli_json(a, "pending", "--school", ZAPOPAN_SCHOOL)[
        "needs_card"]][:2]
    need_b = [s["curp"] for s in cli_json(b, "pending", "--school", TEPA_SCHOOL)[
        "needs_card"]][:2]
    folios_a = _print(a, ZAPOPAN_SCHOOL, need_a, tmp_path / "a.pdf")
    folios_b = _print(b, TEPA_SCHOOL, need_b, tmp_path / "b.pdf")
    cli(a, "hologram", "apply", "--serial", "H000120", "--curp", need_a[0])
    cli(b, "hologram", "apply", "--serial", "H000120", "--curp", need_b[0])
    receipt = _lost_and_replaced(a, folios_a[1], need_a[1], "REC 2026 77", tmp_path / "ra.pdf")
    assert _lost_and_replaced(b, folios_b[1], need_b[1], "rec 2026 77",
                              tmp_path / "rb.pdf") == receipt

    assert cli_json(a, "sync")["events_refused"] == []
    pushed = cli_json(b, "sync")
    assert sorted(r["code"] for r in pushed["events_refused"]) == ["hologram-used",
                                                                    "receipt-used"]
    cli_json(a, "sync")  # the first station hears of it at its next sync

    with central.sessions() as session:
        assert session.get(Hologram, "H000120").station_id == id_a  # the first one stays
        assert session.get(Receipt, receipt).station_id == id_a
        doubled = {d.kind: d for d in session.scalars(select(DoubleUse))}
    assert set(doubled) == {"hologram", "receipt"}
    assert (doubled["hologram"].first_station_id, doubled["hologram"].second_station_id,
            doubled["hologram"].first_folio, doubled["hologram"].second_folio) == (
        id_a, id_b, folios_a[0], folios_b[0])

    for data, other in ((a, id_b), (b, id_a)):
        status = cli_json(data, "status")
        told = [n["message"] for n in status["central_notices"]]
        assert len(told) == 2, told
        assert any("El holograma H000120" in m and other in m for m in told), told
        assert any(f"El recibo de pago {receipt}" in m and other in m for m in told), told
        assert not any(c in m for m in told for c in need_a + need_b)  # no CURP in full
        text = cli(data, "status").output
        assert "Aviso del servicio central" in text and "H000120" in text
    again = cli_json(a, "sync")  # a notice is kept once, however often central sends it
    assert again["ok"] and len(cli_json(a, "status")["central_notices"]) == 2

    conflicts = central.staff_page("/staff/conflictos")
    row = conflicts[conflicts.index('id="uso-doble-'):]
    row = row[:row.index("</tr>")]
    assert "H000120" in row and id_a in row and id_b in row
    assert f"folio {folios_a[0]}" in row and f"folio {folios_b[0]}" in row
    assert f"El recibo de pago <strong>{receipt}</strong>" in conflicts


def test_an_older_central_leaves_the_ranges_and_a_newer_one_may_add_fields(
        prepared_station: Any) -> None:
    """A central that hands out no ranges (older) says nothing about them: the station keeps
    what it had. An empty list means none: any roll is accepted again, as before."""
    from foundation.contract.responses import ConfigAnswer
    from foundation.errors import RuleViolation
    from station.core.holograms import parse_range
    from station.services.lifecycle_cards import receive_holograms
    from station.store import central_notices
    from station.sync.trust_sync import keep_holograms_and_notices

    station, _cct, _curps = prepared_station
    with station.db.write() as conn:
        central_notices.set_assigned_ranges(conn, [parse_range("H000100", "H000149")])
        keep_holograms_and_notices(conn, ConfigAnswer.model_validate({"version": 3,
                                                                      "items": {}}))
        assert [r.describe() for r in central_notices.assigned_ranges(conn)] == [
            "H000100–H000149"]
    with pytest.raises(RuleViolation, match="no son de los rangos que la oficina central"):
        receive_holograms(station, "H000300", "H000310", cycle=None, reference="",
                          on=datetime.now(UTC).date(), taken_by="Ana")
    newer = ConfigAnswer.model_validate({
        "version": 4, "items": {}, "hologram_ranges": [], "a_field_of_tomorrow": True,
        "notices": [{"id": 7, "kind": "hologram-used-twice", "message": "Aviso de prueba.",
                     "created_at": "2026-12-02T10:00:00+00:00", "more": 1}]})
    with station.db.write() as conn:
        keep_holograms_and_notices(conn, newer)
        keep_holograms_and_notices(conn, newer)  # the same notice twice is kept once
        assert central_notices.assigned_ranges(conn) == []
        assert [n.message for n in central_notices.notices(conn)] == ["Aviso de prueba."]
    got = receive_holograms(station, "H000300", "H000310", cycle=None, reference="",
                            on=datetime.now(UTC).date(), taken_by="Ana")
    assert got.size == 11
