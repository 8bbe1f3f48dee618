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

from app.storage.migrations.helpers import TZ, column, create_entity, ref, sealed_file

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("customer", sa.Column("anonymised_at", TZ, nullable=True))
    create_entity(
        "customer_consent",
        ref("customer_id", "customer", ondelete="CASCADE"),
        column("kind", sa.String(16)),
        column("basis", sa.String(32)),
        column("method", sa.String(16)),
        column("given_on", sa.Date()),
        column("valid_until", sa.Date(), nullable=True),
        column("note", sa.String(200)),
        *sealed_file("form"),
        column("created_at", TZ),
        ref("created_by", "user_account", nullable=True),
        indexed=["customer_id"],
    )
    create_entity(
        "consent_purpose",
        ref("consent_id", "customer_consent", ondelete="CASCADE"),
        column("purpose", sa.String(32)),
        column("withdrawn_on", sa.Date(), nullable=True),
        ref("withdrawn_by", "user_account", nullable=True),
        pair=("consent_id", "purpose"),
        indexed=["consent_id"],
    )
    create_entity(
        "erasure_request",
        ref("customer_id", "customer", nullable=True, ondelete="SET NULL"),
        column("customer_number", sa.String(16)),
        column("reason", sa.String(32)),
        column("note", sa.String(200)),
        column("outcome", sa.String(16)),
        column("state", sa.String(16)),
        ref("requested_by", "user_account"),
        column("requested_at", TZ),
        ref("decided_by", "user_account", nullable=True),
        column("decided_at", TZ, nullable=True),
        column("decision_note", sa.String(200)),
        ref("done_by", "user_account", nullable=True),
        column("done_at", TZ, nullable=True),
        numbered=True,
        indexed=["customer_id", "state"],
    )
    create_entity(
        "subject_request",
        ref("customer_id", "customer", nullable=True, ondelete="SET NULL"),
        column("customer_number", sa.String(16)),
        column("kind", sa.String(16)),
        column("received_on", sa.Date()),
        column("due_on", sa.Date()),
        column("answered_on", sa.Date(), nullable=True),
        column("answer", sa.Text()),
        ref("created_by", "user_account"),
        column("created_at", TZ),
        numbered=True,
        indexed=["customer_id", "due_on"],
    )
    create_entity(
        "data_recipient",
        column("name", sa.String(200)),
        column("uscc", sa.String(18)),
        column("contact", sa.String(100)),
        column("contact_phone_enc", sa.LargeBinary(), nullable=True),
        column("row_key", sa.String(32)),
        column("agreement_signed_on", sa.Date(), nullable=True),
        column("agreement_until", sa.Date(), nullable=True),
        *sealed_file("agreement"),
        column("created_at", TZ),
        column("updated_at", TZ),
        unique_columns=["uscc", "row_key"],
    )
    create_entity(
        "data_provision",
        ref("customer_id", "customer", nullable=True, ondelete="SET NULL"),
        column("customer_number", sa.String(16)),
        ref("recipient_id", "data_recipient"),
        ref("consent_id", "customer_consent", nullable=True, ondelete="SET NULL"),
        ref("application_id", "use_application", nullable=True),
        column("purpose", sa.String(200)),
        column("fields", sa.String(200)),
        column("provided_on", sa.Date()),
        ref("created_by", "user_account"),
        column("created_at", TZ),
        numbered=True,
        indexed=["customer_id", "recipient_id"],
    )
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
