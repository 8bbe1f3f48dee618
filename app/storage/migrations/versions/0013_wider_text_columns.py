"""Wider columns PostgreSQL enforced: customer category 32, item file media type 128

``financial_adviser`` (17 characters) did not fit a customer's VARCHAR(16) category, and the
Office media types (``application/vnd.openxmlformats-officedocument.wordprocessingml.document``,
71) did not fit an item file's VARCHAR(64): PostgreSQL refused those customers and files.
SQLite does not enforce VARCHAR lengths, so this revision changes nothing there (no table
rebuild).

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None

WIDER = (("customer", "category", 16, 32), ("item_file", "media_type", 64, 128))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, old, new in WIDER:
        op.alter_column(
            table, column, type_=sa.String(new), existing_type=sa.String(old), nullable=False
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, old, new in WIDER:
        op.alter_column(
            table, column, type_=sa.String(old), existing_type=sa.String(new), nullable=False
        )
