"""Statistics reports: drafts, approvals, released frozen figures, distribution register (issue 19)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from app.storage.migrations.helpers import TZ, column, create_approvals, create_entity, ref

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


INDEXES = (
    (
        "ix_volume_holdings",
        "volume",
        [
            "category_code",
            "year",
            "retention",
            "secrecy_level",
            "state",
            "item_count",
            "page_count",
        ],
    ),
    ("ix_volume_created_items", "volume", ["created_at", "item_count"]),
    ("ix_archive_item_carrier", "archive_item", ["carrier"]),
    ("ix_customer_classes", "customer", ["party", "kind", "category", "status", "importance"]),
    ("ix_customer_created_at", "customer", ["created_at"]),
    ("ix_loan_returned_at", "loan", ["returned_at"]),
    ("ix_customer_status_change_new", "customer_status_change", ["new_status", "changed_at"]),
)


def upgrade() -> None:
    # the reports read these indexes instead of the tables (a million rows each in the large demo)
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    create_entity(
        "statistics_report",
        column("number", sa.String(16), nullable=True),
        column("version", sa.Integer()),
        ref("previous_id", "statistics_report", nullable=True),
        column("kind", sa.String(16)),
        column("title", sa.String(200)),
        column("period_from", sa.Date()),
        column("period_to", sa.Date()),
        column("filters", sa.Text()),
        column("route", sa.String(24)),
        column("requested_by", sa.String(100)),
        column("steps", sa.Text()),
        column("state", sa.String(16)),
        column("data", sa.Text()),
        column("change_note", sa.Text()),
        ref("compiled_by", "user_account"),
        column("compiled_by_name", sa.String(64)),
        column("compiled_at", TZ),
        column("submitted_at", TZ, nullable=True),
        column("decided_at", TZ, nullable=True),
        column("rejection_reason", sa.Text()),
        indexed=["number"],
    )
    op.create_index("ix_statistics_report_state", "statistics_report", ["state", "id"])
    create_approvals("statistics_approval", "report_id", "statistics_report")
    create_entity(
        "statistics_distribution",
        ref("report_id", "statistics_report"),
        column("recipient", sa.String(100)),
        column("copies", sa.Integer()),
        column("given_on", sa.Date()),
        column("note", sa.Text()),
        ref("recorded_by", "user_account"),
        column("recorded_at", TZ),
        indexed=["report_id"],
    )


def downgrade() -> None:
    for name, table, _columns in INDEXES:
        op.drop_index(name, table_name=table)
    op.drop_index("ix_statistics_distribution_report_id", table_name="statistics_distribution")
    op.drop_table("statistics_distribution")
    op.drop_index("ix_statistics_approval_report_id", table_name="statistics_approval")
    op.drop_table("statistics_approval")
    op.drop_index("ix_statistics_report_state", table_name="statistics_report")
    op.drop_index("ix_statistics_report_number", table_name="statistics_report")
    op.drop_table("statistics_report")
