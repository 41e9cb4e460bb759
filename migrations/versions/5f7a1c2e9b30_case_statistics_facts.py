"""statistics facts on cases (cadre level, form, measures, clue source/channel, disposal, ...) and their index

Revision ID: 5f7a1c2e9b30
Revises: 7c3d9e2a1b64
Create Date: 2026-11-30 07:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '5f7a1c2e9b30'
down_revision = '7c3d9e2a1b64'
branch_labels = None
depends_on = None

COLUMNS = (
    ('cadre_level', sa.String(length=16)),
    ('disposition_form', sa.SmallInteger()),
    ('measures', sa.String(length=512)),
    ('clue_source', sa.String(length=32)),
    ('clue_channel', sa.String(length=8)),
    ('real_name', sa.Boolean()),
    ('disposal', sa.String(length=16)),
    ('finding', sa.String(length=16)),
    ('cleared', sa.Boolean()),
    ('report_type', sa.String(length=8)),
    ('grade', sa.String(length=8)),
    ('visited', sa.Boolean()),
)


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        batch_op.create_index('ix_cases_stats', ['process_key', 'created_at', 'department_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_stats')
        for name, _type in reversed(COLUMNS):
            batch_op.drop_column(name)
