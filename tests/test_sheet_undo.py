"""Taking back a sheet's confirmation (the review screen's «Deshacer»), on a real ledger."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from plugin_station import prepare_station

from foundation.errors import RuleViolation
from station.context import open_station
from station.services import print_tasks
from station.services.audit import audit_station
from station.services.issuance import Issuer, select_students
from station.store import sheet_records


def test_undo_a_confirmation_then_spoil_the_sheet(tmp_path: Path) -> None:
    cct, curps = prepare_station(tmp_path / "station", students=30)
    station = open_station(tmp_path / "station")
    try:
        school, students = select_students(station, cct, curps[:10])
        assert len(students) == 10
        first, second = Issuer(station, printer="pdf").produce(school, students)
        with station.db.write() as conn:  # as the kiosk's print does: both went to CUPS
            for sheet in (first, second):
                sheet_records.mark_sent(conn, sheet.sheet_id, printer="Credenciales",
                                        job_id=sheet.sheet_id)
        before = audit_station(station).folios.to_json()
        print_tasks.confirm_sheets(station, [first.sheet_id])
        undone = print_tasks.undo_confirm(station, first.sheet_id)
        assert undone.state == "sent"
        with pytest.raises(RuleViolation, match="no hay nada que deshacer"):
            print_tasks.undo_confirm(station, first.sheet_id)
        # Back under review, it can now be spoiled and its students reprinted.
        print_tasks.spoil_sheet(station, first.sheet_id, "atasco de papel")
        with pytest.raises(RuleViolation, match="no hay nada que deshacer"):
            print_tasks.undo_confirm(station, first.sheet_id)
        audit = audit_station(station)
        assert audit.ok, audit.problems
        after = audit.folios.to_json()
        assert after["spoiled"] == before["spoiled"] + len(first.folios)
        assert after["issued"] == before["issued"] - len(first.folios)
        with station.db.read() as conn:
            events = [(r[0], json.loads(r[1])) for r in conn.execute(
                "SELECT kind, payload FROM events ORDER BY seq")]
        mine = [e for e in events if e[1].get("sheet") == first.sheet_id][-3:]
        assert mine == [("sheet_confirmed", {"sheet": first.sheet_id}),
                        ("sheet_confirmation_undone", {"sheet": first.sheet_id}),
                        ("sheet_spoiled", {"sheet": first.sheet_id,
                                           "reason": "atasco de papel"})]
        # Once a delivery to the school carries its cards, the review is final.
        print_tasks.confirm_sheets(station, [second.sheet_id])
        with station.db.write() as conn:  # what delivery_records.create writes for a DRSE
            did = conn.execute(
                "INSERT INTO deliveries (cct, cycle, created_on, state, pdf_name, taken_by, at)"
                " VALUES (?, '2026-2027', '2026-09-01', 'open', 'acuse-00001.pdf', 'Ana',"
                " '2026-09-01T10:00:00')", (cct,)).lastrowid
            conn.execute("INSERT INTO delivery_items (delivery_id, kind, item, curp)"
                         " VALUES (?, 'card', ?, ?)",
                         (did, str(second.folios[0]), students[8].curp))
        with pytest.raises(RuleViolation, match="ya van en una entrega"):
            print_tasks.undo_confirm(station, second.sheet_id)
        with station.db.read() as conn:
            assert sheet_records.get_sheet(conn, second.sheet_id).state == "confirmed"
    finally:
        station.close()


def test_a_sheet_never_sent_goes_back_to_generated(tmp_path: Path) -> None:
    cct, curps = prepare_station(tmp_path / "station", students=3)
    station = open_station(tmp_path / "station")
    try:
        school, students = select_students(station, cct, curps[:2])
        [sheet] = Issuer(station, printer="pdf").produce(school, students)
        print_tasks.confirm_sheets(station, [sheet.sheet_id])
        assert print_tasks.undo_confirm(station, sheet.sheet_id).state == "generated"
        assert audit_station(station).ok
    finally:
        station.close()
