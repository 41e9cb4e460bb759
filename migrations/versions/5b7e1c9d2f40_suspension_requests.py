"""suspension requests: a suspension (中止) waits for another person's approval

Revision ID: 5b7e1c9d2f40
Revises: 42a2c10650a7
Create Date: 2026-11-30 07:20:00
"""
from alembic import op
import sqlalchemy as sa
import service.models.types


revision = '5b7e1c9d2f40'
down_revision = '42a2c10650a7'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows written before this revision stopped the clock at once: they count as approved.
    with op.batch_alter_table('deadline_suspensions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='approved', nullable=False))
        batch_op.add_column(sa.Column('requested_at', service.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', service.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('decision_note', sa.Text(), server_default='', nullable=False))
        batch_op.create_foreign_key('fk_deadline_suspensions_decided_by_id_users', 'users', ['decided_by_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('deadline_suspensions', schema=None) as batch_op:
        batch_op.drop_constraint('fk_deadline_suspensions_decided_by_id_users', type_='foreignkey')
        batch_op.drop_column('decision_note')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('requested_at')
        batch_op.drop_column('status')
