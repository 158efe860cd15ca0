"""Alembic environment of conalep: every wing's tables (``conalep.models``)."""

from __future__ import annotations

from alembic import context

from conalep.models import Base
from foundation import migrations_env

migrations_env.run(context, Base.metadata)
