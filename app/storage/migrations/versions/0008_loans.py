"""consultation and loan registers: applications, approvals, loans, damage reports, use log

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from app.storage.migrations.helpers import fk, pk, unique

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_department",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(64), nullable=False),
        fk("staff_department", "user_id", "user_account"),
        pk("staff_department", "user_id"),
    )
    op.create_index("ix_staff_department_department", "staff_department", ["department"])
    op.create_table(
        "use_application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("applicant_user_id", sa.Integer(), nullable=True),
        sa.Column("applicant_name", sa.String(64), nullable=False),
        sa.Column("outsider", sa.Boolean(), nullable=False),
        sa.Column("unit", sa.String(100), nullable=False),
        sa.Column("department", sa.String(64), nullable=False),
        sa.Column("credential", sa.String(16), nullable=True),
        sa.Column("credential_number_enc", sa.LargeBinary(), nullable=True),
        sa.Column("phone_enc", sa.LargeBinary(), nullable=True),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_from", sa.Date(), nullable=True),
        sa.Column("requested_until", sa.Date(), nullable=True),
        sa.Column("secrecy_level", sa.String(16), nullable=True),
        sa.Column("steps", sa.Text(), nullable=False),
        sa.Column("renewal_of_loan_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        fk("use_application", "applicant_user_id", "user_account"),
        fk("use_application", "created_by", "user_account"),
        pk("use_application", "id"),
        unique("use_application", "number"),
    )
    op.create_index("ix_use_application_state", "use_application", ["state", "id"])
    op.create_index(
        "ix_use_application_renewal_of_loan_id", "use_application", ["renewal_of_loan_id"]
    )
    op.create_table(
        "use_application_volume",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("volume_id", sa.Integer(), nullable=False),
        sa.Column("items", sa.String(200), nullable=False),
        sa.Column("pages", sa.String(200), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("copies", sa.Integer(), nullable=False),
        fk("use_application_volume", "application_id", "use_application", ondelete="CASCADE"),
        fk("use_application_volume", "volume_id", "volume"),
        pk("use_application_volume", "id"),
        sa.UniqueConstraint("application_id", "volume_id", name="uq_use_application_volume_pair"),
    )
    op.create_index(
        "ix_use_application_volume_application_id", "use_application_volume", ["application_id"]
    )
    op.create_index("ix_use_application_volume_volume_id", "use_application_volume", ["volume_id"])
    op.create_table(
        "use_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("approver_user_id", sa.Integer(), nullable=False),
        sa.Column("approver_name", sa.String(64), nullable=False),
        sa.Column("approver_title", sa.String(32), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        fk("use_approval", "application_id", "use_application", ondelete="CASCADE"),
        fk("use_approval", "approver_user_id", "user_account"),
        pk("use_approval", "id"),
    )
    op.create_index("ix_use_approval_application_id", "use_approval", ["application_id"])
    op.create_table(
        "loan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("volume_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("renewals", sa.Integer(), nullable=False),
        sa.Column("expected_pages", sa.Integer(), nullable=False),
        sa.Column("expected_items", sa.Integer(), nullable=False),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("returned_by", sa.Integer(), nullable=True),
        sa.Column("counted_pages", sa.Integer(), nullable=True),
        sa.Column("counted_items", sa.Integer(), nullable=True),
        sa.Column("condition", sa.String(16), nullable=True),
        sa.Column("effect", sa.String(200), nullable=False),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.Column("reminders", sa.Integer(), nullable=False),
        sa.Column("last_reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        fk("loan", "application_id", "use_application"),
        fk("loan", "volume_id", "volume"),
        fk("loan", "issued_by", "user_account"),
        fk("loan", "returned_by", "user_account"),
        pk("loan", "id"),
        unique("loan", "number"),
    )
    op.create_index("ix_loan_application_id", "loan", ["application_id"])
    op.create_index("ix_loan_volume_id", "loan", ["volume_id"])
    op.create_index("ix_loan_state_due", "loan", ["state", "due_on"])
    op.create_index("ix_loan_issued_at", "loan", ["issued_at"])
    op.create_table(
        "damage_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("volume_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("expected_pages", sa.Integer(), nullable=False),
        sa.Column("counted_pages", sa.Integer(), nullable=False),
        sa.Column("expected_items", sa.Integer(), nullable=False),
        sa.Column("counted_items", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        fk("damage_report", "loan_id", "loan"),
        fk("damage_report", "volume_id", "volume"),
        fk("damage_report", "opened_by", "user_account"),
        fk("damage_report", "resolved_by", "user_account"),
        pk("damage_report", "id"),
    )
    op.create_index("ix_damage_report_loan_id", "damage_report", ["loan_id"])
    op.create_index("ix_damage_report_volume_id", "damage_report", ["volume_id"])
    op.create_index("ix_damage_report_state", "damage_report", ["state"])
    op.create_table(
        "use_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=True),
        sa.Column("volume_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("applicant_user_id", sa.Integer(), nullable=True),
        sa.Column("applicant_name", sa.String(64), nullable=False),
        sa.Column("department", sa.String(100), nullable=False),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("pages_copied", sa.Integer(), nullable=False),
        fk("use_log", "application_id", "use_application"),
        fk("use_log", "loan_id", "loan"),
        fk("use_log", "volume_id", "volume"),
        fk("use_log", "operator_id", "user_account"),
        pk("use_log", "id"),
    )
    op.create_index("ix_use_log_occurred_at", "use_log", ["occurred_at"])
    op.create_index("ix_use_log_application_id", "use_log", ["application_id"])


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
