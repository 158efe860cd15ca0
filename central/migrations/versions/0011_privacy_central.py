"""minors' personal data on central (issue 18): access record, ARCO requests, privacy orders
for the stations, erasure audit

Revision ID: 0011_privacy_central
Revises: 0010_merge_offices
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011_privacy_central'
down_revision = '0010_merge_offices'
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)
_CURP_INDEXES = (("holograms_by_curp", "holograms", "curp"),
                 ("receipts_by_curp", "receipts", "curp"),
                 ("double_uses_by_first_curp", "double_uses", "first_curp"),
                 ("double_uses_by_second_curp", "double_uses", "second_curp"),
                 ("office_request_students_by_curp", "office_request_students", "curp"),
                 ("wanted_photos_by_curp", "wanted_photos", "curp"))


def upgrade() -> None:
    op.create_table(
        'access_records',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('at', _TZ, nullable=False),
        sa.Column('staff', sa.String(120), nullable=False),
        sa.Column('role', sa.String(40), nullable=False),
        sa.Column('student', sa.String(18), nullable=True),
        sa.Column('cct', sa.String(10), nullable=True),
        sa.Column('what', sa.String(120), nullable=False),
        sa.Column('ip', sa.String(45), nullable=False))
    op.create_index('ix_access_records_at', 'access_records', ['at'])
    op.create_index('ix_access_records_staff', 'access_records', ['staff'])
    op.create_index('ix_access_records_student', 'access_records', ['student'])
    op.create_table(
        'privacy_requests',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('folio', sa.String(40), nullable=False),
        sa.Column('kind', sa.String(14), nullable=False),
        sa.Column('student', sa.String(18), nullable=False),
        sa.Column('cct', sa.String(10), nullable=False),
        sa.Column('drse', sa.String(120), nullable=True),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('answered_on', sa.Date(), nullable=True),
        sa.Column('legal_reason', sa.Text(), nullable=False),
        sa.Column('result', sa.Text(), nullable=False),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('staff', sa.String(120), nullable=False),
        sa.Column('created_at', _TZ, nullable=False))
    op.create_index('ix_privacy_requests_student', 'privacy_requests', ['student'])
    op.create_index('ix_privacy_requests_drse', 'privacy_requests', ['drse'])
    op.create_table(
        'privacy_orders',
        sa.Column('id', sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column('kind', sa.String(14), nullable=False),
        sa.Column('curp', sa.String(18), nullable=False),
        sa.Column('cct', sa.String(10), nullable=False),
        sa.Column('fields', sa.Text(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('ordered_at', _TZ, nullable=False),
        sa.Column('request_id', sa.Integer(), sa.ForeignKey('privacy_requests.id'),
                  nullable=True))
    op.create_index('ix_privacy_orders_cct', 'privacy_orders', ['cct'])
    op.create_index('ix_privacy_orders_ordered_at', 'privacy_orders', ['ordered_at'])
    op.create_table(
        'privacy_erasures',
        sa.Column('student', sa.String(18), primary_key=True),
        sa.Column('cct', sa.String(10), nullable=False),
        sa.Column('drse', sa.String(120), nullable=True),
        sa.Column('cause', sa.String(14), nullable=False),
        sa.Column('erased_at', _TZ, nullable=False),
        sa.Column('erased_by', sa.String(120), nullable=False),
        sa.Column('request_id', sa.Integer(), sa.ForeignKey('privacy_requests.id'),
                  nullable=True),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('photo_hash', sa.String(64), nullable=True))
    op.create_index('ix_privacy_erasures_erased_at', 'privacy_erasures', ['erased_at'])
    op.create_index('ix_privacy_erasures_photo_hash', 'privacy_erasures', ['photo_hash'])
    for name, table, column in _CURP_INDEXES:
        op.create_index(name, table, [column])
    counters = sa.table("counters", sa.column("name", sa.String), sa.column("value", sa.BigInteger))
    op.bulk_insert(counters, [{"name": "privacy", "value": 0}])


def downgrade() -> None:
    op.execute("DELETE FROM counters WHERE name = 'privacy'")
    for name, table, _ in _CURP_INDEXES:
        op.drop_index(name, table_name=table)
    for table in ('privacy_erasures', 'privacy_orders', 'privacy_requests', 'access_records'):
        op.drop_table(table)
