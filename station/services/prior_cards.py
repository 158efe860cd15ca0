"""Registering cards issued before the station (normativo 6) from a CSV or XLSX file.

All or nothing, like the roster import: with a problem in any row nothing is recorded,
unless the operator asks to keep the valid rows. Registered students need only the cycle's
hologram; their folios stay outside the station's folio blocks (the audit counts them apart).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from foundation.table_files import read_table
from foundation.tables import RowProblem
from foundation.words import count
from station.context import Station
from station.core.prior_cards import check_prior_cards
from station.core.requests import require_person
from station.store import prior_card_records


@dataclass(slots=True)
class PriorCardsResult:
    imported: bool
    registered: int = 0
    already: int = 0
    valid: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    encoding: str = ""
    file: str = ""

    def to_json(self) -> dict[str, object]:
        return {"imported": self.imported, "registered": self.registered,
                "already_registered": self.already, "valid_rows": self.valid,
                "encoding": self.encoding,
                "problems": [{"file": p.file, "row": p.row, "field": p.field,
                              "reason": p.reason_es} for p in self.problems]}

    def describe(self) -> str:
        lines = [f"Leído: {self.file} ({self.encoding})"]
        if self.problems:
            lines.append(f"Se encontraron {count(len(self.problems), 'problema', 'problemas')}:")
            lines += [f"- {p.message_es}" for p in self.problems]
        if not self.imported:
            lines.append("No se registró nada. Corrija el archivo, o registre sólo las filas "
                         "correctas con --accept-valid.")
            return "\n".join(lines)
        lines.append(f"Credenciales anteriores registradas: {self.registered}"
                     + (f" (ya estaban registradas: {self.already})" if self.already else "")
                     + ". Esos alumnos sólo necesitan el holograma del ciclo.")
        return "\n".join(lines)


def import_prior_cards(station: Station, path: Path, *, taken_by: str,
                       accept_valid: bool = False) -> PriorCardsResult:
    """Check the file against the ledger and, when it is clean (or ``accept_valid``),
    record its cards in one transaction."""
    taken_by = require_person(taken_by, "quién registra las credenciales")
    table = read_table(path, source="el sistema anterior")
    result = PriorCardsResult(imported=False, file=table.file, encoding=table.encoding_label)
    with station.db.write() as conn:
        check = check_prior_cards(table, prior_card_records.ledger_facts(conn, station.today()))
        result.problems = list(check.problems)
        result.valid, result.already = len(check.cards), len(check.already)
        if check.problems and not accept_valid:
            return result
        result.registered = prior_card_records.register(conn, check.cards,
                                                        file_name=table.file,
                                                        taken_by=taken_by)
    result.imported = True
    return result
