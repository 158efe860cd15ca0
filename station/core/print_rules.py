"""Whether a student may get a new card now (normativos 4, 7, 9): the rule ``station print
--curp`` and the kiosk apply before a single folio is used.

>>> print_refusal(PrintFacts("GOXL150826HJCNXNC2", card_here=512))
'ya tiene credencial vigente (folio 512); para otra, tramite reposición.'
>>> print_refusal(PrintFacts("GOXL150826HJCNXNC2", card_here=512, replacement_awaiting=True))
>>> print_refusal(PrintFacts("GOXL150826HJCNXNC2", card_elsewhere=True)) is None
True
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from station.core.dates import show_day
from station.core.replacement import Reason, lost_reason


@dataclass(frozen=True, slots=True)
class PrintFacts:
    """What the ledger holds of an enrolled student that decides a new card."""

    curp: str
    card_here: int | None = None
    """Folio of the student's active card of their current school."""
    declined_on: str | None = None
    """ISO day of a decline that stands (normativo 4)."""
    replacement_awaiting: bool = False
    """A paid replacement waits for its card (normativo 9)."""
    card_elsewhere: bool = False
    """An active card of a school the student left (normativo 7: the new one is free)."""
    lost: tuple[int, str, str] | None = None
    """(folio, kind, reported_on) of a loss or theft report with no receipt recorded."""


def print_refusal(f: PrintFacts) -> str | None:
    """Why this enrolled student must not get a new card now, or None.

    The words of an active card are the ones the operator already knows from printing.
    """
    if f.declined_on is not None:
        return (f"renunció a la credencial el {show_day(f.declined_on)}; si ahora la quiere, "
                "retire la renuncia (Trámites > «Retirar la renuncia»).")
    if f.replacement_awaiting:
        return None
    if f.card_here is not None:
        return f"ya tiene credencial vigente (folio {f.card_here}); para otra, tramite reposición."
    if f.card_elsewhere:
        return None  # a card of the school they left: the new school's card is free
    if f.lost is not None:
        folio, kind, reported_on = f.lost
        return (f"su credencial (folio {folio}) fue "
                f"{lost_reason(Reason(kind), date.fromisoformat(reported_on[:10]))}"
                "; la reposición requiere el recibo de pago (Trámites > «Reposición con recibo»).")
    return None


def print_refusal_command(f: PrintFacts) -> str | None:
    """The terminal command that lifts :func:`print_refusal`'s reason, for the command line
    (the kiosk names its buttons instead).

    >>> print_refusal_command(PrintFacts("GOXL150826HJCNXNC2", declined_on="2026-09-01"))
    'station decline withdraw --curp GOXL150826HJCNXNC2'
    """
    if f.declined_on is not None:
        return f"station decline withdraw --curp {f.curp}"
    if f.lost is not None and not f.replacement_awaiting and f.card_here is None:
        return f"station replacement request --curp {f.curp}"
    return None
