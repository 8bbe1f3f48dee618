"""volumes from real ledgers: unlinked volumes, openness marking, date range, link hint

A 案卷目录 names its customer in the title or not at all: such a volume is imported without
a customer (``customer_id`` NULL) and linked later. 公开 / 内部 / 非密 / unmarked are kept
apart (``openness``), and a ledger's 起止日期 is kept (``date_from`` / ``date_to``).

On SQLite, dropping NOT NULL is a change of the stored schema text only (no row changes:
the "simpler procedure" of the SQLite ALTER TABLE documentation), done with writable_schema;
rebuilding the table is not possible while other tables reference it with foreign keys on.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_NOT_NULL = re.compile(r"(\bcustomer_id\s+INTEGER)\s+NOT\s+NULL", re.IGNORECASE)


def _sqlite_customer_nullable(nullable: bool) -> None:
    conn = op.get_bind()
    sql = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'volume'"
    ).scalar_one()
    if nullable:
        new = _NOT_NULL.sub(r"\1", sql, count=1)
    else:
        new = re.sub(r"(\bcustomer_id\s+INTEGER)(?!\s+NOT)", r"\1 NOT NULL", sql, count=1)
    if new == sql:
        return
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar_one()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    conn.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'volume'", (new,)
    )
    conn.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    conn.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_customer_nullable(True)
    else:
        op.alter_column("volume", "customer_id", existing_type=sa.Integer(), nullable=True)
    op.add_column("volume", sa.Column("openness", sa.String(16), nullable=True))
    op.add_column("volume", sa.Column("date_from", sa.Date(), nullable=True))
    op.add_column("volume", sa.Column("date_to", sa.Date(), nullable=True))
    op.add_column(
        "volume",
        sa.Column("link_hint", sa.String(200), nullable=False, server_default=""),
    )


def downgrade() -> None:
    for name in ("link_hint", "date_to", "date_from", "openness"):
        op.drop_column("volume", name)
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_customer_nullable(False)
    else:
        op.alter_column("volume", "customer_id", existing_type=sa.Integer(), nullable=False)
