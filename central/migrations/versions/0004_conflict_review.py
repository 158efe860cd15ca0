"""conflicts reviewed by staff; problem reports attended; password change at next sign-in

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # conflicts.resolved_at and conflicts.note exist since 0001: «reviewed» uses them.
    op.add_column('conflicts', sa.Column('reviewed_by', sa.String(length=120), nullable=True))
    op.add_column('problem_reports',
                  sa.Column('attended_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('problem_reports',
                  sa.Column('attended_by', sa.String(length=120), nullable=True))
    op.add_column('problem_reports', sa.Column('attended_note', sa.Text(), nullable=True))
    op.add_column('staff_accounts', sa.Column('must_change', sa.Boolean(), nullable=False,
                                              server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('staff_accounts') as batch:
        batch.drop_column('must_change')
    with op.batch_alter_table('problem_reports') as batch:
        batch.drop_column('attended_note')
        batch.drop_column('attended_by')
        batch.drop_column('attended_at')
    with op.batch_alter_table('conflicts') as batch:
        batch.drop_column('reviewed_by')
