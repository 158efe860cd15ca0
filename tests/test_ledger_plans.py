"""The per-sheet ledger work does not grow with the ledger (issue 17).

Every statement a sheet runs is captured from the ledger's writer connection and its plan read
with EXPLAIN QUERY PLAN: none may scan ``folio_uses`` (nor any other table that grows with
every card). The folio blocks keep their used count (migration 0010); the audit checks it.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from station.context import Station
from station.services.audit import audit_station
from station.services.issuance import Issuer, select_students
from station.store import ledger
from station.store.db import Database, _migrations, _split_sql

# Tables that grow with every sheet or card: a full scan of one of them is a cost per sheet
# that grows with the ledger.
_GROWING = ("folio_uses", "cards", "sheets", "events", "replacements", "school_changes")
_SKIP = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|PRAGMA|SAVEPOINT|RELEASE)", re.I)


def _plans(conn: sqlite3.Connection, statements: list[str]) -> list[tuple[str, str]]:
    """(statement, plan line) of every captured statement."""
    out = []
    for sql in statements:
        if _SKIP.match(sql):
            continue
        for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"):
            out.append((sql, str(row[3])))
    return out


def _full_scans(plans: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Plan lines that read a growing table whole ("SCAN t", not "SEARCH t USING ...")."""
    bad = []
    for sql, detail in plans:
        match = re.match(r"SCAN (\w+)(?: AS (\w+))?", detail)
        if not match:
            continue
        scanned = match.group(1)
        # With an alias SQLite names the alias: find the table it stands for in the statement.
        alias = re.search(rf"\b(\w+)\s+(?:AS\s+)?{scanned}\b", sql)
        table = scanned if scanned in _GROWING or alias is None else alias.group(1)
        if table in _GROWING and "COVERING INDEX" not in detail and "USING INDEX" not in detail:
            bad.append((sql, detail))
    return bad


def test_a_sheet_never_scans_folio_uses_and_the_audit_checks_the_counters(
        prepared_station: tuple[Station, str, list[str]]) -> None:
    station, cct, curps = prepared_station
    issuer = Issuer(station, printer="pdf")
    school, first = select_students(station, cct, curps[:8])
    issuer.produce(school, first)  # the ledger is not empty: plans see real tables

    statements: list[str] = []
    writer = station.db._writer  # the one connection every write goes through
    writer.set_trace_callback(statements.append)
    try:
        school, students = select_students(station, cct, curps[8:13])
        issuer.produce(school, students)
    finally:
        writer.set_trace_callback(None)

    assert any("INSERT INTO folio_uses" in s for s in statements), statements
    with station.db.read() as conn:
        plans = _plans(conn, statements)
        assert plans, "no plan was read"
        assert any("folio_blocks_open" in d for _s, d in plans), plans
        assert _full_scans(plans) == []
        assert ledger.used_per_block(conn) == {1: 16}

    assert audit_station(station).ok
    with station.db.write() as conn:
        conn.execute("UPDATE folio_blocks SET used = used - 1")
    report = audit_station(station)
    assert not report.ok
    assert any("dice tener 15 folios usados y el registro tiene 16" in p for p in report.problems)


def test_the_scan_finder_sees_a_full_scan() -> None:
    """The check above can fail: the query the counters replaced is caught."""
    conn = sqlite3.connect(":memory:")
    for _name, sql in _migrations():
        for statement in _split_sql(sql):
            conn.execute(statement)
    old = "SELECT block_id, count(*) FROM folio_uses GROUP BY block_id"
    assert _full_scans(_plans(conn, [old])) != []


def test_migration_counts_the_folios_an_older_ledger_used(tmp_path: Path) -> None:
    """A ledger made before migration 0010 gets its counters from folio_uses."""
    path = tmp_path / "ledger.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY,"
                 " applied_at TEXT NOT NULL DEFAULT (datetime('now')))")
    for name, sql in _migrations():
        if name >= "0010":
            break
        for statement in _split_sql(sql):
            conn.execute(statement)
        conn.execute("INSERT INTO schema_migrations (name) VALUES (?)", (name,))
    conn.execute("INSERT INTO folio_blocks VALUES (1, 1, 100, 'local', 't'),"
                 " (2, 101, 200, 'central', 't'), (3, 201, 300, 'central', 't')")
    conn.execute("INSERT INTO sheets (id, cct, created_at, state, pdf_name, template)"
                 " VALUES (1, 'X', 't', 'sent', 'p.pdf', 'std')")
    conn.executemany("INSERT INTO folio_uses VALUES (?, ?, 'cancelled', 1, ?, NULL, 't')",
                     [(1 + i, 1, i) for i in range(3)])
    conn.execute("INSERT INTO sheets (id, cct, created_at, state, pdf_name, template)"
                 " VALUES (2, 'X', 't', 'sent', 'q.pdf', 'std')")
    conn.executemany("INSERT INTO folio_uses VALUES (?, ?, 'cancelled', 2, ?, NULL, 't')",
                     [(101 + i, 2, i) for i in range(5)])
    conn.commit()
    conn.close()

    db = Database(path)
    try:
        with db.read() as read:
            assert ledger.used_per_block(read) == {1: 3, 2: 5}
            assert ledger.counter_problems(read) == []
            blocks, used = ledger.open_folio_blocks(read)
            assert [b.id for b in blocks] == [1, 2, 3] and used == {1: 3, 2: 5, 3: 0}
    finally:
        db.close()


@pytest.mark.parametrize("used", [99, 100])
def test_a_full_block_leaves_the_open_blocks(tmp_path: Path, used: int) -> None:
    db = Database(tmp_path / "ledger.sqlite3")
    try:
        with db.write() as conn:
            conn.execute("INSERT INTO folio_blocks (id, first_folio, last_folio, source,"
                         " received_at, used) VALUES (1, 1, 100, 'local', 't', ?)", (used,))
        with db.read() as conn:
            blocks, _used = ledger.open_folio_blocks(conn)
        assert [b.id for b in blocks] == ([1] if used < 100 else [])
    finally:
        db.close()
