"""The declarative base and the tables every wing uses: staff accounts and their audit
trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from foundation.web.accounts import StaffAccountMixin


class Base(DeclarativeBase):
    pass


class StaffAccount(StaffAccountMixin, Base):
    """A person of the DG or of a plantel who signs in to the pages (password: scrypt hash)."""

    __tablename__ = "staff_accounts"
    role: Mapped[str] = mapped_column(String(30))
    """A :class:`conalep.roles.Role` value."""
    clave_plantel: Mapped[str | None] = mapped_column(String(10), nullable=True)
    """The plantel of a campus role (``plantel_director``, ``plantel_escolares``); else None."""


class StaffAction(Base):
    """One line of the audit trail: who did what to what, when and why."""

    __tablename__ = "staff_actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    staff: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text)
