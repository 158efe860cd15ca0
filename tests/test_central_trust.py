"""Central trusts a station only with what is its own (issue 10, findings 1-6).

An attacker holds station A's key (school ZAPOPAN) and pushes events reaching into station
B's school (TEPA): another school's students, B's key id, B's folios, holograms, photos, and,
once A is withdrawn, the same again. Each is stored, refused with a reason the station gets
back, and changes nothing of B's; a withdrawn station's is quarantined for staff review.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from plugin_central import STAFF, enroll_key, signed
from sqlalchemy import select
from test_central_web import (  # noqa: F401  (fixtures)
    TEPA,
    TEPA_DRSE,
    ZAPOPAN,
    Db,
    accounts,
    db,
    signed_in,
)

from central.models import Card, EventRefusal, Hologram, Revocation, Student
from foundation.credential.keys import StationKey
from station.services.demo_data import demo_export_rows, make_placeholder_portrait

A_FOLIO, B_FOLIO = 1_000_000, 1_000_080  # the first blocks of A and B (block size 80)
TODAY = date.today()


def students_of(cct: str) -> list[str]:
    return [a["curp"] for a in demo_export_rows(students=30)[1] if a["cct"] == cct]


class Pusher:
    """One station's key and its ledger's next seq."""

    def __init__(self, api: Any, key: StationKey) -> None:
        self.api, self.key, self.seq = api, key, 0

    def push(self, kind: str, payload: dict[str, Any], at: str | None = None) -> dict[str, Any]:
        self.seq += 1
        event = {"seq": self.seq, "prev_seq": self.seq - 1, "kind": kind, "payload": payload,
                 # now, after enrolment: a fixed hour of today fell before the enrolment of a
                 # run after 10:00 UTC, where the pre-enrolment standalone range applies
                 "at": at or datetime.now(UTC).isoformat()}
        answer = signed(self.api, self.key, "POST", "/api/v1/sync/events",
                        body={"events": [event]})
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def sheet(self, sheet: int, cct: str, cards: list[tuple[int, str]], *,
              issued_on: date = TODAY, key_id: str | None = None,
              at: str | None = None) -> dict[str, Any]:
        return self.push("sheet_issued", {
            "sheet": sheet, "cct": cct, "issued_on": issued_on.isoformat(),
            "key_id": key_id or self.key.key_id.hex(), "reprint_of": None, "cancelled": [],
            "cards": [{"folio": f, "curp": c} for f, c in cards]}, at=at)


def refused_codes(answer: dict[str, Any]) -> list[str]:
    return [r["code"] for r in answer["refused"]]


@pytest.fixture
def two(api: Any, accounts: None, tmp_path: Path) -> tuple[Pusher, Pusher]:  # noqa: F811
    a = Pusher(api, StationKey.generate(tmp_path / "a" / "station.key"))
    b = Pusher(api, StationKey.generate(tmp_path / "b" / "station.key"))
    enroll_key(api, a.key, school=ZAPOPAN)
    enroll_key(api, b.key, school=TEPA)
    return a, b


def cards_of(api: Any, curp: str) -> dict[int, str]:
    found = api.get("/api/v1/admin/cards", headers=STAFF, params={"curp": curp}).json()
    return {c["folio"]: c["status"] for c in found["cards"]}


def revoked(api: Any, key: StationKey) -> list[tuple[str, int]]:
    page = signed(api, key, "GET", "/api/v1/sync/revocations").json()
    return [(r["key_id"], r["folio"]) for r in page["revocations"]]


def test_another_schools_student_with_a_future_date_is_refused(
        api: Any, two: tuple[Pusher, Pusher]) -> None:
    """Finding 1: A's sheet with B's student (and 2030) never replaces B's valid card."""
    a, b = two
    victim, own = students_of(TEPA)[0], students_of(ZAPOPAN)[0]
    assert b.sheet(1, TEPA, [(B_FOLIO, victim)])["refused"] == []
    answer = a.sheet(1, ZAPOPAN, [(A_FOLIO, victim)], issued_on=date(2030, 1, 1))
    assert refused_codes(answer) == ["future-date"] and answer["acked_through"] == 1
    answer = a.sheet(2, ZAPOPAN, [(A_FOLIO + 1, victim)])
    assert refused_codes(answer) == ["student-out-of-scope"]
    assert victim[:4] in answer["refused"][0]["message"]
    assert victim not in answer["refused"][0]["message"]  # no CURP in what the station logs
    # A future date is refused for its own students too: it would win every conflict.
    assert refused_codes(a.sheet(3, ZAPOPAN, [(A_FOLIO + 2, own)],
                                 issued_on=TODAY + timedelta(days=3))) == ["future-date"]
    assert cards_of(a.api, victim) == {B_FOLIO: "active"}
    assert revoked(a.api, b.key) == []


def test_revoking_under_another_stations_key_is_refused(
        api: Any, two: tuple[Pusher, Pusher]) -> None:
    """Finding 2: ``card_revoked`` naming B's key id puts nothing on the revocation list."""
    a, b = two
    victim = students_of(TEPA)[0]
    b.sheet(1, TEPA, [(B_FOLIO, victim)])
    answer = a.push("card_revoked", {"folio": B_FOLIO, "key_id": b.key.key_id.hex(),
                                     "cause": "revoked", "reason": "robada"})
    assert refused_codes(answer) == ["foreign-key"]
    answer = a.push("card_revoked", {"folio": B_FOLIO + 5})  # own key, B's block
    assert refused_codes(answer) == ["folio-not-owned"]
    assert revoked(api, b.key) == [] and cards_of(api, victim) == {B_FOLIO: "active"}


def test_another_stations_key_and_folio_cannot_block_its_next_push(
        api: Any, two: tuple[Pusher, Pusher]) -> None:
    """Finding 3: A's sheet under B's key id and B's next folio; B's own push still lands."""
    a, b = two
    own, victim = students_of(ZAPOPAN)[0], students_of(TEPA)[1]
    answer = a.sheet(1, ZAPOPAN, [(B_FOLIO, own)], key_id=b.key.key_id.hex())
    assert refused_codes(answer) == ["foreign-key"]
    answer = b.sheet(1, TEPA, [(B_FOLIO, victim)])
    assert answer["refused"] == [] and answer["applied"] == 1
    assert cards_of(api, victim) == {B_FOLIO: "active"} and cards_of(api, own) == {}
    # A folio reused by the station itself is refused too, not a UNIQUE violation (500).
    assert refused_codes(b.sheet(2, TEPA, [(B_FOLIO, students_of(TEPA)[2])])) == ["folio-used"]


def test_photo_of_another_schools_student_is_not_linked(
        api: Any, two: tuple[Pusher, Pusher], db: Db) -> None:  # noqa: F811
    """Finding 4: a ``photo_linked`` event is scope-checked like the direct upload."""
    a, b = two
    mine, victim = students_of(TEPA)[0], students_of(TEPA)[1]
    data = make_placeholder_portrait("ALUMNA DE PRUEBA", mine, size=(60, 75))
    digest = hashlib.sha256(data).hexdigest()
    put = signed(api, b.key, "PUT", f"/api/v1/sync/photos/{digest}", raw=data,
                 params={"curp": mine}, headers={"Content-Type": "image/jpeg"})
    assert put.status_code == 200, put.text
    answer = a.push("photo_linked", {"curp": victim, "photo_hash": digest})
    assert refused_codes(answer) == ["student-out-of-scope"]
    with db.sessions() as session:
        assert session.get(Student, victim).photo_hash is None
    assert signed(api, a.key, "GET", "/api/v1/sync/photos/wanted").json()["photos"] == []


def test_holograms_receipts_and_folios_outside_the_blocks(
        api: Any, two: tuple[Pusher, Pusher], db: Db) -> None:  # noqa: F811
    """Finding 6: a hologram for another school's student, a hologram or receipt another
    station used, and a sheet on folio 5 (outside every block) are refused."""
    a, b = two
    own, victim = students_of(ZAPOPAN)[0], students_of(TEPA)[0]
    hologram = {"serial": "H-0001", "cycle": "2026-2027", "curp": victim, "folio": None,
                "on": TODAY.isoformat()}
    assert refused_codes(a.push("hologram_applied", hologram)) == ["student-out-of-scope"]
    assert b.push("hologram_applied", hologram)["refused"] == []
    assert refused_codes(a.push("hologram_applied", {**hologram, "curp": own})) == [
        "hologram-used"]
    receipt = {"receipt": "R-77", "curp": victim, "fee_mxn": 50, "old_folio": B_FOLIO,
               "reason": "extravío", "receipt_date": TODAY.isoformat(), "taken_by": "Ana"}
    assert b.push("replacement_paid", receipt)["refused"] == []
    assert refused_codes(a.push("replacement_paid", {**receipt, "curp": own})) == [
        "receipt-used"]
    # Dated after its enrolment (not today 10:00, before it when the test runs later in the
    # day): folio 5 is then no longer its standalone range from before it enrolled.
    after = datetime.now(UTC).isoformat()
    assert refused_codes(a.sheet(1, ZAPOPAN, [(5, own)], at=after)) == ["folio-not-owned"]
    with db.sessions() as session:
        assert [(h.serial, h.station_id) for h in session.scalars(select(Hologram))] == [
            ("H-0001", "EST-00002")]
        assert session.scalar(select(Card.id)) is None
        assert {r.code for r in session.scalars(select(EventRefusal))} == {
            "student-out-of-scope", "hologram-used", "receipt-used", "folio-not-owned"}


def test_a_withdrawn_stations_reach_is_quarantined_for_staff(
        api: Any, two: tuple[Pusher, Pusher], db: Db, tmp_path: Path) -> None:  # noqa: F811
    """Finding 5: a withdrawn station may push what it holds; what reaches beyond it (or
    would replace another station's card) is quarantined, listed for staff, never applied."""
    _a, b = two
    victim = students_of(TEPA)[0]
    # A DRSE station of Altos Sur prints for TEPA too: in scope, so only withdrawal stops it.
    drse = Pusher(api, StationKey.generate(tmp_path / "d" / "station.key"))
    enroll_key(api, drse.key, school=None, drse=TEPA_DRSE)
    assert b.sheet(1, TEPA, [(B_FOLIO, victim)])["refused"] == []
    out = api.post("/api/v1/admin/stations/EST-00003/withdraw", headers=STAFF,
                   json={"staff": "Ana", "reason": "robada"})
    assert out.status_code == 200, out.text
    drse_folio = 1_000_160
    answer = drse.sheet(1, TEPA, [(drse_folio, victim)])
    assert [(r["code"], r["quarantined"]) for r in answer["refused"]] == [
        ("withdrawn-replaces", True)]
    answer = drse.push("card_revoked", {"folio": B_FOLIO, "key_id": b.key.key_id.hex()})
    assert refused_codes(answer) == ["foreign-key"] and answer["refused"][0]["quarantined"]
    assert cards_of(api, victim) == {B_FOLIO: "active"} and revoked(api, b.key) == []
    # A sheet of its own, for a student nobody else holds a card of, still lands.
    other = students_of(TEPA)[1]
    assert drse.sheet(2, TEPA, [(drse_folio + 1, other)])["refused"] == []
    assert cards_of(api, other) == {drse_folio + 1: "active"}
    # Staff see it on the conflicts page (the DRSE's person too) and mark it reviewed.
    csrf = signed_in(api, "beto")
    listing = api.get("/staff/conflictos")
    assert listing.status_code == 200 and 'id="cuarentena-EST-00003-1"' in listing.text
    assert "reemplazaría credenciales de otra estación" in listing.text
    done = api.post("/staff/conflictos/cuarentena/EST-00003/1/revisar",
                    data={"csrf": csrf, "nota": "estación robada, se avisó a la escuela"})
    assert done.status_code == 200 and "quedó revisado" in done.text
    with db.sessions() as session:
        row = session.get(EventRefusal, ("EST-00003", 1))
        assert row.reviewed_by == "beto" and row.quarantined
        assert session.scalar(select(Revocation.folio)) is None
    assert db.actions("beto")[-1] == "review-quarantine"


def test_another_drses_card_is_refused_without_naming_its_folio(
        api: Any, two: tuple[Pusher, Pusher], db: Db) -> None:  # noqa: F811
    """Finding 13: a DRSE's person opening another DRSE's card learns nothing of it."""
    a, _b = two
    a.sheet(1, ZAPOPAN, [(A_FOLIO + 7, students_of(ZAPOPAN)[0])])
    with db.sessions() as session:
        card_id = session.scalar(select(Card.id))
    signed_in(api, "beto")
    refused = api.get(f"/staff/credenciales/{card_id}")
    assert refused.status_code == 403 and "no le corresponde" in refused.text
    assert str(A_FOLIO + 7) not in refused.text
