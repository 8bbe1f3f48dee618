"""audit trail: hash chain sequence numbers, checkpoints (PostgreSQL), incident register

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

Entries written before this revision have no ``seq``; they are sealed into the chain, in id
order, the first time the database is opened with the key (``security.audit.seal_unchained``).
"""

import sqlalchemy as sa
from alembic import op

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
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.LargeBinary(), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("mac", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoint")),
    )
    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("found_by", sa.String(64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("reported_to", sa.String(200), nullable=False),
        sa.Column("follow_up", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["user_account.id"], name=op.f("fk_incident_recorded_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
        sa.UniqueConstraint("number", name=op.f("uq_incident_number")),
    )
    op.create_table(
        "incident_link",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("object_type", sa.String(16), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_incident_link_incident_id_incident"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "incident_id", "object_type", "object_id", name=op.f("pk_incident_link")
        ),
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
