"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Written with ``app.storage.migrations.helpers`` since; the SQL it creates is unchanged.
"""

import sqlalchemy as sa
from alembic import op

from app.storage.migrations.helpers import column, fk, pk, unique

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _indexes(table: str, *columns: str) -> None:
    """One plain index ``ix_<table>_<column>`` per column."""
    for name in columns:
        op.create_index(f"ix_{table}_{name}", table, [name])


def _accounts() -> None:
    t = "audit_entry"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("occurred_at", TZ),
        column("actor_id", sa.Integer(), nullable=True),
        column("actor_name", sa.String(64)),
        column("action", sa.String(64)),
        column("object_type", sa.String(32), nullable=True),
        column("object_id", sa.String(64), nullable=True),
        column("purpose", sa.String(200), nullable=True),
        column("details", sa.Text()),
        column("workstation", sa.String(64), nullable=True),
        column("prev_hash", sa.LargeBinary(), nullable=True),
        column("entry_hash", sa.LargeBinary(), nullable=True),
        pk(t, "id"),
    )
    _indexes(t, "action", "actor_id", "occurred_at")
    t = "keyring"
    op.create_table(t, column("id", sa.Integer()), column("document", sa.Text()), pk(t, "id"))
    t = "setting"
    op.create_table(t, column("key", sa.String(64)), column("value", sa.Text()), pk(t, "key"))
    t = "user_account"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("username", sa.String(64)),
        column("username_key", sa.String(64)),
        column("display_name", sa.String(64)),
        column("approver_title", sa.String(32), nullable=True),
        column("disabled", sa.Boolean()),
        column("must_change_password", sa.Boolean()),
        column("created_at", TZ),
        column("password_changed_at", TZ, nullable=True),
        column("last_sign_in_at", TZ, nullable=True),
        pk(t, "id"),
        unique(t, "username_key"),
    )


def _customers() -> None:
    t = "customer"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("number", sa.String(16)),
        column("row_key", sa.String(32)),
        column("key_id", sa.String(32)),
        column("party", sa.String(8)),
        column("kind", sa.String(16)),
        column("category", sa.String(16)),
        column("status", sa.String(16)),
        column("importance", sa.String(16)),
        column("name", sa.String(200)),
        column("gender", sa.String(8), nullable=True),
        column("birth_date_enc", sa.LargeBinary(), nullable=True),
        column("id_type", sa.String(16), nullable=True),
        column("id_number_enc", sa.LargeBinary(), nullable=True),
        column("id_number_bidx", sa.LargeBinary(), nullable=True),
        column("email_enc", sa.LargeBinary(), nullable=True),
        column("responsible_user_id", sa.Integer(), nullable=True),
        column("consent_date", sa.Date(), nullable=True),
        column("consent_purpose", sa.String(200)),
        column("consent_until", sa.Date(), nullable=True),
        column("consent_method", sa.String(32)),
        column("remarks", sa.Text()),
        column("index_remarks", sa.Text()),
        column("suspected_duplicate", sa.Boolean()),
        column("created_at", TZ),
        column("updated_at", TZ),
        column("version", sa.Integer()),
        fk(t, "responsible_user_id", "user_account"),
        pk(t, "id"),
        unique(t, "id_number_bidx"),
        unique(t, "number"),
        unique(t, "row_key"),
    )
    _indexes(t, "status", "suspected_duplicate")
    t = "user_role"
    op.create_table(
        t,
        column("user_id", sa.Integer()),
        column("role", sa.String(16)),
        fk(t, "user_id", "user_account"),
        pk(t, "user_id", "role"),
    )
    t = "customer_address"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("customer_id", sa.Integer()),
        column("position", sa.Integer()),
        column("label", sa.String(16)),
        column("address_enc", sa.LargeBinary()),
        fk(t, "customer_id", "customer", ondelete="CASCADE"),
        pk(t, "id"),
    )
    _indexes(t, "customer_id")
    t = "customer_bank_account"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("customer_id", sa.Integer()),
        column("position", sa.Integer()),
        column("bank_name", sa.String(100)),
        column("account_enc", sa.LargeBinary()),
        column("account_bidx", sa.LargeBinary()),
        fk(t, "customer_id", "customer", ondelete="CASCADE"),
        pk(t, "id"),
    )
    _indexes(t, "account_bidx", "customer_id")
    t = "customer_phone"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("customer_id", sa.Integer()),
        column("position", sa.Integer()),
        column("label", sa.String(16)),
        column("phone_enc", sa.LargeBinary()),
        column("phone_bidx", sa.LargeBinary()),
        column("tail_bidx", sa.LargeBinary()),
        fk(t, "customer_id", "customer", ondelete="CASCADE"),
        pk(t, "id"),
    )
    _indexes(t, "customer_id", "phone_bidx", "tail_bidx")
    t = "customer_status_change"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("customer_id", sa.Integer()),
        column("old_status", sa.String(16), nullable=True),
        column("new_status", sa.String(16)),
        column("changed_at", TZ),
        column("changed_by", sa.Integer(), nullable=True),
        column("note", sa.String(200)),
        fk(t, "customer_id", "customer", ondelete="CASCADE"),
        pk(t, "id"),
    )
    _indexes(t, "customer_id")
    t = "duplicate_flag"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("customer_id", sa.Integer()),
        column("other_customer_id", sa.Integer()),
        column("reason", sa.String(16)),
        column("created_at", TZ),
        column("cleared_at", TZ, nullable=True),
        column("cleared_by", sa.Integer(), nullable=True),
        column("note", sa.String(200)),
        fk(t, "customer_id", "customer", ondelete="CASCADE"),
        fk(t, "other_customer_id", "customer", ondelete="CASCADE"),
        pk(t, "id"),
    )
    _indexes(t, "customer_id", "other_customer_id")
    t = "volume"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("reference_code", sa.String(64)),
        column("customer_id", sa.Integer()),
        column("year", sa.Integer()),
        column("title", sa.String(300)),
        column("retention", sa.String(8)),
        column("secrecy_level", sa.String(8), nullable=True),
        column("created_at", TZ),
        fk(t, "customer_id", "customer"),
        pk(t, "id"),
        unique(t, "reference_code"),
    )
    _indexes(t, "customer_id")


def upgrade() -> None:
    _accounts()
    _customers()


def downgrade() -> None:
    # dropping a table drops its indexes with it
    for t in (
        "volume",
        "duplicate_flag",
        "customer_status_change",
        "customer_phone",
        "customer_bank_account",
        "customer_address",
        "user_role",
        "customer",
        "user_account",
        "setting",
        "keyring",
        "audit_entry",
    ):
        op.drop_table(t)
