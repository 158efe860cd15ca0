"""Delivery of a DRSE batch to a school (procedure 1): acknowledgement of receipt, then close.

The DRSE prints new students' cards and assigns the cycle holograms of continuing students;
it hands them to the school with an acknowledgement listing cards by folio and student and
holograms by serial. Recording the signed acknowledgement closes the delivery.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

from foundation.atomic_files import write_atomic
from foundation.errors import InputError, RuleViolation
from foundation.words import count
from station.context import Station
from station.core.dates import show_day
from station.core.requests import require_person
from station.printer.documents import Document, Table, render_document
from station.services.lifecycle import current_cycle, get_school
from station.services.lifecycle_routing import check_may_print
from station.store import delivery_records
from station.store.data_folder import DataFolder
from station.store.delivery_records import Delivery


def _folder(station: Station) -> Path:
    return DataFolder.private(station.folder.deliveries)


def create_delivery(station: Station, cct: str, *, taken_by: str) -> Delivery:
    """Everything ready for the school that no delivery carried yet; writes the PDF."""
    if station.settings["station.kind"] != "drse":
        raise RuleViolation("Las entregas con acuse de recibo son de una DRSE a sus escuelas; "
                            "esta estación es de una escuela.",
                            way_out="Haga la entrega desde la estación de la DRSE.",
                            command="station.kind = 'drse' en station.toml de la DRSE")
    taken_by = require_person(taken_by, "quién entrega")
    cycle = current_cycle(station)
    with station.db.write() as conn:
        school = get_school(conn, cct)
        check_may_print(station, school)
        delivery = delivery_records.create(conn, cct=cct, cycle=cycle, on=station.today(),
                                           taken_by=taken_by)
        render_document(_folder(station) / delivery.pdf_name,
                        acknowledgement(station, delivery, taken_by))
    return delivery


def acknowledgement(station: Station, d: Delivery, taken_by: str = "") -> Document:
    with station.db.read() as conn:
        school = get_school(conn, d.cct)
    cards = Table(f"Credenciales de alumnos de nuevo ingreso o sin credencial ({len(d.cards)})",
                  ("#", "Folio", "Alumno", "Grado y grupo"),
                  [(i, c.folio, c.name, c.grade) for i, c in enumerate(d.cards, 1)],
                  (0.5, 1, 5, 1.3))
    holograms = Table(f"Hologramas del ciclo {d.cycle} ({len(d.holograms)})",
                      ("#", "Serie", "Alumno", "Folio de su credencial", "Grado y grupo"),
                      [(i, h.serial, h.name, h.folio, h.grade)
                       for i, h in enumerate(d.holograms, 1)], (0.5, 1.4, 4.2, 1.4, 1.3))
    return Document(
        title="Acuse de recibo de credenciales y hologramas",
        header=[("Entrega núm.", str(d.id)), ("Fecha", show_day(d.created_on)),
                ("DRSE", station.settings["station.drse"] or school.drse),
                ("Escuela", f"{school.nombre}"), ("CCT y turno", f"{school.cct}, "
                                                 f"{school.turno.value}"),
                ("Ciclo escolar", d.cycle)],
        body=[cards, holograms,
              f"La escuela recibe {count(len(d.cards), 'credencial', 'credenciales')} y "
              f"{count(len(d.holograms), 'holograma', 'hologramas')} conforme a esta lista, y "
              "se compromete a entregarlos a los alumnos "
              "o a sus padres o tutores."],
        signatures=[f"Entrega (Control Escolar DRSE)\n{taken_by or 'Nombre y firma'}",
                    "Recibe: director(a) de la escuela\nNombre, firma y fecha",
                    "Sello de la escuela"],
        footer=f"Acuse de entrega {d.id} — {school.cct}")


def delivery_pdf(station: Station, did: int) -> Path:
    """The acknowledgement PDF of a delivery (written again if it went missing)."""
    with station.db.read() as conn:
        d = delivery_records.get(conn, did)
    pdf = _folder(station) / d.pdf_name
    if not pdf.exists():
        render_document(pdf, acknowledgement(station, d))
    return pdf


def close_delivery(station: Station, did: int, *, received_by: str, received_on: date,
                   scan: Path | None = None) -> Delivery:
    """Record the school's signed acknowledgement; the scan, if given, is kept by its hash."""
    received_by = require_person(received_by, "quién recibió en la escuela")
    scan_name = None
    if scan is not None:
        try:
            data = scan.read_bytes()
        except OSError as exc:
            raise InputError(f"No se pudo leer el acuse firmado {scan}: {exc.strerror}.") from exc
        scan_name = (f"acuse-{did:05d}-firmado-{hashlib.sha256(data).hexdigest()[:12]}"
                     f"{scan.suffix.lower()}")
    with station.db.write() as conn:
        delivery = delivery_records.close(conn, did, received_by=received_by,
                                          received_on=received_on, scan_name=scan_name)
        if scan is not None and scan_name:
            write_atomic(_folder(station) / scan_name, data, mode=0o600)
    return delivery


def list_deliveries(station: Station) -> list[Delivery]:
    with station.db.read() as conn:
        return delivery_records.list_all(conn)


def copy_pdf(pdf: Path, out: Path | None) -> None:
    if out is not None:
        shutil.copyfile(pdf, out)
