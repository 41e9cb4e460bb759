"""work items: the position a step was completed as ("approved as")

Revision ID: 5c0f1e2d3a4b
Revises: c4d2e8a1b3f5
Create Date: 2026-11-30 07:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '5c0f1e2d3a4b'
down_revision = 'c4d2e8a1b3f5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completed_as', sa.String(length=160), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.drop_column('completed_as')
