"""Migration 0009 (inspections) matches the models and goes down and up again."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from app.services.auth import SignedIn
from app.storage import migrate
from app.storage.models import Base

TABLES = {
    "inspection_session",
    "inspection_expected",
    "inspection_scan",
    "inspection_found",
    "inspection_difference",
    "inspection_check",
    "environment_reading",
    "condition_record",
    "repair_task",
}


def test_the_inspection_tables_have_the_columns_and_keys_of_the_models(admin: SignedIn) -> None:
    with admin.store.engine.connect() as conn:
        found = inspect(conn)
        for table in TABLES:
            model = Base.metadata.tables[table]
            assert {c["name"] for c in found.get_columns(table)} == set(model.columns.keys())
            pk = found.get_pk_constraint(table)["constrained_columns"]
            assert pk == [c.name for c in model.primary_key.columns], table


def test_the_inspection_tables_are_removed_by_downgrade_and_come_back_on_upgrade(
    admin: SignedIn,
) -> None:
    engine = admin.store.engine
    cfg = migrate._config()
    with engine.begin() as conn:
        assert set(inspect(conn).get_table_names()) >= TABLES
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0008")
    with engine.connect() as conn:
        assert not TABLES & set(inspect(conn).get_table_names())
    assert migrate.upgrade(engine) is True
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) >= TABLES
        assert migrate.current_revision(conn) == migrate.HEAD == "0022"
