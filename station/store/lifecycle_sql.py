"""SQL conditions of the cycle rules, shared by the ledger's pending list and the cycle lists.

Each condition reads the student as ``s`` (a row of ``students``). They mirror
:func:`station.core.cycles.classify`; ``tests/test_lifecycle_lists.py`` checks that the SQL
and the pure rules agree on random ledgers.
"""

from __future__ import annotations

ACTIVE_CARD = "(SELECT max(c.folio) FROM cards c WHERE c.curp = s.curp AND c.status = 'active')"
"""The folio of the student's active card, of any school, or NULL."""

ACTIVE_CARD_HERE = ("(SELECT max(c.folio) FROM cards c WHERE c.curp = s.curp"
                    " AND c.status = 'active' AND c.cct = s.cct)")
"""The folio of the student's active card issued for their current school, or NULL."""

CARD_OTHER_SCHOOL = f"({ACTIVE_CARD} IS NOT NULL AND {ACTIVE_CARD_HERE} IS NULL)"
"""The student holds an active card, but of a school they left (normativo 7: the card names
its school, so they need a new one, free)."""

DECLINED = ("EXISTS (SELECT 1 FROM declines d WHERE d.curp = s.curp"
            " AND d.withdrawn_on IS NULL)")
"""A decline stands (normativo 4)."""

REPLACEMENT_AWAITING = (
    "EXISTS (SELECT 1 FROM replacements r WHERE r.curp = s.curp AND (r.new_folio IS NULL"
    " OR EXISTS (SELECT 1 FROM cards n WHERE n.folio = r.new_folio AND n.status = 'spoiled')))")
"""A replacement was paid and its card is not issued yet (or its sheet was spoiled)."""

LOSS_UNPAID = (
    "EXISTS (SELECT 1 FROM card_reports p WHERE p.curp = s.curp"
    " AND NOT EXISTS (SELECT 1 FROM replacements r WHERE r.old_folio = p.folio))")
"""A card was reported lost or stolen and no replacement receipt was recorded for it."""

NEEDS_CARD = (f"NOT {DECLINED} AND ({REPLACEMENT_AWAITING} OR {CARD_OTHER_SCHOOL}"
              f" OR ({ACTIVE_CARD} IS NULL AND NOT {LOSS_UNPAID}))")
"""An enrolled student in this condition is pending: the next batch prints them a card."""
