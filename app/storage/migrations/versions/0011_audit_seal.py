"""sealed audit trail: per-epoch seals, the current epoch key; PostgreSQL append-only

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-07

A database upgraded to this revision has no seal yet: sealing starts when an auditor signs in
for the first time and receives the verification key (``services.audit.sealing``). On
PostgreSQL the server itself refuses UPDATE, DELETE and TRUNCATE of the audit tables: a trigger
(which also binds the table owner) and revoked privileges (for any other role). Archiving
old entries is then a task for the database owner (docs/security.md).
"""

import sqlalchemy as sa
from alembic import op

from app.storage.migrations.helpers import pk

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

APPEND_ONLY = ("audit_entry", "audit_checkpoint", "audit_seal")

_FUNCTION = """
CREATE OR REPLACE FUNCTION archive_room_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'archive-room: % on % refused: the audit trail is append-only',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "audit_seal",
        sa.Column("epoch", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("first_seq", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.LargeBinary(), nullable=False),
        sa.Column("closed_at", sa.String(32), nullable=False),
        sa.Column("mac", sa.LargeBinary(), nullable=False),
        pk("audit_seal", "epoch"),
    )
    op.create_table(
        "audit_seal_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("sealed_key", sa.LargeBinary(), nullable=False),
        sa.Column("opened_at", sa.String(32), nullable=False),
        sa.Column("opened_seq", sa.Integer(), nullable=False),
        pk("audit_seal_state", "id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_FUNCTION)
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION archive_room_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION archive_room_append_only()"
            )
            op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM PUBLIC")
            op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM CURRENT_USER")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"GRANT UPDATE, DELETE, TRUNCATE ON {table} TO CURRENT_USER")
        op.execute("DROP FUNCTION IF EXISTS archive_room_append_only()")
    op.drop_table("audit_seal_state")
    op.drop_table("audit_seal")
