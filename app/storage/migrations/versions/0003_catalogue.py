"""archive catalogue: volume details, items, electronic files, 档号 counters

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from app.storage.migrations.helpers import TZ, column, create_entity, create_table, ref

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

VOLUME_COLUMNS = [
    sa.Column("fonds_code", sa.String(16), nullable=False, server_default=""),
    sa.Column("category_code", sa.String(8), nullable=False, server_default=""),
    sa.Column("org_code", sa.String(16), nullable=False, server_default=""),
    sa.Column("number", sa.Integer(), nullable=True),
    sa.Column("secrecy_term_years", sa.Integer(), nullable=True),
    sa.Column("secrecy_since", sa.Date(), nullable=True),
    sa.Column("declassified_on", sa.Date(), nullable=True),
    sa.Column("item_count", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("page_count", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("compiled_by", sa.String(64), nullable=False, server_default=""),
    sa.Column("checked_by", sa.String(64), nullable=False, server_default=""),
    sa.Column("compiled_on", sa.Date(), nullable=True),
    sa.Column("notes", sa.Text(), nullable=False, server_default=""),
    sa.Column("state", sa.String(16), nullable=False, server_default="on_shelf"),
    sa.Column("index_remarks", sa.Text(), nullable=False, server_default=""),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
]


def upgrade() -> None:
    with op.batch_alter_table("volume") as batch:
        for volume_column in VOLUME_COLUMNS:
            batch.add_column(volume_column)
        batch.alter_column("secrecy_level", type_=sa.String(16), existing_nullable=True)
    # levels were written in Chinese before the catalogue existed
    op.execute(
        "UPDATE volume SET secrecy_level = CASE secrecy_level "
        "WHEN '秘密' THEN 'secret' WHEN '机密' THEN 'confidential' "
        "WHEN '绝密' THEN 'top_secret' ELSE secrecy_level END"
    )
    op.create_index("ix_volume_year", "volume", ["year"])
    op.create_index("ix_volume_secrecy_level", "volume", ["secrecy_level"])
    create_entity(
        "archive_item",
        ref("volume_id", "volume"),
        column("seq", sa.Integer()),
        column("doc_number", sa.String(64)),
        column("author", sa.String(100)),
        column("title", sa.String(300)),
        column("doc_date", sa.Date(), nullable=True),
        column("page_from", sa.Integer(), nullable=True),
        column("page_to", sa.Integer(), nullable=True),
        column("carrier", sa.String(16)),
        column("secrecy_level", sa.String(16), nullable=True),
        column("secrecy_term_years", sa.Integer(), nullable=True),
        column("secrecy_since", sa.Date(), nullable=True),
        column("declassified_on", sa.Date(), nullable=True),
        column("remarks", sa.Text()),
        column("index_remarks", sa.Text()),
        column("created_at", TZ),
        column("updated_at", TZ, nullable=True),
        column("version", sa.Integer()),
        pair=("volume_id", "seq"),
        pair_name="volume_seq",
        indexed=["volume_id"],
    )
    create_entity(
        "item_file",
        ref("item_id", "archive_item"),
        column("name_enc", sa.LargeBinary()),
        column("media_type", sa.String(64)),
        column("size", sa.Integer()),
        column("sha256", sa.String(64)),
        column("chunk_count", sa.Integer()),
        column("state", sa.String(16)),
        column("created_at", TZ),
        ref("created_by", "user_account", nullable=True),
        indexed=["item_id"],
    )
    create_table(
        "file_chunk",
        ref("file_id", "item_file", ondelete="CASCADE"),
        column("seq", sa.Integer()),
        column("data", sa.LargeBinary()),
        key=("file_id", "seq"),
    )
    create_table(
        "reference_counter",
        column("scope", sa.String(128)),
        column("last", sa.Integer()),
        key=("scope",),
    )


def downgrade() -> None:
    op.drop_table("reference_counter")
    op.drop_table("file_chunk")
    op.drop_index("ix_item_file_item_id", table_name="item_file")
    op.drop_table("item_file")
    op.drop_index("ix_archive_item_volume_id", table_name="archive_item")
    op.drop_table("archive_item")
    op.drop_index("ix_volume_secrecy_level", table_name="volume")
    op.drop_index("ix_volume_year", table_name="volume")
    with op.batch_alter_table("volume") as batch:
        for volume_column in VOLUME_COLUMNS:
            batch.drop_column(volume_column.name)
