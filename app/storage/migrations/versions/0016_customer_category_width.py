"""Customer category up to 32 characters: ``financial_adviser`` (17) did not fit on PostgreSQL

SQLite does not enforce VARCHAR lengths, so this revision changes nothing there (no table
rebuild); PostgreSQL refused every customer of that category.

Revision ID: 0016
Revises: 0010
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.alter_column(
        "customer", "category", type_=sa.String(32), existing_type=sa.String(16), nullable=False
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.alter_column(
        "customer", "category", type_=sa.String(16), existing_type=sa.String(32), nullable=False
    )
