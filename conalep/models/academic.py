"""Academic tables (seed 000, norms 6–12): what SAE exports (planteles, carreras, alumnos,
the capture calendar, the grade sheet) and what the office adds (rectifications, imports,
SISEAC publications).

Keys are SAE's own: ``clave_plantel``, ``clave_carrera``, ``matricula``, ``clave_modulo``,
``clave_docente``. A grade row is one student's grade in one module at one corte of a
periodo; re-importing the same corte updates it in place (unique key).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from conalep.models.base import Base


class Plantel(Base):
    """A campus (CONALEP Veracruz has several dozen)."""

    __tablename__ = "planteles"
    clave_plantel: Mapped[str] = mapped_column(String(10), primary_key=True)
    nombre: Mapped[str] = mapped_column(String(120))
    municipio: Mapped[str] = mapped_column(String(120))


class Carrera(Base):
    """A career, with the academic model (1990…2023, norm 29) it belongs to."""

    __tablename__ = "carreras"
    clave_carrera: Mapped[str] = mapped_column(String(20), primary_key=True)
    nombre: Mapped[str] = mapped_column(String(160))
    modelo_academico: Mapped[int] = mapped_column(SmallInteger)


class Alumno(Base):
    """A student of any generation (enrolled, dropped out or graduated)."""

    __tablename__ = "alumnos"
    matricula: Mapped[str] = mapped_column(String(20), primary_key=True)
    curp: Mapped[str] = mapped_column(String(18), index=True)
    nombre: Mapped[str] = mapped_column(String(80))
    primer_apellido: Mapped[str] = mapped_column(String(80))
    segundo_apellido: Mapped[str] = mapped_column(String(80))
    clave_plantel: Mapped[str] = mapped_column(ForeignKey("planteles.clave_plantel"),
                                               index=True)
    clave_carrera: Mapped[str] = mapped_column(ForeignKey("carreras.clave_carrera"))
    generacion: Mapped[str] = mapped_column(String(9))
    """``2023-2026``: year of first enrolment and of expected conclusion."""
    semestre: Mapped[int] = mapped_column(SmallInteger)
    grupo: Mapped[str] = mapped_column(String(20))
    estatus: Mapped[str] = mapped_column(String(10))
    """``INSCRITO``, ``BAJA`` or ``EGRESADO``."""


class CaptureWindow(Base):
    """One corte's capture window of a periodo (norms 7, 8: three per semester)."""

    __tablename__ = "capture_windows"
    periodo: Mapped[str] = mapped_column(String(20), primary_key=True)
    corte: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    inicio_captura: Mapped[date] = mapped_column(Date)
    fin_captura: Mapped[date] = mapped_column(Date)


class Modulo(Base):
    """A module (subject) as SAE names it."""

    __tablename__ = "modulos"
    clave_modulo: Mapped[str] = mapped_column(String(20), primary_key=True)
    nombre: Mapped[str] = mapped_column(String(160))


class Docente(Base):
    """A teacher as SAE names them."""

    __tablename__ = "docentes"
    clave_docente: Mapped[str] = mapped_column(String(20), primary_key=True)
    nombre: Mapped[str] = mapped_column(String(160))


class Calificacion(Base):
    """One cell of the grade sheet: a student's grade in a module at a corte.

    ``calificacion`` None: the teacher has not captured it. ``late``: captured after the
    corte's window closed (norm 8); a late grade needs a :class:`Rectificacion` (norm 6).
    """

    __tablename__ = "calificaciones"
    __table_args__ = (
        UniqueConstraint("periodo", "matricula", "clave_modulo", "corte",
                         name="uq_calificacion"),
        Index("ix_calificaciones_corte_plantel", "periodo", "corte", "clave_plantel"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    periodo: Mapped[str] = mapped_column(String(20))
    corte: Mapped[int] = mapped_column(SmallInteger)
    matricula: Mapped[str] = mapped_column(ForeignKey("alumnos.matricula"), index=True)
    clave_modulo: Mapped[str] = mapped_column(ForeignKey("modulos.clave_modulo"))
    clave_plantel: Mapped[str] = mapped_column(ForeignKey("planteles.clave_plantel"))
    grupo: Mapped[str] = mapped_column(String(20))
    clave_docente: Mapped[str] = mapped_column(ForeignKey("docentes.clave_docente"), index=True)
    calificacion: Mapped[float | None] = mapped_column(Float, nullable=True)
    fecha_captura: Mapped[date | None] = mapped_column(Date, nullable=True)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Rectificacion(Base):
    """A rectification (norm 6) of a grade captured or changed after its window closed.

    The import opens one for every late capture (``kind`` ``captura_tardia``) and every late
    change of a captured grade (``correccion``: ``anterior`` → ``nueva``); a correction made
    on the pages after the window is recorded complete at once. Complete means who asked
    (``solicitante``), the oficio reference and the reason are recorded; a complete
    rectification is never changed again: the rows of a grade are its history.
    """

    __tablename__ = "rectificaciones"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    calificacion_id: Mapped[int] = mapped_column(ForeignKey("calificaciones.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    """``captura_tardia`` or ``correccion``."""
    anterior: Mapped[float | None] = mapped_column(Float, nullable=True)
    nueva: Mapped[float | None] = mapped_column(Float, nullable=True)
    fecha_captura: Mapped[date | None] = mapped_column(Date, nullable=True)
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    solicitante: Mapped[str | None] = mapped_column(String(160), nullable=True)
    """Who asked for it (name and post); None while pending."""
    oficio: Mapped[str | None] = mapped_column(String(80), nullable=True)
    """The reference of the oficio that asks for it."""
    motivo: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SaeImport(Base):
    """One accepted SAE import: who, when, which files, how many rows, how many refused."""

    __tablename__ = "sae_imports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    staff: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    """JSON: rows per file inserted / updated / refused."""


class SiseacPublication(Base):
    """DG published this corte's SISEAC report: from now on each plantel sees its own
    (norm 11)."""

    __tablename__ = "siseac_publications"
    periodo: Mapped[str] = mapped_column(String(20), primary_key=True)
    corte: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str] = mapped_column(String(40))
