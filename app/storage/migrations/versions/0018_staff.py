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

from app.storage.migrations.helpers import column, fk, pk, unique

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    t = "department"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("name", sa.String(64)),
        column("filing_clerk_id", sa.Integer(), nullable=True),
        column("created_at", TZ),
        column("version", sa.Integer()),
        pk(t, "id"),
        unique(t, "name"),
    )
    t = "staff_person"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("name", sa.String(64)),
        column("department_id", sa.Integer(), nullable=True),
        column("post", sa.String(64)),
        column("contact_enc", sa.LargeBinary(), nullable=True),
        column("state", sa.String(16)),
        column("user_id", sa.Integer(), nullable=True),
        column("joined_on", sa.Date()),
        column("left_on", sa.Date(), nullable=True),
        column("created_at", TZ),
        column("version", sa.Integer()),
        fk(t, "department_id", "department"),
        fk(t, "user_id", "user_account"),
        pk(t, "id"),
        unique(t, "user_id"),
    )
    op.create_index("ix_staff_person_department_id", t, ["department_id"])
    t = "staff_agreement"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("person_id", sa.Integer()),
        column("signed_on", sa.Date()),
        column("valid_until", sa.Date(), nullable=True),
        column("note", sa.String(200)),
        column("scan_enc", sa.LargeBinary(), nullable=True),
        column("scan_name_enc", sa.LargeBinary(), nullable=True),
        column("scan_sha256", sa.String(64), nullable=True),
        column("scan_size", sa.Integer()),
        column("recorded_at", TZ),
        column("recorded_by", sa.Integer(), nullable=True),
        fk(t, "person_id", "staff_person"),
        fk(t, "recorded_by", "user_account"),
        pk(t, "id"),
    )
    op.create_index("ix_staff_agreement_person_id", t, ["person_id"])
    t = "staff_training"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("held_on", sa.Date()),
        column("topic", sa.String(200)),
        column("trainer", sa.String(64)),
        column("hours_tenths", sa.Integer()),
        column("material_enc", sa.LargeBinary(), nullable=True),
        column("material_name_enc", sa.LargeBinary(), nullable=True),
        column("material_sha256", sa.String(64), nullable=True),
        column("material_size", sa.Integer()),
        column("recorded_at", TZ),
        column("recorded_by", sa.Integer(), nullable=True),
        fk(t, "recorded_by", "user_account"),
        pk(t, "id"),
    )
    op.create_index("ix_staff_training_held_on", t, ["held_on"])
    t = "staff_training_attendee"
    op.create_table(
        t,
        column("training_id", sa.Integer()),
        column("person_id", sa.Integer()),
        fk(t, "training_id", "staff_training", ondelete="CASCADE"),
        fk(t, "person_id", "staff_person"),
        pk(t, "training_id", "person_id"),
    )
    op.create_index("ix_staff_training_attendee_person_id", t, ["person_id"])
    t = "filing_handover"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("number", sa.String(16)),
        column("department_id", sa.Integer()),
        column("period", sa.String(7)),
        column("clerk_person_id", sa.Integer()),
        column("clerk_name", sa.String(64)),
        column("clerk_confirmed", sa.String(16)),
        column("archivist_user_id", sa.Integer()),
        column("archivist_name", sa.String(64)),
        column("occurred_at", TZ),
        column("note", sa.Text()),
        column("volumes", sa.Integer()),
        column("items", sa.Integer()),
        column("pages", sa.Integer()),
        fk(t, "department_id", "department"),
        fk(t, "clerk_person_id", "staff_person"),
        fk(t, "archivist_user_id", "user_account"),
        pk(t, "id"),
        unique(t, "number"),
    )
    op.create_index("ix_filing_handover_department_id", t, ["department_id"])
    op.create_index("ix_filing_handover_period", t, ["period"])
    t = "filing_handover_line"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("handover_id", sa.Integer()),
        column("seq", sa.Integer()),
        column("volume_id", sa.Integer(), nullable=True),
        column("reference_code", sa.String(64)),
        column("title", sa.String(200)),
        column("items", sa.Integer()),
        column("pages", sa.Integer()),
        fk(t, "handover_id", "filing_handover", ondelete="CASCADE"),
        fk(t, "volume_id", "volume"),
        pk(t, "id"),
    )
    op.create_index("ix_filing_handover_line_handover_id", t, ["handover_id"])
    t = "staff_handover"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("number", sa.String(16)),
        column("person_id", sa.Integer()),
        column("kind", sa.String(16)),
        column("supervisor", sa.String(64)),
        column("occurred_at", TZ),
        column("recorded_by", sa.Integer(), nullable=True),
        column("confirmed_by", sa.Text()),
        column("listing", sa.Text()),
        column("note", sa.Text()),
        fk(t, "person_id", "staff_person"),
        fk(t, "recorded_by", "user_account"),
        pk(t, "id"),
        unique(t, "number"),
    )
    op.create_index("ix_staff_handover_person_id", t, ["person_id"])
    t = "access_review"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("number", sa.String(16)),
        column("started_at", TZ),
        column("started_by", sa.Integer()),
        column("closed_at", TZ, nullable=True),
        column("closed_by", sa.Integer(), nullable=True),
        column("note", sa.Text()),
        fk(t, "started_by", "user_account"),
        pk(t, "id"),
        unique(t, "number"),
    )
    t = "access_review_line"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("review_id", sa.Integer()),
        column("user_id", sa.Integer()),
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
        fk(t, "review_id", "access_review", ondelete="CASCADE"),
        fk(t, "user_id", "user_account"),
        pk(t, "id"),
    )
    op.create_index("ix_access_review_line_review_id", t, ["review_id"])

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
