"""Conalep's tables: ``base`` (declarative base, staff accounts and their audit trail) and a
module per wing (``academic``, ``followup``, ``certificates``). Importing this package
registers every table on :data:`Base.metadata` (Alembic and the tests rely on it); each wing
adds its module to the import below."""

from conalep.models import academic, certificates, followup, privacy
from conalep.models.base import Base, StaffAccount, StaffAction

__all__ = ["Base", "StaffAccount", "StaffAction", "academic", "certificates", "followup",
           "privacy"]
