"""The retention purge (``conalep privacy purge``, nightly): a drop-out's and a graduate's
personal follow-up data after their period, and the access record after its own.

- drop-out: ``estatus`` BAJA and the latest baja's date at least
  ``privacy_dropout_days`` ago;
- graduate: a released or delivered certificate at least ``privacy_graduate_days`` ago
  (a graduate without one keeps everything: the certificate is not issued yet);
- access record: rows older than ``privacy_access_days``.

Each student is erased in its own transaction with its audit rows (:mod:`.erase`), the
access record in batches, each batch with its audit row: killed at any point, the database
holds whole erasures only, and the next run carries on. ``dry_run`` reports the same plan and
changes nothing (no run is recorded).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from conalep.certificates.workflow import State
from conalep.models.academic import Alumno
from conalep.models.certificates import Certificate
from conalep.models.followup import Baja
from conalep.models.privacy import AccessRecord, PurgeItem, PurgeRun
from conalep.privacy.erase import Erasure, erase, planned, unlink_pending
from conalep.settings import ConalepSettings

ACCESS_BATCH = 5000
RELEASED = (State.RELEASED.value, State.DELIVERED.value)


@dataclass(frozen=True, slots=True)
class Candidate:
    matricula: str
    motivo: str
    """``baja`` or ``egresado``."""
    since: dt.date
    erasures: tuple[Erasure, ...]


@dataclass(slots=True)
class PurgeReport:
    dry_run: bool
    today: dt.date
    students: list[Candidate] = field(default_factory=list)
    access_rows: int = 0
    files_unlinked: int = 0
    run_id: int | None = None

    def as_json(self) -> dict[str, object]:
        return {"dry_run": self.dry_run, "today": self.today.isoformat(), "run": self.run_id,
                "students": [{"matricula": c.matricula, "motivo": c.motivo,
                              "since": c.since.isoformat(),
                              "tables": {e.tabla: e.filas for e in c.erasures},
                              "files": [f for e in c.erasures for f in e.files]}
                             for c in self.students],
                "access_rows": self.access_rows, "files_unlinked": self.files_unlinked}


def candidates(session: Session, settings: ConalepSettings, today: dt.date) -> list[Candidate]:
    """Students past their period with something left to erase, by matrícula."""
    dropout_before = today - dt.timedelta(days=settings.privacy_dropout_days)
    graduate_before = today - dt.timedelta(days=settings.privacy_graduate_days)
    found: dict[str, tuple[str, dt.date]] = {}
    last_baja = (select(Baja.matricula, func.max(Baja.fecha_baja))
                 .join(Alumno, Alumno.matricula == Baja.matricula)
                 .where(Alumno.estatus == "BAJA").group_by(Baja.matricula))
    for matricula, last in session.execute(last_baja):
        if last <= dropout_before:
            found[matricula] = ("baja", last)
    released = (select(Certificate.matricula, func.max(Certificate.released_on))
                .where(Certificate.state.in_(RELEASED), Certificate.released_on.is_not(None))
                .group_by(Certificate.matricula))
    for matricula, on in session.execute(released):
        if on <= graduate_before:
            found.setdefault(matricula, ("egresado", on))
    out = []
    for matricula in sorted(found):
        plan = planned(session, matricula)
        if plan:
            motivo, since = found[matricula]
            out.append(Candidate(matricula, motivo, since, tuple(plan)))
    return out


def old_access_rows(session: Session, before: dt.datetime) -> int:
    return int(session.scalar(select(func.count()).select_from(AccessRecord)
                              .where(AccessRecord.at < before)) or 0)


def purge(sessions: sessionmaker[Session], settings: ConalepSettings, *, now: dt.datetime,
          dry_run: bool = False, staff: str = "conalep-cli",
          progress: Callable[[str], None] | None = None) -> PurgeReport:
    """Plan (``dry_run``) or carry out the purge; see the module's docstring."""
    say = progress or (lambda _line: None)
    today = now.date()
    access_before = now - dt.timedelta(days=settings.privacy_access_days)
    report = PurgeReport(dry_run, today)
    with sessions() as session:
        report.students = candidates(session, settings, today)
        if dry_run:
            report.access_rows = old_access_rows(session, access_before)
            return report
        run = PurgeRun(started_at=now, staff=staff, settings=json.dumps({
            "privacy_dropout_days": settings.privacy_dropout_days,
            "privacy_graduate_days": settings.privacy_graduate_days,
            "privacy_access_days": settings.privacy_access_days}))
        session.add(run)
        session.commit()
        report.run_id = run.id
        # what a killed run left: files of committed erasures
        report.files_unlinked += unlink_pending(session, settings.data_dir)
    for c in report.students:
        with sessions() as session:
            erase(session, c.matricula, motivo=c.motivo, now=now, run_id=report.run_id)
            session.commit()
            report.files_unlinked += unlink_pending(session, settings.data_dir)
        say(f"{c.matricula}: {c.motivo}, " + ", ".join(f"{e.tabla} {e.filas}"
                                                       for e in c.erasures))
    with sessions() as session:
        while True:
            ids = list(session.scalars(select(AccessRecord.id).where(
                AccessRecord.at < access_before).order_by(AccessRecord.id)
                .limit(ACCESS_BATCH)))
            if not ids:
                break
            session.execute(delete(AccessRecord).where(AccessRecord.id.in_(ids)))
            session.add(PurgeItem(run_id=report.run_id, matricula="", tabla="privacy_access",
                                  motivo="registro-de-accesos", filas=len(ids),
                                  detalle=f"registros anteriores a {access_before:%Y-%m-%d}",
                                  at=now))
            session.commit()
            report.access_rows += len(ids)
        run = session.get(PurgeRun, report.run_id)
        assert run is not None
        run.finished_at = now
        session.commit()
    return report


def describe(report: PurgeReport) -> list[str]:
    """The report in Spanish lines (the command's output)."""
    verb = "Se suprimirían" if report.dry_run else "Se suprimieron"
    lines = [f"{'Simulación' if report.dry_run else 'Depuración'} al {report.today:%d/%m/%Y}"]
    for c in report.students:
        lines.append(f"  {c.matricula} ({'baja' if c.motivo == 'baja' else 'egresado'} desde "
                     f"{c.since:%d/%m/%Y}): " + "; ".join(f"{e.tabla}: {e.filas}"
                                                          for e in c.erasures))
    lines.append(f"{verb} los datos de seguimiento de {len(report.students)} alumnos, "
                 f"{report.access_rows} registros de acceso"
                 + ("" if report.dry_run else f" y {report.files_unlinked} archivos") + ".")
    return lines
