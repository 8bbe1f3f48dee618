"""consultation and loan registers: applications, approvals, loans, damage reports, use log

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from app.storage.migrations.helpers import (
    TZ,
    column,
    create_approvals,
    create_entity,
    create_table,
    ref,
)

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "staff_department",
        ref("user_id", "user_account"),
        column("department", sa.String(64)),
        key=("user_id",),
        indexed=["department"],
    )
    create_entity(
        "use_application",
        column("kind", sa.String(16)),
        column("state", sa.String(16)),
        ref("applicant_user_id", "user_account", nullable=True),
        column("applicant_name", sa.String(64)),
        column("outsider", sa.Boolean()),
        column("unit", sa.String(100)),
        column("department", sa.String(64)),
        column("credential", sa.String(16), nullable=True),
        column("credential_number_enc", sa.LargeBinary(), nullable=True),
        column("phone_enc", sa.LargeBinary(), nullable=True),
        column("purpose", sa.String(200)),
        column("reason", sa.Text()),
        column("requested_from", sa.Date(), nullable=True),
        column("requested_until", sa.Date(), nullable=True),
        column("secrecy_level", sa.String(16), nullable=True),
        column("steps", sa.Text()),
        column("renewal_of_loan_id", sa.Integer(), nullable=True),
        column("created_at", TZ),
        ref("created_by", "user_account", nullable=True),
        column("decided_at", TZ, nullable=True),
        column("rejection_reason", sa.Text()),
        column("version", sa.Integer()),
        numbered=True,
        indexed=["renewal_of_loan_id"],
    )
    op.create_index("ix_use_application_state", "use_application", ["state", "id"])
    create_entity(
        "use_application_volume",
        ref("application_id", "use_application", ondelete="CASCADE"),
        ref("volume_id", "volume"),
        column("items", sa.String(200)),
        column("pages", sa.String(200)),
        column("page_count", sa.Integer()),
        column("copies", sa.Integer()),
        pair=("application_id", "volume_id"),
        indexed=["application_id", "volume_id"],
    )
    create_approvals("use_approval", "application_id", "use_application")
    create_entity(
        "loan",
        ref("application_id", "use_application"),
        ref("volume_id", "volume"),
        column("kind", sa.String(16)),
        column("state", sa.String(16)),
        column("issued_at", TZ),
        ref("issued_by", "user_account", nullable=True),
        column("due_on", sa.Date()),
        column("renewals", sa.Integer()),
        column("expected_pages", sa.Integer()),
        column("expected_items", sa.Integer()),
        column("returned_at", TZ, nullable=True),
        ref("returned_by", "user_account", nullable=True),
        column("counted_pages", sa.Integer(), nullable=True),
        column("counted_items", sa.Integer(), nullable=True),
        column("condition", sa.String(16), nullable=True),
        column("effect", sa.String(200)),
        column("remarks", sa.Text()),
        column("reminders", sa.Integer()),
        column("last_reminded_at", TZ, nullable=True),
        column("version", sa.Integer()),
        numbered=True,
        indexed=["application_id", "volume_id", "issued_at"],
    )
    op.create_index("ix_loan_state_due", "loan", ["state", "due_on"])
    create_entity(
        "damage_report",
        ref("loan_id", "loan"),
        ref("volume_id", "volume"),
        column("kind", sa.String(16)),
        column("expected_pages", sa.Integer()),
        column("counted_pages", sa.Integer()),
        column("expected_items", sa.Integer()),
        column("counted_items", sa.Integer()),
        column("description", sa.Text()),
        column("state", sa.String(16)),
        column("opened_at", TZ),
        ref("opened_by", "user_account", nullable=True),
        column("resolved_at", TZ, nullable=True),
        ref("resolved_by", "user_account", nullable=True),
        column("resolution", sa.Text()),
        indexed=["loan_id", "volume_id", "state"],
    )
    create_entity(
        "use_log",
        column("occurred_at", TZ),
        column("kind", sa.String(16)),
        ref("application_id", "use_application"),
        ref("loan_id", "loan", nullable=True),
        ref("volume_id", "volume"),
        ref("operator_id", "user_account", nullable=True),
        column("applicant_user_id", sa.Integer(), nullable=True),
        column("applicant_name", sa.String(64)),
        column("department", sa.String(100)),
        column("purpose", sa.String(200)),
        column("pages_copied", sa.Integer()),
        indexed=["occurred_at", "application_id"],
    )


def downgrade() -> None:
    for table in (
        "use_log",
        "damage_report",
        "loan",
        "use_approval",
        "use_application_volume",
        "use_application",
        "staff_department",
    ):
        op.drop_table(table)
