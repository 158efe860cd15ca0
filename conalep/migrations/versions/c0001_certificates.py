"""Certificates wing: folio ledger, certificates, signatures and signer keys, paper checks,
deliveries, debts and the event log (branch ``certificates``).

Revision ID: c0001_certificates
Revises: 0001_academic
Create Date: 2026-12-02 06:18:18.704047
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'c0001_certificates'
down_revision = '0001_academic'
branch_labels = ('certificates',)
depends_on = None


def upgrade() -> None:
    op.create_table('cert_debts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('matricula', sa.String(length=20), nullable=False),
    sa.Column('plantel', sa.String(length=10), nullable=False),
    sa.Column('concept', sa.String(length=200), nullable=False),
    sa.Column('recorded_by', sa.String(length=60), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cert_debts', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_cert_debts_matricula'), ['matricula'], unique=False)

    op.create_table('cert_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=60), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cert_events', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_cert_events_certificate_id'), ['certificate_id'], unique=False)

    op.create_table('cert_folio_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('first', sa.BigInteger(), nullable=False),
    sa.Column('last', sa.BigInteger(), nullable=False),
    sa.Column('granted_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=60), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference')
    )
    op.create_table('cert_folio_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plantel', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('requested_by', sa.String(length=60), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_block', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cert_folio_requests', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_cert_folio_requests_plantel'), ['plantel'], unique=False)

    op.create_table('cert_signer_keys',
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('office', sa.String(length=40), nullable=False),
    sa.Column('username', sa.String(length=60), nullable=False),
    sa.Column('signer_name', sa.String(length=200), nullable=False),
    sa.Column('plantel', sa.String(length=10), nullable=True),
    sa.Column('public_pem', sa.Text(), nullable=False),
    sa.Column('algorithm', sa.String(length=10), nullable=False),
    sa.Column('registered_by', sa.String(length=60), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key_id')
    )
    with op.batch_alter_table('cert_signer_keys', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_cert_signer_keys_username'), ['username'], unique=False)

    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('folio', sa.BigInteger(), nullable=False),
    sa.Column('plantel', sa.String(length=10), nullable=False),
    sa.Column('plantel_name', sa.String(length=200), nullable=False),
    sa.Column('matricula', sa.String(length=20), nullable=False),
    sa.Column('active_matricula', sa.String(length=20), nullable=True),
    sa.Column('curp', sa.String(length=18), nullable=False),
    sa.Column('nombre', sa.String(length=120), nullable=False),
    sa.Column('primer_apellido', sa.String(length=120), nullable=False),
    sa.Column('segundo_apellido', sa.String(length=120), nullable=False),
    sa.Column('career_key', sa.String(length=20), nullable=False),
    sa.Column('career', sa.String(length=200), nullable=False),
    sa.Column('model_year', sa.Integer(), nullable=False),
    sa.Column('generation', sa.String(length=9), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('state_reason', sa.Text(), nullable=True),
    sa.Column('document_json', sa.Text(), nullable=True),
    sa.Column('chain_sha256', sa.String(length=64), nullable=True),
    sa.Column('qr_text', sa.Text(), nullable=True),
    sa.Column('released_on', sa.Date(), nullable=True),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('paper', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['replaces_id'], ['certificates.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('active_matricula'),
    sa.UniqueConstraint('folio')
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_certificates_matricula'), ['matricula'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_certificates_plantel'), ['plantel'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_certificates_state'), ['state'], unique=False)

    op.create_table('cert_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('form', sa.String(length=3), nullable=False),
    sa.Column('oficio', sa.String(length=80), nullable=False),
    sa.Column('received_by', sa.String(length=200), nullable=False),
    sa.Column('delivered_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=60), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('certificate_id')
    )
    op.create_table('cert_folios',
    sa.Column('folio', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('plantel', sa.String(length=10), nullable=True),
    sa.Column('certificate_id', sa.Integer(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['grant_id'], ['cert_folio_grants.id'], ),
    sa.PrimaryKeyConstraint('folio')
    )
    with op.batch_alter_table('cert_folios', schema=None) as batch_op:
        batch_op.create_index(
            'cert_folios_by_plantel_state', ['plantel', 'state', 'folio'], unique=False)

    op.create_table('cert_paper_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=30), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('checked_by', sa.String(length=60), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cert_paper_checks', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_cert_paper_checks_certificate_id'), ['certificate_id'], unique=False)

    op.create_table('cert_signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('office', sa.String(length=40), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('signed_at', sa.String(length=20), nullable=False),
    sa.Column('signature', sa.String(length=120), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], ),
    sa.ForeignKeyConstraint(['key_id'], ['cert_signer_keys.key_id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('certificate_id', 'position', name='cert_signatures_one_per_place')
    )
    with op.batch_alter_table('cert_signatures', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_cert_signatures_certificate_id'), ['certificate_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('cert_signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cert_signatures_certificate_id'))

    op.drop_table('cert_signatures')
    with op.batch_alter_table('cert_paper_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cert_paper_checks_certificate_id'))

    op.drop_table('cert_paper_checks')
    with op.batch_alter_table('cert_folios', schema=None) as batch_op:
        batch_op.drop_index('cert_folios_by_plantel_state')

    op.drop_table('cert_folios')
    op.drop_table('cert_deliveries')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificates_state'))
        batch_op.drop_index(batch_op.f('ix_certificates_plantel'))
        batch_op.drop_index(batch_op.f('ix_certificates_matricula'))

    op.drop_table('certificates')
    with op.batch_alter_table('cert_signer_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cert_signer_keys_username'))

    op.drop_table('cert_signer_keys')
    with op.batch_alter_table('cert_folio_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cert_folio_requests_plantel'))

    op.drop_table('cert_folio_requests')
    op.drop_table('cert_folio_grants')
    with op.batch_alter_table('cert_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cert_events_certificate_id'))

    op.drop_table('cert_events')
    with op.batch_alter_table('cert_debts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cert_debts_matricula'))

    op.drop_table('cert_debts')
