"""audit trail: hash chain sequence numbers, checkpoints (PostgreSQL), incident register

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

Entries written before this revision have no ``seq``; they are sealed into the chain, in id
order, the first time the database is opened with the key (``security.audit.seal_unchained``).
"""

import sqlalchemy as sa
from alembic import op

from app.storage.migrations.helpers import TZ, column, create_entity, create_table, ref

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entry") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch.create_unique_constraint("uq_audit_entry_seq", ["seq"])
        batch.create_index("ix_audit_entry_object", ["object_type", "object_id"], unique=False)
        batch.create_index("ix_audit_entry_action_seq", ["action", "seq"], unique=False)
        batch.create_index("ix_audit_entry_actor_name_seq", ["actor_name", "seq"], unique=False)
        batch.create_index("ix_audit_entry_action_at", ["action", "occurred_at"], unique=False)
        batch.create_index(
            "ix_audit_entry_actor_name_at", ["actor_name", "occurred_at"], unique=False
        )
        batch.drop_index("ix_audit_entry_action")  # the (action, seq) index covers it
    create_entity(
        "audit_checkpoint",
        column("seq", sa.Integer()),
        column("entry_hash", sa.LargeBinary()),
        column("at", sa.String(32)),
        column("mac", sa.LargeBinary()),
    )
    create_entity(
        "incident",
        column("kind", sa.String(16)),
        column("title", sa.String(200)),
        column("found_at", TZ),
        column("found_by", sa.String(64)),
        column("description", sa.Text()),
        column("measures", sa.Text()),
        column("reported_to", sa.String(200)),
        column("follow_up", sa.Text()),
        column("status", sa.String(16)),
        ref("recorded_by", "user_account", nullable=True),
        column("created_at", TZ),
        column("updated_at", TZ),
        column("version", sa.Integer()),
        numbered=True,
    )
    create_table(
        "incident_link",
        ref("incident_id", "incident", ondelete="CASCADE"),
        column("object_type", sa.String(16)),
        column("object_id", sa.Integer()),
        column("label", sa.String(64)),
        key=("incident_id", "object_type", "object_id"),
    )
    with op.batch_alter_table("incident_link") as batch:
        batch.create_index("ix_incident_link_object", ["object_type", "object_id"], unique=False)


def downgrade() -> None:
    op.drop_table("incident_link")
    op.drop_table("incident")
    op.drop_table("audit_checkpoint")
    with op.batch_alter_table("audit_entry") as batch:
        batch.create_index("ix_audit_entry_action", ["action"], unique=False)
        batch.drop_index("ix_audit_entry_actor_name_at")
        batch.drop_index("ix_audit_entry_action_at")
        batch.drop_index("ix_audit_entry_actor_name_seq")
        batch.drop_index("ix_audit_entry_action_seq")
        batch.drop_index("ix_audit_entry_object")
        batch.drop_constraint("uq_audit_entry_seq", type_="unique")
        batch.drop_column("seq")
