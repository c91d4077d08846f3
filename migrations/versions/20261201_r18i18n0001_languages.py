"""interface language per user, English title and summary on listings

Revision ID: r18i18n0001
Revises: p16fund0001
Create Date: 2026-12-01 00:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'r18i18n0001'
down_revision: str | None = 'p16fund0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=8), nullable=True))
    for table in ('solution', 'demand', 'funding', 'platform', 'incubation'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('title_en', sa.String(length=200), server_default='', nullable=False)
            )
            batch_op.add_column(sa.Column('summary_en', sa.String(), server_default='', nullable=False))


def downgrade() -> None:
    for table in ('incubation', 'platform', 'funding', 'demand', 'solution'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('summary_en')
            batch_op.drop_column('title_en')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('locale')
