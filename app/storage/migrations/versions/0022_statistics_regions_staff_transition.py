"""Statistics by region, running totals for the overview, the staff gate's transition (19, 20)

``stat_counter``/``stat_hourly`` and their triggers: volumes, items, pages and customers in
total and new customers per hour, so the overview does not count a million rows
(app/storage/stat_counters.py).

``customer.region``: the province-level code (two digits) of the customer's resident ID or
unified social credit code, kept in clear when the number is saved so the customers report can
count by region without decrypting a million numbers. Existing customers keep NULL (counted as
未登记) until their number is next saved.

``staff_gate_upgrade``: an installation that already has accounts when R28's gate arrives gets
a transition (``StaffPolicy.upgrade_grace_days`` from today) for the accounts it has now, so
nobody is locked out of customer data the moment the version is installed.

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-07
"""

import json
from datetime import date

import sqlalchemy as sa
from alembic import op

from app.storage import stat_counters
from app.storage.migrations.helpers import column, pk

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

UPGRADE_SETTING = "staff_gate_upgrade"


def upgrade() -> None:
    op.add_column("customer", column("region", sa.String(2), nullable=True))
    op.create_index("ix_customer_region", "customer", ["region"], unique=False)
    # the customers report counts anonymised customers (R8) without a pass over the table
    op.create_index("ix_customer_anonymised_at", "customer", ["anonymised_at"], unique=False)
    conn = op.get_bind()
    # the overview's running totals, kept by triggers (app/storage/stat_counters.py)
    op.create_table(
        "stat_counter",
        column("key", sa.String(16)),
        column("n", sa.BigInteger()),
        column("items", sa.BigInteger()),
        column("pages", sa.BigInteger()),
        pk("stat_counter", "key"),
    )
    op.create_table(
        "stat_hourly",
        column("hour", sa.String(13)),
        column("key", sa.String(16)),
        column("n", sa.BigInteger()),
        pk("stat_hourly", "hour", "key"),
    )
    op.create_table(
        "stat_volume_group",
        column("category_code", sa.String(8)),
        column("year", sa.Integer()),
        column("retention", sa.String(8)),
        column("level", sa.String(16)),
        column("state", sa.String(16)),
        column("n", sa.BigInteger()),
        column("items", sa.BigInteger()),
        column("pages", sa.BigInteger()),
        pk("stat_volume_group", "category_code", "year", "retention", "level", "state"),
    )
    for name, type_ in (
        ("volume_level", sa.String(16)),
        ("volume_category", sa.String(16)),
        ("volume_year", sa.Integer()),
        ("items", sa.Integer()),
    ):
        op.add_column("use_log", column(name, type_, nullable=True))
    op.create_index(
        "ix_use_log_report",
        "use_log",
        [
            "occurred_at",
            "kind",
            "department",
            "purpose",
            "volume_level",
            "volume_category",
            "volume_year",
            "application_id",
            "volume_id",
            "items",
            "pages_copied",
        ],
        unique=False,
    )
    op.create_index(
        "ix_customer_consent_state",
        "customer_consent",
        ["kind", "customer_id", "given_on", "valid_until"],
        unique=False,
    )
    op.create_index(
        "ix_customer_consent_given_on", "customer_consent", ["given_on", "kind"], unique=False
    )
    op.create_index(
        "ix_consent_purpose_withdrawn_on", "consent_purpose", ["withdrawn_on"], unique=False
    )
    stat_counters.rebuild(conn)
    stat_counters.create_triggers(conn)
    last = conn.execute(sa.text("SELECT max(id) FROM user_account")).scalar()
    have = conn.execute(
        sa.text("SELECT count(*) FROM setting WHERE key = :k"), {"k": UPGRADE_SETTING}
    ).scalar()
    if last is not None and not have:
        # the migration's own day: the one date an upgrade has (no clock is passed in)
        value = json.dumps({"installed_on": date.today().isoformat(), "last_account": int(last)})
        conn.execute(
            sa.text("INSERT INTO setting (key, value) VALUES (:k, :v)"),
            {"k": UPGRADE_SETTING, "v": value},
        )


def downgrade() -> None:
    stat_counters.drop_triggers(op.get_bind())
    op.drop_table("stat_volume_group")
    op.drop_table("stat_hourly")
    op.drop_table("stat_counter")
    op.drop_index("ix_use_log_report", table_name="use_log")
    op.drop_index("ix_consent_purpose_withdrawn_on", table_name="consent_purpose")
    op.drop_index("ix_customer_consent_given_on", table_name="customer_consent")
    op.drop_index("ix_customer_consent_state", table_name="customer_consent")
    for name in ("volume_level", "volume_category", "volume_year", "items"):
        op.get_bind().exec_driver_sql(f"ALTER TABLE use_log DROP COLUMN {name}")
    op.get_bind().execute(sa.text("DELETE FROM setting WHERE key = :k"), {"k": UPGRADE_SETTING})
    op.drop_index("ix_customer_anonymised_at", table_name="customer")
    op.drop_index("ix_customer_region", table_name="customer")
    # plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35, PostgreSQL): a batch copy of the table
    # would drop ``customer`` itself, which every customer row's children refer to
    op.get_bind().exec_driver_sql("ALTER TABLE customer DROP COLUMN region")
