"""plan periods, official figures' as-of and next update, indicator sheet uploads

Revision ID: k17period0001
Revises: k15events0001
Create Date: 2026-12-01 00:15:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'k17period0001'
down_revision: str | None = 'k15events0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('plan_period',
    sa.Column('target_year', sa.Integer(), nullable=False),
    sa.Column('baseline_year', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('target_year')
    )
    op.create_table('indicator_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_indicator_upload_user_id'), 'indicator_upload', ['user_id'], unique=False)
    with op.batch_alter_table('indicator_value') as batch:
        batch.add_column(sa.Column('as_of', sa.Date(), nullable=True))
        batch.add_column(sa.Column('next_update', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('indicator_value') as batch:
        batch.drop_column('next_update')
        batch.drop_column('as_of')
    op.drop_index(op.f('ix_indicator_upload_user_id'), table_name='indicator_upload')
    op.drop_table('indicator_upload')
    op.drop_table('plan_period')
