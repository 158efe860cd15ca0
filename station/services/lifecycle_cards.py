"""Holograms on cards, loss reports and paid replacements (normativos 5, 6, 8, 9).

Each function is one IMMEDIATE transaction; a refusal leaves the ledger unchanged.

>>> apply_hologram(station, "H000123", curp=curp, on=today, taken_by="Ana")  # doctest: +SKIP
"""

from __future__ import annotations

from datetime import date

from foundation.errors import InputError, RuleViolation
from station.context import Station
from station.core.cycles import Need, parse_cycle
from station.core.holograms import HologramRange, parse_range, parse_serial, run_of
from station.core.replacement import Reason, normalise_receipt
from station.core.requests import require_person
from station.services.lifecycle import get_school, get_student
from station.store import hologram_records, ledger, lifecycle_records, replacement_records
from station.store.db import Connection
from station.store.hologram_records import Applied, CycleStock
from station.store.replacement_records import Replacement


def _cycle(station: Station, conn: Connection) -> str:
    return lifecycle_records.current_cycle(conn, station.settings["cycle.current"])


# --- holograms ------------------------------------------------------------------------------

def receive_holograms(station: Station, first: str, last: str, *, cycle: str | None,
                      reference: str, on: date, taken_by: str) -> HologramRange:
    """Record a roll of holograms for a cycle (default: the current one)."""
    new = parse_range(first, last)
    with station.db.write() as conn:
        chosen = str(parse_cycle(cycle)) if cycle else _cycle(station, conn)
        return hologram_records.add_range(conn, new, cycle=chosen, reference=reference.strip(),
                                          received_on=on, taken_by=taken_by.strip())


def apply_hologram(station: Station, serial: str, *, curp: str | None = None,
                   folio: int | None = None, on: date, taken_by: str) -> Applied:
    """Record that ``serial`` went on the student's active card, for the current cycle."""
    parsed = parse_serial(serial)
    with station.db.write() as conn:
        if folio is not None:
            card = replacement_records.find_card(conn, folio=folio)
            if card.status != "active":
                raise RuleViolation(f"La credencial con folio {folio} no está vigente "
                                    f"({card.status_reason or card.status}): no lleva holograma.")
            curp = card.curp
        if curp is None:
            raise InputError("Indique el alumno o el folio de su credencial.")
        student = get_student(conn, curp)
        active = ledger.active_card_folio(conn, curp)
        if active is not None:
            card = replacement_records.find_card(conn, folio=active)
            if card.cct != student.cct:  # normativo 7: the card names the old school
                raise RuleViolation(
                    f"La credencial vigente de {student.full_name} (folio {active}) es de otra "
                    f"escuela ({card.cct}); no lleva el holograma de {student.cct}.",
                    way_out="Imprima primero la credencial de su nueva escuela y póngale el "
                            "holograma a esa.")
        return hologram_records.apply(conn, parsed, curp=curp, name=student.full_name,
                                      folio=active, cycle=_cycle(station, conn), on=on,
                                      taken_by=taken_by.strip())


def assign_holograms(station: Station, cct: str, first_serial: str, *, on: date,
                     taken_by: str) -> list[Applied]:
    """Give consecutive serials, from ``first_serial``, to every student of the school who
    has a card and lacks the cycle's hologram, in name order. All or nothing."""
    first = parse_serial(first_serial)
    with station.db.write() as conn:
        get_school(conn, cct)
        cycle = _cycle(station, conn)
        needing = [s for s in lifecycle_records.cycle_lists(conn, cct, cycle)
                   if s.need is Need.HOLOGRAM]
        if not needing:
            raise RuleViolation(f"Ningún alumno de la escuela {cct} necesita holograma del ciclo "
                                f"{cycle}.")
        return [hologram_records.apply(conn, serial, curp=s.curp, name=s.name, folio=s.folio,
                                       cycle=cycle, on=on, taken_by=taken_by.strip())
                for s, serial in zip(needing, run_of(first, len(needing)), strict=True)]


def spoil_hologram(station: Station, serial: str, *, reason: str, on: date,
                   taken_by: str) -> dict[str, object]:
    parsed = parse_serial(serial)
    with station.db.write() as conn:
        cycle = hologram_records.spoil(conn, parsed, reason=reason, on=on,
                                       taken_by=taken_by.strip())
    return {"serial": str(parsed), "cycle": cycle, "reason": reason.strip()}


def hologram_stock(station: Station) -> list[CycleStock]:
    with station.db.read() as conn:
        return hologram_records.stock_by_cycle(conn)


# --- loss and replacement -------------------------------------------------------------------

def report_loss(station: Station, *, folio: int | None = None, curp: str | None = None,
                stolen: bool = False, on: date, taken_by: str) -> dict[str, object]:
    """Revoke the card at once (normativo 8)."""
    taken_by = require_person(taken_by, "quién recibió el reporte")
    reason = Reason.STOLEN if stolen else Reason.LOST
    with station.db.write() as conn:
        card = replacement_records.find_card(conn, folio=folio, curp=curp)
        words = replacement_records.report_loss(conn, card, reason=reason, on=on,
                                                taken_by=taken_by)
    return {"folio": card.folio, "curp": card.curp, "name": card.name, "kind": reason.value,
            "reported_on": on.isoformat(), "status": "revoked", "reason": words}


def request_replacement(station: Station, *, curp: str | None = None, folio: int | None = None,
                        reason: str, receipt: str, receipt_date: date, on: date,
                        taken_by: str) -> Replacement:
    """Record a paid replacement (normativo 9): the receipt is required and used once."""
    reference = normalise_receipt(receipt)
    why = Reason.parse(reason)
    taken_by = require_person(taken_by, "quién recibió el recibo")
    with station.db.write() as conn:
        card = replacement_records.find_card(conn, folio=folio, curp=curp)
        return replacement_records.record_replacement(
            conn, card, reason=why, receipt=reference, receipt_date=receipt_date,
            fee_mxn=int(station.settings["fees.replacement_mxn"]), on=on, taken_by=taken_by)


def list_replacements(station: Station, cct: str | None = None) -> list[Replacement]:
    with station.db.read() as conn:
        return replacement_records.list_replacements(conn, cct=cct)
