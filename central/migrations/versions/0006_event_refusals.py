"""events central refused to apply (out of the station's scope), quarantine for staff review

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'event_refusals',
        sa.Column('station_id', sa.String(length=20), nullable=False),
        sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('kind', sa.String(length=60), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('quarantined', sa.Boolean(), nullable=False),
        sa.Column('refused_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reviewed_by', sa.String(length=120), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['station_id'], ['stations.id']),
        sa.PrimaryKeyConstraint('station_id', 'seq'),
    )
    op.create_index('event_refusals_open', 'event_refusals', ['quarantined', 'reviewed_at'])


def downgrade() -> None:
    op.drop_index('event_refusals_open', table_name='event_refusals')
    op.drop_table('event_refusals')
