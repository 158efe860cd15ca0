"""Alembic environment: the URL comes from central's settings (or the caller's connection)."""

from __future__ import annotations

from alembic import context

from central.models import Base
from foundation import migrations_env

migrations_env.run(context, Base.metadata)
