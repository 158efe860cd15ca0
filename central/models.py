"""Central's tables (SQLAlchemy 2 declarative). Alembic migrations in central/migrations.

``rev`` columns are change numbers taken from :class:`Counter` rows: a station pulls "what
changed after the number I last saw" (its cursor). The counter row is updated inside the
writing transaction, so in PostgreSQL its row lock orders the numbers as the commits are
ordered and a cursor never skips a change that commits late.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from foundation.web.accounts import StaffAccountMixin, StaffActionMixin


class Base(DeclarativeBase):
    pass


class Counter(Base):
    """Monotonic change numbers: ``roster``, ``trust``, ``revocations``, ``config``, ``folio``."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, nullable=False)


class Region(Base):
    """A DRSE (Delegación Regional de la SEJ)."""

    __tablename__ = "regions"
    name: Mapped[str] = mapped_column(String(120), primary_key=True)


class School(Base):
    __tablename__ = "schools"
    cct: Mapped[str] = mapped_column(String(10), primary_key=True)
    nombre: Mapped[str] = mapped_column(String(200))
    nivel: Mapped[str] = mapped_column(String(20))
    turno: Mapped[str] = mapped_column(String(20))
    domicilio: Mapped[str] = mapped_column(String(300))
    municipio: Mapped[str] = mapped_column(String(120))
    telefono: Mapped[str] = mapped_column(String(20))
    drse: Mapped[str] = mapped_column(ForeignKey("regions.name"), index=True)
    matricula: Mapped[int] = mapped_column(Integer)
    internet: Mapped[bool] = mapped_column(Boolean)
    rev: Mapped[int] = mapped_column(BigInteger, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Student(Base):
    __tablename__ = "students"
    curp: Mapped[str] = mapped_column(String(18), primary_key=True)
    nombre: Mapped[str] = mapped_column(String(120))
    primer_apellido: Mapped[str] = mapped_column(String(120))
    segundo_apellido: Mapped[str] = mapped_column(String(120))
    cct: Mapped[str] = mapped_column(ForeignKey("schools.cct"))
    grado: Mapped[int] = mapped_column(Integer)
    grupo: Mapped[str] = mapped_column(String(10))
    ciclo: Mapped[str] = mapped_column(String(9))
    estatus: Mapped[str] = mapped_column(String(10))
    nuevo_ingreso: Mapped[bool] = mapped_column(Boolean)
    photo_hash: Mapped[str | None] = mapped_column(ForeignKey("photos.hash"), nullable=True)
    rev: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("students_by_school_rev", "cct", "rev"),)


class Photo(Base):
    """A photo's metadata; the bytes live in the content-addressed store under data_dir."""

    __tablename__ = "photos"
    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    ext: Mapped[str] = mapped_column(String(4))
    size: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(40))
    """``scejal`` or the id of the station that took it."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WantedPhoto(Base):
    """A photo a station linked to a student that central does not hold yet."""

    __tablename__ = "wanted_photos"
    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    curp: Mapped[str] = mapped_column(ForeignKey("students.curp"), primary_key=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"), index=True)
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Station(Base):
    __tablename__ = "stations"
    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10))
    """``escuela`` or ``drse``."""
    school_cct: Mapped[str | None] = mapped_column(ForeignKey("schools.cct"), nullable=True)
    drse: Mapped[str | None] = mapped_column(ForeignKey("regions.name"), nullable=True)
    key_id: Mapped[str] = mapped_column(String(16), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    applied_through: Mapped[int] = mapped_column(BigInteger, default=0)
    """Seq of the last event applied; the next applied event names it as ``prev_seq``."""
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class EnrollmentCode(Base):
    __tablename__ = "enrollment_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    school_cct: Mapped[str | None] = mapped_column(ForeignKey("schools.cct"), nullable=True)
    drse: Mapped[str | None] = mapped_column(ForeignKey("regions.name"), nullable=True)
    station_name: Mapped[str] = mapped_column(String(120))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    station_id: Mapped[str | None] = mapped_column(ForeignKey("stations.id"), nullable=True)


class RequestNonce(Base):
    """Nonces seen in the replay window; a repeated one is a replayed request."""

    __tablename__ = "request_nonces"
    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(32), primary_key=True)
    seen_at: Mapped[int] = mapped_column(BigInteger, index=True)


class StationEvent(Base):
    """Every ledger event a station uploaded, exactly once per (station, seq)."""

    __tablename__ = "station_events"
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    prev_seq: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("station_events_chain", "station_id", "prev_seq"),)


class FolioBlock(Base):
    __tablename__ = "folio_blocks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"))
    ordinal: Mapped[int] = mapped_column(Integer)
    """1 for the station's first block, 2 for the next…: a retried request gets the same one."""
    first_folio: Mapped[int] = mapped_column(BigInteger, unique=True)
    last_folio: Mapped[int] = mapped_column(BigInteger, unique=True)
    allocated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("station_id", "ordinal"),)


class Card(Base):
    """A credential a station reported issued."""

    __tablename__ = "cards"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"))
    key_id: Mapped[str] = mapped_column(String(16))
    folio: Mapped[int] = mapped_column(BigInteger)
    curp: Mapped[str] = mapped_column(String(18), index=True)
    cct: Mapped[str] = mapped_column(String(10))
    issued_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[str] = mapped_column(String(40))
    """The station's clock when the sheet was produced (orders two cards of one day)."""
    sheet: Mapped[int] = mapped_column(Integer)
    event_seq: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(12))
    """active, replaced, revoked, spoiled, undone."""
    status_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    superseded_by: Mapped[int | None] = mapped_column(ForeignKey("cards.id"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("key_id", "folio"),
                      Index("cards_by_sheet", "station_id", "sheet"),
                      Index("cards_by_event", "station_id", "event_seq"))


class Conflict(Base):
    """Two stations issued a card for the same student: the newer stays, staff are told."""

    __tablename__ = "conflicts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    curp: Mapped[str] = mapped_column(String(18), index=True)
    kept_card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"))
    replaced_card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"))
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    """When staff marked it reviewed (still listed, under «revisados»)."""
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(120), nullable=True)


class Revocation(Base):
    __tablename__ = "revocations"
    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    folio: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    cause: Mapped[str] = mapped_column(String(12))
    """replaced, revoked, undone, lost: a station un-issues its own card except when replaced."""
    reason: Mapped[str] = mapped_column(Text)
    revoked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rev: Mapped[int] = mapped_column(BigInteger, index=True)


class TrustEntry(Base):
    """A certified station key. A withdrawn station keeps its entry with ``valid_until``."""

    __tablename__ = "trust_entries"
    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"))
    school: Mapped[str] = mapped_column(String(120))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    certificate: Mapped[bytes] = mapped_column(LargeBinary(64))
    rev: Mapped[int] = mapped_column(BigInteger, index=True)


class Hologram(Base):
    """A cycle hologram applied to a student's card (seed 004, normativos 5-6)."""

    __tablename__ = "holograms"
    serial: Mapped[str] = mapped_column(String(40), primary_key=True)
    ciclo: Mapped[str] = mapped_column(String(9))
    curp: Mapped[str] = mapped_column(String(18))
    folio: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"))
    applied_at: Mapped[str] = mapped_column(String(40))


class Receipt(Base):
    """A fee receipt presented for a replacement card (normativo 9): usable once."""

    __tablename__ = "receipts"
    number: Mapped[str] = mapped_column(String(60), primary_key=True)
    curp: Mapped[str] = mapped_column(String(18))
    amount_mxn: Mapped[int] = mapped_column(Integer)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"))
    used_at: Mapped[str] = mapped_column(String(40))


class ConfigItem(Base):
    """Configuration central publishes to stations (thresholds, fee, cycle, template)."""

    __tablename__ = "config_items"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    """JSON text."""
    rev: Mapped[int] = mapped_column(BigInteger)


class ProblemReport(Base):
    """A station's problem report (diagnostic zip without personal data + the person's words).

    The zip lives in ``<data_dir>/problem-reports/<sha256>.zip`` (0600); stored once per
    (station, sha256), so a station that resends after a lost answer adds nothing.
    """

    __tablename__ = "problem_reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"))
    school_cct: Mapped[str | None] = mapped_column(String(10), nullable=True)
    drse: Mapped[str | None] = mapped_column(String(120), nullable=True, index=True)
    report_name: Mapped[str] = mapped_column(String(80))
    """The file name at the station, e.g. ``reporte-20260901-101500.zip``."""
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(40))
    """The station's clock when the report was written."""
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    """When staff marked it «atendido» (with ``attended_by`` and ``attended_note``)."""
    attended_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    attended_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    __table_args__ = (UniqueConstraint("station_id", "sha256"),)


class StudentMove(Base):
    """A student whose school (CCT) changed in an import: stations of the old school are told."""

    __tablename__ = "student_moves"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    curp: Mapped[str] = mapped_column(String(18))
    from_cct: Mapped[str] = mapped_column(String(10))
    to_cct: Mapped[str] = mapped_column(String(10))
    rev: Mapped[int] = mapped_column(BigInteger)
    moved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("student_moves_by_school_rev", "from_cct", "rev"),
                      Index("student_moves_by_curp", "curp"))


class StaffAction(StaffActionMixin, Base):
    """One line of the staff audit trail (the CLI, the pages and the staff API write it)."""

    __tablename__ = "staff_actions"
    staff: Mapped[str] = mapped_column(String(120))


class StaffAccount(StaffAccountMixin, Base):
    """A person of the state office (``estatal``) or of one DRSE (``drse``) who signs in to
    the staff web pages. The password is kept only as an scrypt hash."""

    __tablename__ = "staff_accounts"
    role: Mapped[str] = mapped_column(String(10))
    """``estatal`` (sees everything) or ``drse`` (only the schools of ``region``)."""
    region: Mapped[str | None] = mapped_column(String(120), nullable=True)
    """The DRSE name as SCEJAL spells it (``regions.name``); None for ``estatal``."""


class Release(Base):
    """A signed station release (bundle kept as ``<data_dir>/releases/<sha256>.tar``) and its
    rollout: channel, state (``paused``/``active``/``halted``) and targets (percentage of
    stations by cohort, named DRSEs, named stations)."""

    __tablename__ = "releases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    manifest: Mapped[str] = mapped_column(Text)
    """The signed manifest's JSON text."""
    signer_key_id: Mapped[str] = mapped_column(String(16))
    min_upgrade_from: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20), index=True)
    state: Mapped[str] = mapped_column(String(10))
    targets: Mapped[str] = mapped_column(Text)
    """JSON ``{"percent": n, "drse": [...], "stations": [...]}``."""
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StationRelease(Base):
    """How far one station got with one release (each stage's first time; last detail)."""

    __tablename__ = "station_releases"
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"), primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id"), primary_key=True)
    offered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    downloaded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                           nullable=True)
    installed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    rolled_back_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                            nullable=True)
    last_stage: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text)


class StationSoftware(Base):
    """The version each station last said it runs (signed offer requests and reports)."""

    __tablename__ = "station_software"
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"), primary_key=True)
    version: Mapped[str] = mapped_column(String(40))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EventRefusal(Base):
    """A station event central did not apply because it reached beyond what the station owns
    (another school's student, another station's key, folio, hologram or receipt, a date in the
    future). The event stays stored; the station is told why (``refused`` in the push answer).

    For a withdrawn station the event is ``quarantined``: listed for staff review on the
    conflicts page, never applied on its own.
    """

    __tablename__ = "event_refusals"
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(60))
    code: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    quarantined: Mapped[bool] = mapped_column(Boolean)
    refused_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    __table_args__ = (Index("event_refusals_open", "quarantined", "reviewed_at"),)


class HologramLot(Base):
    """A serial range of holograms and who holds it (issue 13): the state registers a roll
    (``holder_kind`` ``estado``), hands part of it to a DRSE (``drse``, ``holder`` its name),
    a DRSE hands part of its own to a school (``escuela``, ``holder`` its CCT). ``parent_id``
    is the range it was carved from; a station accepts only serials of its own ranges."""

    __tablename__ = "hologram_lots"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle: Mapped[str] = mapped_column(String(9))
    prefix: Mapped[str] = mapped_column(String(8))
    first_number: Mapped[int] = mapped_column(BigInteger)
    last_number: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int] = mapped_column(Integer)
    holder_kind: Mapped[str] = mapped_column(String(10))
    holder: Mapped[str] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("hologram_lots.id"), nullable=True)
    reference: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("hologram_lots_by_holder", "holder_kind", "holder"),
                      Index("hologram_lots_by_parent", "parent_id"))


class DoubleUse(Base):
    """A hologram serial or fee receipt that two stations used (issue 13): the first use
    stays, the second was refused; staff see both cards on the conflicts page and both
    stations are told (:class:`StationNotice`)."""

    __tablename__ = "double_uses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    """``hologram`` or ``receipt``."""
    key: Mapped[str] = mapped_column(String(60))
    first_station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"))
    first_curp: Mapped[str] = mapped_column(String(18))
    first_folio: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    second_station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"))
    second_seq: Mapped[int] = mapped_column(BigInteger)
    second_curp: Mapped[str] = mapped_column(String(18))
    second_folio: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    __table_args__ = (UniqueConstraint("second_station_id", "second_seq"),)


class StationNotice(Base):
    """Something central tells one station at its next sync (``GET /sync/config`` carries
    those after the station's cursor); the station keeps and shows them."""

    __tablename__ = "station_notices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"))
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("station_notices_by_station", "station_id", "id"),)
