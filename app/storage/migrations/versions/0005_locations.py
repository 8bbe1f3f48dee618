"""storage locations, boxes, volume places, moves and custody hand-overs

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

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
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["storage_location.id"],
            name="fk_storage_location_parent_id_storage_location",
        ),
        sa.ForeignKeyConstraint(
            ["custodian_id"],
            ["user_account.id"],
            name="fk_storage_location_custodian_id_user_account",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_storage_location"),
        sa.UniqueConstraint("code", name="uq_storage_location_code"),
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
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["storage_location.id"],
            name="fk_archive_box_location_id_storage_location",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_archive_box"),
        sa.UniqueConstraint("code", name="uq_archive_box_code"),
    )
    op.create_index("ix_archive_box_location_id", "archive_box", ["location_id"])
    op.create_table(
        "volume_place",
        sa.Column("volume_id", sa.Integer(), nullable=False),
        sa.Column("box_id", sa.Integer(), nullable=True),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["volume_id"], ["volume.id"], name="fk_volume_place_volume_id_volume"
        ),
        sa.ForeignKeyConstraint(
            ["box_id"], ["archive_box.id"], name="fk_volume_place_box_id_archive_box"
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["storage_location.id"],
            name="fk_volume_place_location_id_storage_location",
        ),
        sa.PrimaryKeyConstraint("volume_id", name="pk_volume_place"),
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
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user_account.id"], name="fk_move_batch_actor_id_user_account"
        ),
        sa.ForeignKeyConstraint(
            ["undo_of"], ["move_batch.id"], name="fk_move_batch_undo_of_move_batch"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_move_batch"),
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
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user_account.id"], name="fk_location_move_actor_id_user_account"
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["move_batch.id"], name="fk_location_move_batch_id_move_batch"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_location_move"),
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
        sa.ForeignKeyConstraint(
            ["from_user_id"],
            ["user_account.id"],
            name="fk_custody_handover_from_user_id_user_account",
        ),
        sa.ForeignKeyConstraint(
            ["to_user_id"], ["user_account.id"], name="fk_custody_handover_to_user_id_user_account"
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["user_account.id"],
            name="fk_custody_handover_recorded_by_user_account",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_custody_handover"),
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
