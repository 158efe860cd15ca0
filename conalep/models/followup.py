"""The follow-up wing's tables: bajas (F04) with Psicopedagogía's attention, asesorías
complementarias (F05), and review meetings with their attendance and agreements (norm 12c).

Students, planteles and modules are referred to by the academic wing's keys (``matricula``,
``clave_plantel``); ``clave_plantel`` is kept on every record so scope checks and listings
need no join.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conalep.models.base import Base


class Baja(Base):
    """A drop-out the plantel reported (format 30-524-PO-04-F04, norm 15)."""

    __tablename__ = "bajas"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    matricula: Mapped[str] = mapped_column(ForeignKey("alumnos.matricula"), index=True)
    clave_plantel: Mapped[str] = mapped_column(ForeignKey("planteles.clave_plantel"),
                                               index=True)
    periodo: Mapped[str] = mapped_column(String(20))
    fecha_baja: Mapped[date] = mapped_column(Date)
    tipo: Mapped[str] = mapped_column(String(12))
    motivo: Mapped[str] = mapped_column(String(20))
    detalle: Mapped[str] = mapped_column(Text, default="")
    tutor_nombre: Mapped[str] = mapped_column(String(120))
    tutor_parentesco: Mapped[str] = mapped_column(String(40))
    solicitud_sha256: Mapped[str] = mapped_column(String(64))
    """The tutor's written request, stored as ``<sha256><ext>`` in the data folder."""
    solicitud_tipo: Mapped[str] = mapped_column(String(40))
    solicitud_bytes: Mapped[int] = mapped_column(Integer)
    registrada_por: Mapped[str] = mapped_column(String(40))
    registrada_en: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    vista_dg_por: Mapped[str | None] = mapped_column(String(40), nullable=True)
    """The first DG Servicios Escolares user who opened it (norm 15: DG sees it at once)."""
    vista_dg_en: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    estado: Mapped[str] = mapped_column(String(10), index=True)
    """PENDIENTE (in Psicopedagogía's queue) or ATENDIDA."""
    fecha_atencion: Mapped[date | None] = mapped_column(Date, nullable=True)
    resultado: Mapped[str | None] = mapped_column(String(20), nullable=True)
    acciones: Mapped[str | None] = mapped_column(Text, nullable=True)
    atendida_por: Mapped[str | None] = mapped_column(String(40), nullable=True)
    atendida_en: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Asesoria(Base):
    """A complementary tutoring group for one module (format 30-524-PO-04-F05, norm 14)."""

    __tablename__ = "asesorias"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clave_plantel: Mapped[str] = mapped_column(ForeignKey("planteles.clave_plantel"),
                                               index=True)
    periodo: Mapped[str] = mapped_column(String(20))
    clave_modulo: Mapped[str] = mapped_column(String(20))
    modulo: Mapped[str] = mapped_column(String(160))
    asesor: Mapped[str] = mapped_column(String(120))
    horario: Mapped[str] = mapped_column(String(120))
    aula: Mapped[str] = mapped_column(String(40), default="")
    fecha_inicio: Mapped[date] = mapped_column(Date)
    registrada_por: Mapped[str] = mapped_column(String(40))
    registrada_en: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    alumnos: Mapped[list[AsesoriaAlumno]] = relationship(
        back_populates="asesoria", cascade="all, delete-orphan",
        order_by="AsesoriaAlumno.matricula")


class AsesoriaAlumno(Base):
    __tablename__ = "asesoria_alumnos"
    asesoria_id: Mapped[int] = mapped_column(ForeignKey("asesorias.id"), primary_key=True)
    matricula: Mapped[str] = mapped_column(ForeignKey("alumnos.matricula"), primary_key=True,
                                           index=True)
    motivo: Mapped[str] = mapped_column(String(160), default="")
    """Why the student was assigned, e.g. ``Corte 2: 4.5``."""
    asesoria: Mapped[Asesoria] = relationship(back_populates="alumnos")


class Reunion(Base):
    """A «Reunión de revisión de seguimiento académico» (norm 12c): three per semester."""

    __tablename__ = "reuniones"
    __table_args__ = (UniqueConstraint("periodo", "clave_plantel", "numero"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    periodo: Mapped[str] = mapped_column(String(20))
    numero: Mapped[int] = mapped_column(SmallInteger)
    clave_plantel: Mapped[str] = mapped_column(ForeignKey("planteles.clave_plantel"),
                                               index=True)
    fecha: Mapped[date] = mapped_column(Date)
    hora: Mapped[str] = mapped_column(String(5))
    lugar: Mapped[str] = mapped_column(String(160))
    estado: Mapped[str] = mapped_column(String(10))
    """CONVOCADA, then CELEBRADA once the minutes are closed."""
    convocada_por: Mapped[str] = mapped_column(String(40))
    convocada_en: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    celebrada_en: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                          nullable=True)
    alumnos: Mapped[list[ReunionAlumno]] = relationship(
        cascade="all, delete-orphan", order_by="ReunionAlumno.matricula")
    asistentes: Mapped[list[ReunionAsistente]] = relationship(
        cascade="all, delete-orphan", order_by="ReunionAsistente.id")
    acuerdos: Mapped[list[Acuerdo]] = relationship(
        back_populates="reunion", cascade="all, delete-orphan", order_by="Acuerdo.numero")


class ReunionAlumno(Base):
    __tablename__ = "reunion_alumnos"
    reunion_id: Mapped[int] = mapped_column(ForeignKey("reuniones.id"), primary_key=True)
    matricula: Mapped[str] = mapped_column(ForeignKey("alumnos.matricula"), primary_key=True,
                                           index=True)


class ReunionAsistente(Base):
    __tablename__ = "reunion_asistentes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reunion_id: Mapped[int] = mapped_column(ForeignKey("reuniones.id"), index=True)
    nombre: Mapped[str] = mapped_column(String(120))
    cargo: Mapped[str] = mapped_column(String(120))


class Acuerdo(Base):
    __tablename__ = "acuerdos"
    __table_args__ = (UniqueConstraint("reunion_id", "numero"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reunion_id: Mapped[int] = mapped_column(ForeignKey("reuniones.id"), index=True)
    numero: Mapped[int] = mapped_column(SmallInteger)
    texto: Mapped[str] = mapped_column(Text)
    responsable: Mapped[str] = mapped_column(String(120))
    fecha_compromiso: Mapped[date | None] = mapped_column(Date, nullable=True)
    registrado_por: Mapped[str] = mapped_column(String(40))
    registrado_en: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reunion: Mapped[Reunion] = relationship(back_populates="acuerdos")
    alumnos: Mapped[list[AcuerdoAlumno]] = relationship(
        cascade="all, delete-orphan", order_by="AcuerdoAlumno.matricula")


class AcuerdoAlumno(Base):
    """A student an agreement concerns: it shows in their follow-up history."""

    __tablename__ = "acuerdo_alumnos"
    acuerdo_id: Mapped[int] = mapped_column(ForeignKey("acuerdos.id"), primary_key=True)
    matricula: Mapped[str] = mapped_column(ForeignKey("alumnos.matricula"), primary_key=True,
                                           index=True)
