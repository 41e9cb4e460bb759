"""work items record the decision taken, the opinion, and which approval returned a reopened step

Revision ID: 7c3d9e2a1b64
Revises: 5591de794214
Create Date: 2026-11-30 07:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '7c3d9e2a1b64'
down_revision = '5591de794214'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('opinion', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('returned_by_item_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_work_items_returned_by_item_id_work_items', 'work_items',
                                    ['returned_by_item_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.drop_constraint('fk_work_items_returned_by_item_id_work_items', type_='foreignkey')
        batch_op.drop_column('returned_by_item_id')
        batch_op.drop_column('opinion')
        batch_op.drop_column('decision')
