"""inspections: sessions, expected lists, scans, differences, checklist, climate log, repairs

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from app.storage.migrations.helpers import fk, pk, unique

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    t = "inspection_session"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("scope_kind", sa.String(16), nullable=False),
        sa.Column("scope_ids", sa.Text(), nullable=False),
        sa.Column("scope_label", sa.String(200), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("inspectors", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("current_place_id", sa.Integer(), nullable=True),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("review", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("fixity", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        fk(t, "room_id", "storage_location"),
        fk(t, "created_by", "user_account"),
        fk(t, "closed_by", "user_account"),
        pk(t, "id"),
        unique("inspection_session", "number"),
    )
    op.create_index("ix_inspection_session_room", t, ["room_id", "status"])

    t = "inspection_expected"
    op.create_table(
        t,
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("volume_id", sa.Integer(), nullable=False),
        sa.Column("box_id", sa.Integer(), nullable=True),
        sa.Column("location_id", sa.Integer(), nullable=True),
        fk(t, "session_id", "inspection_session", ondelete="CASCADE"),
        pk(t, "session_id", "volume_id"),
    )

    t = "inspection_scan"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("place_id", sa.Integer(), nullable=True),
        fk(t, "session_id", "inspection_session", ondelete="CASCADE"),
        pk(t, "id"),
    )
    op.create_index("ix_inspection_scan_session", t, ["session_id", "kind", "object_id"])

    t = "inspection_found"
    op.create_table(
        t,
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("volume_id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=True),
        sa.Column("scan_id", sa.Integer(), nullable=False),
        fk(t, "session_id", "inspection_session", ondelete="CASCADE"),
        pk(t, "session_id", "volume_id"),
    )

    t = "inspection_difference"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("volume_id", sa.Integer(), nullable=True),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(80), nullable=False),
        sa.Column("home", sa.String(120), nullable=False),
        sa.Column("seen", sa.String(120), nullable=False),
        sa.Column("resolution", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        fk(t, "session_id", "inspection_session", ondelete="CASCADE"),
        fk(t, "resolved_by", "user_account"),
        pk(t, "id"),
    )
    op.create_index("ix_inspection_difference_session", t, ["session_id", "resolution"])

    t = "inspection_check"
    op.create_table(
        t,
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        fk(t, "session_id", "inspection_session", ondelete="CASCADE"),
        pk(t, "session_id", "seq"),
    )

    t = "environment_reading"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("temperature_dc", sa.Integer(), nullable=False),
        sa.Column("humidity_pm", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        fk(t, "room_id", "storage_location"),
        fk(t, "session_id", "inspection_session"),
        fk(t, "recorded_by", "user_account"),
        pk(t, "id"),
    )
    op.create_index("ix_environment_reading_room", t, ["room_id", "taken_at"])

    t = "condition_record"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("volume_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        fk(t, "volume_id", "volume"),
        fk(t, "session_id", "inspection_session"),
        fk(t, "recorded_by", "user_account"),
        pk(t, "id"),
    )
    op.create_index("ix_condition_record_volume_id", t, ["volume_id"])
    op.create_index("ix_condition_record_session_id", t, ["session_id"])

    t = "repair_task"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("volume_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("condition_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("responsible_user_id", sa.Integer(), nullable=True),
        sa.Column("responsible_name", sa.String(64), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        fk(t, "volume_id", "volume"),
        fk(t, "session_id", "inspection_session"),
        fk(t, "condition_id", "condition_record"),
        fk(t, "responsible_user_id", "user_account"),
        fk(t, "created_by", "user_account"),
        fk(t, "done_by", "user_account"),
        pk(t, "id"),
    )
    op.create_index("ix_repair_task_volume_id", t, ["volume_id"])
    op.create_index("ix_repair_task_session_id", t, ["session_id"])
    op.create_index("ix_repair_task_state", t, ["state", "due_on"])


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
