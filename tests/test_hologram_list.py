"""The list to stick holograms by (issue 16): nothing recorded until confirmed, by grado,
grupo and name, a torn one skipped on the roll, the PDF read back."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from foundation.errors import InputError
from station.services import hologram_list, lifecycle_cards
from station.services.issuance import Issuer, select_students


def _applied(station: Any) -> dict[str, str]:
    with station.db.read() as conn:
        return {r[0]: r[1] for r in conn.execute("SELECT serial, state FROM hologram_uses")}


def _confirm(station: Any, sheet_id: int) -> None:
    from station.services import print_tasks

    print_tasks.confirm_sheets(station, [sheet_id])


def test_the_list_records_only_what_is_confirmed(prepared_station: Any) -> None:
    station, cct, curps = prepared_station
    today = station.today()
    school, students = select_students(station, cct, curps[:5])
    for sheet in Issuer(station, printer="pdf").produce(school, students):
        _confirm(station, sheet.sheet_id)
    lifecycle_cards.receive_holograms(station, "H000100", "H000120", cycle=None,
                                      reference="", on=today, taken_by="Ana")
    plan = hologram_list.sticking_plan(station, cct, "h000100")
    assert len(plan) == 5 and _applied(station) == {}  # a plan writes nothing
    assert [(r.grado, r.grupo, r.name) for r in plan] == sorted(
        (r.grado, r.grupo, r.name) for r in plan)
    assert [r.serial for r in plan] == [f"H00010{i}" for i in range(5)]

    # The first tears: spoiled, its student gets the next serial; one absent leaves the list.
    lifecycle_cards.spoil_hologram(station, plan[0].serial, reason="se rompió", on=today,
                                   taken_by="Ana")
    again = hologram_list.sticking_plan(station, cct, "H000100", skip_serials={"H000100"},
                                        skip_students={plan[4].curp})
    assert [r.curp for r in again] == [r.curp for r in plan[:4]]
    assert [r.serial for r in again] == ["H000101", "H000102", "H000103", "H000104"]

    done = hologram_list.record_stuck(station, again[:1], on=today, taken_by="Ana")
    assert [a.serial for a in done] == ["H000101"]
    assert _applied(station) == {"H000100": "spoiled", "H000101": "applied"}
    left = hologram_list.sticking_plan(station, cct, "H000100",
                                       skip_serials={"H000100", "H000101"})
    assert [r.serial for r in left] == ["H000102", "H000103", "H000104", "H000105"]

    pdf = hologram_list.sticking_pdf(station, cct, left, on=today)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Lista para pegar hologramas" in text and cct in text
    positions = [text.index(r.serial) for r in left]
    assert positions == sorted(positions)  # the order to stick them by
    with pytest.raises(InputError):
        hologram_list.sticking_plan(station, cct, "no es serie")
