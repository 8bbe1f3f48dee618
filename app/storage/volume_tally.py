"""Counts of volumes per (retention, year, 门类, extended end, state, 密级), kept by triggers.

The appraisal queue (issue 17) shows how many volumes of each 门类/year are due; counting a
third of a million index entries took 200–700 ms, reading this table of a few hundred rows
takes a millisecond. The database keeps it: triggers on ``volume`` (SQLite and PostgreSQL) add
and subtract on every insert, delete and change of a counted column, so no write path (forms,
imports, bulk demo loads, destruction) can forget it. ``until_year`` is 0 and
``secrecy_level`` "" where the volume's column is NULL (a primary key cannot hold NULL).
"""

from __future__ import annotations

from typing import Any

KEY = "retention, year, category_code, until_year, state, secrecy_level"


def _values(row: str) -> str:
    return (
        f"{row}.retention, {row}.year, {row}.category_code, COALESCE({row}.retention_until, 0), "
        f"{row}.state, COALESCE({row}.secrecy_level, '')"
    )


def _add(row: str, delta: int) -> str:
    return (
        f"INSERT INTO volume_tally ({KEY}, n) VALUES ({_values(row)}, {delta}) "
        f"ON CONFLICT ({KEY}) DO UPDATE SET n = volume_tally.n + ({delta})"
    )


_COUNTED = "retention, year, category_code, retention_until, state, secrecy_level"

SQLITE = (
    f"CREATE TRIGGER volume_tally_insert AFTER INSERT ON volume BEGIN {_add('NEW', 1)}; END",
    f"CREATE TRIGGER volume_tally_delete AFTER DELETE ON volume BEGIN {_add('OLD', -1)}; END",
    f"CREATE TRIGGER volume_tally_update AFTER UPDATE OF {_COUNTED} ON volume BEGIN "
    f"{_add('OLD', -1)}; {_add('NEW', 1)}; END",
)

POSTGRESQL = (
    "CREATE FUNCTION volume_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP IN ('DELETE', 'UPDATE') THEN {_add('OLD', -1)}; END IF; "
    f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {_add('NEW', 1)}; END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER volume_tally_change AFTER INSERT OR DELETE OR UPDATE OF "
    f"{_COUNTED} ON volume FOR EACH ROW EXECUTE FUNCTION volume_tally_keep()",
)

DROP_SQLITE = tuple(
    f"DROP TRIGGER IF EXISTS volume_tally_{kind}" for kind in ("insert", "delete", "update")
)
DROP_POSTGRESQL = (
    "DROP TRIGGER IF EXISTS volume_tally_change ON volume",
    "DROP FUNCTION IF EXISTS volume_tally_keep()",
)


def create_triggers(conn: Any) -> None:
    """Create the triggers of the connection's engine (SQLAlchemy ``Connection``)."""
    statements = POSTGRESQL if conn.dialect.name == "postgresql" else SQLITE
    for statement in statements:
        conn.exec_driver_sql(statement)


def drop_triggers(conn: Any) -> None:
    """Drop the triggers (bulk loads drop them and call :func:`rebuild` at the end)."""
    statements = DROP_POSTGRESQL if conn.dialect.name == "postgresql" else DROP_SQLITE
    for statement in statements:
        conn.exec_driver_sql(statement)


REBUILD = (
    "DELETE FROM volume_tally",
    f"INSERT INTO volume_tally ({KEY}, n) SELECT retention, year, category_code, "
    "COALESCE(retention_until, 0), state, COALESCE(secrecy_level, ''), count(*) "
    "FROM volume GROUP BY retention, year, category_code, COALESCE(retention_until, 0), "
    "state, COALESCE(secrecy_level, '')",
)


def rebuild(conn: Any) -> None:
    """Count every volume again (after a migration or a bulk load without triggers)."""
    for statement in REBUILD:
        conn.exec_driver_sql(statement)
