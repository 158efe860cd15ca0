"""``station privacy purge``: erase the personal data of students who left or finished once
the retention period is over (issue 18; settings ``privacy.retention_days``).

What is erased: the student's names, CURP (which spells the birth date), photo (file and
link), the name printed on their cards, the notes of their requests and declines, and the
print files of their final sheets (confirmed or spoiled: a sheet's PDF shows 8 faces and
names). What stays: folios, dates, card states, hologram serials, receipts, counts — under a
pseudonym derived from a keyed digest of the CURP — so ``station audit`` balances and
``station verify`` of an old card still answers issued or revoked.

Crash protocol (a SIGKILL or power cut at any instant leaves nothing half-deleted):

1. Settle the files an earlier run left listed in ``purge_pending_files`` (step 4).
2. Start or stop each student's retention clock (one transaction).
3. Per due student, ONE write transaction: the rows are rewritten under the pseudonym, the
   tombstone recorded, the files to delete listed in ``purge_pending_files``, the
   ``student_data_purged`` event appended. A crash before COMMIT changes nothing.
4. After the commit, each listed file is deleted (and its folder fsynced), then its row.

So: a row purged ⇒ its files are listed, and deleted by this run or the next one; a file
gone ⇒ its purge committed. Re-running completes an interrupted purge and purges nobody
twice. The nightly ``station-privacy.timer`` re-runs it.

A station connected to central purges a student only once central acknowledged every event
that names them (otherwise a pseudonym would reach central in place of a card's student):
such a student waits for the next sync and is listed as waiting. A standalone station pushes
nothing, so its events are rewritten at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from foundation.words import count
from station.context import Station
from station.core.privacy import RETENTION, check_retention_days
from station.services.lifecycle import current_cycle
from station.store import privacy_files, privacy_key, privacy_records
from station.store.privacy_records import DueStudent

log = logging.getLogger(__name__)


@dataclass(slots=True)
class PurgeOutcome:
    """What a purge did or, in a dry run, would do. Students are named by their internal id
    and folios only, never by name or CURP."""

    dry_run: bool
    today: date
    retention_days: int
    due: list[DueStudent] = field(default_factory=list)
    waiting: list[DueStudent] = field(default_factory=list)
    purged: int = 0
    photos: int = 0
    print_files: int = 0
    files_settled: int = 0

    def to_json(self) -> dict[str, object]:
        def item(d: DueStudent) -> dict[str, object]:
            return {"internal_id": d.internal_id, "cct": d.cct, "folios": list(d.folios),
                    "photo": d.has_photo, "inactive_since": d.inactive_since,
                    "left": "baja" if d.withdrawn else "egreso"}

        return {"dry_run": self.dry_run, "today": self.today.isoformat(),
                "retention_days": self.retention_days,
                "students": [item(d) for d in self.due],
                "waiting_for_sync": [item(d) for d in self.waiting],
                "purged": self.purged, "photos_deleted": self.photos,
                "print_files_deleted": self.print_files,
                "files_settled": self.files_settled}

    def describe(self) -> str:
        limit = (self.today - timedelta(days=self.retention_days)).strftime("%d/%m/%Y")
        head = ("Simulación: no se borró nada." if self.dry_run else "Depuración de datos "
                "personales terminada.")
        lines = [f"{head} Plazo de conservación: {self.retention_days} días (alumnos que "
                 f"se fueron o egresaron el {limit} o antes)."]
        if not self.due and not self.waiting:
            lines.append("No hay alumnos cuyo plazo de conservación haya vencido.")
        by_school: dict[str, list[DueStudent]] = {}
        for d in self.due:
            by_school.setdefault(d.cct, []).append(d)
        verb = "se borrarían" if self.dry_run else "se borraron"
        for cct, items in sorted(by_school.items()):
            photos = sum(d.has_photo for d in items)
            lines.append(f"Escuela {cct}: {_students(len(items))}; {verb} nombre, CURP, "
                         f"notas y {_photos(photos)}; se conservan sus folios y el estado "
                         "de sus credenciales.")
            lines += [f"  - alumno interno {d.internal_id} "
                      f"({'baja' if d.withdrawn else 'egresó o ya no está inscrito'} desde "
                      f"{_day(d.inactive_since)}): "
                      + (f"folios {', '.join(map(str, d.folios))}" if d.folios else "sin folios")
                      for d in items]
        if self.waiting:
            lines.append(f"En espera de sincronizar: {_students(len(self.waiting))} con "
                         "registros aún no enviados al servicio central; se depurarán después "
                         "de la próxima sincronización.")
        if not self.dry_run and (self.purged or self.files_settled):
            lines.append(f"Depurados: {_students(self.purged)}; archivos borrados: "
                         f"{_photos(self.photos)} y "
                         f"{count(self.print_files, 'archivo', 'archivos')} de planilla "
                         "(cada planilla muestra 8 caras).")
        return "\n".join(lines)


def _students(n: int) -> str:
    return "1 alumno" if n == 1 else f"{n} alumnos"


def _photos(n: int) -> str:
    return "1 foto" if n == 1 else f"{n} fotos"


def _day(iso: str) -> str:
    return date.fromisoformat(iso[:10]).strftime("%d/%m/%Y")


def _settle(outcome: PurgeOutcome, settled: privacy_files.Settled) -> None:
    outcome.files_settled += settled.rows
    outcome.photos += settled.photos
    outcome.print_files += settled.print_files


def purge(station: Station, *, dry_run: bool = False) -> PurgeOutcome:
    """Purge (or, with ``dry_run``, list) every student whose retention period is over."""
    days = check_retention_days(station.settings["privacy.retention_days"])
    today = station.today()
    outcome = PurgeOutcome(dry_run, today, days)
    if not dry_run:
        _settle(outcome, privacy_files.finish_pending(station.db, station.folder))
        cycle = current_cycle(station)
        with station.db.write() as conn:
            privacy_records.mark_inactivity(conn, cycle=cycle, today=today)
    until = today - timedelta(days=days)
    enrolled = bool(station.settings["sync.central_url"])
    with station.db.read() as conn:
        for d in privacy_records.due_students(conn, until=until):
            waits = enrolled and privacy_records.unsent_mentions(conn, d.curp)
            (outcome.waiting if waits else outcome.due).append(d)
    if dry_run or not outcome.due:
        return outcome
    key = privacy_key.load_or_create(station.folder.privacy_key)
    for d in outcome.due:
        with station.db.write() as conn:
            # Read again inside the transaction: a sync may have enrolled them again since.
            if not privacy_records.still_due(conn, d.curp, until=until) or (
                    enrolled and privacy_records.unsent_mentions(conn, d.curp)):
                continue
            done = privacy_records.purge_student(
                conn, curp=d.curp, digest=privacy_key.digest(key, d.curp), reason=RETENTION,
                today=today)
        outcome.purged += int(done.present)
    _settle(outcome, privacy_files.finish_pending(station.db, station.folder))
    log.info("depuración: %d alumnos, %d fotos, %d planillas", outcome.purged,
             outcome.photos, outcome.print_files)
    return outcome
