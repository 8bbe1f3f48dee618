"""Migration 0008 (loans) goes down and up again on a real database."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from app.services.auth import SignedIn
from app.storage import migrate

LOAN_TABLES = {
    "staff_department",
    "use_application",
    "use_application_volume",
    "use_approval",
    "loan",
    "damage_report",
    "use_log",
}


def test_the_loan_tables_are_removed_by_downgrade_and_come_back_on_upgrade(
    admin: SignedIn,
) -> None:
    engine = admin.store.engine
    cfg = migrate._config()
    with engine.begin() as conn:
        assert set(inspect(conn).get_table_names()) >= LOAN_TABLES
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")
    with engine.connect() as conn:
        assert not LOAN_TABLES & set(inspect(conn).get_table_names())
    assert migrate.upgrade(engine) is True
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) >= LOAN_TABLES
        assert migrate.current_revision(conn) == migrate.HEAD
