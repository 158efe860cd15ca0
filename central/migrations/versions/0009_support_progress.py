"""support (escalation to DGTI, questions, the DRSE directory) and the progress projections

Revision ID: 0009_support_progress
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009_support_progress'
down_revision = '0006'
branch_labels = None
depends_on = None

# Seed 004, «Directorio Oficinas Centrales» / «Directorio Control Escolar DRSES» (the scan's
# broken e-mail endings mended from the second list, which spells them whole).
DIRECTORY = [
    ("Valles (Ameca)", "Irma Raquel Serrano Vallejo", "3757581671, 3757584605",
     "53127 / 53128", "irma.serrano@jalisco.gob.mx"),
    ("Costa Sur (La Huerta)", "Leticia Íñiguez Chávez", "3573840038", "53157 / 53158",
     "leticia.iniguez@jalisco.gob.mx"),
    ("Sierra de Amula (Autlán)", "Silvia León Guzmán", "3173820314, 3173820900, 3173813313",
     "53122 / 53123", "silvia.leon@jalisco.gob.mx"),
    ("Sur (Cd. Guzmán)", "Francisco Javier Ramos Gutiérrez",
     "3414123791, 3414124380, 3414125249", "53115 / 53116", "francisco.ramos@jalisco.gob.mx"),
    ("Lagunas (Cocula)", "Víctor Cortez Rojas", "3777736413", "", "belen.cordova@jalisco.gob.mx"),
    ("Norte (Colotlán)", "Martha Guillermina Huizar Pérez", "4999220355", "53100 / 53101",
     "martha.huizar@jalisco.gob.mx"),
    ("Altos Norte (Lagos de Moreno)", "Rossana Di Raimondo Romo",
     "4747423998, 4747426408, 4747422144", "53103 / 53104", "rossana.raimondo@jalisco.gob.mx"),
    ("Ciénega (Ocotlán)", "Sergio Enrique Ayala Carrillo", "3929225632, 3929252058",
     "53109 / 53110", "sergio.ayala@jalisco.gob.mx"),
    ("Altos Sur (Tepatitlán)", "María Antonia del Rosario Álvarez Ortega",
     "3787810055, 3787153795", "53106 / 53107", "mariaantonia.alvarez@jalisco.gob.mx"),
    ("Costa Sierra Occidental (Vallarta)", "Angélica Ortega Medina", "3222260360", "51721",
     "angelica.ortega@jalisco.gob.mx"),
    ("Sureste (Jocotepec)", "Ramiro Flores Pérez", "3877631235", "53155",
     "ramiroflores.perez@jalisco.gob.mx"),
    ("Centro 1 Guadalajara", "Leonardo Joaquín Jiménez Tejeda", "39421171", "39421170 / 57036",
     "leonardo.jimenez@jalisco.gob.mx"),
    ("Centro 2 Zapopan", "Susana Espinosa Regalado", "10027200", "57265",
     "susana.espinosa@jalisco.gob.mx"),
    ("Centro 3 Tlaquepaque", "Claudia Romero Navarro", "13680828", "57329",
     "claudia.romero@jalisco.gob.mx"),
]


def upgrade() -> None:
    contacts = op.create_table(
        'drse_contacts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('responsible', sa.String(length=200), nullable=False),
        sa.Column('phones', sa.String(length=200), nullable=False),
        sa.Column('extension', sa.String(length=60), nullable=False),
        sa.Column('email', sa.String(length=200), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_by', sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    op.bulk_insert(contacts, [
        {"name": n, "responsible": r, "phones": p, "extension": e, "email": m}
        for n, r, p, e, m in DIRECTORY])
    op.create_table(
        'report_escalations',
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('escalated_by', sa.String(length=120), nullable=False),
        sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('answered_by', sa.String(length=120), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('rev', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['report_id'], ['problem_reports.id']),
        sa.PrimaryKeyConstraint('report_id'),
    )
    op.create_index('ix_report_escalations_rev', 'report_escalations', ['rev'])
    op.create_table(
        'support_questions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('station_id', sa.String(length=20), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('school_cct', sa.String(length=10), nullable=True),
        sa.Column('drse', sa.String(length=120), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('asked_by', sa.String(length=120), nullable=False),
        sa.Column('asked_at', sa.String(length=40), nullable=False),
        sa.Column('level', sa.String(length=10), nullable=False),
        sa.Column('forwarded_note', sa.Text(), nullable=True),
        sa.Column('forwarded_by', sa.String(length=120), nullable=True),
        sa.Column('forwarded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('answered_by', sa.String(length=120), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('rev', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['station_id'], ['stations.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('station_id', 'number'),
    )
    op.create_index('ix_support_questions_drse', 'support_questions', ['drse'])
    op.create_index('ix_support_questions_rev', 'support_questions', ['rev'])
    op.create_table(
        'student_card_wishes',
        sa.Column('curp', sa.String(length=18), nullable=False),
        sa.Column('cct', sa.String(length=10), nullable=False),
        sa.Column('declined_on', sa.Date(), nullable=True),
        sa.Column('requested_on', sa.Date(), nullable=True),
        sa.Column('station_id', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['station_id'], ['stations.id']),
        sa.PrimaryKeyConstraint('curp'),
    )
    op.create_index('student_card_wishes_by_school', 'student_card_wishes', ['cct'])
    op.create_table(
        'delivery_records',
        sa.Column('station_id', sa.String(length=20), nullable=False),
        sa.Column('delivery', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('cct', sa.String(length=10), nullable=False),
        sa.Column('cycle', sa.String(length=9), nullable=False),
        sa.Column('cards', sa.Integer(), nullable=False),
        sa.Column('holograms', sa.Integer(), nullable=False),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['station_id'], ['stations.id']),
        sa.PrimaryKeyConstraint('station_id', 'delivery'),
    )
    op.create_index('ix_delivery_records_cct', 'delivery_records', ['cct'])
    op.create_table(
        'supply_request_records',
        sa.Column('station_id', sa.String(length=20), nullable=False),
        sa.Column('request', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('cct', sa.String(length=10), nullable=True),
        sa.Column('drse', sa.String(length=120), nullable=True),
        sa.Column('on', sa.Date(), nullable=False),
        sa.Column('cycle', sa.String(length=9), nullable=False),
        sa.Column('teslin_stock', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['station_id'], ['stations.id']),
        sa.PrimaryKeyConstraint('station_id', 'request'),
    )
    op.create_index('ix_supply_request_records_cct', 'supply_request_records', ['cct'])
    op.create_table(
        'school_progress',
        sa.Column('cct', sa.String(length=10), nullable=False),
        sa.Column('enrolled', sa.Integer(), nullable=False),
        sa.Column('with_card', sa.Integer(), nullable=False),
        sa.Column('declined', sa.Integer(), nullable=False),
        sa.Column('requests_open', sa.Integer(), nullable=False),
        sa.Column('holograms', sa.Integer(), nullable=False),
        sa.Column('cycle', sa.String(length=9), nullable=False),
        sa.PrimaryKeyConstraint('cct'),
    )
    op.create_table(
        'progress_dirty',
        sa.Column('cct', sa.String(length=10), nullable=False),
        sa.Column('marks', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('cct'),
    )
    op.create_table(
        'progress_watermarks',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('value', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    counters = sa.table("counters", sa.column("name", sa.String), sa.column("value", sa.BigInteger))
    op.bulk_insert(counters, [{"name": "support", "value": 0}])
    # The progress page counts per school: these make each count an index-only walk.
    op.create_index('students_progress', 'students', ['cct', 'estatus', 'curp'])
    op.create_index('cards_progress', 'cards', ['curp', 'status', 'cct'])
    op.create_index('holograms_progress', 'holograms', ['ciclo', 'curp'])


def downgrade() -> None:
    op.drop_index('holograms_progress', table_name='holograms')
    op.drop_index('cards_progress', table_name='cards')
    op.drop_index('students_progress', table_name='students')
    op.execute("DELETE FROM counters WHERE name = 'support'")
    for table in ('progress_watermarks', 'progress_dirty', 'school_progress',
                  'supply_request_records', 'delivery_records', 'student_card_wishes',
                  'support_questions', 'report_escalations', 'drse_contacts'):
        op.drop_table(table)
