"""Supplies of the kit: stock, ink levels, low-stock warnings, resupply request (técnicos 1–6).

>>> status = supplies_status(station)               # doctest: +SKIP
>>> status.lines[Item.TESLIN].stock, status.warnings  # doctest: +SKIP
(12, ['Quedan pocos hojas Teslin: 12 (aviso con menos de 25).'])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from foundation.errors import RuleViolation
from station.context import Station
from station.core.cycles import Need
from station.core.errors import PrinterError
from station.core.requests import require_person
from station.core.supplies import (
    InkLevel,
    Item,
    StockLine,
    Usage,
    print_shortage,
    shown,
    suggest,
    warnings,
)
from station.services.lifecycle_routing import served_schools
from station.store import hologram_records, lifecycle_records, supply_records
from station.store.ledger import now_iso

THRESHOLD_KEYS = {Item.TESLIN: "supplies.low_teslin_sheets", Item.MICAS: "supplies.low_pouches",
                  Item.HOLOGRAMAS: "supplies.low_holograms"}


@dataclass(slots=True)
class SuppliesStatus:
    cycle: str
    lines: dict[Item, StockLine]
    holograms_this_cycle: int
    ink: list[InkLevel] | None
    ink_note: str
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"cycle": self.cycle, "stock": [line.to_json() for line in self.lines.values()],
                "holograms_this_cycle": self.holograms_this_cycle,
                "ink": None if self.ink is None else [
                    {"name": i.name, "level": i.level, "color": i.color} for i in self.ink],
                "ink_note": self.ink_note, "warnings": list(self.warnings)}

    def describe(self) -> str:
        rows = [f"  {line.item.words:<30} existencia {line.stock:>6}  (recibido {line.received},"
                f" ajustes {line.adjusted:+d}, usado {line.used})" for line in self.lines.values()]
        rows.append(f"  hologramas del ciclo {self.cycle}: {self.holograms_this_cycle}")
        if self.ink:
            rows += [f"  {i.name}: {'?' if i.level is None else f'{i.level} %'}" for i in self.ink]
        elif self.ink_note:
            rows.append(f"  tinta: {self.ink_note}")
        warn = ["", "AVISOS:", *(f"  - {w}" for w in self.warnings)] if self.warnings else []
        return "\n".join(["Material de credencialización:", *rows, *warn])


def ink_levels(station: Station, printer: str | None) -> tuple[list[InkLevel] | None, str]:
    """The cartridges the printer reports over IPP, or None and why not."""
    queue = printer or station.settings["printer.queue"]
    if not queue or queue == "pdf":
        return None, "no hay impresora elegida (Ajustes > Impresora)"
    from station.printer.cups_queue import probe_print_queue

    try:
        status = probe_print_queue(queue, server=station.settings["printer.cups_server"] or None
                                   ).status()
    except PrinterError as exc:
        return None, f"no se pudo consultar la impresora: {exc.message}"
    if not status.markers:
        return [], "la impresora no informa sus niveles de tinta"
    return [InkLevel(m.name, m.level, m.color) for m in status.markers], ""


def supplies_status(station: Station, *, printer: str | None = None,
                    ask_printer: bool = True) -> SuppliesStatus:
    with station.db.read() as conn:
        cycle = lifecycle_records.current_cycle(conn, station.settings["cycle.current"])
        lines = supply_records.stock_lines(conn)
        holo = next((c.stock for c in hologram_records.stock_by_cycle(conn) if c.cycle == cycle),
                    0)
    ink, note = ink_levels(station, printer) if ask_printer else (None, "no consultada")
    limits = {item: int(station.settings[key]) for item, key in THRESHOLD_KEYS.items()}
    warn = warnings(lines, limits, ink or [], int(station.settings["supplies.low_ink_percent"]),
                    holograms_this_cycle=holo, cycle=cycle)
    return SuppliesStatus(cycle, lines, holo, ink, note, warn)


def receive(station: Station, item: str, quantity: int, *, reference: str, on: date,
            taken_by: str, request: int | None = None) -> StockLine:
    with station.db.write() as conn:
        return supply_records.add_receipt(conn, Item.parse(item), quantity,
                                          reference=reference.strip(), on=on,
                                          taken_by=taken_by.strip(), request=request)


def adjust(station: Station, item: str, delta: int, *, reason: str, on: date,
           taken_by: str) -> StockLine:
    with station.db.write() as conn:
        return supply_records.add_adjustment(conn, Item.parse(item), delta, reason=reason,
                                             on=on, taken_by=taken_by.strip())


@dataclass(slots=True)
class ResupplyRequest:
    """The request as issued: what is asked, why (use from the ledger), for whom."""

    id: int
    on: date
    station_id: str
    kind: str
    who: str
    cycle: str
    usage: Usage
    stock: dict[Item, int]
    pending_cards: int
    pending_holograms: int
    asked: dict[Item, int]
    warnings: list[str]
    ink: list[InkLevel] | None
    director: str = ""

    def to_json(self) -> dict[str, object]:
        return {"request": self.id, "date": self.on.isoformat(), "station": self.station_id,
                "station_kind": self.kind, "requested_by": self.who, "cycle": self.cycle,
                "usage": self.usage.to_json(),
                "stock": {i.value: n for i, n in self.stock.items()},
                "pending": {"cards": self.pending_cards, "holograms": self.pending_holograms},
                "requested": {i.value: n for i, n in self.asked.items()},
                "warnings": list(self.warnings), "director": self.director,
                "ink": None if self.ink is None else [
                    {"name": i.name, "level": i.level} for i in self.ink]}


def build_request(station: Station, *, since: str | None, asked: dict[Item, int | None],
                  director: str, printer: str | None = None,
                  ask_printer: bool = True) -> ResupplyRequest:
    """Gather the justification: use since the last request (or ``since``), stock, pending."""
    status = supplies_status(station, printer=printer, ask_printer=ask_printer)
    with station.db.read() as conn:
        start = since or supply_records.last_request_at(conn)
        usage = supply_records.usage(conn, since=start, until=now_iso())
        cards = holograms = 0
        served = served_schools(station)
        for school in served:
            for line in lifecycle_records.cycle_lists(conn, school.cct, status.cycle):
                cards += line.need is Need.CARD
                holograms += line.need is Need.HOLOGRAM
        next_id = supply_records.next_request_id(conn)
    # The official request never shows a negative stock (the warning says what happened).
    stock = {item: shown(line.stock) for item, line in status.lines.items()}
    stock[Item.HOLOGRAMAS] = shown(status.holograms_this_cycle)
    low_ink = sum(1 for i in status.ink or [] if i.level is not None
                  and i.level < int(station.settings["supplies.low_ink_percent"]))
    limits = {item: int(station.settings[key]) for item, key in THRESHOLD_KEYS.items()}
    wanted = suggest(needs_card=cards, needs_hologram=holograms, stock=stock, low_ink=low_ink,
                     reserve=limits)
    final = {item: (asked.get(item) if asked.get(item) is not None else wanted[item])
             for item in Item}
    s = station.settings
    who = s["station.school_cct"] if s["station.kind"] == "escuela" else s["station.drse"]
    if not who and len(served) == 1:
        who = f"{served[0].cct} {served[0].nombre}"
    return ResupplyRequest(next_id, station.today(), s["station.id"], s["station.kind"],
                           who or s["station.id"], status.cycle, usage, stock, cards, holograms,
                           {k: int(v or 0) for k, v in final.items()}, status.warnings,
                           status.ink,
                           require_person(director, "el nombre de quien firma") if director else "")


STOCK_WAY_OUT = "Registre primero, en «Material», la entrada del material que llegó."


def check_stock_for_print(station: Station, cards: int, *, despite_stock: bool,
                          way_out: str = STOCK_WAY_OUT) -> None:
    """Warn before printing would take the recorded stock below zero (técnicos 1–6): refuse
    with the shortage, unless the operator confirmed the material is there. ``way_out``: the
    front door's own words (the kiosk names no terminal command)."""
    if despite_stock or cards <= 0:
        return
    with station.db.read() as conn:
        lines = supply_records.stock_lines(conn)
    short = print_shortage(lines, cards=cards)
    if short:
        raise RuleViolation(f"No se imprimió nada: {short}", way_out=way_out)
