"""The lifecycle part of ``station audit``: holograms and fee receipts.

Holograms: each serial used once and only from a received range, at most one per card and
cycle, and the stock by serials (received − applied − spoiled) equal to the stock in the
supplies ledger. Receipts: each reference recorded once.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from station.core.holograms import HologramAudit, audit_holograms
from station.core.replacement import audit_receipts
from station.store import hologram_records, replacement_records, supply_records


@dataclass(slots=True)
class LifecycleAudit:
    holograms: HologramAudit
    receipts: int
    receipt_problems: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [*self.holograms.problems, *self.receipt_problems]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, object]:
        return {"holograms": self.holograms.to_json(),
                "receipts": {"count": self.receipts, "problems": list(self.receipt_problems)}}

    def describe(self) -> str:
        h = self.holograms
        return (f"Hologramas: {h.received} recibidos, {h.applied} colocados, {h.spoiled} "
                f"dañados, {h.stock} en existencia. Recibos de reposición: {self.receipts}.")


def audit_lifecycle(conn: sqlite3.Connection) -> LifecycleAudit:
    by_range, other = supply_records.hologram_receipts(conn)
    holograms = audit_holograms(hologram_records.ranges(conn), hologram_records.uses(conn),
                                by_range, other)
    refs = replacement_records.receipts(conn)
    return LifecycleAudit(holograms, len(refs), audit_receipts(refs))
