"""Merge the wings of issue 13 that grew from 0006 side by side (hologram control, procedures
1 and 2, support and progress) into one head, so ``alembic upgrade head`` and ``current`` name
one revision again.

Revision ID: 0010_merge_offices
Revises: 0007_holograms, 0008_offices, 0009_support_progress
"""

from __future__ import annotations

revision = '0010_merge_offices'
down_revision = ('0007_holograms', '0008_offices', '0009_support_progress')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
