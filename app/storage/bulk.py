"""SQLite settings for a one-off bulk load into a new database (the large demo, first imports).

A million customers written with the everyday settings (``synchronous = FULL``, a small page
cache, every index updated row by row in a 1.5 GB encrypted file) take many minutes. During a
bulk load into a database nobody else uses yet:

* ``synchronous = OFF`` and a large page cache: pages are encrypted and written once;
* secondary indexes of the loaded tables are dropped and created again at the end, which
  sorts once instead of inserting a million keys in random order;
* rows go through plain DB-API ``executemany`` with tuples (no ORM or Core work per row);
* loading volumes, the triggers that keep ``volume_tally`` (the appraisal queue's counts) are
  dropped, and the counts are made again in one GROUP BY at the end.

The caller owns the data's consistency (it loads into a new database); at the end the everyday
settings are restored and every index exists again, also when the load fails half way.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

from app.storage import search_pg, stat_counters, volume_tally
from app.storage.ddl import recreated_after
from app.storage.search_sqlite import IndexBatch, IndexRow

BULK_CACHE_KIB = 262_144  # 256 MiB of page cache while loading


class BulkWriter:
    """A DB-API cursor inside an explicit transaction.

    SQLAlchemy runs the driver in autocommit mode, where every row would be a transaction.
    """

    def __init__(self, dbapi: Any) -> None:
        self._dbapi = dbapi
        self.cursor = dbapi.cursor()
        self.cursor.execute("BEGIN")

    def commit(self) -> None:
        """Commit what was written and start the next transaction."""
        self.cursor.execute("COMMIT")
        self.cursor.execute("BEGIN")

    def finish(self, *, ok: bool) -> None:
        """Commit (``ok``) or roll back the open transaction."""
        self.cursor.execute("COMMIT" if ok else "ROLLBACK")

    embedded = True  # SQLite: the FTS tables of the search indexes exist

    def write_index(self, batch: IndexBatch) -> None:
        """Insert the customer search-index entries of ``batch``."""
        batch.write(self.cursor)


def _pg_statement(sql: str) -> str:
    statement = sql.replace("?", "%s")
    if statement.startswith("INSERT OR IGNORE "):
        statement = "INSERT " + statement.removeprefix("INSERT OR IGNORE ")
        statement += " ON CONFLICT DO NOTHING"
    return statement


class PgBulkWriter:
    """PostgreSQL: the same calls on one connection and transaction (``?`` marks become ``%s``).

    The search index is written through ``search_pg`` and the id sequences move past the ids
    given explicitly at the end; :func:`_pg_load` drops and builds the indexes.
    """

    embedded = False

    def __init__(self, conn: Connection) -> None:
        self.connection = conn
        self.cursor = self
        self._transaction = conn.begin()

    def executemany(self, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
        """``executemany`` with SQLite's SQL (``?`` marks, ``INSERT OR IGNORE``) on PostgreSQL."""
        if rows:
            self.connection.exec_driver_sql(_pg_statement(sql), list(rows))

    def execute(self, sql: str, row: tuple[Any, ...] = ()) -> None:
        """One statement, SQLite's SQL as for :meth:`executemany`."""
        self.connection.exec_driver_sql(_pg_statement(sql), row)

    def write_index(self, batch: IndexBatch) -> None:
        """Insert the customer search-index entries of ``batch`` (customer id, name, number…)."""
        search_pg.index_customers_fresh(self.connection, [IndexRow(*row) for row in batch.fts])

    def commit(self) -> None:
        """Commit what was written and start the next transaction."""
        self._transaction.commit()
        self._transaction = self.connection.begin()

    def finish(self, *, ok: bool) -> None:
        """Commit (``ok``) or roll back the open transaction."""
        if ok:
            self._transaction.commit()
        else:
            self._transaction.rollback()


_Writer = TypeVar("_Writer", BulkWriter, PgBulkWriter)


@contextmanager
def _finished(writer: _Writer) -> Iterator[_Writer]:
    """Hand out ``writer``; afterwards commit its transaction, or roll it back on a failure."""
    ok = False
    try:
        yield writer
        ok = True
    finally:
        writer.finish(ok=ok)


# The search tables written beside the loaded ones on a server (their pg_trgm GIN indexes).
PG_SEARCH_TABLES = ("customer_text", "volume_text", "item_text")
PG_BUILD_MEMORY = "256MB"  # maintenance_work_mem while the indexes are built again


def _pg_droppable_indexes(
    conn: Connection, tables: Sequence[str], sorted_columns: Sequence[str]
) -> list[tuple[str, str]]:
    """(name, definition) of the indexes of ``tables`` a load may drop and build again.

    Not the ones behind a constraint (primary keys, ``ON CONFLICT`` targets) nor those whose
    first column is in ``sorted_columns`` (their keys arrive in order).
    """
    rows = conn.exec_driver_sql(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid), a.attname FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
        "LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0] "
        "WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(%s) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
        "ORDER BY c.relname",
        (list(tables),),
    ).all()
    return [(name, sql) for name, sql, first in rows if first not in sorted_columns]


def _pg_restore(conn: Connection, indexes: list[tuple[str, str]]) -> None:
    """Create the dropped ``indexes`` and the counting triggers again; count afresh."""
    present = set(
        conn.exec_driver_sql(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
        ).scalars()
    )
    conn.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{PG_BUILD_MEMORY}'")
    for name, sql in indexes:
        if name not in present:
            conn.exec_driver_sql(sql)
    triggers = set(
        conn.exec_driver_sql(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'volume'::regclass"
        ).scalars()
    )
    if "volume_tally_change" not in triggers:
        volume_tally.drop_triggers(conn)  # the function too
        volume_tally.create_triggers(conn)
    if "trg_stat_volume" not in triggers:
        stat_counters.drop_triggers(conn)
        stat_counters.create_triggers(conn)
    volume_tally.rebuild(conn)
    stat_counters.rebuild(conn)


@contextmanager
def _pg_load(
    engine: Engine, tables: Sequence[str], sorted_columns: Sequence[str]
) -> Iterator[PgBulkWriter]:
    """The server's bulk load: like SQLite's, secondary indexes and counting triggers go.

    Row triggers that add to one counter row make a new version of that row per insert, and
    a transaction of 100,000 rows then walks ever longer version chains; a GIN index takes
    each row's trigrams one by one. Both are dropped in the load's first transaction (a
    rollback brings them back) and built again, and the counts made in one pass, at the end;
    also after a failure past a commit. ANALYZE gives the planner the new tables' statistics.
    """
    everything = (*tables, *PG_SEARCH_TABLES)
    with engine.connect() as conn:
        writer = PgBulkWriter(conn)
        indexes = _pg_droppable_indexes(conn, everything, sorted_columns)
        for name, _sql in indexes:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
        volume_tally.drop_triggers(conn)
        stat_counters.drop_triggers(conn)
        try:
            with _finished(writer):
                yield writer
        finally:
            with conn.begin():  # after a rollback of the first transaction: only the counts
                _pg_restore(conn, indexes)
        # reached only when the load went through (a failure propagates from the block above)
        with conn.begin():
            with_ids = conn.exec_driver_sql(
                "SELECT table_name FROM information_schema.columns WHERE column_name = 'id' "
                "AND table_schema = current_schema() AND table_name = ANY(%s)",
                (list(tables),),
            ).scalars()
            for table in list(with_ids):
                conn.exec_driver_sql(
                    "SELECT setval(seq, (SELECT coalesce(max(id), 1) FROM "
                    f"{table})) FROM pg_get_serial_sequence('{table}', 'id') AS seq "
                    "WHERE seq IS NOT NULL"
                )
        with conn.begin():
            for table in everything:
                conn.exec_driver_sql(f"ANALYZE {table}")


@contextmanager
def bulk_load(
    engine: Engine, tables: Sequence[str], sorted_columns: Sequence[str] = ()
) -> Iterator[BulkWriter | PgBulkWriter]:
    """Yield a :class:`BulkWriter` tuned for loading ``tables`` into a new database.

    Indexes on ``tables`` are dropped and built again at the end, except those whose first
    column is in ``sorted_columns``: their keys arrive in order, so keeping them up to date
    costs less than building them again. On PostgreSQL: a :class:`PgBulkWriter`, the same
    indexes (and the search tables' GIN indexes) and counting triggers dropped for the load.
    """
    if engine.dialect.name == "postgresql":
        with _pg_load(engine, tables, sorted_columns) as pg_writer:
            yield pg_writer
        return
    with engine.connect() as conn:
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        run = dbapi.execute  # autocommit: each statement below stands alone
        marks = ", ".join("?" for _ in tables)
        indexes = run(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks})",
            tuple(tables),
        ).fetchall()
        indexes = [
            (name, sql)
            for name, sql in indexes
            if run(f'PRAGMA index_info("{name}")').fetchone()[2] not in sorted_columns
        ]
        # the statistics' running totals: counted once at the end instead of row by row
        triggers = run(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({marks})",
            tuple(tables),
        ).fetchall()
        previous_cache = run("PRAGMA cache_size").fetchone()[0]
        run("PRAGMA synchronous = OFF")
        run(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        dropped: list[str] = []
        tally = "volume" in tables
        try:
            for name, sql in triggers:  # the volume tally's and the statistics' totals
                run(f'DROP TRIGGER "{name}"')
                dropped.append(sql)
            for name, sql in indexes:
                run(f'DROP INDEX "{name}"')
                dropped.append(sql)
            with _finished(BulkWriter(dbapi)) as writer:
                yield writer
        finally:
            for sql in dropped:
                run(sql)
            if tally:
                for statement in volume_tally.REBUILD:
                    run(statement)
            if triggers:
                for sql in stat_counters.rebuild_statements("sqlite"):
                    run(sql)
            run(f"PRAGMA cache_size = {int(previous_cache)}")
            run("PRAGMA synchronous = FULL")
            run("PRAGMA wal_checkpoint(TRUNCATE)")


REBUILD_FROM = 1_000  # new rows from which an import may build its tables' indexes anew


def worth_rebuilding(conn: Connection, new_rows: int, present: int) -> bool:
    """True when ``new_rows`` into a table of ``present`` rows go faster with indexes built after.

    SQLite only: a sort over all the rows costs about a third of inserting each new key into
    a B-tree at a random place (measured on a customer ledger).
    """
    return conn.dialect.name == "sqlite" and new_rows >= REBUILD_FROM and present <= new_rows


@contextmanager
def indexes_built_after(conn: Connection, tables: Sequence[str]) -> Iterator[None]:
    """Drop the secondary indexes of ``tables`` now, create them again when the block ends.

    SQLite, in the caller's transaction. For an import that brings many rows against what
    the tables hold (a first ledger): one sort per index instead of a B-tree insert per key.
    DDL is part of SQLite's transaction, so nobody else ever sees the tables without their
    indexes, and a rollback brings them back; after a Python error (a cancellation) they are
    created again anyway, for a caller that would go on in the same transaction.
    """
    marks = ", ".join("?" for _ in tables)
    indexes = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name",
        tuple(tables),
    ).all()
    drops = [f'DROP INDEX "{name}"' for name, _sql in indexes]
    with recreated_after(conn, drops, [sql for _name, sql in indexes]):
        yield
