"""``central privacy purge``: the retention period on central (issue 18), run nightly.

A student who left (``BAJA``) or is no longer listed in the current cycle, untouched for
``privacy_retention_days``, is erased with the same function as an ARCO cancellation
(:func:`central.crud.privacy_erase.erase_student`): one transaction per student, the photo
file deleted after the commit from a resumable marker. Access records older than
``access_log_retention_days`` and privacy orders older than ``privacy_order_days`` are
deleted. A run killed at any point leaves each student either whole or erased, and the next
run finishes what is left (photo files first).
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from central.crud import access_log
from central.crud.privacy_digest import student_digest
from central.crud.privacy_erase import delete_pending_photos, erase_students
from central.crud.progress import current_cycle
from central.models import PrivacyOrderRecord, Student
from central.settings import CentralSettings
from foundation.photostore import PhotoStore

PURGER = "central privacy purge"
BATCH = 200
"""Students erased per transaction (of one school at a time: its stations' events are read
once per batch)."""


@dataclass
class PurgeReport:
    dry_run: bool
    cycle: str
    students: int = 0
    photos: int = 0
    by_school: Tally[str] = field(default_factory=Tally)
    digests: list[str] = field(default_factory=list)
    access_records: int = 0
    orders: int = 0
    resumed_photos: int = 0

    def lines(self) -> list[str]:
        verb = "Se borrarían" if self.dry_run else "Se borraron"
        out = [f"{verb} los datos personales de {self.students} alumnos "
               f"(con {self.photos} fotos) que dejaron la escuela o no están en el ciclo "
               f"{self.cycle} desde hace más del periodo de conservación."]
        out += [f"  {cct}: {n} alumnos" for cct, n in sorted(self.by_school.items())]
        out.append(f"{verb} {self.access_records} registros de acceso vencidos y "
                   f"{self.orders} órdenes de datos personales vencidas.")
        if self.resumed_photos:
            out.append(f"Se terminaron de borrar {self.resumed_photos} fotos de una ejecución "
                       "anterior interrumpida.")
        return out

    def to_json(self) -> dict[str, object]:
        return {"dry_run": self.dry_run, "cycle": self.cycle, "students": self.students,
                "photos": self.photos, "by_school": dict(self.by_school),
                "students_digests": self.digests, "access_records": self.access_records,
                "orders": self.orders, "resumed_photos": self.resumed_photos}


def candidates(session: Session, *, now: datetime, days: int,
               cycle: str) -> list[tuple[str, str, bool]]:
    """(CURP, CCT, has photo) of the students past the retention period."""
    cutoff = now - timedelta(days=days)
    rows = session.execute(select(Student.curp, Student.cct, Student.photo_hash)
                           .where(or_(Student.estatus == "BAJA", Student.ciclo < cycle),
                                  Student.updated_at < cutoff)
                           .order_by(Student.cct, Student.curp))
    return [(r.curp, r.cct, r.photo_hash is not None) for r in rows]


def _batches(found: list[tuple[str, str, bool]], size: int) -> Iterator[list[str]]:
    """CURPs in batches of up to ``size``, one school per batch."""
    part: list[str] = []
    school = None
    for curp, cct, _ in found:
        if part and (cct != school or len(part) >= size):
            yield part
            part = []
        part.append(curp)
        school = cct
    if part:
        yield part


def purge(sessions: sessionmaker[Session], *, settings: CentralSettings, key: bytes,
          store: PhotoStore, now: datetime, dry_run: bool,
          batch: int = BATCH) -> PurgeReport:
    with sessions() as session:
        cycle = current_cycle(session)
        report = PurgeReport(dry_run=dry_run, cycle=cycle)
        if not dry_run:
            report.resumed_photos = delete_pending_photos(session, store)
        found = candidates(session, now=now, days=settings.privacy_retention_days,
                           cycle=cycle)
        session.rollback()
    for curp, cct, photo in found:
        report.students += 1
        report.photos += int(photo)
        report.by_school[cct] += 1
        report.digests.append(student_digest(key, curp))
    if not dry_run:
        for part in _batches(found, batch):
            with sessions() as session:
                with session.begin():  # a batch: every student of it erased, or none
                    erase_students(session, key=key, curps=part, cause="retencion",
                                   by=PURGER, now=now)
                delete_pending_photos(session, store)
    with sessions() as session, session.begin():
        before = now - timedelta(days=settings.access_log_retention_days)
        report.access_records = access_log.prune(session, before=before, dry_run=dry_run)
        old_orders = PrivacyOrderRecord.ordered_at < now - timedelta(
            days=settings.privacy_order_days)
        if dry_run:
            report.orders = int(session.scalar(select(func.count())
                                               .select_from(PrivacyOrderRecord)
                                               .where(old_orders)) or 0)
        else:
            report.orders = int(session.execute(
                delete(PrivacyOrderRecord).where(old_orders)).rowcount)
    return report
