"""clue allegations on cases

Revision ID: 2a0fd5e719c3
Revises: 5c0f1e2d3a4b
Create Date: 2026-11-30 06:55:37.093379
"""
from alembic import op
import sqlalchemy as sa
import service.models.types


revision = '2a0fd5e719c3'
down_revision = '5c0f1e2d3a4b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allegation_summary', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('allegation_category', sa.String(length=32), nullable=False, server_default=''))



def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('allegation_category')
        batch_op.drop_column('allegation_summary')

