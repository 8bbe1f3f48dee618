"""import batches: what each ledger import wrote, for undo

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from app.storage.migrations.helpers import TZ, column, create_entity, ref

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_entity(
        "import_batch",
        column("kind", sa.String(16)),
        column("state", sa.String(16)),
        column("mode", sa.String(16)),
        column("created_at", TZ),
        ref("created_by", "user_account", nullable=True),
        column("rows_total", sa.Integer()),
        column("rows_imported", sa.Integer()),
        column("rows_rejected", sa.Integer()),
        column("spans", sa.Text()),
        column("header_signature", sa.String(32)),
        column("undone_at", TZ, nullable=True),
        ref("undone_by", "user_account", nullable=True),
    )


def downgrade() -> None:
    op.drop_table("import_batch")
