"""Holograms stuck by a list: which serial goes on whose card, recorded only once stuck.

Assigning a whole roll "in list order" used to record every hologram as applied before any
was on a card. Here the operator first gets the list to stick them by — sorted by grado,
grupo and name, the way cards are handed out in classrooms, on screen and as a PDF — and
each hologram is recorded as applied when the operator confirms it (one card, or every card
left on the list). A hologram that tears is recorded as spoiled and the list moves on to the
next serial of the roll; a student who is not there is left off the list.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from foundation.errors import InputError, RuleViolation
from station.context import Station
from station.core.cycles import Need
from station.core.dates import show_day
from station.core.holograms import Serial, parse_serial, run_of
from station.printer.documents import Document, Table, render_document
from station.services.lifecycle import get_school
from station.store import hologram_records, lifecycle_records
from station.store.data_folder import DataFolder
from station.store.db import Connection
from station.store.hologram_records import Applied


@dataclass(frozen=True, slots=True)
class StickRow:
    curp: str
    name: str
    grado: int
    grupo: str
    folio: int | None
    serial: str


def _current_cycle(station: Station, conn: Connection) -> str:
    return lifecycle_records.current_cycle(conn, station.settings["cycle.current"])


def sticking_plan(station: Station, cct: str, first_serial: str, *,
                  skip_students: Collection[str] = (),
                  skip_serials: Collection[str] = ()) -> list[StickRow]:
    """The students who need the cycle's hologram (but ``skip_students``), by grado, grupo
    and name, each with the next serial of the roll from ``first_serial`` that is not in
    ``skip_serials`` (already stuck or spoiled). Writes nothing."""
    first = parse_serial(first_serial)
    with station.db.read() as conn:
        get_school(conn, cct)
        cycle = _current_cycle(station, conn)
        needing = [s for s in lifecycle_records.cycle_lists(conn, cct, cycle)
                   if s.need is Need.HOLOGRAM and s.curp not in skip_students]
    if not needing:
        return []
    needing.sort(key=lambda s: (s.grado, s.grupo, s.name))
    skip = {str(parse_serial(s)) for s in skip_serials}
    serials: list[Serial] = []
    for serial in run_of(first, len(needing) + len(skip)):
        if str(serial) not in skip:
            serials.append(serial)
    return [StickRow(s.curp, s.name, s.grado, s.grupo, s.folio, str(serial))
            for s, serial in zip(needing, serials, strict=False)]


def record_stuck(station: Station, rows: Sequence[StickRow], *, on: date,
                 taken_by: str) -> list[Applied]:
    """Record ``rows`` as stuck on their cards: all of them or, on any refusal, none."""
    if not rows:
        raise RuleViolation("No hay hologramas que registrar en la lista.")
    with station.db.write() as conn:
        cycle = _current_cycle(station, conn)
        return [hologram_records.apply(conn, parse_serial(r.serial), curp=r.curp, name=r.name,
                                       folio=r.folio, cycle=cycle, on=on,
                                       taken_by=taken_by.strip())
                for r in rows]


def sticking_pdf(station: Station, cct: str, rows: Sequence[StickRow], *, on: date) -> Path:
    """The list as a PDF (0600, it names students) in the station's documents folder."""
    if not rows:
        raise InputError("La lista está vacía: nadie necesita holograma.")
    with station.db.read() as conn:
        school = get_school(conn, cct)
        cycle = _current_cycle(station, conn)
    table = Table(f"Hologramas del ciclo {cycle}: péguelos en este orden",
                  ("Grado", "Grupo", "Alumno", "Folio", "Holograma", "Pegado"),
                  [(f"{r.grado}°", r.grupo, r.name, f"{r.folio:07d}" if r.folio else "",
                    r.serial, "[   ]") for r in rows], widths=(1, 1, 6, 2, 2, 1.4))
    doc = Document(title="Lista para pegar hologramas",
                   header=(("Escuela", f"{school.nombre} ({school.cct})"),
                           ("Fecha", show_day(on))),
                   body=[table],
                   notes=["Marque cada holograma al pegarlo y confírmelo en la estación. "
                          "Un holograma roto se registra como dañado; el alumno recibe el "
                          "siguiente del rollo."])
    folder = DataFolder.private(station.folder.documents)
    name = f"hologramas-{cct}-{on:%Y%m%d}.pdf"
    return render_document(folder / name, doc)
