"""customer list sort indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_customer_name", "customer", ["name"])
    op.create_index("ix_customer_party", "customer", ["party"])
    op.create_index("ix_customer_category", "customer", ["kind", "category"])
    op.create_index("ix_customer_importance", "customer", ["importance"])


def downgrade() -> None:
    for name in (
        "ix_customer_importance",
        "ix_customer_category",
        "ix_customer_party",
        "ix_customer_name",
    ):
        op.drop_index(name, table_name="customer")
