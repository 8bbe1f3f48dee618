"""storage locations, boxes, volume places, moves and custody hand-overs

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from app.storage.migrations.helpers import TZ, column, create_entity, create_table, ref

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_entity(
        "storage_location",
        ref("parent_id", "storage_location", nullable=True),
        column("kind", sa.String(16)),
        column("code", sa.String(64)),
        column("segment", sa.String(12)),
        column("name", sa.String(64)),
        column("ordinal", sa.Integer()),
        column("path_key", sa.String(128)),
        column("capacity", sa.Integer(), nullable=True),
        column("secure", sa.Boolean()),
        column("secure_effective", sa.Boolean()),
        ref("custodian_id", "user_account", nullable=True),
        column("category_code", sa.String(8), nullable=True),
        column("grid_id", sa.Integer(), nullable=True),
        column("section_no", sa.Integer(), nullable=True),
        column("layer_no", sa.Integer(), nullable=True),
        column("position_no", sa.Integer(), nullable=True),
        column("note", sa.Text()),
        column("created_at", TZ),
        column("version", sa.Integer()),
        unique_columns=["code"],
        indexed=["parent_id", "path_key"],
    )
    op.create_index(
        "ix_storage_location_grid", "storage_location", ["grid_id", "section_no", "layer_no"]
    )
    create_entity(
        "archive_box",
        column("code", sa.String(32)),
        column("category_code", sa.String(8)),
        column("year", sa.Integer(), nullable=True),
        column("retention", sa.String(8), nullable=True),
        column("capacity", sa.Integer()),
        ref("location_id", "storage_location", nullable=True),
        column("note", sa.Text()),
        column("created_at", TZ),
        column("placed_at", TZ, nullable=True),
        column("version", sa.Integer()),
        unique_columns=["code"],
        indexed=["location_id"],
    )
    create_table(
        "volume_place",
        ref("volume_id", "volume"),
        ref("box_id", "archive_box", nullable=True),
        ref("location_id", "storage_location", nullable=True),
        column("placed_at", TZ),
        key=("volume_id",),
        indexed=["box_id", "location_id"],
    )
    create_entity(
        "move_batch",
        column("occurred_at", TZ),
        ref("actor_id", "user_account", nullable=True),
        column("reason", sa.String(16)),
        column("note", sa.Text()),
        column("count", sa.Integer()),
        ref("undo_of", "move_batch", nullable=True),
        column("undone_at", TZ, nullable=True),
    )
    create_entity(
        "location_move",
        column("occurred_at", TZ),
        ref("actor_id", "user_account", nullable=True),
        column("actor_name", sa.String(64)),
        column("object_type", sa.String(8)),
        column("object_id", sa.Integer()),
        column("from_location_id", sa.Integer(), nullable=True),
        column("to_location_id", sa.Integer(), nullable=True),
        column("from_box_id", sa.Integer(), nullable=True),
        column("to_box_id", sa.Integer(), nullable=True),
        column("reason", sa.String(16)),
        ref("batch_id", "move_batch", nullable=True),
        column("note", sa.Text()),
        indexed=["from_location_id", "to_location_id", "batch_id"],
    )
    op.create_index("ix_location_move_object", "location_move", ["object_type", "object_id"])
    create_entity(
        "custody_handover",
        column("occurred_at", TZ),
        ref("from_user_id", "user_account", nullable=True),
        ref("to_user_id", "user_account"),
        column("witness", sa.String(64)),
        column("note", sa.Text()),
        column("listing", sa.Text()),
        ref("recorded_by", "user_account", nullable=True),
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
