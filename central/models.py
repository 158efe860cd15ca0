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
    office: Mapped[str | None] = mapped_column(String(20), nullable=True)
    """The DRSE office of a ``drse`` account (``planeacion``, ``control_escolar``,
    ``tecnologias``): which steps of the DRSE procedures it may do. None: every step (a
    small DRSE where one person does all)."""


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


# --- support (técnicos 10-12) and the state's progress page (issue 13) ------------------------

class DrseContact(Base):
    """One DRSE of the state's directory (seed 004's «Directorio»): whom a school calls.

    ``name`` is the directory's spelling («Valles (Ameca)»); SCEJAL's region names are matched
    to it without regard to case or accents (:func:`central.crud.support.contact_for`).
    """

    __tablename__ = "drse_contacts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    responsible: Mapped[str] = mapped_column(String(200))
    phones: Mapped[str] = mapped_column(String(200))
    extension: Mapped[str] = mapped_column(String(60))
    email: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_by: Mapped[str | None] = mapped_column(String(120), nullable=True)


class ReportEscalation(Base):
    """A problem report the DRSE sent on to DGTI (técnico 10) and DGTI's answer, which goes
    back to the DRSE page and to the station (``rev`` of counter ``support``)."""

    __tablename__ = "report_escalations"
    report_id: Mapped[int] = mapped_column(ForeignKey("problem_reports.id"), primary_key=True)
    note: Mapped[str] = mapped_column(Text)
    escalated_by: Mapped[str] = mapped_column(String(120))
    escalated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    rev: Mapped[int] = mapped_column(BigInteger, index=True)


class SupportQuestion(Base):
    """A school's question (técnico 12): DRSE Control Escolar answers it or passes it to the
    state; the answer goes back to the station (``rev`` of counter ``support``)."""

    __tablename__ = "support_questions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"))
    number: Mapped[int] = mapped_column(Integer)
    """The station's own number of the question (``station question list``)."""
    school_cct: Mapped[str | None] = mapped_column(String(10), nullable=True)
    drse: Mapped[str | None] = mapped_column(String(120), nullable=True, index=True)
    text: Mapped[str] = mapped_column(Text)
    asked_by: Mapped[str] = mapped_column(String(120))
    asked_at: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(10))
    """``drse`` (with its Control Escolar) or ``estatal`` (passed on to the state)."""
    forwarded_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    forwarded_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    forwarded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rev: Mapped[int] = mapped_column(BigInteger, index=True)
    __table_args__ = (UniqueConstraint("station_id", "number"),)


class StudentCardWish(Base):
    """A student's declined card or open request for one (normativos 1, 4), as the school's
    station last said: a state row per student, so replaying events cannot double it."""

    __tablename__ = "student_card_wishes"
    curp: Mapped[str] = mapped_column(String(18), primary_key=True)
    cct: Mapped[str] = mapped_column(String(10))
    declined_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    requested_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"))
    __table_args__ = (Index("student_card_wishes_by_school", "cct"),)


class DeliveryRecord(Base):
    """A delivery of cards and holograms from a DRSE station to a school, as reported."""

    __tablename__ = "delivery_records"
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"), primary_key=True)
    delivery: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    cct: Mapped[str] = mapped_column(String(10), index=True)
    cycle: Mapped[str] = mapped_column(String(9))
    cards: Mapped[int] = mapped_column(Integer)
    holograms: Mapped[int] = mapped_column(Integer)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class SupplyRequestRecord(Base):
    """A supplies request a station filed (técnico 5), for the progress figures."""

    __tablename__ = "supply_request_records"
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"), primary_key=True)
    request: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    cct: Mapped[str | None] = mapped_column(String(10), nullable=True, index=True)
    drse: Mapped[str | None] = mapped_column(String(120), nullable=True)
    on: Mapped[date] = mapped_column(Date)
    cycle: Mapped[str] = mapped_column(String(9))
    teslin_stock: Mapped[int | None] = mapped_column(Integer, nullable=True)



class SchoolProgress(Base):
    """Per school, the figures of the progress page that count students (enrolled, with card,
    declined, open requests, this cycle's holograms): recomputed from the base tables for the
    schools marked in :class:`ProgressDirty` (never incremented), so the state page reads
    10,000 rows instead of joining 1.5 million students (:mod:`central.crud.progress_summary`).
    """

    __tablename__ = "school_progress"
    cct: Mapped[str] = mapped_column(String(10), primary_key=True)
    enrolled: Mapped[int] = mapped_column(Integer)
    with_card: Mapped[int] = mapped_column(Integer)
    declined: Mapped[int] = mapped_column(Integer)
    requests_open: Mapped[int] = mapped_column(Integer)
    holograms: Mapped[int] = mapped_column(Integer)
    cycle: Mapped[str] = mapped_column(String(9))


class ProgressDirty(Base):
    """A school whose figures changed since :class:`SchoolProgress` was computed. Marked by an
    upsert that bumps ``marks`` (a row lock in PostgreSQL: a refresh that deletes the mark waits
    for the marking transaction to commit, so it never drops a change it cannot see yet)."""

    __tablename__ = "progress_dirty"
    cct: Mapped[str] = mapped_column(String(10), primary_key=True)
    marks: Mapped[int] = mapped_column(BigInteger)


class ProgressWatermark(Base):
    """What the summary has seen: ``roster`` (the roster change number) and ``cycle``."""

    __tablename__ = "progress_watermarks"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(40))


# Indexes of the progress page's counts (migration 0009_support_progress), declared here so
# a database made from the models has them too.
Index("students_progress", Student.cct, Student.estatus, Student.curp)
Index("cards_progress", Card.curp, Card.status, Card.cct)
Index("holograms_progress", Hologram.ciclo, Hologram.curp)


# --- the DRSE offices: procedures 1 and 2, deliveries, normativo 4 (issue 13) -----------------

class OfficeRequest(Base):
    """Procedure 1: a small school's request (oficio) to its DRSE for new-student cards and
    continuing students' holograms, and how far it went (``state``). Each step is a row of
    :class:`OfficeStep` (who, when, outcome, reason)."""

    __tablename__ = "office_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    drse: Mapped[str] = mapped_column(String(120), index=True)
    cct: Mapped[str] = mapped_column(String(10), index=True)
    cycle: Mapped[str] = mapped_column(String(9))
    state: Mapped[str] = mapped_column(String(20))
    """recibida, revisada, validada, material_insuficiente, en_produccion, en_entrega,
    entregada, devuelta."""
    oficio: Mapped[str] = mapped_column(String(60))
    director: Mapped[str] = mapped_column(String(120))
    notes: Mapped[str] = mapped_column(Text)
    scan_sha256: Mapped[str] = mapped_column(String(64))
    """The signed oficio (PDF or image) in ``<data_dir>/oficios/<sha256><ext>``."""
    scan_ext: Mapped[str] = mapped_column(String(5))
    source: Mapped[str] = mapped_column(String(10))
    """``estacion`` (the school's station sent it) or ``pagina`` (registered on the page)."""
    station_id: Mapped[str | None] = mapped_column(ForeignKey("stations.id"), nullable=True)
    station_ref: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The request's number at the station: a station sending it again adds nothing."""
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    """Why it was returned (the school sees it at its next sync)."""
    delivery_station: Mapped[str | None] = mapped_column(String(20), nullable=True)
    delivery: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("station_id", "station_ref"),)


class OfficeRequestStudent(Base):
    """A student of a procedure-1 request: asked by the oficio and/or found by Control
    Escolar's validation against central's enrolment; ``need`` is what the DRSE produces."""

    __tablename__ = "office_request_students"
    request_id: Mapped[int] = mapped_column(ForeignKey("office_requests.id"), primary_key=True)
    curp: Mapped[str] = mapped_column(String(18), primary_key=True)
    asked: Mapped[bool] = mapped_column(Boolean)
    need: Mapped[str] = mapped_column(String(12))
    """credencial, holograma, or ninguno (a mismatch: ``problem`` says why)."""
    problem: Mapped[str | None] = mapped_column(Text, nullable=True)


class OfficeStep(Base):
    """One step of a DRSE procedure: who did what, when, and why (``note``)."""

    __tablename__ = "office_steps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procedure: Mapped[str] = mapped_column(String(10))
    """``oficio`` (procedure 1) or ``material`` (procedure 2)."""
    request_id: Mapped[int] = mapped_column(Integer)
    step: Mapped[str] = mapped_column(String(30))
    outcome: Mapped[str] = mapped_column(String(20))
    staff: Mapped[str] = mapped_column(String(120))
    office: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("office_steps_by_request", "procedure", "request_id"),)


class SupplyRequest(Base):
    """Procedure 2: a station's resupply request (event ``supplies_requested``) at its DRSE:
    recibida → aprobada (quantities) → enviada → recibida_estacion, or rechazada."""

    __tablename__ = "supply_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"))
    station_ref: Mapped[int] = mapped_column(Integer)
    drse: Mapped[str] = mapped_column(String(120), index=True)
    cct: Mapped[str | None] = mapped_column(String(10), nullable=True)
    cycle: Mapped[str] = mapped_column(String(9))
    requested_on: Mapped[str] = mapped_column(String(10))
    director: Mapped[str] = mapped_column(String(120))
    payload: Mapped[str] = mapped_column(Text)
    """The event's JSON: use (justification), stock, pending work, quantities asked."""
    state: Mapped[str] = mapped_column(String(20))
    approved: Mapped[str | None] = mapped_column(Text, nullable=True)
    """JSON item → quantity the DRSE approved."""
    received: Mapped[str] = mapped_column(Text, default="{}")
    """JSON item → quantity the station recorded as received for this request."""
    shipped_reference: Mapped[str | None] = mapped_column(String(120), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("station_id", "station_ref"),)


class Delivery(Base):
    """A DRSE station's delivery to a school (events ``delivery_created``/``_closed``)."""

    __tablename__ = "deliveries"
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"), primary_key=True)
    delivery: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    drse: Mapped[str | None] = mapped_column(String(120), index=True, nullable=True)
    cct: Mapped[str] = mapped_column(String(10))
    cycle: Mapped[str] = mapped_column(String(9))
    cards: Mapped[int] = mapped_column(Integer)
    holograms: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[str] = mapped_column(String(40))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("office_requests.id"),
                                                   nullable=True)
    received_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    received_on: Mapped[str | None] = mapped_column(String(10), nullable=True)
    scan: Mapped[str | None] = mapped_column(String(120), nullable=True)
    """The signed acknowledgement's file name at the DRSE station."""
    scan_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """The signed acknowledgement's scan as uploaded by the station, in
    ``<data_dir>/acuses/<sha256><ext>`` (``scan_ext``); None until it arrives."""
    scan_ext: Mapped[str | None] = mapped_column(String(5), nullable=True)


class CardRequestRecord(Base):
    """A request for a card a station recorded (normativo 4; event ``card_requested``):
    unattended past ``unattended_escalate_days`` it escalates to the DRSE page."""

    __tablename__ = "card_requests"
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    curp: Mapped[str] = mapped_column(String(18), index=True)
    cct: Mapped[str | None] = mapped_column(String(10), index=True, nullable=True)
    requested_on: Mapped[date] = mapped_column(Date)
    requested_by: Mapped[str] = mapped_column(String(20))
    taken_by: Mapped[str] = mapped_column(String(120))


# --- minors' personal data: access record, ARCO requests, erasure (issue 18) -------------------
# ``student`` columns here hold the keyed one-way digest of the CURP
# (:func:`central.crud.privacy_digest.student_digest`), never the CURP: these rows outlive the
# student's data.

class AccessRecord(Base):
    """One staff read of a student's data on the staff pages (who, role, which student, what,
    when, from where), for the state office's «Registro de accesos»; kept
    ``access_log_retention_days``."""

    __tablename__ = "access_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    staff: Mapped[str] = mapped_column(String(120), index=True)
    role: Mapped[str] = mapped_column(String(40))
    student: Mapped[str | None] = mapped_column(String(18), nullable=True, index=True)
    cct: Mapped[str | None] = mapped_column(String(10), nullable=True)
    what: Mapped[str] = mapped_column(String(120))
    ip: Mapped[str] = mapped_column(String(45))


class PrivacyRequest(Base):
    """An ARCO request (acceso, rectificación, cancelación, oposición) an officer recorded:
    the request's own folio, when it arrived and was answered, the legal basis, the answer."""

    __tablename__ = "privacy_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    folio: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(14))
    student: Mapped[str] = mapped_column(String(18), index=True)
    cct: Mapped[str] = mapped_column(String(10))
    drse: Mapped[str | None] = mapped_column(String(120), nullable=True, index=True)
    received_on: Mapped[date] = mapped_column(Date)
    answered_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    legal_reason: Mapped[str] = mapped_column(Text)
    result: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text, default="{}")
    """JSON; a rectification's ``{"field", "old", "new"}`` (erased with the student)."""
    staff: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PrivacyOrderRecord(Base):
    """A ``PrivacyOrder`` for the stations that hold the student: ``id`` is a change number of
    counter ``privacy`` (so a station's cursor never skips an order that commits late). The
    CURP stays in clear only here, until ``privacy_order_days`` (the stations need it)."""

    __tablename__ = "privacy_orders"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(14))
    curp: Mapped[str] = mapped_column(String(18))
    cct: Mapped[str] = mapped_column(String(10), index=True)
    fields: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    ordered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("privacy_requests.id"),
                                                   nullable=True)


class PrivacyErasure(Base):
    """The audit record of one student's erasure (ARCO cancellation or retention purge): what
    went, when, by whom. ``photo_hash`` is the resumable marker of a photo file still to delete
    after the commit (None once it is gone)."""

    __tablename__ = "privacy_erasures"
    student: Mapped[str] = mapped_column(String(18), primary_key=True)
    cct: Mapped[str] = mapped_column(String(10))
    drse: Mapped[str | None] = mapped_column(String(120), nullable=True)
    cause: Mapped[str] = mapped_column(String(14))
    """``cancelacion`` (ARCO) or ``retencion`` (the retention period ran out)."""
    erased_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    erased_by: Mapped[str] = mapped_column(String(120))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("privacy_requests.id"),
                                                   nullable=True)
    summary: Mapped[str] = mapped_column(Text)
    """JSON: rows deleted and rows kept under the digest, per table."""
    photo_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)


# The columns that name a student without an index of their own: an erasure (ARCO or the
# retention purge) finds a batch's rows by them (migration 0011_privacy_central).
Index("holograms_by_curp", Hologram.curp)
Index("receipts_by_curp", Receipt.curp)
Index("double_uses_by_first_curp", DoubleUse.first_curp)
Index("double_uses_by_second_curp", DoubleUse.second_curp)
Index("office_request_students_by_curp", OfficeRequestStudent.curp)
Index("wanted_photos_by_curp", WantedPhoto.curp)
