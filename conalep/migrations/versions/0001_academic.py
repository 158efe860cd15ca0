"""Conalep's base revision: staff accounts and the academic tables (planteles, carreras,
alumnos, capture calendar, grade sheet, rectifications, SAE imports, SISEAC publications).

The follow-up (``f0001_followup``) and certificates (``c0001_certificates``) wings branch
from here; ``conalep migrate`` upgrades to ``heads``.

Revision ID: 0001_academic
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_academic"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('capture_windows',
    sa.Column('periodo', sa.String(length=20), nullable=False),
    sa.Column('corte', sa.SmallInteger(), nullable=False),
    sa.Column('inicio_captura', sa.Date(), nullable=False),
    sa.Column('fin_captura', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('periodo', 'corte')
    )
    op.create_table('carreras',
    sa.Column('clave_carrera', sa.String(length=20), nullable=False),
    sa.Column('nombre', sa.String(length=160), nullable=False),
    sa.Column('modelo_academico', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('clave_carrera')
    )
    op.create_table('docentes',
    sa.Column('clave_docente', sa.String(length=20), nullable=False),
    sa.Column('nombre', sa.String(length=160), nullable=False),
    sa.PrimaryKeyConstraint('clave_docente')
    )
    op.create_table('modulos',
    sa.Column('clave_modulo', sa.String(length=20), nullable=False),
    sa.Column('nombre', sa.String(length=160), nullable=False),
    sa.PrimaryKeyConstraint('clave_modulo')
    )
    op.create_table('planteles',
    sa.Column('clave_plantel', sa.String(length=10), nullable=False),
    sa.Column('nombre', sa.String(length=120), nullable=False),
    sa.Column('municipio', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('clave_plantel')
    )
    op.create_table('sae_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('staff', sa.String(length=40), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('siseac_publications',
    sa.Column('periodo', sa.String(length=20), nullable=False),
    sa.Column('corte', sa.SmallInteger(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('periodo', 'corte')
    )
    op.create_table('staff_accounts',
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.Column('clave_plantel', sa.String(length=10), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=40), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('session_key', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('must_change', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('staff_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('staff', sa.String(length=40), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=120), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('alumnos',
    sa.Column('matricula', sa.String(length=20), nullable=False),
    sa.Column('curp', sa.String(length=18), nullable=False),
    sa.Column('nombre', sa.String(length=80), nullable=False),
    sa.Column('primer_apellido', sa.String(length=80), nullable=False),
    sa.Column('segundo_apellido', sa.String(length=80), nullable=False),
    sa.Column('clave_plantel', sa.String(length=10), nullable=False),
    sa.Column('clave_carrera', sa.String(length=20), nullable=False),
    sa.Column('generacion', sa.String(length=9), nullable=False),
    sa.Column('semestre', sa.SmallInteger(), nullable=False),
    sa.Column('grupo', sa.String(length=20), nullable=False),
    sa.Column('estatus', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['clave_carrera'], ['carreras.clave_carrera'], ),
    sa.ForeignKeyConstraint(['clave_plantel'], ['planteles.clave_plantel'], ),
    sa.PrimaryKeyConstraint('matricula')
    )
    with op.batch_alter_table('alumnos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alumnos_clave_plantel'),
                              ['clave_plantel'], unique=False)
        batch_op.create_index(batch_op.f('ix_alumnos_curp'), ['curp'], unique=False)

    op.create_table('calificaciones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('periodo', sa.String(length=20), nullable=False),
    sa.Column('corte', sa.SmallInteger(), nullable=False),
    sa.Column('matricula', sa.String(length=20), nullable=False),
    sa.Column('clave_modulo', sa.String(length=20), nullable=False),
    sa.Column('clave_plantel', sa.String(length=10), nullable=False),
    sa.Column('grupo', sa.String(length=20), nullable=False),
    sa.Column('clave_docente', sa.String(length=20), nullable=False),
    sa.Column('calificacion', sa.Float(), nullable=True),
    sa.Column('fecha_captura', sa.Date(), nullable=True),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['clave_docente'], ['docentes.clave_docente'], ),
    sa.ForeignKeyConstraint(['clave_modulo'], ['modulos.clave_modulo'], ),
    sa.ForeignKeyConstraint(['clave_plantel'], ['planteles.clave_plantel'], ),
    sa.ForeignKeyConstraint(['matricula'], ['alumnos.matricula'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('periodo', 'matricula', 'clave_modulo', 'corte', name='uq_calificacion')
    )
    with op.batch_alter_table('calificaciones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calificaciones_clave_docente'),
                              ['clave_docente'], unique=False)
        batch_op.create_index('ix_calificaciones_corte_plantel',
                              ['periodo', 'corte', 'clave_plantel'], unique=False)
        batch_op.create_index(batch_op.f('ix_calificaciones_matricula'),
                              ['matricula'], unique=False)

    op.create_table('rectificaciones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('calificacion_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('anterior', sa.Float(), nullable=True),
    sa.Column('nueva', sa.Float(), nullable=True),
    sa.Column('fecha_captura', sa.Date(), nullable=True),
    sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('solicitante', sa.String(length=160), nullable=True),
    sa.Column('oficio', sa.String(length=80), nullable=True),
    sa.Column('motivo', sa.Text(), nullable=True),
    sa.Column('recorded_by', sa.String(length=40), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['calificacion_id'], ['calificaciones.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rectificaciones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectificaciones_calificacion_id'),
                              ['calificacion_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('rectificaciones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectificaciones_calificacion_id'))

    op.drop_table('rectificaciones')
    with op.batch_alter_table('calificaciones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calificaciones_matricula'))
        batch_op.drop_index('ix_calificaciones_corte_plantel')
        batch_op.drop_index(batch_op.f('ix_calificaciones_clave_docente'))

    op.drop_table('calificaciones')
    with op.batch_alter_table('alumnos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alumnos_curp'))
        batch_op.drop_index(batch_op.f('ix_alumnos_clave_plantel'))

    op.drop_table('alumnos')
    op.drop_table('staff_actions')
    op.drop_table('staff_accounts')
    op.drop_table('siseac_publications')
    op.drop_table('sae_imports')
    op.drop_table('planteles')
    op.drop_table('modulos')
    op.drop_table('docentes')
    op.drop_table('carreras')
    op.drop_table('capture_windows')
