"""hologram ranges handed state → DRSE → school; double uses of a serial or receipt; notices
for stations; student moves found by CURP (the ingest's trust checks read them per push)

Revision ID: 0007_holograms
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007_holograms'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'hologram_lots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cycle', sa.String(length=9), nullable=False),
        sa.Column('prefix', sa.String(length=8), nullable=False),
        sa.Column('first_number', sa.BigInteger(), nullable=False),
        sa.Column('last_number', sa.BigInteger(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('holder_kind', sa.String(length=10), nullable=False),
        sa.Column('holder', sa.String(length=120), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('reference', sa.String(length=200), nullable=False),
        sa.Column('created_by', sa.String(length=120), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['parent_id'], ['hologram_lots.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('hologram_lots_by_holder', 'hologram_lots', ['holder_kind', 'holder'])
    op.create_index('hologram_lots_by_parent', 'hologram_lots', ['parent_id'])
    op.create_table(
        'double_uses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('key', sa.String(length=60), nullable=False),
        sa.Column('first_station_id', sa.String(length=20), nullable=False),
        sa.Column('first_curp', sa.String(length=18), nullable=False),
        sa.Column('first_folio', sa.BigInteger(), nullable=True),
        sa.Column('second_station_id', sa.String(length=20), nullable=False),
        sa.Column('second_seq', sa.BigInteger(), nullable=False),
        sa.Column('second_curp', sa.String(length=18), nullable=False),
        sa.Column('second_folio', sa.BigInteger(), nullable=True),
        sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reviewed_by', sa.String(length=120), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['first_station_id'], ['stations.id']),
        sa.ForeignKeyConstraint(['second_station_id'], ['stations.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('second_station_id', 'second_seq'),
    )
    op.create_table(
        'station_notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('station_id', sa.String(length=20), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['station_id'], ['stations.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('station_notices_by_station', 'station_notices', ['station_id', 'id'])
    op.create_index('student_moves_by_curp', 'student_moves', ['curp'])


def downgrade() -> None:
    op.drop_index('student_moves_by_curp', table_name='student_moves')
    op.drop_index('station_notices_by_station', table_name='station_notices')
    op.drop_table('station_notices')
    op.drop_table('double_uses')
    op.drop_index('hologram_lots_by_parent', table_name='hologram_lots')
    op.drop_index('hologram_lots_by_holder', table_name='hologram_lots')
    op.drop_table('hologram_lots')
