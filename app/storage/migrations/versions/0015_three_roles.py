"""三员分立: pending account changes; 三员 roles made exclusive (issue 23)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07

Before this revision an administrator could also be an archivist. The 三员 roles (系统管理员,
安全保密员, 安全审计员) are now exclusive, so an account that holds one of them together with
other roles keeps the 三员 role and loses the others (it goes on administering; its archive
work needs a separate account, which the 安全保密员 grants). Nothing else changes: no account
is created or disabled, and no keyring slot is touched. The roles taken away are listed in the
``migration_0015_removed_roles`` setting so that the app can show and audit them.
"""

import json

import sqlalchemy as sa
from alembic import op

from app.storage.migrations.helpers import TZ, column, create_entity, ref

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

THREE = ("admin", "security", "auditor")


def upgrade() -> None:
    create_entity(
        "account_change",
        column("kind", sa.String(16)),
        ref("user_id", "user_account"),
        column("details", sa.Text()),
        column("state", sa.String(16)),
        ref("requested_by", "user_account"),
        column("requested_at", TZ),
        column("decided_by", sa.Integer(), nullable=True),
        column("decided_at", TZ, nullable=True),
        indexed=["user_id"],
    )

    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT user_id, role FROM user_role")).all()
    held: dict[int, set[str]] = {}
    for user_id, role in rows:
        held.setdefault(int(user_id), set()).add(str(role))
    removed: dict[str, list[str]] = {}
    for user_id, roles in sorted(held.items()):
        three = sorted(r for r in roles if r in THREE)
        if not three:
            continue
        keep = three[0] if "admin" not in three else "admin"
        drop = sorted(roles - {keep})
        if not drop:
            continue
        for role in drop:
            conn.execute(
                sa.text("DELETE FROM user_role WHERE user_id = :u AND role = :r"),
                {"u": user_id, "r": role},
            )
        removed[str(user_id)] = drop
    if removed:
        conn.execute(
            sa.text("INSERT INTO setting (key, value) VALUES (:k, :v)"),
            {"k": "migration_0015_removed_roles", "v": json.dumps(removed, sort_keys=True)},
        )


def downgrade() -> None:
    op.drop_index("ix_account_change_user_id", table_name="account_change")
    op.drop_table("account_change")
