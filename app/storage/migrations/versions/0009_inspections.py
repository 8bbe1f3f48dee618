"""inspections: sessions, expected lists, scans, differences, checklist, climate log, repairs

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from app.storage.migrations.helpers import TZ, column, create_entity, create_table, ref

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_entity(
        "inspection_session",
        column("kind", sa.String(16)),
        ref("room_id", "storage_location"),
        column("scope_kind", sa.String(16)),
        column("scope_ids", sa.Text()),
        column("scope_label", sa.String(200)),
        column("inspected_on", sa.Date()),
        column("inspectors", sa.Text()),
        column("status", sa.String(16)),
        column("paused", sa.Boolean()),
        column("current_place_id", sa.Integer(), nullable=True),
        column("measures", sa.Text()),
        column("review", sa.Text()),
        column("note", sa.Text()),
        column("fixity", sa.Text()),
        column("created_at", TZ),
        ref("created_by", "user_account", nullable=True),
        column("counted_at", TZ, nullable=True),
        column("closed_at", TZ, nullable=True),
        ref("closed_by", "user_account", nullable=True),
        column("version", sa.Integer()),
        numbered=True,
    )
    op.create_index("ix_inspection_session_room", "inspection_session", ["room_id", "status"])
    create_table(
        "inspection_expected",
        ref("session_id", "inspection_session", ondelete="CASCADE"),
        column("volume_id", sa.Integer()),
        column("box_id", sa.Integer(), nullable=True),
        column("location_id", sa.Integer(), nullable=True),
        key=("session_id", "volume_id"),
    )
    create_entity(
        "inspection_scan",
        ref("session_id", "inspection_session", ondelete="CASCADE"),
        column("scanned_at", TZ),
        column("code", sa.String(80)),
        column("kind", sa.String(16)),
        column("object_id", sa.Integer(), nullable=True),
        column("place_id", sa.Integer(), nullable=True),
    )
    op.create_index(
        "ix_inspection_scan_session", "inspection_scan", ["session_id", "kind", "object_id"]
    )
    create_table(
        "inspection_found",
        ref("session_id", "inspection_session", ondelete="CASCADE"),
        column("volume_id", sa.Integer()),
        column("place_id", sa.Integer(), nullable=True),
        column("scan_id", sa.Integer()),
        key=("session_id", "volume_id"),
    )
    create_entity(
        "inspection_difference",
        ref("session_id", "inspection_session", ondelete="CASCADE"),
        column("kind", sa.String(16)),
        column("volume_id", sa.Integer(), nullable=True),
        column("file_id", sa.Integer(), nullable=True),
        column("code", sa.String(80)),
        column("home", sa.String(120)),
        column("seen", sa.String(120)),
        column("resolution", sa.String(16)),
        column("note", sa.Text()),
        column("resolved_at", TZ, nullable=True),
        ref("resolved_by", "user_account", nullable=True),
    )
    op.create_index(
        "ix_inspection_difference_session", "inspection_difference", ["session_id", "resolution"]
    )
    create_table(
        "inspection_check",
        ref("session_id", "inspection_session", ondelete="CASCADE"),
        column("seq", sa.Integer()),
        column("label", sa.String(100)),
        column("ok", sa.Boolean(), nullable=True),
        column("note", sa.Text()),
        key=("session_id", "seq"),
    )
    create_entity(
        "environment_reading",
        ref("room_id", "storage_location"),
        ref("session_id", "inspection_session", nullable=True),
        column("taken_at", TZ),
        column("temperature_dc", sa.Integer()),
        column("humidity_pm", sa.Integer()),
        column("note", sa.Text()),
        ref("recorded_by", "user_account", nullable=True),
    )
    op.create_index("ix_environment_reading_room", "environment_reading", ["room_id", "taken_at"])
    create_entity(
        "condition_record",
        ref("volume_id", "volume"),
        ref("session_id", "inspection_session", nullable=True),
        column("kind", sa.String(16)),
        column("description", sa.Text()),
        column("recorded_at", TZ),
        ref("recorded_by", "user_account", nullable=True),
        indexed=["volume_id", "session_id"],
    )
    create_entity(
        "repair_task",
        ref("volume_id", "volume"),
        ref("session_id", "inspection_session", nullable=True),
        ref("condition_id", "condition_record", nullable=True),
        column("kind", sa.String(16)),
        ref("responsible_user_id", "user_account", nullable=True),
        column("responsible_name", sa.String(64)),
        column("due_on", sa.Date()),
        column("state", sa.String(16)),
        column("note", sa.Text()),
        column("created_at", TZ),
        ref("created_by", "user_account", nullable=True),
        column("done_at", TZ, nullable=True),
        ref("done_by", "user_account", nullable=True),
        column("version", sa.Integer()),
        indexed=["volume_id", "session_id"],
    )
    op.create_index("ix_repair_task_state", "repair_task", ["state", "due_on"])


def downgrade() -> None:
    for table in (
        "repair_task",
        "condition_record",
        "environment_reading",
        "inspection_check",
        "inspection_difference",
        "inspection_found",
        "inspection_scan",
        "inspection_expected",
        "inspection_session",
    ):
        op.drop_table(table)
