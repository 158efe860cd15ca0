"""Ledger records of the cycle: the current cycle, who needs a card or only the hologram,
what may be printed for a student, and what issuing a card settles (a paid replacement).

Functions that change state take the connection of an open write transaction
(:meth:`station.store.db.Database.write`) and append their event to the outbox.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from foundation.contract.events import CycleAdvanced, ReplacementIssued
from station.core.cycles import Need, StudentFacts, classify, effective_cycle, need_words
from station.core.dates import show_day
from station.core.replacement import Reason, lost_reason, replaced_reason
from station.store import replacement_records
from station.store.ledger import append_event, now_iso
from station.store.lifecycle_sql import (
    ACTIVE_CARD,
    ACTIVE_CARD_HERE,
    DECLINED,
    LOSS_UNPAID,
    REPLACEMENT_AWAITING,
)

# --- the current cycle ---------------------------------------------------------------------


def current_cycle(conn: sqlite3.Connection, setting: str) -> str:
    """The later of the last cycle advanced to in the ledger and the ``cycle.current``
    setting (:func:`station.core.cycles.effective_cycle`)."""
    row = conn.execute("SELECT cycle FROM cycle_changes ORDER BY id DESC LIMIT 1").fetchone()
    return effective_cycle(setting, row[0] if row else None)


def record_cycle_change(conn: sqlite3.Connection, *, previous: str, new: str,
                        taken_by: str) -> None:
    conn.execute("INSERT INTO cycle_changes (cycle, previous, taken_by, at) VALUES (?, ?, ?, ?)",
                 (new, previous, taken_by, now_iso()))
    append_event(conn, CycleAdvanced(cycle=new, previous=previous, taken_by=taken_by))


# --- who needs what -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StudentLine:
    """One enrolled student of a school in a cycle, with what they need."""

    curp: str
    name: str
    grado: int
    grupo: str
    nuevo_ingreso: bool
    folio: int | None
    hologram: str | None
    need: Need
    card_other_school: bool = False
    """``folio`` is an active card of a school the student left (they need a new card)."""

    @property
    def words(self) -> str:
        return need_words(self.need, card_other_school=self.card_other_school)

    def to_json(self) -> dict[str, object]:
        return {"curp": self.curp, "name": self.name, "grado": self.grado, "grupo": self.grupo,
                "nuevo_ingreso": self.nuevo_ingreso, "folio": self.folio,
                "hologram": self.hologram, "need": self.need.value,
                "card_other_school": self.card_other_school, "words": self.words}


_LIST_SQL = f"""
SELECT x.*, (SELECT h.serial FROM hologram_uses h WHERE h.folio = x.folio
             AND h.cycle = :cycle AND h.state = 'applied') AS hologram
FROM (SELECT s.curp, s.nombre, s.primer_apellido, s.segundo_apellido, s.grado, s.grupo,
             s.nuevo_ingreso, coalesce({ACTIVE_CARD_HERE}, {ACTIVE_CARD}) AS folio,
             {DECLINED} AS declined, {REPLACEMENT_AWAITING} AS awaiting,
             {LOSS_UNPAID} AS loss_unpaid, {ACTIVE_CARD_HERE} IS NULL AS elsewhere
      FROM students s WHERE s.cct = :cct AND s.estatus = 'INSCRITO') x
ORDER BY x.primer_apellido, x.segundo_apellido, x.nombre, x.curp
"""


def _name(nombre: str, primer: str, segundo: str) -> str:
    return " ".join(p for p in (nombre, primer, segundo) if p)


def cycle_lists(conn: sqlite3.Connection, cct: str, cycle: str) -> list[StudentLine]:
    """Every enrolled student of the school with their need in ``cycle``, in name order.

    One query: the indexes on cards, holograms, declines and replacements answer each
    condition per student (see bench/bench_pending_lists.py).
    """
    out = []
    for r in conn.execute(_LIST_SQL, {"cycle": cycle, "cct": cct}):
        other = r[7] is not None and bool(r[11])
        facts = StudentFacts(enrolled=True, has_card=r[7] is not None,
                             hologram_this_cycle=r[12] is not None, declined=bool(r[8]),
                             replacement_awaiting=bool(r[9]), loss_unpaid=bool(r[10]),
                             card_other_school=other)
        need = classify(facts)
        assert need is not None
        out.append(StudentLine(r[0], _name(r[1], r[2], r[3]), r[4], r[5], bool(r[6]), r[7],
                               r[12], need, other))
    return out


def cycle_lists_python(conn: sqlite3.Connection, cct: str, cycle: str) -> list[StudentLine]:
    """The same answer as :func:`cycle_lists`, computed in Python over whole tables.

    The obvious alternative to the SQL query; kept as an executable statement of the rules
    (a test compares both) and as the baseline of the benchmark.
    """
    active: dict[str, list[tuple[int, str]]] = {}
    for curp, folio, card_cct in conn.execute(
            "SELECT curp, folio, cct FROM cards WHERE status = 'active'"):
        active.setdefault(curp, []).append((folio, card_cct))
    holograms = {(f, c): s for s, f, c in conn.execute(
        "SELECT serial, folio, cycle FROM hologram_uses WHERE state = 'applied'")}
    declined = {r[0] for r in conn.execute("SELECT curp FROM declines WHERE withdrawn_on IS NULL")}
    spoiled = {r[0] for r in conn.execute("SELECT folio FROM cards WHERE status = 'spoiled'")}
    awaiting, replaced = set(), set()
    for curp, old, new in conn.execute("SELECT curp, old_folio, new_folio FROM replacements"):
        replaced.add(old)
        if new is None or new in spoiled:
            awaiting.add(curp)
    unpaid = {curp for curp, folio in conn.execute("SELECT curp, folio FROM card_reports")
              if folio not in replaced}
    rows = [r for r in conn.execute("SELECT * FROM students") if r["cct"] == cct
            and r["estatus"] == "INSCRITO"]
    rows.sort(key=lambda r: (r["primer_apellido"], r["segundo_apellido"], r["nombre"], r["curp"]))
    out = []
    for r in rows:
        curp = r["curp"]
        cards = active.get(curp, [])
        here = [f for f, card_cct in cards if card_cct == cct]
        folio = max(here) if here else max((f for f, _ in cards), default=None)
        other = bool(cards) and not here
        serial = holograms.get((folio, cycle)) if folio is not None else None
        need = classify(StudentFacts(
            enrolled=True, has_card=folio is not None, hologram_this_cycle=serial is not None,
            declined=curp in declined, replacement_awaiting=curp in awaiting,
            loss_unpaid=curp in unpaid, card_other_school=other))
        assert need is not None
        out.append(StudentLine(curp, _name(r["nombre"], r["primer_apellido"],
                                           r["segundo_apellido"]),
                               r["grado"], r["grupo"], bool(r["nuevo_ingreso"]), folio, serial,
                               need, other))
    return out


# --- what may be printed ---------------------------------------------------------------------


def print_refusal(conn: sqlite3.Connection, curp: str) -> str | None:
    """Why this enrolled student must not get a new card now, or None.

    The words of an active card are the ones the operator already knows from printing.
    """
    cond = (f"SELECT {ACTIVE_CARD_HERE}, {DECLINED}, {REPLACEMENT_AWAITING}, {LOSS_UNPAID},"
            f" {ACTIVE_CARD} FROM students s WHERE s.curp = ?")
    row = conn.execute(cond, (curp,)).fetchone()
    if row is None:
        return None
    folio, declined, awaiting, unpaid, anywhere = row
    if declined:
        on = conn.execute("SELECT declined_on FROM declines WHERE curp = ? AND withdrawn_on"
                          " IS NULL", (curp,)).fetchone()[0]
        return (f"renunció a la credencial el {show_day(on)} (normativo 4); si ahora la quiere, "
                f"retire la renuncia con 'station decline withdraw --curp {curp}'.")
    if awaiting:
        return None
    if folio is not None:
        return f"ya tiene credencial vigente (folio {folio}); para otra, tramite reposición."
    if anywhere is not None:
        return None  # a card of the school they left: the new school's card is free
    if unpaid:
        lost = conn.execute("SELECT folio, kind, reported_on FROM card_reports WHERE curp = ?"
                            " ORDER BY id DESC LIMIT 1", (curp,)).fetchone()
        return (f"su credencial (folio {lost[0]}) fue {lost_reason(Reason(lost[1]), _day(lost[2]))}"
                "; la reposición requiere el recibo de pago: 'station replacement request'.")
    return None


def _day(iso: str) -> date:
    return date.fromisoformat(iso[:10])


# --- what issuing a card settles ----------------------------------------------------------


def on_cards_issued(conn: sqlite3.Connection, issued: Sequence[tuple[int, str]],
                    issued_on: str) -> None:
    """Called inside the sheet's transaction for each (new folio, CURP) it issued.

    A paid replacement gets its new folio and the old card is revoked as replaced (a
    damaged card stays valid until this moment; a lost one was revoked when reported). A
    student who changed school has the card of the former school revoked as replaced, free
    (:func:`station.store.replacement_records.revoke_for_school_change`).
    """
    if not issued:
        return
    by_curp = {curp: folio for folio, curp in issued}
    marks = ",".join("?" * len(by_curp))
    waiting = conn.execute(
        f"SELECT r.id, r.curp, r.old_folio, r.reason, r.receipt_ref FROM replacements r"
        f" WHERE r.curp IN ({marks}) AND (r.new_folio IS NULL OR EXISTS (SELECT 1 FROM cards n"
        f" WHERE n.folio = r.new_folio AND n.status = 'spoiled'))", list(by_curp)).fetchall()
    for rid, curp, old_folio, reason_value, receipt in waiting:
        new_folio = by_curp[curp]
        reason = Reason(reason_value)
        report = conn.execute("SELECT kind, reported_on FROM card_reports WHERE folio = ?",
                              (old_folio,)).fetchone()
        previous = lost_reason(Reason(report[0]), _day(report[1])) if report else None
        conn.execute("UPDATE cards SET status = 'revoked', status_reason = ? WHERE folio = ?"
                     " AND status IN ('active', 'revoked')",
                     (replaced_reason(previous, reason, new_folio), old_folio))
        conn.execute("UPDATE replacements SET new_folio = ?, issued_at = ? WHERE id = ?",
                     (new_folio, now_iso(), rid))
        append_event(conn, ReplacementIssued(
            curp=curp, old_folio=old_folio, new_folio=new_folio, reason=reason.value,
            receipt=receipt, issued_on=issued_on))
    replacement_records.revoke_for_school_change(conn, [folio for folio, _ in issued])
