"""Personal data lifecycle: consents, erasure and subject requests, recipients (issue 18)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07

Existing customers get one entry each so that purpose binding has something to check: a
customer with the old consent columns filled gets a consent (书面 unless the method said 电子)
covering 合同履行 and 客户服务, valid until the old 保存期限, the old purpose text as its note;
a customer without gets the legal basis 合同必需 noted as stated at the upgrade. The number of
the latter is kept in the ``migration_0017_assumed_basis`` setting for the operator to review.
"""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from app.storage.migrations.helpers import column, fk, pk, unique

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("customer", sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
    t = "customer_consent"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("customer_id", sa.Integer()),
        column("kind", sa.String(16)),
        column("basis", sa.String(32)),
        column("method", sa.String(16)),
        column("given_on", sa.Date()),
        column("valid_until", sa.Date(), nullable=True),
        column("note", sa.String(200)),
        column("form_enc", sa.LargeBinary(), nullable=True),
        column("form_name_enc", sa.LargeBinary(), nullable=True),
        column("form_sha256", sa.String(64)),
        column("created_at", sa.DateTime(timezone=True)),
        column("created_by", sa.Integer(), nullable=True),
        fk(t, "customer_id", "customer", ondelete="CASCADE"),
        fk(t, "created_by", "user_account"),
        pk(t, "id"),
    )
    op.create_index("ix_customer_consent_customer_id", t, ["customer_id"])
    t = "consent_purpose"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("consent_id", sa.Integer()),
        column("purpose", sa.String(32)),
        column("withdrawn_on", sa.Date(), nullable=True),
        column("withdrawn_by", sa.Integer(), nullable=True),
        fk(t, "consent_id", "customer_consent", ondelete="CASCADE"),
        fk(t, "withdrawn_by", "user_account"),
        sa.UniqueConstraint("consent_id", "purpose", name="uq_consent_purpose_pair"),
        pk(t, "id"),
    )
    op.create_index("ix_consent_purpose_consent_id", t, ["consent_id"])
    t = "erasure_request"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("number", sa.String(16)),
        column("customer_id", sa.Integer(), nullable=True),
        column("customer_number", sa.String(16)),
        column("reason", sa.String(32)),
        column("note", sa.String(200)),
        column("outcome", sa.String(16)),
        column("state", sa.String(16)),
        column("requested_by", sa.Integer()),
        column("requested_at", sa.DateTime(timezone=True)),
        column("decided_by", sa.Integer(), nullable=True),
        column("decided_at", sa.DateTime(timezone=True), nullable=True),
        column("decision_note", sa.String(200)),
        column("done_by", sa.Integer(), nullable=True),
        column("done_at", sa.DateTime(timezone=True), nullable=True),
        fk(t, "customer_id", "customer", ondelete="SET NULL"),
        fk(t, "requested_by", "user_account"),
        fk(t, "decided_by", "user_account"),
        fk(t, "done_by", "user_account"),
        unique(t, "number"),
        pk(t, "id"),
    )
    op.create_index("ix_erasure_request_customer_id", t, ["customer_id"])
    op.create_index("ix_erasure_request_state", t, ["state"])
    t = "subject_request"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("number", sa.String(16)),
        column("customer_id", sa.Integer(), nullable=True),
        column("customer_number", sa.String(16)),
        column("kind", sa.String(16)),
        column("received_on", sa.Date()),
        column("due_on", sa.Date()),
        column("answered_on", sa.Date(), nullable=True),
        column("answer", sa.Text()),
        column("created_by", sa.Integer()),
        column("created_at", sa.DateTime(timezone=True)),
        fk(t, "customer_id", "customer", ondelete="SET NULL"),
        fk(t, "created_by", "user_account"),
        unique(t, "number"),
        pk(t, "id"),
    )
    op.create_index("ix_subject_request_customer_id", t, ["customer_id"])
    op.create_index("ix_subject_request_due_on", t, ["due_on"])
    t = "data_recipient"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("name", sa.String(200)),
        column("uscc", sa.String(18)),
        column("contact", sa.String(100)),
        column("contact_phone_enc", sa.LargeBinary(), nullable=True),
        column("row_key", sa.String(32)),
        column("agreement_signed_on", sa.Date(), nullable=True),
        column("agreement_until", sa.Date(), nullable=True),
        column("agreement_enc", sa.LargeBinary(), nullable=True),
        column("agreement_name_enc", sa.LargeBinary(), nullable=True),
        column("agreement_sha256", sa.String(64)),
        column("created_at", sa.DateTime(timezone=True)),
        column("updated_at", sa.DateTime(timezone=True)),
        unique(t, "uscc"),
        unique(t, "row_key"),
        pk(t, "id"),
    )
    t = "data_provision"
    op.create_table(
        t,
        column("id", sa.Integer()),
        column("number", sa.String(16)),
        column("customer_id", sa.Integer(), nullable=True),
        column("customer_number", sa.String(16)),
        column("recipient_id", sa.Integer()),
        column("consent_id", sa.Integer(), nullable=True),
        column("application_id", sa.Integer(), nullable=True),
        column("purpose", sa.String(200)),
        column("fields", sa.String(200)),
        column("provided_on", sa.Date()),
        column("created_by", sa.Integer()),
        column("created_at", sa.DateTime(timezone=True)),
        fk(t, "customer_id", "customer", ondelete="SET NULL"),
        fk(t, "recipient_id", "data_recipient"),
        fk(t, "consent_id", "customer_consent", ondelete="SET NULL"),
        fk(t, "application_id", "use_application"),
        fk(t, "created_by", "user_account"),
        unique(t, "number"),
        pk(t, "id"),
    )
    op.create_index("ix_data_provision_customer_id", t, ["customer_id"])
    op.create_index("ix_data_provision_recipient_id", t, ["recipient_id"])
    _existing_customers()


def _existing_customers() -> None:
    conn = op.get_bind()
    now = datetime.now(UTC)
    rows = conn.execute(
        sa.text(
            "SELECT id, consent_date, consent_purpose, consent_until, consent_method, created_at "
            "FROM customer ORDER BY id"
        ).columns(
            sa.column("id", sa.Integer()),
            sa.column("consent_date", sa.Date()),
            sa.column("consent_purpose", sa.String()),
            sa.column("consent_until", sa.Date()),
            sa.column("consent_method", sa.String()),
            sa.column("created_at", sa.DateTime(timezone=True)),
        )
    ).all()
    consent = sa.table(
        "customer_consent",
        sa.column("id", sa.Integer()),
        sa.column("customer_id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("basis", sa.String()),
        sa.column("method", sa.String()),
        sa.column("given_on", sa.Date()),
        sa.column("valid_until", sa.Date()),
        sa.column("note", sa.String()),
        sa.column("form_sha256", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    purpose = sa.table(
        "consent_purpose", sa.column("consent_id", sa.Integer()), sa.column("purpose", sa.String())
    )
    assumed = 0
    for cid, c_date, c_purpose, c_until, c_method, created in rows:
        if c_date is not None:
            values = {
                "customer_id": cid,
                "kind": "consent",
                "basis": "",
                "method": "electronic" if "电子" in (c_method or "") else "written",
                "given_on": c_date,
                "valid_until": c_until,
                "note": (c_purpose or "")[:200],
            }
        else:
            assumed += 1
            values = {
                "customer_id": cid,
                "kind": "basis",
                "basis": "合同必需",
                "method": "",
                "given_on": created.date() if isinstance(created, datetime) else now.date(),
                "valid_until": None,
                "note": "升级时补录的处理依据，请核对",
            }
        new_id = conn.execute(
            consent.insert()
            .values(**values, form_sha256="", created_at=now)
            .returning(consent.c.id)
        ).scalar_one()
        if values["kind"] == "consent":
            conn.execute(
                purpose.insert(),
                [{"consent_id": new_id, "purpose": p} for p in ("合同履行", "客户服务")],
            )
    if assumed:
        conn.execute(
            sa.text("INSERT INTO setting (key, value) VALUES (:k, :v)"),
            {"k": "migration_0017_assumed_basis", "v": json.dumps(assumed)},
        )


def downgrade() -> None:
    for t in (
        "data_provision",
        "data_recipient",
        "subject_request",
        "erasure_request",
        "consent_purpose",
        "customer_consent",
    ):
        op.drop_table(t)
    with op.batch_alter_table("customer") as batch:
        batch.drop_column("anonymised_at")
