"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Written with ``app.storage.migrations.helpers`` since; the SQL it creates is unchanged.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from app.storage.migrations.helpers import TZ, column, create_entity, create_table, ref

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _accounts() -> None:
    create_entity(
        "audit_entry",
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
        indexed=["action", "actor_id", "occurred_at"],
    )
    create_entity("keyring", column("document", sa.Text()))
    create_table("setting", column("key", sa.String(64)), column("value", sa.Text()), key=("key",))
    create_entity(
        "user_account",
        column("username", sa.String(64)),
        column("username_key", sa.String(64)),
        column("display_name", sa.String(64)),
        column("approver_title", sa.String(32), nullable=True),
        column("disabled", sa.Boolean()),
        column("must_change_password", sa.Boolean()),
        column("created_at", TZ),
        column("password_changed_at", TZ, nullable=True),
        column("last_sign_in_at", TZ, nullable=True),
        unique_columns=["username_key"],
    )


def _customer_list(name: str, *columns: sa.Column[Any], indexed: Sequence[str] = ()) -> None:
    """One of a customer's numbered lists (addresses, bank accounts, phones): its rows go with
    the customer and are found by ``customer_id``."""
    create_entity(
        name,
        ref("customer_id", "customer", ondelete="CASCADE"),
        column("position", sa.Integer()),
        *columns,
        indexed=["customer_id", *indexed],
    )


def _customers() -> None:
    create_entity(
        "customer",
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
        ref("responsible_user_id", "user_account", nullable=True),
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
        unique_columns=["id_number_bidx", "number", "row_key"],
        indexed=["status", "suspected_duplicate"],
    )
    create_table(
        "user_role",
        ref("user_id", "user_account"),
        column("role", sa.String(16)),
        key=("user_id", "role"),
    )
    _customer_list(
        "customer_address", column("label", sa.String(16)), column("address_enc", sa.LargeBinary())
    )
    _customer_list(
        "customer_bank_account",
        column("bank_name", sa.String(100)),
        column("account_enc", sa.LargeBinary()),
        column("account_bidx", sa.LargeBinary()),
        indexed=["account_bidx"],
    )
    _customer_list(
        "customer_phone",
        column("label", sa.String(16)),
        column("phone_enc", sa.LargeBinary()),
        column("phone_bidx", sa.LargeBinary()),
        column("tail_bidx", sa.LargeBinary()),
        indexed=["phone_bidx", "tail_bidx"],
    )
    create_entity(
        "customer_status_change",
        ref("customer_id", "customer", ondelete="CASCADE"),
        column("old_status", sa.String(16), nullable=True),
        column("new_status", sa.String(16)),
        column("changed_at", TZ),
        column("changed_by", sa.Integer(), nullable=True),
        column("note", sa.String(200)),
        indexed=["customer_id"],
    )
    create_entity(
        "duplicate_flag",
        ref("customer_id", "customer", ondelete="CASCADE"),
        ref("other_customer_id", "customer", ondelete="CASCADE"),
        column("reason", sa.String(16)),
        column("created_at", TZ),
        column("cleared_at", TZ, nullable=True),
        column("cleared_by", sa.Integer(), nullable=True),
        column("note", sa.String(200)),
        indexed=["customer_id", "other_customer_id"],
    )
    create_entity(
        "volume",
        column("reference_code", sa.String(64)),
        ref("customer_id", "customer"),
        column("year", sa.Integer()),
        column("title", sa.String(300)),
        column("retention", sa.String(8)),
        column("secrecy_level", sa.String(8), nullable=True),
        column("created_at", TZ),
        unique_columns=["reference_code"],
        indexed=["customer_id"],
    )


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
