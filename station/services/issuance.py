"""Producing print files: the step that assigns folios and marks cards issued (técnico 9).

Each sheet is one IMMEDIATE transaction: take 8 folios, record the issued cards and the
cancelled blanks, render the print file to ``sheets/planilla-N.pdf.tmp`` and fsync it, commit,
then rename it into place. A crash before the commit leaves no record and an orphan ``.tmp``
that ``station.store.print_files.recover_print_files`` deletes; a crash after it leaves a
committed sheet whose
``.tmp`` is renamed at the next start. Either way ``station audit`` holds.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from gettext import ngettext
from pathlib import Path

from foundation.atomic_files import fsync_dir
from foundation.card_templates import load_sheet_layout, load_template
from foundation.contract.events import IssuedCard, SheetIssued
from foundation.credential.card import SHEET_SIZE, CredentialClaims
from foundation.credential.sign import issue_qr_text
from foundation.errors import InputError, NotFound, RuleViolation
from station.context import Station
from station.core.folios import remaining, take_folios
from station.core.model import CardFace, School, SheetFace, Student
from station.core.print_rules import PrintFacts, print_refusal, print_refusal_command
from station.core.sheets import plan_sheets
from station.printer.sheet import render_sheets_pdf
from station.services.lifecycle_routing import check_may_print
from station.store import ledger, lifecycle_records, prior_card_records, sheet_records
from station.store.db import Connection


@dataclass(frozen=True, slots=True)
class ProducedSheet:
    sheet_id: int
    pdf: Path
    folios: tuple[int, ...]
    cancelled: tuple[int, ...]

    def to_json(self) -> dict[str, object]:
        return {"sheet": self.sheet_id, "pdf": str(self.pdf), "folios": list(self.folios),
                "cancelled": list(self.cancelled)}


def reprint_selection(station: Station, sheet_id: int) -> tuple[str, list[str]]:
    """(CCT, CURPs) of the students of a spoiled sheet who still have no active card."""
    with station.db.read() as conn:
        sheet = sheet_records.get_sheet(conn, sheet_id)
        if sheet.state != "spoiled":
            raise RuleViolation(
                f"La planilla {sheet_id} no está marcada como dañada.",
                way_out="Primero márquela como dañada, con el motivo (por ejemplo, «atasco de "
                        "papel»); después se puede volver a imprimir.")
        curps = [c for c in sheet.students if ledger.active_card_folio(conn, c) is None]
    if not curps:
        raise RuleViolation(f"Todos los alumnos de la planilla {sheet_id} ya tienen otra "
                            "credencial.")
    return sheet.cct, curps


def _refusal(facts: PrintFacts | None) -> str | None:
    return print_refusal(facts) if facts is not None else None


def school_to_print(station: Station, conn: Connection, cct: str) -> School:
    """The school ``cct`` as this station holds it, refused (nothing written) when it is not
    here or this station may not print its cards (normativo 2)."""
    school = ledger.get_school(conn, cct)
    if school is None:
        raise NotFound(f"La escuela con CCT {cct} no está en esta estación.",
                       way_out="Llame a su DRSE y pídales que importen en esta estación la "
                               "plantilla de SCEJAL de la escuela.",
                       command="station import-roster ARCHIVO")
    check_may_print(station, school)
    return school


def select_students(
    station: Station, cct: str, curps: Sequence[str] | None
) -> tuple[School, list[Student]]:
    """The school and the students to print; ``curps=None`` means every pending student.

    Everything is checked before a single folio is used.
    """
    with station.db.read() as conn:
        school = school_to_print(station, conn, cct)
        if curps is None:
            students = ledger.pending_students(conn, cct)
            if not students:
                raise RuleViolation(f"La escuela {cct} no tiene alumnos pendientes de credencial.")
        else:
            found = ledger.get_students(conn, curps)
            problems, commands = [], []
            for curp in dict.fromkeys(curps):
                student = found.get(curp)
                if student is None:
                    problems.append(f"- {curp}: no está en la plantilla de alumnos.")
                elif student.cct != cct:
                    problems.append(f"- {curp}: pertenece a la escuela {student.cct}, no a {cct}.")
                elif student.estatus.value != "INSCRITO":
                    problems.append(f"- {curp}: está dado de baja.")
                elif (why := _refusal(facts := lifecycle_records.print_facts(conn, curp))) \
                        is not None:
                    # active card (unless a paid replacement awaits), decline, unpaid loss
                    problems.append(f"- {curp}: {why}")
                    if facts is not None and (command := print_refusal_command(facts)):
                        commands.append(command)
            if problems:
                raise InputError("No se imprimió nada; revise estos alumnos:\n"
                                 + "\n".join(problems), command="; ".join(commands) or None)
            students = [found[c] for c in dict.fromkeys(curps)]
        photos = ledger.photo_hashes(conn, [s.curp for s in students])
    missing = [s for s in students if s.curp not in photos]
    if missing:
        names = "\n".join(f"- {s.full_name}" for s in missing[:20])
        more = f"\n… y {len(missing) - 20} más" if len(missing) > 20 else ""
        raise InputError(
            ngettext("No se imprimió nada: {n} alumno no tiene fotografía:",
                     "No se imprimió nada: {n} alumnos no tienen fotografía:",
                     len(missing)).format(n=len(missing)) + f"\n{names}{more}",
            way_out="Tómelas con el botón «Tomar foto» de la ficha de cada alumno"
                    ", o pida a su DRSE que importe las fotos de la escuela.",
            command="station import-photos CARPETA")
    return school, students


class Issuer:
    """Turns students into print files, one committed sheet at a time."""

    def __init__(self, station: Station, *, printer: str) -> None:
        self.station = station
        self.printer = printer
        self.template_id = station.settings["card.template"]
        self.template = load_template(self.template_id)
        self.layout = load_sheet_layout(station.settings["sheet.layout"])
        with station.db.read() as conn:
            self.calibration = ledger.get_calibration(conn, printer)

    def ensure_folios(self, needed: int) -> None:
        """Top up from the folio source: local when standalone; an enrolled station only uses
        the blocks central gave it by sync (no network here) and says so when they run out."""
        from station.services.folio_source import folio_source_for

        source = folio_source_for(self.station.settings)
        with self.station.db.write() as conn:
            blocks = ledger.folio_blocks(conn)
            left = remaining(*ledger.open_folio_blocks(conn))
            if left < needed:
                # A new local block starts above the folios of cards made before the
                # station too (normativo 6): those stay outside every block.
                held = [*blocks, *prior_card_records.as_blocks(conn)]
                first, last = source.next_block(held, needed - left)
                ledger.add_folio_block(conn, first, last, source.name)

    def produce(
        self, school: School, students: Sequence[Student], *, reprint_of: int | None = None,
        on_sheet: Callable[[ProducedSheet, int, int], None] | None = None,
    ) -> list[ProducedSheet]:
        return list(self.sheets(school, students, reprint_of=reprint_of, on_sheet=on_sheet))

    def sheets(
        self, school: School, students: Sequence[Student], *, reprint_of: int | None = None,
        on_sheet: Callable[[ProducedSheet, int, int], None] | None = None,
    ) -> Iterator[ProducedSheet]:
        """The sheets one at a time, each committed and its print file in place before it is
        handed out, so the caller may send it to the printer while the next one is made."""
        plan = plan_sheets(list(students))
        self.ensure_folios(len(plan) * SHEET_SIZE)
        for index, planned in enumerate(plan, start=1):
            sheet = self._produce_one(school, planned.students, reprint_of=reprint_of)
            if on_sheet:
                on_sheet(sheet, index, len(plan))
            yield sheet

    def _produce_one(
        self, school: School, students: Sequence[Student], *, reprint_of: int | None
    ) -> ProducedSheet:
        station = self.station
        today = station.today()
        key_hex = station.key.key_id.hex()
        with station.db.write() as conn:
            taken = take_folios(*ledger.open_folio_blocks(conn), SHEET_SIZE)
            sheet_id, pdf_name = sheet_records.insert_sheet(
                conn, cct=school.cct, template=self.template_id, reprint_of=reprint_of)
            photos = ledger.photo_hashes(conn, [s.curp for s in students])
            cards: dict[int, CardFace] = {}
            cancelled: dict[int, int | None] = {}
            for position, (block_id, folio) in enumerate(taken):
                if position < len(students):
                    student = students[position]
                    sheet_records.record_issued(
                        conn, sheet_id=sheet_id, position=position, block_id=block_id,
                        folio=folio, student=student, issued_on=today.isoformat(),
                        key_id=key_hex)
                    claims = CredentialClaims(folio=folio, name=student.full_name,
                                              cct=school.cct, issued_on=today)
                    photo_hash = photos.get(student.curp)
                    cards[position] = CardFace(
                        folio=folio, name=student.full_name, school=school,
                        photo=str(station.photos.path(photo_hash)) if photo_hash else None,
                        qr_text=issue_qr_text(claims, station.key))
                else:
                    sheet_records.record_cancelled(
                        conn, sheet_id=sheet_id, position=position, block_id=block_id,
                        folio=folio)
                    cancelled[position] = folio
            lifecycle_records.on_cards_issued(
                conn, [(c.folio, students[p].curp) for p, c in cards.items()
                       if c.folio is not None], today.isoformat())
            ledger.append_event(conn, SheetIssued(
                sheet=sheet_id, cct=school.cct, issued_on=today.isoformat(), key_id=key_hex,
                reprint_of=reprint_of,
                cards=[IssuedCard(folio=c.folio, curp=students[p].curp)
                       for p, c in cards.items()],
                cancelled=list(cancelled.values())))
            final = station.sheets_dir / pdf_name
            tmp = final.with_name(final.name + ".tmp")
            render_sheets_pdf(tmp, [SheetFace(sheet_id=sheet_id, cards=cards,
                                              cancelled=cancelled)],
                              template=self.template, layout=self.layout,
                              calibration=self.calibration)
        os.replace(tmp, final)
        fsync_dir(station.sheets_dir)
        return ProducedSheet(sheet_id, final, tuple(c.folio for c in cards.values()
                                                    if c.folio is not None),
                             tuple(f for f in cancelled.values() if f is not None))
