"""audit trail: hash chain sequence numbers, checkpoints (PostgreSQL), incident register

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-01

Entries written before this revision have no ``seq``; they are sealed into the chain, in id
order, the first time the database is opened with the key (``security.audit.seal_unchained``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entry") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch.create_unique_constraint("uq_audit_entry_seq", ["seq"])
        batch.create_index("ix_audit_entry_object", ["object_type", "object_id"], unique=False)
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.LargeBinary(), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("mac", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoint")),
    )


def downgrade() -> None:
    op.drop_table("audit_checkpoint")
    with op.batch_alter_table("audit_entry") as batch:
        batch.drop_index("ix_audit_entry_object")
        batch.drop_constraint("uq_audit_entry_seq", type_="unique")
        batch.drop_column("seq")
