"""item files of embedded databases in blob files beside the database

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The random name of the file's blob in ``<db>.files/`` (SQLite); NULL: chunks in file_chunk.
    with op.batch_alter_table("item_file") as batch:
        batch.add_column(sa.Column("blob_name", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("item_file") as batch:
        batch.drop_column("blob_name")
