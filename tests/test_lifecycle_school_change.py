"""A student who changed school needs a card of the new school (normativo 7), free.

A DRSE station serving two schools; a student moves from one to the other through a roster
re-import. Real SQLite ledger, real print files, the old card verified from its rendered page.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from plugin_lifecycle import cli, cli_json, pdf_pngs, refused

from station.core.roster import SCHOOL_COLUMNS, STUDENT_COLUMNS
from station.services import lookup
from station.services.demo_data import DEMO_SCHOOLS
from station.services.station import open_station

OLD = "14EPR9902E"
NEW = "14EPR9904G"  # a second small primaria of the same DRSE: printed by it too


def _move(data: Path, curp: str, folder: Path) -> None:
    """Re-import a SCEJAL export in which ``curp`` is enrolled in the school NEW."""
    folder.mkdir()
    school = dict(next(s for s in DEMO_SCHOOLS if s["cct"] == OLD))
    school.update(cct=NEW, nombre='ESCUELA PRIMARIA DE DEMOSTRACIÓN "NIÑOS HÉROES"',
                  turno="MATUTINO", domicilio="CALLE MORELOS 40", matricula="120")
    conn = sqlite3.connect(data / "ledger.sqlite3")
    try:
        conn.row_factory = sqlite3.Row
        row = dict(conn.execute("SELECT * FROM students WHERE curp = ?", (curp,)).fetchone())
    finally:
        conn.close()
    row.update(cct=NEW, nuevo_ingreso="NO", estatus="INSCRITO", grado=str(row["grado"]))
    for name, columns, rows in (("escuelas.csv", SCHOOL_COLUMNS, [school]),
                                ("alumnos.csv", STUDENT_COLUMNS, [row])):
        with (folder / name).open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    cli(data, "import-roster", str(folder / "escuelas.csv"), str(folder / "alumnos.csv"))


def _print(data: Path, cct: str, out: Path, *curps: str) -> dict:
    args = [a for c in curps for a in ("--curp", c)] or ["--all-pending"]
    return cli_json(data, "print", "--school", cct, *args, "--pdf", str(out))


def _events(data: Path, kind: str) -> list[dict]:
    conn = sqlite3.connect(data / "ledger.sqlite3")
    try:
        return [json.loads(r[0]) for r in conn.execute(
            "SELECT payload FROM events WHERE kind = ? ORDER BY seq", (kind,))]
    finally:
        conn.close()


def test_moved_student_gets_a_free_card_and_the_old_one_is_revoked(drse_station,
                                                                     tmp_path: Path) -> None:
    data, _cct, curps = drse_station
    mover, stayer = curps[0], curps[1]
    first = _print(data, OLD, tmp_path / "a.pdf", mover, stayer)
    old_folio, stay_folio = first["sheets"][0]["folios"]
    page = pdf_pngs(tmp_path / "a.pdf", tmp_path / "a")[0]
    cli(data, "hologram", "receive", "--first", "H000100", "--last", "H000149",
        "--reference", "Oficio DRSE 45/2026")
    cli(data, "hologram", "apply", "--serial", "H000100", "--curp", mover)

    _move(data, mover, tmp_path / "export")
    old_lists = cli_json(data, "pending", "--school", OLD)
    listed = {s["curp"] for k in ("needs_card", "hologram_only", "complete") for s in old_lists[k]}
    assert mover not in listed and stayer in {s["curp"] for s in old_lists["hologram_only"]}
    new_lists = cli_json(data, "pending", "--school", NEW)
    assert new_lists["hologram_only"] == [] and new_lists["complete"] == []
    [line] = new_lists["needs_card"]
    assert (line["curp"], line["folio"], line["card_other_school"]) == (mover, old_folio, True)
    assert line["words"] == "cambió de escuela: necesita credencial de su nueva escuela"
    text = cli(data, "pending", "--school", NEW).output
    assert "cambió de escuela: necesita credencial de su nueva escuela" in text

    # The report and the kiosk's roster follow the same rule.
    cli(data, "report", "--school", NEW, "--xlsx", str(tmp_path / "r.xlsx"))
    wb = load_workbook(tmp_path / "r.xlsx")
    header = [c.value for c in wb["Resumen"][1]]
    counts = dict(zip(header, [c.value for c in wb["Resumen"][2]], strict=True))
    assert (counts["Pendientes"], counts["Sólo holograma"]) == (1, 0)
    rows = [[c.value for c in r] for r in wb[NEW].iter_rows(min_row=2)]
    assert rows[0][4] == "cambió de escuela: necesita credencial de su nueva escuela"
    station = open_station(data)
    try:
        roster = lookup.roster(station, NEW)
        assert [e.curp for e in lookup.filter_roster(roster, status="pending")] == [mover]
        assert [e.card_other_school for e in roster if e.curp == mover] == [True]
        assert lookup.filter_roster(roster, status="hologram_missing") == []
        assert lookup.filter_roster(roster, status="issued") == []
        summary = {s.school.cct: s for s in lookup.schools(station)}[NEW]
        assert (summary.issued, summary.pending) == (0, 1)
    finally:
        station.close()

    # The old school's card takes no hologram of the new school.
    refusal = refused(data, "hologram", "apply", "--serial", "H000101", "--curp", mover)
    assert f"es de otra escuela ({OLD})" in refusal and "Imprima primero" in refusal

    # The new school's card: free (no receipt), through the normal print path.
    assert "ya tiene credencial vigente" in refused(
        data, "print", "--school", OLD, "--curp", stayer, "--pdf", str(tmp_path / "x.pdf"))
    second = _print(data, NEW, tmp_path / "b.pdf")
    [new_folio] = second["sheets"][0]["folios"]
    reason = f"reemplazada por cambio de escuela: folio {new_folio}"
    revoked = [e for e in _events(data, "card_revoked") if e["folio"] == old_folio]
    assert len(revoked) == 1 and revoked[0]["cause"] == "replaced"
    assert (revoked[0]["reason"], revoked[0]["replaced_by"], revoked[0]["old_cct"],
            revoked[0]["new_cct"]) == (reason, new_folio, OLD, NEW)
    assert _events(data, "replacement_paid") == [] and _events(data, "replacement_issued") == []
    assert cli_json(data, "replacement", "list") == []
    after = cli_json(data, "pending", "--school", NEW)
    assert [(s["curp"], s["folio"]) for s in after["hologram_only"]] == [(mover, new_folio)]

    # Whoever scans the old card reads that it was replaced; the other card is untouched.
    seen = {v["folio"]: v for v in cli_json(data, "verify", str(page))}
    assert seen[old_folio]["verdict"] == "revoked" and reason in seen[old_folio]["reason"]
    assert (seen[old_folio]["revocation"], seen[old_folio]["replaced_by"]) == ("replaced",
                                                                               new_folio)
    assert seen[stay_folio]["verdict"] == "valid"

    # A spoiled new sheet: the old card stays revoked and the reprint takes over the link.
    sheet = str(second["sheets"][0]["sheet"])
    cli(data, "spoil", "--sheet", sheet, "--reason", "se atascó")
    assert [s["curp"] for s in cli_json(data, "pending", "--school", NEW)["needs_card"]] == [
        mover]
    third = cli_json(data, "reprint", "--sheet", sheet, "--pdf", str(tmp_path / "c.pdf"))
    [reprinted] = third["sheets"][0]["folios"]
    seen = {v["folio"]: v for v in cli_json(data, "verify", str(page))}
    assert seen[old_folio]["replaced_by"] == reprinted
    assert f"folio {reprinted}" in seen[old_folio]["reason"]
    assert len([e for e in _events(data, "card_revoked") if e["folio"] == old_folio]) == 1

    audit = cli_json(data, "audit")
    assert audit["ok"] is True, audit


def test_central_applies_the_school_change_revocation(api: Any, central_settings: Any,
                                                      tmp_path: Path) -> None:
    """The events in the station's order (old card; revocation; new sheet): central revokes
    the old card with cause "replaced", keeps the new one active, and sees no conflict."""
    from plugin_central import STAFF, enroll_key, import_demo, signed

    from foundation.credential.keys import StationKey
    from station.services.demo_data import demo_export_rows

    import_demo(central_settings, tmp_path / "export")
    school = "14DPR9901D"
    curp = next(a["curp"] for a in demo_export_rows(students=30)[1] if a["cct"] == school)
    key = StationKey.generate(tmp_path / "k" / "station.key")
    enroll_key(api, key, school=school)

    def issued(seq: int, sheet: int, folio: int) -> dict[str, Any]:
        return {"seq": seq, "prev_seq": seq - 1, "at": f"2026-09-0{seq}T10:00:00+00:00",
                "kind": "sheet_issued",
                "payload": {"sheet": sheet, "cct": school, "issued_on": f"2026-09-0{seq}",
                            "key_id": key.key_id.hex(), "reprint_of": None, "cancelled": [],
                            "cards": [{"folio": folio, "curp": curp}]}}

    reason = "reemplazada por cambio de escuela: folio 1000008"
    revoked = {"seq": 2, "prev_seq": 1, "at": "2026-09-02T10:00:00+00:00",
               "kind": "card_revoked",
               "payload": {"folio": 1_000_000, "key_id": key.key_id.hex(), "cause": "replaced",
                           "reason": reason, "replaced_by": 1_000_008, "old_cct": OLD,
                           "new_cct": NEW}}
    events = [issued(1, 1, 1_000_000), revoked, issued(3, 2, 1_000_008)]
    answer = signed(api, key, "POST", "/api/v1/sync/events", body={"events": events})
    assert answer.status_code == 200 and answer.json()["acked_through"] == 3, answer.text
    cards = api.get("/api/v1/admin/cards", headers=STAFF, params={"curp": curp}).json()["cards"]
    assert {c["folio"]: (c["status"], c["status_reason"]) for c in cards} == {
        1_000_000: ("revoked", reason), 1_000_008: ("active", None)}
    page = signed(api, key, "GET", "/api/v1/sync/revocations").json()
    listed = {(r["folio"], r["cause"]) for r in page["revocations"]}
    assert listed == {(1_000_000, "replaced")}
