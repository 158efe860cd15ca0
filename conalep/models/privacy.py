"""Tables of the privacy wing (issue 18; Alembic branch ``privacy``, p0001_privacy): the
access record, ARCO requests with their field changes, and the audit of the retention purge.

Students are referred to by matrícula only: none of these tables holds a CURP, a birth date or
a name, so the access record itself can be shown to the state office and kept for its own
period without repeating the personal data it protects.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from conalep.models.base import Base


class AccessRecord(Base):
    """One staff read of one student's data: a page, a list naming them, or a download."""

    __tablename__ = "privacy_access"
    __table_args__ = (Index("ix_privacy_access_at", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    staff: Mapped[str] = mapped_column(String(60), index=True)
    role: Mapped[str] = mapped_column(String(30))
    matricula: Mapped[str] = mapped_column(String(20), index=True)
    what: Mapped[str] = mapped_column(String(60))
    """What was read, e.g. ``ficha del alumno``, ``sábana SISEAC (CSV)``."""
    detail: Mapped[str] = mapped_column(String(200), default="")
    """The path or filters (never a CURP: those are not in any URL of the pages)."""
    ip: Mapped[str] = mapped_column(String(45), default="")


class ArcoRequest(Base):
    """A request exercising an ARCO right: who asked, for which student, the legal reason,
    when it was received and answered, and the result."""

    __tablename__ = "arco_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    """``acceso``, ``rectificacion``, ``cancelacion`` or ``oposicion``."""
    matricula: Mapped[str] = mapped_column(String(20), index=True)
    solicitante: Mapped[str] = mapped_column(String(160))
    """Who asked: the student or their parent/guardian, with the relationship."""
    recibida_el: Mapped[date] = mapped_column(Date)
    respondida_el: Mapped[date | None] = mapped_column(Date, nullable=True)
    fundamento: Mapped[str] = mapped_column(Text)
    """The legal reason / basis recorded by the officer."""
    resultado: Mapped[str] = mapped_column(String(16))
    """``atendida``, ``parcial`` (part kept by law), ``improcedente`` or ``en_tramite``."""
    detalle: Mapped[str] = mapped_column(Text, default="")
    registrada_por: Mapped[str] = mapped_column(String(60))
    registrada_en: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ArcoChange(Base):
    """One field a rectification changed (old → new), or one thing a cancellation removed."""

    __tablename__ = "arco_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("arco_requests.id"), index=True)
    tabla: Mapped[str] = mapped_column(String(40))
    campo: Mapped[str] = mapped_column(String(40))
    anterior: Mapped[str | None] = mapped_column(Text, nullable=True)
    nuevo: Mapped[str | None] = mapped_column(Text, nullable=True)


class PurgeRun(Base):
    """One run of ``conalep privacy purge`` (not the dry runs: they change nothing)."""

    __tablename__ = "privacy_purge_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    staff: Mapped[str] = mapped_column(String(60))
    settings: Mapped[str] = mapped_column(Text)
    """JSON: the retention periods the run applied."""


class PurgeItem(Base):
    """What the purge (or an ARCO cancellation) deleted for one student in one table.

    Written in the same transaction as the deletion, so an item exists exactly when its rows
    are gone. ``file_pending`` names a scan file to unlink after the commit; a later run
    unlinks what a killed run left (``file_pending`` cleared then)."""

    __tablename__ = "privacy_purge_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("privacy_purge_runs.id"),
                                               nullable=True, index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("arco_requests.id"),
                                                   nullable=True)
    matricula: Mapped[str] = mapped_column(String(20), index=True)
    motivo: Mapped[str] = mapped_column(String(30))
    """``baja``, ``egresado``, ``arco-cancelacion`` or ``registro-de-accesos``."""
    tabla: Mapped[str] = mapped_column(String(40))
    filas: Mapped[int] = mapped_column(Integer)
    detalle: Mapped[str] = mapped_column(Text, default="")
    file_pending: Mapped[str | None] = mapped_column(String(80), nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
