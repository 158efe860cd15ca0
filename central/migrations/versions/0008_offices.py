"""DRSE offices (issue 13): procedure 1 requests and their steps, procedure 2 supply requests,
deliveries of DRSE stations, card requests (normativo 4), the DRSE office of staff accounts

Revision ID: 0008_offices
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008_offices'
down_revision = '0006'
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.add_column('staff_accounts', sa.Column('office', sa.String(length=20), nullable=True))
    op.create_table(
        'office_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('drse', sa.String(length=120), nullable=False),
        sa.Column('cct', sa.String(length=10), nullable=False),
        sa.Column('cycle', sa.String(length=9), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('oficio', sa.String(length=60), nullable=False),
        sa.Column('director', sa.String(length=120), nullable=False),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.Column('scan_sha256', sa.String(length=64), nullable=False),
        sa.Column('scan_ext', sa.String(length=5), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('station_id', sa.String(length=20), nullable=True),
        sa.Column('station_ref', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('delivery_station', sa.String(length=20), nullable=True),
        sa.Column('delivery', sa.Integer(), nullable=True),
        _when('created_at'),
        sa.Column('created_by', sa.String(length=120), nullable=False),
        _when('updated_at'),
        sa.ForeignKeyConstraint(['station_id'], ['stations.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('station_id', 'station_ref'),
    )
    op.create_index('ix_office_requests_drse', 'office_requests', ['drse'])
    op.create_index('ix_office_requests_cct', 'office_requests', ['cct'])
    op.create_table(
        'office_request_students',
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('curp', sa.String(length=18), nullable=False),
        sa.Column('asked', sa.Boolean(), nullable=False),
        sa.Column('need', sa.String(length=12), nullable=False),
        sa.Column('problem', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['request_id'], ['office_requests.id']),
        sa.PrimaryKeyConstraint('request_id', 'curp'),
    )
    op.create_table(
        'office_steps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('procedure', sa.String(length=10), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('step', sa.String(length=30), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('staff', sa.String(length=120), nullable=False),
        sa.Column('office', sa.String(length=40), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        _when('at'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('office_steps_by_request', 'office_steps', ['procedure', 'request_id'])
    op.create_table(
        'supply_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('station_id', sa.String(length=20), nullable=False),
        sa.Column('station_ref', sa.Integer(), nullable=False),
        sa.Column('drse', sa.String(length=120), nullable=False),
        sa.Column('cct', sa.String(length=10), nullable=True),
        sa.Column('cycle', sa.String(length=9), nullable=False),
        sa.Column('requested_on', sa.String(length=10), nullable=False),
        sa.Column('director', sa.String(length=120), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('approved', sa.Text(), nullable=True),
        sa.Column('received', sa.Text(), nullable=False),
        sa.Column('shipped_reference', sa.String(length=120), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        _when('created_at'),
        _when('updated_at'),
        sa.ForeignKeyConstraint(['station_id'], ['stations.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('station_id', 'station_ref'),
    )
    op.create_index('ix_supply_requests_drse', 'supply_requests', ['drse'])
    op.create_table(
        'deliveries',
        sa.Column('station_id', sa.String(length=20), nullable=False),
        sa.Column('delivery', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('drse', sa.String(length=120), nullable=True),
        sa.Column('cct', sa.String(length=10), nullable=False),
        sa.Column('cycle', sa.String(length=9), nullable=False),
        sa.Column('cards', sa.Integer(), nullable=False),
        sa.Column('holograms', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.String(length=40), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=True),
        sa.Column('received_by', sa.String(length=120), nullable=True),
        sa.Column('received_on', sa.String(length=10), nullable=True),
        sa.Column('scan', sa.String(length=120), nullable=True),
        sa.Column('scan_sha256', sa.String(length=64), nullable=True),
        sa.Column('scan_ext', sa.String(length=5), nullable=True),
        sa.ForeignKeyConstraint(['station_id'], ['stations.id']),
        sa.ForeignKeyConstraint(['request_id'], ['office_requests.id']),
        sa.PrimaryKeyConstraint('station_id', 'delivery'),
    )
    op.create_index('ix_deliveries_drse', 'deliveries', ['drse'])
    op.create_table(
        'card_requests',
        sa.Column('station_id', sa.String(length=20), nullable=False),
        sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('curp', sa.String(length=18), nullable=False),
        sa.Column('cct', sa.String(length=10), nullable=True),
        sa.Column('requested_on', sa.Date(), nullable=False),
        sa.Column('requested_by', sa.String(length=20), nullable=False),
        sa.Column('taken_by', sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(['station_id'], ['stations.id']),
        sa.PrimaryKeyConstraint('station_id', 'seq'),
    )
    op.create_index('ix_card_requests_curp', 'card_requests', ['curp'])
    op.create_index('ix_card_requests_cct', 'card_requests', ['cct'])


def downgrade() -> None:
    for table in ('card_requests', 'deliveries', 'supply_requests', 'office_steps',
                  'office_request_students', 'office_requests'):
        op.drop_table(table)
    op.drop_column('staff_accounts', 'office')
