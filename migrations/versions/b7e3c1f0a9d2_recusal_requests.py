"""recusal requests: declarations, challenges, decisions and lifting of 回避

Revision ID: b7e3c1f0a9d2
Revises: 5f7a1c2e9b30
Create Date: 2026-11-30 07:05:00
"""
from alembic import op
import sqlalchemy as sa
import service.models.types


revision = 'b7e3c1f0a9d2'
down_revision = '5f7a1c2e9b30'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('recusal_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('challenger', sa.String(length=16), nullable=True),
    sa.Column('ground', sa.String(length=32), nullable=False),
    sa.Column('grounds', sa.Text(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', service.models.types.UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', service.models.types.UTCDateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('lifted_by_id', sa.Integer(), nullable=True),
    sa.Column('lifted_at', service.models.types.UTCDateTime(), nullable=True),
    sa.Column('lift_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recusal_requests', schema=None) as batch_op:
        batch_op.create_index('ix_recusal_requests_case_status', ['case_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_recusal_requests_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('recusal_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recusal_requests_user_id'))
        batch_op.drop_index('ix_recusal_requests_case_status')
    op.drop_table('recusal_requests')
