"""The DRSE procedures at the station (issue 13, seed 004).

Procedure 1, at a small school (its DRSE prints its cards, normativo 2): the director's
oficio asking the DRSE for the new students' cards and the continuing students' holograms
(a PDF listing them, to sign and seal), then the signed scan attached; the next sync sends
both, and later syncs bring back how the DRSE handled it (a return comes with its reason).

At a DRSE station: the validated lists central sends (``station batch list``) are printed
with ``station print --batch N`` and delivered with ``station delivery create``.

Procedure 2: the state of the station's supply requests (approved quantities, the shipping
reference, or the reason of a rejection); ``station supplies receive --request N`` closes one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from foundation.atomic_files import write_atomic
from foundation.errors import InputError, RuleViolation
from station.context import Station
from station.core.cycles import Need
from station.core.dates import show_day
from station.core.requests import require_person
from station.printer.documents import Document, Table, render_document
from station.services.lifecycle import current_cycle, get_school
from station.services.lifecycle_routing import routing_for
from station.store import lifecycle_records, office_records
from station.store.data_folder import DataFolder
from station.store.office_records import News, OfficeBatch, OficioRecord

SCAN_TYPES = {b"%PDF": ".pdf", b"\xff\xd8\xff": ".jpg", b"\x89PNG": ".png"}
MAX_SCAN = 10 * 1024 * 1024


def _documents(station: Station) -> Path:
    return DataFolder.private(station.folder.documents)


def create_oficio(station: Station, *, number: str, director: str, taken_by: str,
                  pdf_out: Path | None = None) -> tuple[OficioRecord, Path]:
    """The oficio of this school to its DRSE, listing every student who needs a card or the
    cycle's hologram; the PDF to sign and seal."""
    s = station.settings
    cct = str(s["station.school_cct"] or "").strip()
    if s["station.kind"] != "escuela" or not cct:
        raise RuleViolation("El oficio de solicitud a la DRSE (procedimiento 1) lo envía la "
                            "estación de una escuela; esta estación no es de una escuela.")
    number = " ".join((number or "").split())
    if len(number) < 2:
        raise InputError("Falta el número de oficio.", way_out="Escríbalo con --number.")
    director = require_person(director, "el nombre del director(a) que firma (--director)")
    taken_by = require_person(taken_by or director, "quién lo registra (--by)")
    cycle = current_cycle(station)
    with station.db.read() as conn:
        school = get_school(conn, cct)
        lines = lifecycle_records.cycle_lists(conn, cct, cycle)
    routing = routing_for(station, school)
    if routing.where != "drse":
        raise RuleViolation(f"La escuela {cct} {routing.words}: no pide a la DRSE la "
                            "elaboración de credenciales.",
                            way_out="Imprima en esta estación; si falta material use "
                            "'station supplies request'.")
    cards = [x for x in lines if x.need is Need.CARD]
    holograms = [x for x in lines if x.need is Need.HOLOGRAM]
    if not cards and not holograms:
        raise RuleViolation(f"Ningún alumno de {cct} necesita credencial ni holograma del ciclo "
                            f"{cycle}: no hay nada que solicitar.")
    folder = _documents(station)
    with station.db.write() as conn:
        oid = office_records.next_oficio_id(conn)
        pdf = folder / f"oficio-{oid:04d}.pdf"
        render_document(pdf, _oficio_document(station, school.nombre, school.drse, cct, cycle,
                                              number, director, cards, holograms))
        office_records.add_oficio(conn, cct=cct, cycle=cycle, oficio=number,
                                  director=director, curps=[x.curp for x in cards + holograms],
                                  pdf_name=pdf.name, on=station.today(), taken_by=taken_by)
        record = office_records.get_oficio(conn, oid)
    if pdf_out is not None:
        pdf_out.write_bytes(pdf.read_bytes())
    return record, pdf


def _oficio_document(station: Station, school: str, drse: str, cct: str, cycle: str,
                     number: str, director: str, cards: list[lifecycle_records.StudentLine],
                     holograms: list[lifecycle_records.StudentLine]) -> Document:
    return Document(
        title="Solicitud de elaboración de credenciales para alumnos",
        header=[("Oficio núm.", number), ("Fecha", show_day(station.today())),
                ("Para", f"Departamento de Planeación y Evaluación Educativa, DRSE {drse}"),
                ("Escuela", school), ("CCT", cct), ("Ciclo escolar", cycle)],
        body=[
            "Con base en el procedimiento 1 de los lineamientos de credencialización, esta "
            "escuela solicita la elaboración de las credenciales de sus alumnos de primer "
            "ingreso o sin credencial y el reemplazo de los hologramas del ciclo escolar "
            "vigente de sus alumnos que ya cuentan con credencial:",
            Table(f"Credenciales nuevas ({len(cards)})", ("#", "Alumno", "Grado y grupo"),
                  [(i, x.name, f"{x.grado}° {x.grupo}") for i, x in enumerate(cards, 1)],
                  (0.5, 5, 1.3)),
            Table(f"Hologramas del ciclo {cycle} ({len(holograms)})",
                  ("#", "Alumno", "Grado y grupo", "Folio de su credencial"),
                  [(i, x.name, f"{x.grado}° {x.grupo}", x.folio or "")
                   for i, x in enumerate(holograms, 1)], (0.5, 4.5, 1.3, 1.5)),
        ],
        signatures=[f"Director(a) de la escuela\n{director}", "Sello de la escuela"],
        footer=f"Oficio {number} — {cct}")


def attach_scan(station: Station, oid: int, scan: Path) -> OficioRecord:
    """Keep the signed and sealed oficio's scan; the next sync sends the request."""
    try:
        data = scan.read_bytes()
    except OSError as exc:
        raise InputError(f"No se pudo leer el oficio escaneado {scan}: {exc.strerror}.") from exc
    ext = next((e for magic, e in SCAN_TYPES.items() if data.startswith(magic)), None)
    if ext is None:
        raise InputError(f"El archivo {scan.name} no es PDF, JPG ni PNG.",
                         way_out="Escanee el oficio firmado y sellado en uno de esos formatos.")
    if len(data) > MAX_SCAN:
        raise InputError(f"El oficio escaneado {scan.name} pesa más de 10 MB.",
                         way_out="Escanéelo en blanco y negro o a menor resolución.")
    name = f"oficio-{oid:04d}-firmado-{hashlib.sha256(data).hexdigest()[:12]}{ext}"
    with station.db.write() as conn:
        record = office_records.attach_scan(conn, oid, name)
        write_atomic(_documents(station) / name, data, mode=0o600)
    return record


@dataclass(frozen=True, slots=True)
class OficioStatus:
    record: OficioRecord
    news: News | None

    def to_json(self) -> dict[str, object]:
        out = self.record.to_json()
        out["state"] = self.news.state if self.news else (
            "por_enviar" if self.record.scan_name else "sin_escaneo")
        out["words"] = self.news.words if self.news else (
            "Se enviará en la próxima sincronización" if self.record.scan_name
            else "Falta adjuntar el oficio firmado y sellado ('station oficio scan')")
        out["reason"] = self.news.reason if self.news else None
        return out


def oficios(station: Station) -> list[OficioStatus]:
    with station.db.read() as conn:
        news = {n.ref: n for n in office_records.list_news(conn, "oficio")}
        return [OficioStatus(r, news.get(r.id)) for r in office_records.list_oficios(conn)]


def supply_news(station: Station) -> list[News]:
    with station.db.read() as conn:
        return office_records.list_news(conn, "material")


def batches(station: Station) -> list[OfficeBatch]:
    with station.db.read() as conn:
        return office_records.list_batches(conn)


def batch_students(station: Station, request: int) -> tuple[str, list[str]]:
    """(school, CURPs of the batch who still need their card): what ``print --batch`` prints."""
    with station.db.read() as conn:
        batch = office_records.get_batch(conn, request)
        lines = {x.curp: x for x in lifecycle_records.cycle_lists(conn, batch.cct,
                                                                  batch.cycle)}
    pending = [c for c in batch.cards if c in lines and lines[c].need is Need.CARD]
    if not pending:
        raise RuleViolation(f"Las credenciales del lote {request} ya se imprimieron.",
                            way_out="Coloque los hologramas ('station hologram assign') y "
                            f"entregue con 'station delivery create --school {batch.cct}'.")
    return batch.cct, pending
