"""storage locations, boxes, volume places, moves and custody hand-overs

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from app.storage.migrations.helpers import fk, pk, unique

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "storage_location",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("segment", sa.String(12), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("path_key", sa.String(128), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("secure", sa.Boolean(), nullable=False),
        sa.Column("secure_effective", sa.Boolean(), nullable=False),
        sa.Column("custodian_id", sa.Integer(), nullable=True),
        sa.Column("category_code", sa.String(8), nullable=True),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("section_no", sa.Integer(), nullable=True),
        sa.Column("layer_no", sa.Integer(), nullable=True),
        sa.Column("position_no", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        fk("storage_location", "parent_id", "storage_location"),
        fk("storage_location", "custodian_id", "user_account"),
        pk("storage_location", "id"),
        unique("storage_location", "code"),
    )
    op.create_index("ix_storage_location_parent_id", "storage_location", ["parent_id"])
    op.create_index("ix_storage_location_path_key", "storage_location", ["path_key"])
    op.create_index(
        "ix_storage_location_grid", "storage_location", ["grid_id", "section_no", "layer_no"]
    )
    op.create_table(
        "archive_box",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("category_code", sa.String(8), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("retention", sa.String(8), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        fk("archive_box", "location_id", "storage_location"),
        pk("archive_box", "id"),
        unique("archive_box", "code"),
    )
    op.create_index("ix_archive_box_location_id", "archive_box", ["location_id"])
    op.create_table(
        "volume_place",
        sa.Column("volume_id", sa.Integer(), nullable=False),
        sa.Column("box_id", sa.Integer(), nullable=True),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        fk("volume_place", "volume_id", "volume"),
        fk("volume_place", "box_id", "archive_box"),
        fk("volume_place", "location_id", "storage_location"),
        pk("volume_place", "volume_id"),
    )
    op.create_index("ix_volume_place_box_id", "volume_place", ["box_id"])
    op.create_index("ix_volume_place_location_id", "volume_place", ["location_id"])
    op.create_table(
        "move_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("undo_of", sa.Integer(), nullable=True),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        fk("move_batch", "actor_id", "user_account"),
        fk("move_batch", "undo_of", "move_batch"),
        pk("move_batch", "id"),
    )
    op.create_table(
        "location_move",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(8), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("from_location_id", sa.Integer(), nullable=True),
        sa.Column("to_location_id", sa.Integer(), nullable=True),
        sa.Column("from_box_id", sa.Integer(), nullable=True),
        sa.Column("to_box_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        fk("location_move", "actor_id", "user_account"),
        fk("location_move", "batch_id", "move_batch"),
        pk("location_move", "id"),
    )
    op.create_index("ix_location_move_object", "location_move", ["object_type", "object_id"])
    op.create_index("ix_location_move_from_location_id", "location_move", ["from_location_id"])
    op.create_index("ix_location_move_to_location_id", "location_move", ["to_location_id"])
    op.create_index("ix_location_move_batch_id", "location_move", ["batch_id"])
    op.create_table(
        "custody_handover",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_user_id", sa.Integer(), nullable=True),
        sa.Column("to_user_id", sa.Integer(), nullable=False),
        sa.Column("witness", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("listing", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        fk("custody_handover", "from_user_id", "user_account"),
        fk("custody_handover", "to_user_id", "user_account"),
        fk("custody_handover", "recorded_by", "user_account"),
        pk("custody_handover", "id"),
    )


def downgrade() -> None:
    op.drop_table("custody_handover")
    for name in ("batch_id", "to_location_id", "from_location_id"):
        op.drop_index(f"ix_location_move_{name}", table_name="location_move")
    op.drop_index("ix_location_move_object", table_name="location_move")
    op.drop_table("location_move")
    op.drop_table("move_batch")
    op.drop_index("ix_volume_place_location_id", table_name="volume_place")
    op.drop_index("ix_volume_place_box_id", table_name="volume_place")
    op.drop_table("volume_place")
    op.drop_index("ix_archive_box_location_id", table_name="archive_box")
    op.drop_table("archive_box")
    op.drop_index("ix_storage_location_grid", table_name="storage_location")
    op.drop_index("ix_storage_location_path_key", table_name="storage_location")
    op.drop_index("ix_storage_location_parent_id", table_name="storage_location")
    op.drop_table("storage_location")
