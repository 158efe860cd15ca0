"""staff accounts (web sign-in for state and DRSE staff)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled by the staff web pages work


def downgrade() -> None:
    pass
