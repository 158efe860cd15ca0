"""Cards issued before the station existed (normativo 6): checking a file of them, pure.

"El programa de credencialización es permanente: para el ciclo escolar inmediato siguiente,
sólo será necesario reemplazar el holograma." A school that already gave its students cards
(by hand, or with an earlier system) registers them from a file with three columns — the
card's folio, the student's CURP and the date it was issued — so those students need only
the cycle's hologram instead of a new card. The file is checked like the roster (every
problem names its file, row and column, in words a secretary understands) and against what
the station knows (:class:`LedgerFacts`). Rows are numbered as a spreadsheet shows them.

>>> from foundation.tables import RawTable
>>> facts = LedgerFacts(today=date(2026, 9, 1), enrolled={"TOIJ140603MJCRXSG7": "14EPR0412K"})
>>> table = RawTable("previas.csv", ("folio", "curp", "fecha"), [
...     (2, {"folio": "1520", "curp": "toij140603mjcrxsg7", "fecha": "15/09/2025"}),
...     (3, {"folio": "x", "curp": "TOIJ140603MJCRXSG7", "fecha": "31/02/2025"})])
>>> check = check_prior_cards(table, facts)
>>> [(c.folio, c.curp, c.issued_on.isoformat()) for c in check.cards]
[(1520, 'TOIJ140603MJCRXSG7', '2025-09-15')]
>>> print(check.problems[0].message_es)
previas.csv, fila 3, columna «folio»: el folio debe ser un número entero positivo y dice «x».
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from foundation.curp import validate_curp
from foundation.tables import RawTable, RowProblem, column_key

COLUMNS = ("folio", "curp", "fecha")
"""The columns of the file; ``fecha`` may also be written ``fecha_expedicion``."""
ALIASES = {"fecha_expedicion": "fecha", "fecha_de_expedicion": "fecha", "folio_credencial":
           "folio"}
MAX_FOLIO = 2**40
"""The largest folio the card's signed payload can carry (the issuer's own bound)."""
EARLIEST = date(2000, 1, 1)
"""No card of the program is older than this: an earlier date is a typing mistake."""

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")


@dataclass(frozen=True, slots=True)
class PriorCard:
    folio: int
    curp: str
    issued_on: date
    row: int


@dataclass(frozen=True, slots=True)
class LedgerFacts:
    """What the station knows that a row is checked against."""

    today: date
    enrolled: Mapping[str, str]
    """CURP → CCT of every enrolled student (INSCRITO) of this station's roster."""
    blocks: Sequence[tuple[int, int]] = ()
    """(first, last) of every folio block the station received: prior folios lie outside."""
    cards: Mapping[int, tuple[str, str]] = field(default_factory=dict)
    """Folio → (CURP, origin) of every card the ledger already holds."""
    active: Mapping[str, int] = field(default_factory=dict)
    """CURP → folio of the student's active card, if any."""


@dataclass(frozen=True, slots=True)
class PriorCardsCheck:
    cards: tuple[PriorCard, ...]
    problems: tuple[RowProblem, ...]
    already: tuple[PriorCard, ...] = ()
    """Rows registered by an earlier import of the same file (nothing to do for them)."""

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_card_date(text: str) -> date | None:
    """``15/09/2025`` or ``2025-09-15`` (also as a spreadsheet writes a date cell); None
    when it is not a real date.

    >>> parse_card_date("31/02/2025") is None, parse_card_date("2025-09-15 00:00:00")
    (True, datetime.date(2025, 9, 15))
    """
    raw = text.strip()
    dmy, iso = _DMY.match(raw), _ISO.match(raw)
    parts = ((dmy[3], dmy[2], dmy[1]) if dmy else (iso[1], iso[2], iso[3]) if iso else None)
    if parts is None:
        return None
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def check_prior_cards(table: RawTable, facts: LedgerFacts) -> PriorCardsCheck:
    """Every row checked; the good ones as :class:`PriorCard`, the rest as problems."""
    problems: list[RowProblem] = list(table.problems)
    headers: dict[str, str] = {}
    for h in table.columns:
        key = column_key(h)
        headers.setdefault(ALIASES.get(key, key), h)
    missing = [c for c in COLUMNS if c not in headers]
    if missing:
        for name in missing:
            problems.append(RowProblem(table.file, 1, name, f"falta la columna «{name}»; el "
                                       "archivo debe tener las columnas: folio, curp, fecha"))
        return PriorCardsCheck((), tuple(problems))
    skip = {p.row for p in table.problems}
    good: list[PriorCard] = []
    already: list[PriorCard] = []
    by_folio: dict[int, list[int]] = defaultdict(list)
    by_curp: dict[str, list[int]] = defaultdict(list)
    for number, cells in table.rows:
        if number in skip:
            continue
        row = _check_row(table.file, number, {c: (cells.get(headers[c]) or "") for c in COLUMNS},
                         facts, problems)
        if row is None:
            continue
        by_folio[row.folio].append(number)
        by_curp[row.curp].append(number)
        known = facts.cards.get(row.folio)
        if known == (row.curp, "prior"):
            already.append(row)
        else:
            good.append(row)
    repeated = {n for rows in (*by_folio.values(), *by_curp.values()) if len(rows) > 1
                for n in rows}
    for folio, rows in by_folio.items():
        if len(rows) > 1:
            for n in rows:
                problems.append(RowProblem(table.file, n, "folio", f"el folio {folio} está "
                                           f"repetido (filas {_rows(rows)}); cada credencial "
                                           "tiene un folio distinto"))
    for curp, rows in by_curp.items():
        if len(rows) > 1:
            for n in rows:
                problems.append(RowProblem(table.file, n, "curp", f"la CURP {curp} está "
                                           f"repetida (filas {_rows(rows)}); registre sólo la "
                                           "credencial vigente de cada alumno"))
    good = [c for c in good if c.row not in repeated]
    already = [c for c in already if c.row not in repeated]
    problems.sort(key=lambda p: p.row)
    return PriorCardsCheck(tuple(good), tuple(problems), tuple(already))


def _rows(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers))


def _check_row(file: str, number: int, cells: Mapping[str, str], facts: LedgerFacts,
               problems: list[RowProblem]) -> PriorCard | None:
    before = len(problems)

    def problem(name: str, reason: str) -> None:
        problems.append(RowProblem(file, number, name, reason))

    raw_folio = "".join(cells["folio"].split())
    folio = int(raw_folio) if raw_folio.isascii() and raw_folio.isdigit() else None
    if folio is None or folio < 1:
        problem("folio", f"el folio debe ser un número entero positivo y dice «{raw_folio}»")
    elif folio > MAX_FOLIO:
        problem("folio", f"el folio {folio} es demasiado grande (el máximo es {MAX_FOLIO})")
        folio = None
    curp = "".join(cells["curp"].split()).upper()
    bad = validate_curp(curp)
    if bad:
        problem("curp", bad.reason_es)
    elif curp not in facts.enrolled:
        problem("curp", f"el alumno {curp} no está inscrito en la plantilla de esta estación; "
                        "importe primero la plantilla de SCEJAL del ciclo vigente")
    raw_day = cells["fecha"].strip()
    day = parse_card_date(raw_day)
    if day is None:
        said = f"dice «{raw_day}»" if raw_day else "está vacía"
        problem("fecha", f"la fecha de expedición {said} y debe ser una fecha real, como "
                         "15/09/2025")
    elif day > facts.today:
        problem("fecha", f"la fecha de expedición {day:%d/%m/%Y} es posterior a hoy")
    elif day < EARLIEST:
        problem("fecha", f"la fecha de expedición {day:%d/%m/%Y} es anterior a "
                         f"{EARLIEST:%Y}; revise el año")
    if folio is not None:
        for first, last in facts.blocks:
            if first <= folio <= last:
                problem("folio", f"el folio {folio} pertenece a un bloque de folios de esta "
                                 f"estación ({first}–{last}); una credencial anterior al "
                                 "sistema tiene un folio fuera de esos bloques (regístrelas "
                                 "antes de la primera impresión)")
                break
        known = facts.cards.get(folio)
        if known is not None and known != (curp, "prior"):
            problem("folio", f"el folio {folio} ya es de otra credencial registrada en esta "
                             "estación")
    if not bad and curp in facts.active and facts.active[curp] != folio:
        problem("curp", f"el alumno {curp} ya tiene una credencial vigente (folio "
                        f"{facts.active[curp]}); no se registra otra")
    if len(problems) != before or folio is None or day is None:
        return None
    return PriorCard(folio, curp, day, number)
