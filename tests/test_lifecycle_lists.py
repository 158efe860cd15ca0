"""The cycle lists: the SQL query agrees with the rules in Python on random ledgers, and the
ledger's pending list (what `station print --all-pending` prints) is exactly "needs a card"."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from station.core.cycles import Need
from station.core.print_rules import print_refusal
from station.store import ledger
from station.store.db import Database
from station.store.lifecycle_records import cycle_lists, cycle_lists_python, print_facts

CYCLE = "2026-2027"
SCHOOLS = ("14DPR0001A", "14DPR0002B")  # one DRSE station serving two schools


@pytest.fixture(scope="module")
def empty_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lists") / "ledger.sqlite3"
    Database(path).close()
    return path


student = st.fixed_dictionaries({
    "enrolled": st.booleans(),
    # status of each card the student had, oldest first: at most the last one is active
    "cards": st.lists(st.sampled_from(["revoked", "spoiled"]), max_size=2),
    "active": st.booleans(),
    # the school the student is enrolled in now, and the one each card was issued for
    "school": st.sampled_from([0, 1]),
    "card_schools": st.lists(st.sampled_from([0, 1]), min_size=4, max_size=4),
    "hologram": st.sampled_from([None, CYCLE, "2025-2026"]),
    "decline": st.sampled_from([None, "standing", "withdrawn"]),
    "loss_report": st.booleans(),
    "replacement": st.sampled_from([None, "awaiting", "issued", "issued-spoiled"]),
})


def _build(conn: sqlite3.Connection, students: list[dict]) -> None:
    for cct in SCHOOLS:
        conn.execute("INSERT INTO schools VALUES (?,'E','PRIMARIA','MATUTINO','D','M',"
                     "'1','DRSE',500,1,'t')", (cct,))
    folio = 0
    for i, s in enumerate(students):
        curp = f"CURP{i:04d}"
        conn.execute("INSERT INTO students (curp, nombre, primer_apellido, segundo_apellido, cct,"
                     " grado, grupo, ciclo, estatus, nuevo_ingreso, updated_at) VALUES"
                     " (?, 'A', ?, '', ?, 1, 'A', ?, ?, 1, 't')",
                     (curp, f"P{i:04d}", SCHOOLS[s["school"]], CYCLE,
                      "INSCRITO" if s["enrolled"] else "BAJA"))
        statuses = [*s["cards"], *(["active"] if s["active"] else [])]
        folios = []
        for status, school in zip(statuses, s["card_schools"], strict=False):
            folio += 1
            folios.append(folio)
            conn.execute("INSERT INTO cards (folio, curp, cct, name_on_card, issued_on, key_id,"
                         " status) VALUES (?, ?, ?, 'A', '2026-09-01', 'k', ?)",
                         (folio, curp, SCHOOLS[school], status))
        if s["hologram"] and s["active"]:
            conn.execute("INSERT INTO hologram_uses (serial, range_id, state, cycle, curp, folio,"
                         " reason, on_date, taken_by, at) VALUES (?, 1, 'applied', ?, ?, ?, '',"
                         " 'd', '', 't')", (f"H{folio:06d}", s["hologram"], curp, folios[-1]))
        if s["decline"]:
            conn.execute("INSERT INTO declines (curp, declined_on, declared_by, taken_by, notes,"
                         " at, withdrawn_on) VALUES (?, '2026-09-01', 'tutor', 'x', '', 't', ?)",
                         (curp, "2026-09-02" if s["decline"] == "withdrawn" else None))
        revoked = [f for f, st_ in zip(folios, statuses, strict=True) if st_ == "revoked"]
        if s["loss_report"] and revoked:
            conn.execute("INSERT INTO card_reports (folio, curp, kind, reported_on, taken_by, at)"
                         " VALUES (?, ?, 'lost', '2026-09-02', 'x', 't')", (revoked[-1], curp))
        if s["replacement"] and folios:
            new = None
            if s["replacement"] != "awaiting":
                folio += 1
                new = folio
                conn.execute(
                    "INSERT INTO cards (folio, curp, cct, name_on_card, issued_on, key_id, status)"
                    " VALUES (?, ?, ?, 'A', '2026-09-03', 'k', ?)",
                    (new, curp, SCHOOLS[s["school"]],
                     "spoiled" if s["replacement"] == "issued-spoiled" else "revoked"))
            conn.execute("INSERT INTO replacements (curp, old_folio, reason, receipt_ref,"
                         " receipt_date, fee_mxn, taken_by, at, new_folio) VALUES"
                         " (?, ?, 'lost', ?, 'd', 28, 'x', 't', ?)",
                         (curp, folios[0], f"R{i:05d}", new))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(students=st.lists(student, max_size=12))
def test_sql_lists_agree_with_the_rules_in_python(empty_ledger: Path, tmp_path: Path,
                                                  students: list[dict]) -> None:
    path = tmp_path / "l.sqlite3"  # overwritten by each example
    shutil.copyfile(empty_ledger, path)
    conn = sqlite3.connect(path)  # foreign keys off: the facts are made up, not a real history
    conn.row_factory = sqlite3.Row
    try:
        _build(conn, students)
        listed = 0
        for cct in SCHOOLS:
            by_sql = cycle_lists(conn, cct, CYCLE)
            assert by_sql == cycle_lists_python(conn, cct, CYCLE)
            pending = [s.curp for s in ledger.pending_students(conn, cct)]
            assert pending == [s.curp for s in by_sql if s.need is Need.CARD]
            for line in by_sql:  # print --curp refuses exactly those who do not need a card
                facts = print_facts(conn, line.curp)
                assert facts is not None
                refusal = print_refusal(facts)
                assert (refusal is None) == (line.need is Need.CARD), (line, refusal)
            listed += len(by_sql)
        assert listed == sum(1 for s in students if s["enrolled"])
    finally:
        conn.close()
