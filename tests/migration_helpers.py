"""Migration tests' shared steps: an Alembic downgrade in one transaction, down and up again."""

from __future__ import annotations

from collections.abc import Callable

from alembic import command
from sqlalchemy import Connection, Engine, inspect

from app.services.auth import SignedIn
from app.storage import migrate
from app.storage.models import Base


def downgrade_to(
    engine: Engine, revision: str, then: Callable[[Connection], None] | None = None
) -> None:
    """The database back at ``revision``; ``then`` runs in the same transaction afterwards."""
    cfg = migrate._config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
        if then is not None:
            then(conn)


def assert_down_and_up(admin: SignedIn, tables: set[str], revision: str) -> None:
    """``tables`` exist, are gone once downgraded to ``revision`` and come back at HEAD."""
    engine = admin.store.engine
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) >= tables
    downgrade_to(engine, revision)
    with engine.connect() as conn:
        assert not tables & set(inspect(conn).get_table_names())
    assert migrate.upgrade(engine) is True
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) >= tables
        assert migrate.current_revision(conn) == migrate.HEAD


def assert_tables_match_models(
    admin: SignedIn, tables: set[str], *, primary_keys: bool = False
) -> None:
    """Each of ``tables`` has the columns of its model (and, with ``primary_keys``, its key)."""
    with admin.store.engine.connect() as conn:
        found = inspect(conn)
        for table in tables:
            model = Base.metadata.tables[table]
            assert {c["name"] for c in found.get_columns(table)} == set(model.columns.keys())
            if primary_keys:
                pk = found.get_pk_constraint(table)["constrained_columns"]
                assert pk == [c.name for c in model.primary_key.columns], table
