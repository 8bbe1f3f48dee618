"""disposition: legal holds (冻结), appraisals (鉴定), destruction lists (销毁清册), file keys

Issue 17 (R12, R13, R44, R46). A hold freezes customers, volumes or a query of volumes until an
approver releases it. An appraisal records its appraisers and a decision per volume. A 销毁清册
lists the volumes to destroy, its approvals and, once carried out, its two 监销人; appended notes
correct it afterwards (the list itself is never edited once approved).
``destruction_list_volume.open_volume_id`` holds the volume id while the list is open and NULL
afterwards: its unique constraint keeps a volume on one open list only.

``volume.retention_until``: the last year of a retention extended by an appraisal (NULL: the
period of ``retention``). ``item_file.key_id``: a file's own key in the key vault (files
attached from now on), destroyed when the file is destroyed (crypto-erasure); NULL for older
files, sealed under the customer's key, whose stored chunks are destroyed instead.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from app.storage.migrations.helpers import TZ, column, create_approvals, create_entity, ref

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _holds() -> None:
    create_entity(
        "legal_hold",
        column("reason", sa.Text()),
        column("state", sa.String(16)),
        column("query", sa.Text(), server_default=""),
        ref("created_by", "user_account", nullable=True),
        column("created_by_name", sa.String(64)),
        column("created_at", TZ),
        ref("released_by", "user_account", nullable=True),
        column("released_by_name", sa.String(64), server_default=""),
        column("released_at", TZ, nullable=True),
        column("release_reason", sa.Text(), server_default=""),
        column("version", sa.Integer(), server_default="1"),
        numbered=True,
        indexed=["state"],
    )
    create_entity(
        "legal_hold_target",
        ref("hold_id", "legal_hold", ondelete="CASCADE"),
        ref("customer_id", "customer", nullable=True),
        ref("volume_id", "volume", nullable=True),
        indexed=["hold_id", "customer_id", "volume_id"],
    )


def _appraisals() -> None:
    create_entity(
        "appraisal",
        column("state", sa.String(16)),
        column("appraised_on", sa.Date()),
        column("opinion", sa.Text(), server_default=""),
        ref("created_by", "user_account", nullable=True),
        column("created_at", TZ),
        ref("closed_by", "user_account", nullable=True),
        column("closed_at", TZ, nullable=True),
        column("version", sa.Integer(), server_default="1"),
        numbered=True,
    )
    create_entity(
        "appraisal_member",
        ref("appraisal_id", "appraisal", ondelete="CASCADE"),
        ref("user_id", "user_account"),
        column("name", sa.String(64)),
        column("seq", sa.Integer()),
        pair=("appraisal_id", "user_id"),
    )
    create_entity(
        "appraisal_decision",
        ref("appraisal_id", "appraisal", ondelete="CASCADE"),
        ref("volume_id", "volume"),
        column("decision", sa.String(16)),
        column("new_retention_until", sa.Integer(), nullable=True),
        column("reason", sa.Text(), server_default=""),
        column("recipient", sa.String(100), server_default=""),
        column("opinion", sa.Text(), server_default=""),
        ref("decided_by", "user_account", nullable=True),
        column("decided_at", TZ),
        pair=("appraisal_id", "volume_id"),
        indexed=["volume_id"],
    )


def _lists() -> None:
    create_entity(
        "destruction_list",
        column("state", sa.String(16)),
        ref("appraisal_id", "appraisal", nullable=True),
        column("reason", sa.Text(), server_default=""),
        column("steps", sa.Text(), server_default="[]"),
        ref("compiled_by", "user_account", nullable=True),
        column("compiled_by_name", sa.String(64)),
        column("compiled_at", TZ),
        column("submitted_at", TZ, nullable=True),
        column("decided_at", TZ, nullable=True),
        column("rejection_reason", sa.Text(), server_default=""),
        column("carried_out_on", sa.Date(), nullable=True),
        column("carried_out_at", TZ, nullable=True),
        column("place", sa.String(100), server_default=""),
        column("method", sa.String(32), server_default=""),
        ref("witness1_id", "user_account", nullable=True),
        column("witness1_name", sa.String(64), server_default=""),
        ref("witness2_id", "user_account", nullable=True),
        column("witness2_name", sa.String(64), server_default=""),
        ref("recorded_by", "user_account", nullable=True),
        column("version", sa.Integer(), server_default="1"),
        numbered=True,
        indexed=["state"],
    )
    create_entity(
        "destruction_list_volume",
        ref("list_id", "destruction_list", ondelete="CASCADE"),
        ref("volume_id", "volume"),
        column("open_volume_id", sa.Integer(), nullable=True),
        column("seq", sa.Integer()),
        column("reference_code", sa.String(64)),
        column("title", sa.String(300)),
        column("date_range", sa.String(32), server_default=""),
        column("secrecy", sa.String(16), server_default=""),
        column("quantity", sa.String(32), server_default=""),
        column("retention", sa.String(16), server_default=""),
        column("kept", sa.String(16), server_default=""),
        column("reason", sa.Text(), server_default=""),
        column("remarks", sa.Text(), server_default=""),
        unique_columns=["open_volume_id"],
        pair=("list_id", "volume_id"),
        indexed=["volume_id"],
    )
    create_approvals(
        "destruction_approval",
        "list_id",
        "destruction_list",
        approver_nullable=True,
        opinion_default="",
    )
    create_entity(
        "destruction_note",
        ref("list_id", "destruction_list", ondelete="CASCADE"),
        column("text", sa.Text()),
        ref("created_by", "user_account", nullable=True),
        column("created_by_name", sa.String(64)),
        column("created_at", TZ),
        indexed=["list_id"],
    )


def upgrade() -> None:
    _holds()
    _appraisals()
    _lists()
    op.add_column("volume", sa.Column("retention_until", sa.Integer(), nullable=True))
    # the appraisal queue (issue 17): range scans by retention and year that also cover the
    # group columns and the filters, and the few volumes out on loan or in repair
    op.create_index(
        "ix_volume_retention_year",
        "volume",
        ["retention", "year", "category_code", "retention_until", "state", "secrecy_level"],
    )
    op.create_index("ix_volume_state", "volume", ["state"])
    op.create_index("ix_volume_retention_until", "volume", ["retention_until"])
    op.add_column("item_file", sa.Column("key_id", sa.String(32), nullable=True))


def downgrade() -> None:
    op.drop_column("item_file", "key_id")
    op.drop_index("ix_volume_retention_until", table_name="volume")
    op.drop_index("ix_volume_state", table_name="volume")
    op.drop_index("ix_volume_retention_year", table_name="volume")
    op.drop_column("volume", "retention_until")
    for t in (
        "destruction_note",
        "destruction_approval",
        "destruction_list_volume",
        "destruction_list",
        "appraisal_decision",
        "appraisal_member",
        "appraisal",
        "legal_hold_target",
        "legal_hold",
    ):
        op.drop_table(t)
