"""What verification adds from the lifecycle: the cycle's hologram and why a card was revoked.

A card is valid for a cycle only with that cycle's hologram recorded (normativo 5). The
verdict values stay those of :class:`foundation.credential.verify.Verdict`; the answer gains
the hologram fields and words:

- "Credencial válida, holograma 2026-2027 registrado: folio …"
- "Credencial válida, pero sin holograma del ciclo vigente (2026-2027): folio …"
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from foundation.credential.verify import Verdict, Verification
from station.services.station import Station
from station.store import hologram_records, lifecycle_records, replacement_records

_VALID_PREFIX = "Credencial válida: "


@dataclass(frozen=True, slots=True)
class CardVerification(Verification):
    """A verification with the lifecycle's facts; ``to_json`` keeps every base field."""

    cycle: str | None = None
    hologram_cycle: str | None = None
    hologram_serial: str | None = None
    hologram_known: bool = False
    """False when the card is another station's: its holograms are not in this ledger."""
    revocation: str | None = None
    """'lost', 'stolen', 'replaced', 'spoiled' or 'other' for a revoked card."""
    reported_on: str | None = None
    replaced_by: int | None = None

    @property
    def valid_for_cycle(self) -> bool | None:
        if self.verdict is not Verdict.VALID:
            return False
        return None if not self.hologram_known else self.hologram_cycle == self.cycle

    def to_json(self) -> dict[str, Any]:
        # slots dataclasses break zero-argument super(); call the base explicitly.
        base = Verification.to_json(self)
        base.update({"cycle": self.cycle, "hologram_cycle": self.hologram_cycle,
                     "hologram_serial": self.hologram_serial,
                     "hologram_known": self.hologram_known,
                     "valid_for_cycle": self.valid_for_cycle, "revocation": self.revocation,
                     "reported_on": self.reported_on, "replaced_by": self.replaced_by})
        return base


def enrich(station: Station, v: Verification) -> CardVerification:
    """The same verification, with the hologram of the current cycle and the revocation kind."""
    fields: dict[str, Any] = {}
    reason = v.reason_es
    with station.db.read() as conn:
        cycle = lifecycle_records.current_cycle(conn, station.settings["cycle.current"])
        own = v.claims is not None and v.key_id == station.key.key_id.hex()
        if own and v.claims is not None:
            folio = v.claims.folio
            serial = hologram_records.hologram_on_card(conn, folio, cycle)
            fields.update(hologram_known=True, hologram_serial=serial,
                          hologram_cycle=cycle if serial else None)
            if v.verdict is Verdict.REVOKED:
                fields.update(_revocation(conn, folio))
    if v.verdict is Verdict.VALID and v.claims is not None:
        details = reason.removeprefix(_VALID_PREFIX)
        if not own:
            reason = (f"{reason} El holograma no se puede comprobar en esta estación (la "
                      f"credencial la expidió otra): revise que lleve el holograma {cycle}.")
        elif fields.get("hologram_serial"):
            reason = f"Credencial válida, holograma {cycle} registrado: {details}"
        else:
            reason = (f"Credencial válida, pero sin holograma del ciclo vigente ({cycle}): "
                      f"{details} Colóquele el holograma del ciclo y regístrelo.")
    return CardVerification(v.verdict, v.claims, v.key_id, reason, cycle=cycle, **fields)


def _revocation(conn: sqlite3.Connection, folio: int) -> dict[str, Any]:
    status = conn.execute("SELECT status FROM cards WHERE folio = ?", (folio,)).fetchone()
    if status is None:
        return {"revocation": "other"}
    if status[0] == "spoiled":
        return {"revocation": "spoiled"}
    out: dict[str, Any] = {"revocation": "other"}
    report = replacement_records.loss_report(conn, folio)
    if report:
        out.update(revocation=report[0], reported_on=report[1])
    row = conn.execute("SELECT new_folio FROM replacements WHERE old_folio = ?"
                       " AND new_folio IS NOT NULL", (folio,)).fetchone()
    if row:
        out["replaced_by"] = row[0]
        if not report:
            out["revocation"] = "replaced"
    moved = replacement_records.school_change(conn, folio)
    if moved and not report:  # the student changed school: a new card of the new school
        out.update(revocation="replaced", replaced_by=moved[0])
    return out
