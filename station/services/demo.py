"""``station demo``: the whole job on embedded defaults, for a first look.

Generates a synthetic school (names and CURPs made up, CURPs valid), imports it, gives every
student without a photo a placeholder portrait, and prints one batch: to a private virtual IPP
printer when CUPS and ippeveprinter are installed, else to a PDF file.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from foundation.errors import RuleViolation
from foundation.words import count
from station.context import Station
from station.services.demo_data import make_placeholder_portrait, write_demo_export
from station.services.issuance import Issuer, select_students
from station.services.roster_import import import_roster
from station.store import ledger


def _virtual_printer_available() -> bool:
    return all(shutil.which(b) for b in ("cupsd", "ippeveprinter", "dbus-daemon", "lpadmin"))


def run_demo(
    station: Station, *, students: int, pdf_out: Path | None, echo: Callable[[str], None]
) -> None:
    demo_dir = station.data_dir / "demo"
    escuelas, alumnos = write_demo_export(demo_dir, students=students)
    echo(f"Datos de demostración (sintéticos): {escuelas} y {alumnos}")
    result = import_roster(station, escuelas, alumnos)
    echo(result.describe())
    with station.db.read() as conn:
        cct = ledger.list_schools(conn)[0].cct
        pending = ledger.pending_students(conn, cct)
        with_photo = ledger.photo_hashes(conn, [s.curp for s in pending])
    made = 0
    for student in pending:
        if student.curp in with_photo:
            continue
        photo_hash = station.photos.add(make_placeholder_portrait(student.full_name,
                                                                  student.curp), ext="jpg")
        with station.db.write() as conn:
            ledger.set_photo(conn, student.curp, photo_hash)
        made += 1
    echo(f"Retratos de muestra creados: {made}")
    try:
        school, chosen = select_students(station, cct, None)
    except RuleViolation:
        echo(f"La escuela de demostración ya tiene todas sus credenciales. Para empezar de nuevo "
             f"borre la carpeta {station.data_dir}.")
        return

    pdf_path = pdf_out or (demo_dir / "planillas.pdf")
    if pdf_out is None and _virtual_printer_available():
        _print_on_virtual_printer(station, school.cct, chosen, pdf_path, echo)
    else:
        if pdf_out is None:
            echo("CUPS o ippeveprinter no están instalados: se genera un PDF en su lugar.")
        _print_to_pdf(station, school, chosen, pdf_path, echo)
    echo("Compruebe los folios con: station --data "
         f"{station.data_dir} audit")


def _print_to_pdf(station: Station, school, chosen, pdf_path: Path,
                  echo: Callable[[str], None]) -> None:
    from station.printer.pdf_output import combine_pdfs

    produced = Issuer(station, printer="pdf").produce(school, chosen)
    combine_pdfs([p.pdf for p in produced], pdf_path)
    _describe(produced, echo)
    echo(f"Abra las planillas en: {pdf_path}")


def _print_on_virtual_printer(station: Station, cct: str, chosen, pdf_path: Path,
                              echo: Callable[[str], None]) -> None:
    from station.printer.cups_queue import probe_print_queue
    from station.printer.pdf_output import combine_pdfs
    from station.printer.received import received_documents
    from station.printer.virtual_printer import VirtualPrinter
    from station.services.printing import send_sheets

    workdir = station.data_dir / "impresora-virtual"
    echo("Iniciando una impresora virtual IPP privada (CUPS + ippeveprinter)…")
    with VirtualPrinter(workdir) as printer:
        with station.db.read() as conn:
            school = ledger.get_school(conn, cct)
        assert school is not None
        produced = Issuer(station, printer=printer.queue).produce(school, chosen)
        _describe(produced, echo)
        queue = probe_print_queue(printer.queue, server=printer.cups_server)
        jobs = send_sheets(station, produced, queue, printer=printer.queue)
        for job in jobs:
            echo(f"Planilla {job.sheet_id}: trabajo {job.job_id} — {job.message}")
        received = received_documents(printer.documents_dir)
        combine_pdfs([p.pdf for p in produced], pdf_path)
        echo(f"La impresora virtual recibió {count(len(received), 'hoja', 'hojas')} en "
             "formato de impresora "
             f"(URF) en: {printer.documents_dir}")
        echo(f"Abra las planillas en: {pdf_path}")


def _describe(produced, echo: Callable[[str], None]) -> None:
    for sheet in produced:
        echo(f"Planilla {sheet.sheet_id}: folios {', '.join(map(str, sheet.folios))}"
             + (f"; canceladas en blanco: {', '.join(map(str, sheet.cancelled))}"
                if sheet.cancelled else ""))
