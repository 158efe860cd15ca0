"""Privacy wing (issue 18): the access record, ARCO requests and their changes, and the audit
of the retention purge (branch ``privacy``).

It merges the certificates and follow-up branches because its purge and its ARCO export read
and delete rows of both (bajas, asesorías, certificates): it must run after both exist.

Revision ID: p0001_privacy
Revises: c0001_certificates, f0001_followup
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'p0001_privacy'
down_revision = ('c0001_certificates', 'f0001_followup')
branch_labels = ('privacy',)
depends_on = None


def upgrade() -> None:
    op.create_table('privacy_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('staff', sa.String(length=60), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.Column('matricula', sa.String(length=20), nullable=False),
    sa.Column('what', sa.String(length=60), nullable=False),
    sa.Column('detail', sa.String(length=200), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('privacy_access', schema=None) as batch_op:
        batch_op.create_index('ix_privacy_access_at', ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_privacy_access_matricula'), ['matricula'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_privacy_access_staff'), ['staff'], unique=False)

    op.create_table('arco_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('matricula', sa.String(length=20), nullable=False),
    sa.Column('solicitante', sa.String(length=160), nullable=False),
    sa.Column('recibida_el', sa.Date(), nullable=False),
    sa.Column('respondida_el', sa.Date(), nullable=True),
    sa.Column('fundamento', sa.Text(), nullable=False),
    sa.Column('resultado', sa.String(length=16), nullable=False),
    sa.Column('detalle', sa.Text(), nullable=False),
    sa.Column('registrada_por', sa.String(length=60), nullable=False),
    sa.Column('registrada_en', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('arco_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arco_requests_matricula'), ['matricula'],
                              unique=False)

    op.create_table('arco_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('tabla', sa.String(length=40), nullable=False),
    sa.Column('campo', sa.String(length=40), nullable=False),
    sa.Column('anterior', sa.Text(), nullable=True),
    sa.Column('nuevo', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['arco_requests.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('arco_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arco_changes_request_id'), ['request_id'],
                              unique=False)

    op.create_table('privacy_purge_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('staff', sa.String(length=60), nullable=False),
    sa.Column('settings', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('privacy_purge_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('matricula', sa.String(length=20), nullable=False),
    sa.Column('motivo', sa.String(length=30), nullable=False),
    sa.Column('tabla', sa.String(length=40), nullable=False),
    sa.Column('filas', sa.Integer(), nullable=False),
    sa.Column('detalle', sa.Text(), nullable=False),
    sa.Column('file_pending', sa.String(length=80), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['arco_requests.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['privacy_purge_runs.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('privacy_purge_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_privacy_purge_items_matricula'), ['matricula'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_privacy_purge_items_run_id'), ['run_id'],
                              unique=False)


def downgrade() -> None:
    op.drop_table('privacy_purge_items')
    op.drop_table('privacy_purge_runs')
    op.drop_table('arco_changes')
    op.drop_table('arco_requests')
    op.drop_table('privacy_access')
