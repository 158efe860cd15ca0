"""``station audit``: every folio accounted for, holograms and fee receipts.

Folios: each one exactly one of issued / cancelled / spoiled / unused (técnico 9).
Holograms: each serial used once and only from a received range, at most one per card and
cycle, and the stock by serials (received − applied − spoiled) equal to the stock in the
supplies ledger. Receipts: each reference recorded once. The command line and the problem
report both read :func:`audit_station`.
"""

from __future__ import annotations

from dataclasses import dataclass

from station.context import Station
from station.core.folios import AuditReport, audit
from station.core.holograms import HologramAudit, audit_holograms
from station.core.replacement import audit_receipts
from station.store import hologram_records, ledger, replacement_records, supply_records


@dataclass(frozen=True, slots=True)
class StationAudit:
    folios: AuditReport
    holograms: HologramAudit
    receipts: int
    receipt_problems: tuple[str, ...]

    @property
    def problems(self) -> list[str]:
        return [*self.folios.problems, *self.holograms.problems, *self.receipt_problems]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, object]:
        return {**self.folios.to_json(), "ok": self.ok, "problems": self.problems,
                "holograms": self.holograms.to_json(),
                "receipts": {"count": self.receipts, "problems": list(self.receipt_problems)}}

    def describe(self) -> str:
        f, h = self.folios, self.holograms
        return (f"{'Auditoría correcta' if self.ok else 'LA AUDITORÍA ENCONTRÓ PROBLEMAS'}: "
                f"{f.issued} expedidos, {f.cancelled} cancelados, {f.spoiled} dañados, "
                f"{f.unused} sin usar"
                + (f", {f.prior} anteriores al sistema (fuera de los bloques)" if f.prior
                   else "")
                + f". Hologramas: {h.received} recibidos, {h.applied} "
                f"colocados, {h.spoiled} dañados, {h.stock} en existencia. Recibos de "
                f"reposición: {self.receipts}." + "".join(f"\n- {p}" for p in self.problems))


def audit_station(station: Station) -> StationAudit:
    with station.db.read() as conn:
        folios = audit(ledger.folio_blocks(conn), ledger.folio_uses(conn),
                       ledger.card_records(conn))
        if counters := ledger.counter_problems(conn):  # the blocks' counters (migration 0010)
            folios.problems.extend(counters)
            folios.ok = False
        by_range, other = supply_records.hologram_receipts(conn)
        holograms = audit_holograms(hologram_records.ranges(conn), hologram_records.uses(conn),
                                    by_range, other)
        refs = replacement_records.receipts(conn)
    return StationAudit(folios, holograms, len(refs), tuple(audit_receipts(refs)))
