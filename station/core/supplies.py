"""Supplies of the credential kit (técnicos 1–6): stock, use, warnings, resupply.

Stock is receipts + manual adjustments − use, and use is computed from the ledger, never
typed: one Teslin sheet per sheet produced (spoiled ones too), one pouch (mica) per card not
spoiled, one hologram per serial applied or spoiled. Ink cartridges are counted by receipts
and adjustments ("cartucho instalado"); ink *levels* come from the printer when it tells.
When material runs out, the resupply request carries the use computed from the ledger
(técnico 5: "con previa justificación de su uso").

>>> s = StockLine(Item.MICAS, received=500, adjusted=-3, used=120)
>>> s.stock
377
>>> suggest(needs_card=20, needs_hologram=30, stock={Item.TESLIN: 1, Item.MICAS: 5,
...         Item.HOLOGRAMAS: 10, Item.TINTA: 0}, low_ink=0)[Item.HOLOGRAMAS]
40
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from gettext import ngettext

from foundation.credential.card import SHEET_SIZE
from foundation.errors import InputError, RuleViolation


class Item(enum.StrEnum):
    TESLIN = "teslin"
    MICAS = "micas"
    HOLOGRAMAS = "hologramas"
    TINTA = "tinta"

    @property
    def words(self) -> str:
        return _WORDS[self]

    @classmethod
    def parse(cls, text: str) -> Item:
        plain = (text or "").strip().lower()
        for item, aliases in _ALIASES.items():
            if plain == item.value or plain in aliases:
                return item
        raise InputError(f"Material desconocido: «{text}».",
                         way_out="Use teslin, micas, hologramas o tinta.")


_WORDS = {Item.TESLIN: "hojas Teslin", Item.MICAS: "micas (bolsas para enmicar)",
          Item.HOLOGRAMAS: "hologramas", Item.TINTA: "cartuchos de tinta"}
_ALIASES = {Item.TESLIN: {"hojas", "formato", "planillas"}, Item.MICAS: {"mica", "pouches"},
            Item.HOLOGRAMAS: {"holograma"}, Item.TINTA: {"cartuchos", "cartucho"}}


@dataclass(frozen=True, slots=True)
class StockLine:
    item: Item
    received: int
    adjusted: int
    used: int

    @property
    def stock(self) -> int:
        return self.received + self.adjusted - self.used

    def to_json(self) -> dict[str, object]:
        return {"item": self.item.value, "words": self.item.words, "received": self.received,
                "adjusted": self.adjusted, "used": self.used, "stock": self.stock}


def shown(stock: int) -> int:
    """The stock as a request or a page shows it: never below zero (técnico 5).

    >>> shown(-3), shown(12)
    (0, 12)
    """
    return max(0, stock)


def print_shortage(lines: Mapping[Item, StockLine], *, cards: int) -> str | None:
    """Why printing ``cards`` new cards would take recorded stock below zero, or None.

    A print takes a Teslin sheet per 8 cards (blank positions are cancelled, not saved) and a
    pouch per card. Only items whose receipts the station records are checked: a station
    that never recorded material does not track it, and its stock is unknown, not zero.

    >>> lines = {Item.TESLIN: StockLine(Item.TESLIN, 2, 0, 0),
    ...          Item.MICAS: StockLine(Item.MICAS, 0, 0, 0)}
    >>> print_shortage(lines, cards=17)
    'Imprimir 17 credenciales usa 3 hojas Teslin y sólo hay 2 registradas (falta 1).'
    >>> print_shortage(lines, cards=16) is None
    True
    """
    need = {Item.TESLIN: math.ceil(cards / SHEET_SIZE), Item.MICAS: cards}
    short = []
    for item, n in need.items():
        line = lines.get(item)
        if line is None or line.received + line.adjusted <= 0 or line.stock - n >= 0:
            continue
        missing = n - max(line.stock, 0)
        short.append(f"usa {n} {item.words} y sólo hay {shown(line.stock)} registradas "
                     f"({ngettext('falta', 'faltan', missing)} {missing})")
    if not short:
        return None
    noun = ngettext("credencial", "credenciales", cards)
    return f"Imprimir {cards} {noun} " + "; ".join(short) + "."


def check_receipt(item: Item, quantity: int) -> None:
    if item is Item.HOLOGRAMAS:
        raise RuleViolation("Los hologramas se reciben por rango de números de serie.",
                            way_out="Registre el rollo con su primer y último número de serie.",
                            command="station hologram receive --first H… --last H…")
    if quantity <= 0:
        raise InputError(f"La cantidad recibida de {item.words} debe ser mayor que cero "
                         f"(se escribió {quantity}).")


def check_adjustment(line: StockLine, delta: int, reason: str) -> None:
    """A manual correction: needs a reason, and cannot leave the stock below zero."""
    if line.item is Item.HOLOGRAMAS:
        raise RuleViolation(
            "Los hologramas no se ajustan a mano: cada uno se controla por su número de serie.",
            way_out="Si uno se rompió o se perdió, márquelo con el botón «Holograma dañado» "
                    "en Hologramas del ciclo.",
            command="station hologram spoil")
    if delta == 0:
        raise InputError("El ajuste debe ser distinto de cero.")
    if not (reason or "").strip():
        raise InputError("Todo ajuste de inventario necesita el motivo.",
                         way_out="Escriba el motivo (por ejemplo: «micas dañadas al "
                         "enmicar»).")
    if line.stock + delta < 0:
        raise RuleViolation(
            f"El ajuste dejaría el inventario de {line.item.words} en {line.stock + delta}: "
            f"sólo hay {line.stock}.",
            way_out="Registre primero la entrada del material que llegó.")


@dataclass(frozen=True, slots=True)
class InkLevel:
    """One cartridge as the printer reports it (IPP marker); ``level`` None is unknown."""

    name: str
    level: int | None
    color: str = ""


def warnings(
    lines: Mapping[Item, StockLine], thresholds: Mapping[Item, int], ink: Sequence[InkLevel],
    low_ink_percent: int, holograms_this_cycle: int | None = None, cycle: str = "",
) -> list[str]:
    """Spanish low-stock warnings; holograms count only those of the current cycle."""
    out = []
    for item, line in lines.items():
        stock = line.stock
        if item is Item.HOLOGRAMAS and holograms_this_cycle is not None:
            stock = holograms_this_cycle
        if stock < 0:
            # Never a negative number on paper: use beyond the receipts recorded means a
            # receipt was not recorded (the request shows the stock as 0 and this warning).
            out.append(f"Se usaron {-stock} {item.words} más de las registradas como "
                       "recibidas: la existencia se muestra en 0. Registre la entrada del "
                       "material que llegó.")
            continue
        limit = thresholds.get(item)
        if limit is not None and stock < limit:
            where = f" del ciclo {cycle}" if item is Item.HOLOGRAMAS and cycle else ""
            out.append(f"Quedan {stock} {item.words}{where}: el aviso es con menos de {limit}.")
    for cartridge in ink:
        if cartridge.level is not None and cartridge.level < low_ink_percent:
            out.append(f"{cartridge.name}: queda {cartridge.level} % (aviso con menos de "
                       f"{low_ink_percent} %).")
    return out


@dataclass(slots=True)
class Usage:
    """The use of material in a period, computed from the ledger: the request's justification."""

    period_from: str | None
    period_to: str
    sheets_printed: int = 0
    cards_issued: int = 0
    blanks_cancelled: int = 0
    sheets_spoiled: int = 0
    cards_spoiled: int = 0
    replacements: int = 0
    holograms_applied: int = 0
    holograms_spoiled: int = 0
    adjustments: list[tuple[str, int, str]] = field(default_factory=list)

    def lines_es(self) -> list[tuple[str, int]]:
        return [
            ("Planillas impresas (hojas Teslin usadas)", self.sheets_printed),
            ("Credenciales expedidas", self.cards_issued),
            ("  de ellas, reposiciones", self.replacements),
            ("Posiciones en blanco canceladas", self.blanks_cancelled),
            ("Planillas dañadas (mala impresión)", self.sheets_spoiled),
            ("Credenciales en planillas dañadas", self.cards_spoiled),
            ("Hologramas colocados", self.holograms_applied),
            ("Hologramas dañados", self.holograms_spoiled),
        ]

    def to_json(self) -> dict[str, object]:
        return {"from": self.period_from, "to": self.period_to,
                "sheets_printed": self.sheets_printed, "cards_issued": self.cards_issued,
                "replacements": self.replacements, "blanks_cancelled": self.blanks_cancelled,
                "sheets_spoiled": self.sheets_spoiled, "cards_spoiled": self.cards_spoiled,
                "holograms_applied": self.holograms_applied,
                "holograms_spoiled": self.holograms_spoiled,
                "adjustments": [{"item": i, "quantity": q, "reason": r}
                                for i, q, r in self.adjustments]}


def suggest(
    *, needs_card: int, needs_hologram: int, stock: Mapping[Item, int], low_ink: int,
    reserve: Mapping[Item, int] | None = None,
) -> dict[Item, int]:
    """What to ask for: the pending work plus the warning level, minus the stock (≥ 0).

    Every new card takes a Teslin position (8 per sheet), a pouch and a hologram; a
    continuing student takes a hologram; each cartridge running low needs a spare. The
    ``reserve`` (the low-stock thresholds) keeps the station above its warnings afterwards.
    A negative stock (use never matched by a receipt) counts as zero.
    """
    want = {
        Item.TESLIN: math.ceil(needs_card / SHEET_SIZE),
        Item.MICAS: needs_card,
        Item.HOLOGRAMAS: needs_card + needs_hologram,
        Item.TINTA: low_ink,
    }
    extra = reserve or {}
    return {item: max(0, need + extra.get(item, 0) - max(stock.get(item, 0), 0))
            for item, need in want.items()}
