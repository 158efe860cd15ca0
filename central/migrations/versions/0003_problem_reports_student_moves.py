"""problem reports from stations; student moves between schools

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'problem_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('station_id', sa.String(length=20), nullable=False),
        sa.Column('school_cct', sa.String(length=10), nullable=True),
        sa.Column('drse', sa.String(length=120), nullable=True),
        sa.Column('report_name', sa.String(length=80), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=40), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('created_at', sa.String(length=40), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['station_id'], ['stations.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('station_id', 'sha256'),
    )
    op.create_index('ix_problem_reports_drse', 'problem_reports', ['drse'])
    op.create_table(
        'student_moves',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('curp', sa.String(length=18), nullable=False),
        sa.Column('from_cct', sa.String(length=10), nullable=False),
        sa.Column('to_cct', sa.String(length=10), nullable=False),
        sa.Column('rev', sa.BigInteger(), nullable=False),
        sa.Column('moved_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('student_moves_by_school_rev', 'student_moves', ['from_cct', 'rev'])


def downgrade() -> None:
    op.drop_index('student_moves_by_school_rev', table_name='student_moves')
    op.drop_table('student_moves')
    op.drop_index('ix_problem_reports_drse', table_name='problem_reports')
    op.drop_table('problem_reports')
