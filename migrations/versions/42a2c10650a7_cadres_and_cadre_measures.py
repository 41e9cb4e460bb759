"""cadres and their measures; cases link to a cadre

Revision ID: 42a2c10650a7
Revises: aa16c5a07fef
Create Date: 2026-11-30 06:53:29.308685
"""
from alembic import op
import sqlalchemy as sa
import service.models.types


revision = '42a2c10650a7'
down_revision = 'aa16c5a07fef'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cadres',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('unit', sa.String(length=128), nullable=False),
    sa.Column('post', sa.String(length=128), nullable=False),
    sa.Column('cadre_level', sa.String(length=16), nullable=False),
    sa.Column('management_authority', sa.String(length=64), nullable=False),
    sa.Column('is_party_member', sa.Boolean(), nullable=True),
    sa.Column('is_supervision_object', sa.Boolean(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('created_at', service.models.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', service.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['merged_into_id'], ['cadres.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cadres', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cadres_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_index('ix_cadres_name_unit', ['name', 'unit'], unique=False)

    op.create_table('cadre_measures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cadre_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('process_key', sa.String(length=64), nullable=False),
    sa.Column('measure', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('form', sa.Integer(), nullable=False),
    sa.Column('cadre_level', sa.String(length=16), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('effective_date', sa.Date(), nullable=True),
    sa.Column('impact_months', sa.Integer(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('decision_no', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('changed_at', service.models.types.UTCDateTime(), nullable=True),
    sa.Column('recorded_at', service.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'measure', name='uq_cadre_measures_case_measure')
    )
    with op.batch_alter_table('cadre_measures', schema=None) as batch_op:
        batch_op.create_index('ix_cadre_measures_cadre', ['cadre_id', 'effective_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_cadre_measures_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_cadre_measures_decided', ['decided_on', 'form'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cadre_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_cadre_id'), ['cadre_id'], unique=False)
        batch_op.create_foreign_key('fk_cases_cadre_id', 'cadres', ['cadre_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint('fk_cases_cadre_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cases_cadre_id'))
        batch_op.drop_column('cadre_id')

    with op.batch_alter_table('cadre_measures', schema=None) as batch_op:
        batch_op.drop_index('ix_cadre_measures_decided')
        batch_op.drop_index(batch_op.f('ix_cadre_measures_case_id'))
        batch_op.drop_index('ix_cadre_measures_cadre')

    op.drop_table('cadre_measures')
    with op.batch_alter_table('cadres', schema=None) as batch_op:
        batch_op.drop_index('ix_cadres_name_unit')
        batch_op.drop_index(batch_op.f('ix_cadres_merged_into_id'))

    op.drop_table('cadres')
