"""the request that queued a mail or a WeCom message, for its delivery's log lines

Revision ID: k19obs0001
Revises: r18i18n0001
Create Date: 2026-12-01 03:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'k19obs0001'
down_revision: str | None = 'r18i18n0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ('outgoing_mail', 'webhook_delivery'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('request_id', sa.String(length=64), nullable=True))


def downgrade() -> None:
    for table in ('webhook_delivery', 'outgoing_mail'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('request_id')
