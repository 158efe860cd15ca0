"""The declarative base and the tables every wing uses: staff accounts and their audit
trail."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from foundation.web.accounts import StaffAccountMixin, StaffActionMixin


class Base(DeclarativeBase):
    pass


class StaffAccount(StaffAccountMixin, Base):
    """A person of the DG or of a plantel who signs in to the pages (password: scrypt hash)."""

    __tablename__ = "staff_accounts"
    role: Mapped[str] = mapped_column(String(30))
    """A :class:`conalep.roles.Role` value."""
    clave_plantel: Mapped[str | None] = mapped_column(String(10), nullable=True)
    """The plantel of a campus role (``plantel_director``, ``plantel_escolares``); else None."""


class StaffAction(StaffActionMixin, Base):
    """One line of the audit trail: who did what to what, when and why."""

    __tablename__ = "staff_actions"
    staff: Mapped[str] = mapped_column(String(40))
