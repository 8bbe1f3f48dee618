"""Volume counts for the appraisal queue, kept by triggers on volume (issue 17)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from app.storage import volume_tally
from app.storage.migrations.helpers import column, pk

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    t = "volume_tally"
    op.create_table(
        t,
        column("retention", sa.String(8)),
        column("year", sa.Integer()),
        column("category_code", sa.String(8)),
        column("until_year", sa.Integer()),
        column("state", sa.String(16)),
        column("secrecy_level", sa.String(16)),
        column("n", sa.Integer()),
        pk(t, "retention", "year", "category_code", "until_year", "state", "secrecy_level"),
    )
    conn = op.get_bind()
    volume_tally.create_triggers(conn)
    volume_tally.rebuild(conn)


def downgrade() -> None:
    volume_tally.drop_triggers(op.get_bind())
    op.drop_table("volume_tally")
