"""Central's invariants under any mix of honest and hostile stations (hypothesis).

Three stations: two honest ones of one school (they race on the same students, like two
stations offline the same week) and one of another school that also turns hostile (other
school's students, another station's key id and folios, dates in the future, revocations of
cards that are not its own). Staff revoke now and then. After every push:

- at most one active card per student;
- no folio twice (central's blocks never overlap, and a folio is never reused);
- no card revoked or replaced except by its own station, by staff, or by the conflict rule
  (replaced by a newer card of the same student, from a station of that student's school);
- every event got an answer: applied, or refused with a reason.

A bounded number of examples (each a short sequence): it runs in seconds on both databases.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plugin_central import STAFF, enroll_key, import_demo, signed, take_block
from sqlalchemy import select

from central.models import Card, Revocation
from central.settings import CentralSettings
from foundation.credential.keys import StationKey
from foundation.sqldb import make_engine, make_sessionmaker
from station.services.demo_data import demo_export_rows

ZAPOPAN, TEPA = "14DPR9901D", "14EPR9902E"
TODAY = date.today()


def students(cct: str) -> list[str]:
    return [a["curp"] for a in demo_export_rows(students=30)[1] if a["cct"] == cct]


@dataclass
class Sim:
    """One station as the test drives it: its key, school, seq and unused folios."""

    api: Any
    key: StationKey
    school: str
    seq: int = 0
    folios: list[int] = field(default_factory=list)
    ordinal: int = 0
    revoked_own: set[tuple[str, int]] = field(default_factory=set)

    @property
    def key_hex(self) -> str:
        return self.key.key_id.hex()

    def next_folios(self, n: int) -> list[int]:
        while len(self.folios) < n:
            self.ordinal += 1
            first, last = take_block(self.api, self.key, self.ordinal)
            self.folios += list(range(first, last + 1))
        taken, self.folios = self.folios[:n], self.folios[n:]
        return taken

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        self.seq += 1
        event = {"seq": self.seq, "prev_seq": self.seq - 1, "kind": kind, "payload": payload,
                 "at": f"{TODAY.isoformat()}T10:{self.seq % 60:02d}:00+00:00"}
        answer = signed(self.api, self.key, "POST", "/api/v1/sync/events",
                        body={"events": [event]})
        assert answer.status_code == 200, answer.text
        body = dict(answer.json())
        assert body["acked_through"] == self.seq
        return body


ACTIONS = st.lists(st.tuples(
    st.sampled_from(["honest", "honest", "other-school", "foreign-key", "future",
                     "revoke-own", "revoke-foreign", "staff-revoke", "hologram-foreign"]),
    st.integers(0, 2),             # which station acts
    st.integers(0, 10_000),        # picks students / cards
    st.integers(0, 90)), min_size=1, max_size=6)


def test_invariants_hold_for_any_mix_of_stations(api: Any, central_settings: CentralSettings,
                                                 tmp_path: Path) -> None:
    import_demo(central_settings, tmp_path / "export")
    sims = []
    for i, school in enumerate((ZAPOPAN, ZAPOPAN, TEPA)):
        key = StationKey.generate(tmp_path / f"s{i}" / "station.key")
        enroll_key(api, key, school=school, block=False)
        sims.append(Sim(api, key, school))
    engine = make_engine(central_settings.database_url)
    sessions = make_sessionmaker(engine)
    station_of = {s.key_hex: s for s in sims}
    staff_revoked: set[tuple[str, int]] = set()

    def run(actions: list[tuple[str, int, int, int]]) -> None:
        for what, who, pick, days in actions:
            sim = sims[who]
            other = sims[(who + 1) % 3] if sims[(who + 1) % 3].school != sim.school \
                else sims[2 if who != 2 else 0]
            own = students(sim.school)
            theirs = students(other.school)
            chosen = [own[(pick + i) % len(own)] for i in range(1 + pick % 3)]
            chosen = list(dict.fromkeys(chosen))
            issued = TODAY - timedelta(days=days)
            if what in ("honest", "other-school", "foreign-key", "future"):
                curps = [theirs[pick % len(theirs)]] if what == "other-school" else chosen
                payload = {"sheet": sim.seq + 1, "cct": sim.school,
                           "issued_on": (TODAY + timedelta(days=5 + days) if what == "future"
                                         else issued).isoformat(),
                           "key_id": other.key_hex if what == "foreign-key" else sim.key_hex,
                           "cards": [{"folio": f, "curp": c} for f, c in
                                     zip(sim.next_folios(len(curps)), curps, strict=True)]}
                answer = sim.push("sheet_issued", payload)
                assert (answer["refused"] == []) == (what == "honest"), (what, answer)
            elif what in ("revoke-own", "revoke-foreign"):
                target = sim if what == "revoke-own" else other
                with sessions() as session:
                    folios = list(session.scalars(select(Card.folio).where(
                        Card.key_id == target.key_hex).order_by(Card.folio)))
                if not folios:
                    continue
                folio = folios[pick % len(folios)]
                answer = sim.push("card_revoked", {"folio": folio, "key_id": target.key_hex,
                                                   "reason": "prueba"})
                assert (answer["refused"] == []) == (what == "revoke-own"), answer
                if what == "revoke-own":
                    sim.revoked_own.add((sim.key_hex, folio))
            elif what == "staff-revoke":
                with sessions() as session:
                    ids = list(session.scalars(select(Card.id).where(Card.status == "active")
                                               .order_by(Card.id)))
                if not ids:
                    continue
                card = api.post(f"/api/v1/admin/cards/{ids[pick % len(ids)]}/revoke",
                                headers=STAFF, json={"staff": "Ana", "reason": "prueba"})
                assert card.status_code == 200, card.text
                staff_revoked.add((card.json()["key_id"], card.json()["folio"]))
            else:
                answer = sim.push("hologram_applied", {
                    "serial": f"H{pick}", "cycle": "2026-2027",
                    "curp": theirs[pick % len(theirs)]})
                assert [r["code"] for r in answer["refused"]] == ["student-out-of-scope"]
            check(sessions, station_of, staff_revoked)

    given_run = settings(max_examples=15, deadline=None, derandomize=True,
                         suppress_health_check=list(HealthCheck))(given(ACTIONS)(run))
    try:
        given_run()
    finally:
        engine.dispose()


def check(sessions: Any, station_of: dict[str, Sim],
          staff_revoked: set[tuple[str, int]]) -> None:
    with sessions() as session:
        cards = list(session.scalars(select(Card)))
        revocations = {(r.key_id, r.folio): r for r in session.scalars(select(Revocation))}
    by_id = {c.id: c for c in cards}
    active = Counter(c.curp for c in cards if c.status == "active")
    assert not [curp for curp, n in active.items() if n > 1], "two active cards for a student"
    folios = Counter(c.folio for c in cards)
    assert not [f for f, n in folios.items() if n > 1], "a folio twice"
    for c in cards:
        mark = (c.key_id, c.folio)
        sim = station_of[c.key_id]
        assert c.cct == sim.school
        if c.status == "revoked":
            assert mark in sim.revoked_own or mark in staff_revoked, (c.status, mark)
        elif c.status == "replaced":
            kept = by_id[c.superseded_by]
            assert kept.curp == c.curp and (kept.issued_on, kept.issued_at, kept.id) > (
                c.issued_on, c.issued_at, c.id)
            assert station_of[kept.key_id].school == c.cct or kept.cct == c.cct
        if mark in revocations:
            assert c.status != "active" or mark in staff_revoked or mark in sim.revoked_own
