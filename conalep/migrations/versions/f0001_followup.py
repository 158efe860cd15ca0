"""The follow-up wing's tables: bajas (F04) with Psicopedagogía's attention, asesorías
complementarias (F05) and review meetings with attendance and agreements (norm 12c).

Revision ID: f0001_followup
Revises: 0001_academic
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'f0001_followup'
down_revision = '0001_academic'
branch_labels = ('followup',)
depends_on = None


def upgrade() -> None:
    op.create_table('asesorias',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clave_plantel', sa.String(length=10), nullable=False),
    sa.Column('periodo', sa.String(length=20), nullable=False),
    sa.Column('clave_modulo', sa.String(length=20), nullable=False),
    sa.Column('modulo', sa.String(length=160), nullable=False),
    sa.Column('asesor', sa.String(length=120), nullable=False),
    sa.Column('horario', sa.String(length=120), nullable=False),
    sa.Column('aula', sa.String(length=40), nullable=False),
    sa.Column('fecha_inicio', sa.Date(), nullable=False),
    sa.Column('registrada_por', sa.String(length=40), nullable=False),
    sa.Column('registrada_en', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['clave_plantel'], ['planteles.clave_plantel'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('asesorias', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asesorias_clave_plantel'), ['clave_plantel'],
                              unique=False)

    op.create_table('reuniones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('periodo', sa.String(length=20), nullable=False),
    sa.Column('numero', sa.SmallInteger(), nullable=False),
    sa.Column('clave_plantel', sa.String(length=10), nullable=False),
    sa.Column('fecha', sa.Date(), nullable=False),
    sa.Column('hora', sa.String(length=5), nullable=False),
    sa.Column('lugar', sa.String(length=160), nullable=False),
    sa.Column('estado', sa.String(length=10), nullable=False),
    sa.Column('convocada_por', sa.String(length=40), nullable=False),
    sa.Column('convocada_en', sa.DateTime(timezone=True), nullable=False),
    sa.Column('celebrada_en', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['clave_plantel'], ['planteles.clave_plantel'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('periodo', 'clave_plantel', 'numero')
    )
    with op.batch_alter_table('reuniones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reuniones_clave_plantel'), ['clave_plantel'],
                              unique=False)

    op.create_table('acuerdos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reunion_id', sa.Integer(), nullable=False),
    sa.Column('numero', sa.SmallInteger(), nullable=False),
    sa.Column('texto', sa.Text(), nullable=False),
    sa.Column('responsable', sa.String(length=120), nullable=False),
    sa.Column('fecha_compromiso', sa.Date(), nullable=True),
    sa.Column('registrado_por', sa.String(length=40), nullable=False),
    sa.Column('registrado_en', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reunion_id'], ['reuniones.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reunion_id', 'numero')
    )
    with op.batch_alter_table('acuerdos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acuerdos_reunion_id'), ['reunion_id'],
                              unique=False)

    op.create_table('asesoria_alumnos',
    sa.Column('asesoria_id', sa.Integer(), nullable=False),
    sa.Column('matricula', sa.String(length=20), nullable=False),
    sa.Column('motivo', sa.String(length=160), nullable=False),
    sa.ForeignKeyConstraint(['asesoria_id'], ['asesorias.id'], ),
    sa.ForeignKeyConstraint(['matricula'], ['alumnos.matricula'], ),
    sa.PrimaryKeyConstraint('asesoria_id', 'matricula')
    )
    with op.batch_alter_table('asesoria_alumnos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asesoria_alumnos_matricula'), ['matricula'],
                              unique=False)

    op.create_table('bajas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('matricula', sa.String(length=20), nullable=False),
    sa.Column('clave_plantel', sa.String(length=10), nullable=False),
    sa.Column('periodo', sa.String(length=20), nullable=False),
    sa.Column('fecha_baja', sa.Date(), nullable=False),
    sa.Column('tipo', sa.String(length=12), nullable=False),
    sa.Column('motivo', sa.String(length=20), nullable=False),
    sa.Column('detalle', sa.Text(), nullable=False),
    sa.Column('tutor_nombre', sa.String(length=120), nullable=False),
    sa.Column('tutor_parentesco', sa.String(length=40), nullable=False),
    sa.Column('solicitud_sha256', sa.String(length=64), nullable=False),
    sa.Column('solicitud_tipo', sa.String(length=40), nullable=False),
    sa.Column('solicitud_bytes', sa.Integer(), nullable=False),
    sa.Column('registrada_por', sa.String(length=40), nullable=False),
    sa.Column('registrada_en', sa.DateTime(timezone=True), nullable=False),
    sa.Column('vista_dg_por', sa.String(length=40), nullable=True),
    sa.Column('vista_dg_en', sa.DateTime(timezone=True), nullable=True),
    sa.Column('estado', sa.String(length=10), nullable=False),
    sa.Column('fecha_atencion', sa.Date(), nullable=True),
    sa.Column('resultado', sa.String(length=20), nullable=True),
    sa.Column('acciones', sa.Text(), nullable=True),
    sa.Column('atendida_por', sa.String(length=40), nullable=True),
    sa.Column('atendida_en', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['clave_plantel'], ['planteles.clave_plantel'], ),
    sa.ForeignKeyConstraint(['matricula'], ['alumnos.matricula'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('bajas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bajas_clave_plantel'), ['clave_plantel'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_bajas_estado'), ['estado'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_bajas_matricula'), ['matricula'],
                              unique=False)

    op.create_table('reunion_alumnos',
    sa.Column('reunion_id', sa.Integer(), nullable=False),
    sa.Column('matricula', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['matricula'], ['alumnos.matricula'], ),
    sa.ForeignKeyConstraint(['reunion_id'], ['reuniones.id'], ),
    sa.PrimaryKeyConstraint('reunion_id', 'matricula')
    )
    with op.batch_alter_table('reunion_alumnos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reunion_alumnos_matricula'), ['matricula'],
                              unique=False)

    op.create_table('reunion_asistentes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reunion_id', sa.Integer(), nullable=False),
    sa.Column('nombre', sa.String(length=120), nullable=False),
    sa.Column('cargo', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['reunion_id'], ['reuniones.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('reunion_asistentes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reunion_asistentes_reunion_id'), ['reunion_id'],
                              unique=False)

    op.create_table('acuerdo_alumnos',
    sa.Column('acuerdo_id', sa.Integer(), nullable=False),
    sa.Column('matricula', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['acuerdo_id'], ['acuerdos.id'], ),
    sa.ForeignKeyConstraint(['matricula'], ['alumnos.matricula'], ),
    sa.PrimaryKeyConstraint('acuerdo_id', 'matricula')
    )
    with op.batch_alter_table('acuerdo_alumnos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acuerdo_alumnos_matricula'), ['matricula'],
                              unique=False)



def downgrade() -> None:
    with op.batch_alter_table('acuerdo_alumnos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acuerdo_alumnos_matricula'))

    op.drop_table('acuerdo_alumnos')
    with op.batch_alter_table('reunion_asistentes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reunion_asistentes_reunion_id'))

    op.drop_table('reunion_asistentes')
    with op.batch_alter_table('reunion_alumnos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reunion_alumnos_matricula'))

    op.drop_table('reunion_alumnos')
    with op.batch_alter_table('bajas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bajas_matricula'))
        batch_op.drop_index(batch_op.f('ix_bajas_estado'))
        batch_op.drop_index(batch_op.f('ix_bajas_clave_plantel'))

    op.drop_table('bajas')
    with op.batch_alter_table('asesoria_alumnos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asesoria_alumnos_matricula'))

    op.drop_table('asesoria_alumnos')
    with op.batch_alter_table('acuerdos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acuerdos_reunion_id'))

    op.drop_table('acuerdos')
    with op.batch_alter_table('reuniones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reuniones_clave_plantel'))

    op.drop_table('reuniones')
    with op.batch_alter_table('asesorias', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asesorias_clave_plantel'))

    op.drop_table('asesorias')
