"""Tables of the certificates wing (Alembic branch ``certificates``, c0001_certificates).

Students, planteles and careers are referred to by their SAE keys (matrícula, clave de
plantel): a certificate is a snapshot of what it certifies, so it keeps the name, career and
model it was issued with even when the SAE export changes later.

Concurrency is settled by the database, not by reading first:
- ``cert_folios.folio`` is the primary key (a folio granted twice fails to insert) and every
  state change is ``UPDATE … WHERE state = <expected>`` checked for one row;
- ``certificates.folio`` is unique (one folio, one certificate, ever);
- ``certificates.active_matricula`` is the matrícula while the certificate counts and NULL once
  it is revoked, and it is unique: one live certificate per student, even with two requests
  arriving at once;
- ``cert_signatures`` is unique on (certificate, position): two signers racing for the same
  place leave one signature.
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
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from conalep.models.base import Base


class FolioGrant(Base):
    """A block of electronic folios the national office granted the state (activity 2.1)."""

    __tablename__ = "cert_folio_grants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(80), unique=True)
    first: Mapped[int] = mapped_column(BigInteger)
    last: Mapped[int] = mapped_column(BigInteger)
    granted_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Folio(Base):
    """One electronic folio and its single current state (see folio_rules)."""

    __tablename__ = "cert_folios"
    folio: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    grant_id: Mapped[int] = mapped_column(ForeignKey("cert_folio_grants.id"))
    state: Mapped[str] = mapped_column(String(12))
    plantel: Mapped[str | None] = mapped_column(String(10), nullable=True)
    certificate_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cancel_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("cert_folios_by_plantel_state", "plantel", "state", "folio"),)


class FolioRequest(Base):
    """F01: a plantel asks DG for electronic folios or official stationery (norm 27)."""

    __tablename__ = "cert_folio_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plantel: Mapped[str] = mapped_column(String(10), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)
    justification: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(60))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    answered_block: Mapped[str | None] = mapped_column(String(40), nullable=True)


class SignerKeyRecord(Base):
    """A signer's public key, registered by DG; the private key never reaches the server."""

    __tablename__ = "cert_signer_keys"
    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    office: Mapped[str] = mapped_column(String(40))
    username: Mapped[str] = mapped_column(String(60), index=True)
    signer_name: Mapped[str] = mapped_column(String(200))
    plantel: Mapped[str | None] = mapped_column(String(10), nullable=True)
    public_pem: Mapped[str] = mapped_column(Text)
    algorithm: Mapped[str] = mapped_column(String(10))
    registered_by: Mapped[str] = mapped_column(String(60))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Certificate(Base):
    """One Certificado de Terminación de Estudios, from folio assignment to delivery."""

    __tablename__ = "certificates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    folio: Mapped[int] = mapped_column(BigInteger, unique=True)
    plantel: Mapped[str] = mapped_column(String(10), index=True)
    plantel_name: Mapped[str] = mapped_column(String(200))
    matricula: Mapped[str] = mapped_column(String(20), index=True)
    active_matricula: Mapped[str | None] = mapped_column(String(20), unique=True, nullable=True)
    curp: Mapped[str] = mapped_column(String(18))
    nombre: Mapped[str] = mapped_column(String(120))
    primer_apellido: Mapped[str] = mapped_column(String(120))
    segundo_apellido: Mapped[str] = mapped_column(String(120))
    career_key: Mapped[str] = mapped_column(String(20))
    career: Mapped[str] = mapped_column(String(200))
    model_year: Mapped[int] = mapped_column(Integer)
    generation: Mapped[str] = mapped_column(String(9))
    state: Mapped[str] = mapped_column(String(20), index=True)
    state_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    document_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    """Frozen canonical document once DG approves the review; what the signatures cover."""
    chain_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    qr_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    released_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"), nullable=True)
    paper: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CertSignature(Base):
    __tablename__ = "cert_signatures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    office: Mapped[str] = mapped_column(String(40))
    key_id: Mapped[str] = mapped_column(ForeignKey("cert_signer_keys.key_id"))
    signed_at: Mapped[str] = mapped_column(String(20))
    signature: Mapped[str] = mapped_column(String(120))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("certificate_id", "position",
                                       name="cert_signatures_one_per_place"),)


class PaperCheck(Base):
    """Norm 22's checklist for certificates issued on paper: one row per item checked."""

    __tablename__ = "cert_paper_checks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    item: Mapped[str] = mapped_column(String(30))
    ok: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    checked_by: Mapped[str] = mapped_column(String(60))
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Delivery(Base):
    """Activity 7 / plantel 3.1: the certificate handed to the graduate (F02 or F03)."""

    __tablename__ = "cert_deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), unique=True)
    form: Mapped[str] = mapped_column(String(3))
    oficio: Mapped[str] = mapped_column(String(80))
    received_by: Mapped[str] = mapped_column(String(200))
    delivered_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CertEvent(Base):
    """Every step taken on a certificate or folio, who took it, when and why."""

    __tablename__ = "cert_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(60))
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Debt(Base):
    """A graduate's outstanding debt with the plantel: no certificate until it is settled
    (an *egresado* "no guarda adeudos", seed 000 definitions)."""

    __tablename__ = "cert_debts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    matricula: Mapped[str] = mapped_column(String(20), index=True)
    plantel: Mapped[str] = mapped_column(String(10))
    concept: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
