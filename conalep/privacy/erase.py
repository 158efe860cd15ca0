"""Erasing one student's personal follow-up data: what the retention purge does after the
period and what an ARCO cancellation does at once.

Erased: the baja's free-text detail, the tutor's name and relationship, Psicopedagogía's
notes and the scan of the tutor's written request (F04); the student's tutoring assignments
(F05) and their mentions in review meetings and agreements; settled debts.
Kept, and why (docs/privacy.md): the baja's date, type and reason code (the terminal
efficiency and the Junta's report count them), unsettled debts (they block a certificate),
grades (needed for a certificate not yet issued) and the certificate's record (folio,
signatures, frozen document: a certificate must keep verifying and can be replaced, norm 28).

Everything happens in the caller's transaction together with its :class:`PurgeItem` audit
rows, so a kill leaves either all of one student's erasure or none of it. A scan file is
unlinked only after the commit (:func:`unlink_pending`); a killed run's leftover files are
unlinked by the next run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from conalep.followup.actions import SCANS_FOLDER
from conalep.models.certificates import Debt
from conalep.models.followup import AcuerdoAlumno, AsesoriaAlumno, Baja, ReunionAlumno
from conalep.models.privacy import PurgeItem

SUPPRESSED = "[suprimido]"
"""What replaces the tutor's name of an erased baja (the column is not nullable)."""
SCAN_EXT = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


@dataclass(frozen=True, slots=True)
class Erasure:
    """What erasing one student removes (or would remove) per table."""

    tabla: str
    filas: int
    detalle: str
    files: tuple[str, ...] = ()


def planned(session: Session, matricula: str) -> list[Erasure]:
    """What :func:`erase` would remove for ``matricula`` now (nothing is changed)."""
    out: list[Erasure] = []
    bajas = list(session.scalars(select(Baja).where(Baja.matricula == matricula,
                                                    Baja.tutor_nombre != SUPPRESSED)))
    if bajas:
        out.append(Erasure("bajas", len(bajas), "nombre y parentesco de la persona tutora, "
                           "detalle del motivo, acciones de Psicopedagogía y escaneo de la "
                           "solicitud (se conservan fecha, tipo y clave de motivo)",
                           tuple(sorted({f"{b.solicitud_sha256}"
                                         f"{SCAN_EXT.get(b.solicitud_tipo, '')}"
                                         for b in bajas}))))
    for model, tabla, detalle in (
            (AsesoriaAlumno, "asesoria_alumnos", "asignaciones a asesorías y su motivo"),
            (ReunionAlumno, "reunion_alumnos", "menciones en reuniones de revisión"),
            (AcuerdoAlumno, "acuerdo_alumnos", "menciones en acuerdos de reunión")):
        n = session.scalar(select(func.count()).select_from(model)
                           .where(model.matricula == matricula)) or 0
        if n:
            out.append(Erasure(tabla, int(n), detalle))
    n = session.scalar(select(func.count()).select_from(Debt).where(
        Debt.matricula == matricula, Debt.settled_at.is_not(None))) or 0
    if n:
        out.append(Erasure("cert_debts", int(n), "adeudos ya liquidados"))
    return out


def erase(session: Session, matricula: str, *, motivo: str, now: dt.datetime,
          run_id: int | None = None, request_id: int | None = None) -> list[PurgeItem]:
    """Erase what :func:`planned` lists, with one audit row per table (not committed)."""
    items: list[PurgeItem] = []
    for e in planned(session, matricula):
        if e.tabla == "bajas":
            ids = list(session.scalars(select(Baja.id).where(
                Baja.matricula == matricula, Baja.tutor_nombre != SUPPRESSED)))
            session.execute(update(Baja).where(Baja.id.in_(ids)).values(
                detalle="", tutor_nombre=SUPPRESSED, tutor_parentesco="", acciones=None))
        elif e.tabla == "cert_debts":
            session.execute(delete(Debt).where(Debt.matricula == matricula,
                                               Debt.settled_at.is_not(None)))
        else:
            model = {"asesoria_alumnos": AsesoriaAlumno, "reunion_alumnos": ReunionAlumno,
                     "acuerdo_alumnos": AcuerdoAlumno}[e.tabla]
            session.execute(delete(model).where(model.matricula == matricula))
        pending = [f for f in e.files if not _still_used(session, f, matricula)]
        item = PurgeItem(run_id=run_id, request_id=request_id, matricula=matricula,
                         motivo=motivo, tabla=e.tabla, filas=e.filas, detalle=e.detalle,
                         file_pending=";".join(pending) or None, at=now)
        session.add(item)
        items.append(item)
    session.flush()
    return items


def _still_used(session: Session, filename: str, matricula: str) -> bool:
    """Whether another student's live baja stored the same scan (same bytes, same name)."""
    sha = filename.split(".", 1)[0]
    return bool(session.scalar(select(func.count()).select_from(Baja).where(
        Baja.solicitud_sha256 == sha, Baja.matricula != matricula,
        Baja.tutor_nombre != SUPPRESSED)))


def unlink_pending(session: Session, data_dir: Path) -> int:
    """Unlink the scan files erased rows left behind (this run's and a killed run's); each
    item's mark is cleared once its files are gone. Returns the files unlinked."""
    gone = 0
    for item in list(session.scalars(select(PurgeItem).where(
            PurgeItem.file_pending.is_not(None)).order_by(PurgeItem.id))):
        for name in (item.file_pending or "").split(";"):
            path = data_dir / SCANS_FOLDER / name
            if name and path.exists():
                path.unlink()
                gone += 1
        item.file_pending = None
        session.commit()
    return gone
