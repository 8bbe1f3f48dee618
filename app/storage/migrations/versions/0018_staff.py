"""Staff and departments: agreements, training, hand-overs, access reviews (issue 20)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07

New tables only. The accounts that exist keep working for everything but customer data: an
archivist or approver reveals, exports, prints or lends only once a staff record with a valid
confidentiality agreement and current training is linked to the account (R28); the home screen
says what is missing. Departments named in ``staff_department`` become ``department`` rows.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from app.storage.migrations.helpers import TZ, column, create_entity, create_table, ref, sealed_file

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_entity(
        "department",
        column("name", sa.String(64)),
        column("filing_clerk_id", sa.Integer(), nullable=True),
        column("created_at", TZ),
        column("version", sa.Integer()),
        unique_columns=["name"],
    )
    create_entity(
        "staff_person",
        column("name", sa.String(64)),
        ref("department_id", "department", nullable=True),
        column("post", sa.String(64)),
        column("contact_enc", sa.LargeBinary(), nullable=True),
        column("state", sa.String(16)),
        ref("user_id", "user_account", nullable=True),
        column("joined_on", sa.Date()),
        column("left_on", sa.Date(), nullable=True),
        column("created_at", TZ),
        column("version", sa.Integer()),
        unique_columns=["user_id"],
        indexed=["department_id"],
    )
    create_entity(
        "staff_agreement",
        ref("person_id", "staff_person"),
        column("signed_on", sa.Date()),
        column("valid_until", sa.Date(), nullable=True),
        column("note", sa.String(200)),
        *sealed_file("scan", hash_nullable=True, size=True),
        column("recorded_at", TZ),
        ref("recorded_by", "user_account", nullable=True),
        indexed=["person_id"],
    )
    create_entity(
        "staff_training",
        column("held_on", sa.Date()),
        column("topic", sa.String(200)),
        column("trainer", sa.String(64)),
        column("hours_tenths", sa.Integer()),
        *sealed_file("material", hash_nullable=True, size=True),
        column("recorded_at", TZ),
        ref("recorded_by", "user_account", nullable=True),
        indexed=["held_on"],
    )
    create_table(
        "staff_training_attendee",
        ref("training_id", "staff_training", ondelete="CASCADE"),
        ref("person_id", "staff_person"),
        key=("training_id", "person_id"),
        indexed=["person_id"],
    )
    create_entity(
        "filing_handover",
        ref("department_id", "department"),
        column("period", sa.String(7)),
        ref("clerk_person_id", "staff_person"),
        column("clerk_name", sa.String(64)),
        column("clerk_confirmed", sa.String(16)),
        ref("archivist_user_id", "user_account"),
        column("archivist_name", sa.String(64)),
        column("occurred_at", TZ),
        column("note", sa.Text()),
        column("volumes", sa.Integer()),
        column("items", sa.Integer()),
        column("pages", sa.Integer()),
        numbered=True,
        indexed=["department_id", "period"],
    )
    create_entity(
        "filing_handover_line",
        ref("handover_id", "filing_handover", ondelete="CASCADE"),
        column("seq", sa.Integer()),
        ref("volume_id", "volume", nullable=True),
        column("reference_code", sa.String(64)),
        column("title", sa.String(200)),
        column("items", sa.Integer()),
        column("pages", sa.Integer()),
        indexed=["handover_id"],
    )
    create_entity(
        "staff_handover",
        ref("person_id", "staff_person"),
        column("kind", sa.String(16)),
        column("supervisor", sa.String(64)),
        column("occurred_at", TZ),
        ref("recorded_by", "user_account", nullable=True),
        column("confirmed_by", sa.Text()),
        column("listing", sa.Text()),
        column("note", sa.Text()),
        numbered=True,
        indexed=["person_id"],
    )
    create_entity(
        "access_review",
        column("started_at", TZ),
        ref("started_by", "user_account"),
        column("closed_at", TZ, nullable=True),
        column("closed_by", sa.Integer(), nullable=True),
        column("note", sa.Text()),
        numbered=True,
    )
    create_entity(
        "access_review_line",
        ref("review_id", "access_review", ondelete="CASCADE"),
        ref("user_id", "user_account"),
        column("username", sa.String(64)),
        column("display_name", sa.String(64)),
        column("roles", sa.String(200)),
        column("disabled", sa.Boolean()),
        column("last_sign_in_at", TZ, nullable=True),
        column("compliance", sa.Text()),
        column("decision", sa.String(16)),
        column("note", sa.Text()),
        column("decided_by", sa.Integer(), nullable=True),
        column("decided_at", TZ, nullable=True),
        indexed=["review_id"],
    )

    # departments already named for accounts (loans, issue 7) become department rows
    conn = op.get_bind()
    names = sorted(
        {
            str(n)
            for (n,) in conn.execute(sa.text("SELECT DISTINCT department FROM staff_department"))
        }
    )
    now = datetime.now(UTC)
    for name in names:
        conn.execute(
            sa.text("INSERT INTO department (name, created_at, version) VALUES (:n, :at, 1)"),
            {"n": name, "at": now},
        )


def downgrade() -> None:
    for t in (
        "access_review_line",
        "access_review",
        "staff_handover",
        "filing_handover_line",
        "filing_handover",
        "staff_training_attendee",
        "staff_training",
        "staff_agreement",
        "staff_person",
        "department",
    ):
        op.drop_table(t)
