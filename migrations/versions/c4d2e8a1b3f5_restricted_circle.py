"""cases: restricted_circle (clues that go to the higher body: read by intake and the principal only)

Revision ID: c4d2e8a1b3f5
Revises: b7e3c1f0a9d2
Create Date: 2026-11-30 07:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c4d2e8a1b3f5'
down_revision = 'b7e3c1f0a9d2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('restricted_circle', sa.String(length=16), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('restricted_circle')
