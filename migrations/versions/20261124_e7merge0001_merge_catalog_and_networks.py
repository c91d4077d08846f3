"""merge catalog and networks

Revision ID: e7merge0001
Revises: c5catalog0001, d6networks0001
Create Date: 2026-11-24 07:06:24.880582
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'e7merge0001'
down_revision: str | tuple[str, ...] | None = ('c5catalog0001', 'd6networks0001')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
