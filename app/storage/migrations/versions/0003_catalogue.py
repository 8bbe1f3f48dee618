"""archive catalogue: volume details, items, electronic files, 档号 counters

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from app.storage.migrations.helpers import fk, pk

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
        for column in VOLUME_COLUMNS:
            batch.add_column(column)
        batch.alter_column("secrecy_level", type_=sa.String(16), existing_nullable=True)
    # levels were written in Chinese before the catalogue existed
    op.execute(
        "UPDATE volume SET secrecy_level = CASE secrecy_level "
        "WHEN '秘密' THEN 'secret' WHEN '机密' THEN 'confidential' "
        "WHEN '绝密' THEN 'top_secret' ELSE secrecy_level END"
    )
    op.create_index("ix_volume_year", "volume", ["year"])
    op.create_index("ix_volume_secrecy_level", "volume", ["secrecy_level"])
    op.create_table(
        "archive_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("volume_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("doc_number", sa.String(64), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("doc_date", sa.Date(), nullable=True),
        sa.Column("page_from", sa.Integer(), nullable=True),
        sa.Column("page_to", sa.Integer(), nullable=True),
        sa.Column("carrier", sa.String(16), nullable=False),
        sa.Column("secrecy_level", sa.String(16), nullable=True),
        sa.Column("secrecy_term_years", sa.Integer(), nullable=True),
        sa.Column("secrecy_since", sa.Date(), nullable=True),
        sa.Column("declassified_on", sa.Date(), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.Column("index_remarks", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        fk("archive_item", "volume_id", "volume"),
        pk("archive_item", "id"),
        sa.UniqueConstraint("volume_id", "seq", name="uq_archive_item_volume_seq"),
    )
    op.create_index("ix_archive_item_volume_id", "archive_item", ["volume_id"])
    op.create_table(
        "item_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("name_enc", sa.LargeBinary(), nullable=False),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        fk("item_file", "item_id", "archive_item"),
        fk("item_file", "created_by", "user_account"),
        pk("item_file", "id"),
    )
    op.create_index("ix_item_file_item_id", "item_file", ["item_id"])
    op.create_table(
        "file_chunk",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        fk("file_chunk", "file_id", "item_file", ondelete="CASCADE"),
        pk("file_chunk", "file_id", "seq"),
    )
    op.create_table(
        "reference_counter",
        sa.Column("scope", sa.String(128), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        pk("reference_counter", "scope"),
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
        for column in VOLUME_COLUMNS:
            batch.drop_column(column.name)
