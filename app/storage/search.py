"""The customer search index of whichever engine a connection is on (SQLite or PostgreSQL).

Both modules answer the same calls with the same ids in the same order; services call these
instead of testing the engine themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from sqlalchemy import Connection

from app.storage import search_pg, search_sqlite
from app.storage.search_sqlite import IndexRow

__all__ = [
    "IndexRow",
    "count_matches",
    "index_customers",
    "index_customers_fresh",
    "insert_prepared",
    "match_ids",
    "module_for",
    "prefix_ids",
    "prepare_customers_fresh",
    "remove_customers",
    "syllable_ids",
]


def module_for(conn: Connection) -> ModuleType:
    """``search_pg`` on PostgreSQL, ``search_sqlite`` otherwise."""
    return search_pg if conn.dialect.name == "postgresql" else search_sqlite


def index_customers(conn: Connection, rows: Iterable[IndexRow]) -> None:
    """Add (or refresh) customers in the index."""
    rows = list(rows)
    if rows:
        module = module_for(conn)
        module.remove_customers(conn, [r.customer_id for r in rows])
        module.index_customers_fresh(conn, rows)


def index_customers_fresh(
    conn: Connection, rows: list[IndexRow], memo: dict[str, Any] | None = None
) -> None:
    """Insert customers known not to be indexed yet (bulk loads: no delete first).

    ``memo``: the entries per name computed so far, kept by the caller over several calls
    (names repeat in a large import; the pinyin readings are the costly part).
    """
    if rows:
        module_for(conn).index_customers_fresh(conn, rows, memo)


def remove_customers(conn: Connection, ids: list[int]) -> None:
    """Drop customers from the index."""
    module_for(conn).remove_customers(conn, ids)


def prepare_customers_fresh(
    conn: Connection, rows: list[IndexRow], memo: dict[str, Any] | None = None
) -> Callable[[], None]:
    """:func:`index_customers_fresh` in two steps: entries computed now, written by the call.

    SQLite: what the index holds for ``rows`` is computed here and the call returned only
    inserts it, so a bulk load can run that call on its writer thread while it prepares the
    next rows. The call must run before the transaction ends.
    """
    if not rows:
        return lambda: None
    if conn.dialect.name == "postgresql":
        return lambda: search_pg.index_customers_fresh(conn, rows, memo)
    return search_sqlite.prepare_fresh(conn, rows, memo)


def insert_prepared(conn: Connection, fts: list[Any], grams: list[Any], keys: list[Any]) -> None:
    """SQLite: insert entries computed ahead by ``search_sqlite.IndexBatch`` (a bulk load's)."""
    search_sqlite.insert_entries(conn, fts, grams, keys)


def match_ids(conn: Connection, query: str, limit: int) -> list[int]:
    """Ids whose name, number or remarks contain ``query`` (name only below 3 characters)."""
    return list(module_for(conn).match_ids(conn, query, limit))


def prefix_ids(conn: Connection, query: str, limit: int) -> list[int]:
    """Ids whose name or a pinyin reading starts with ``query``."""
    return list(module_for(conn).prefix_ids(conn, query, limit))


def syllable_ids(conn: Connection, query: str, limit: int) -> list[int]:
    """Ids whose pinyin contains ``query`` from a syllable boundary on."""
    return list(module_for(conn).syllable_ids(conn, query, limit))


def count_matches(conn: Connection, query: str, cap: int) -> int:
    """Number of matches, up to ``cap + 1``."""
    return int(module_for(conn).count_matches(conn, query, cap))
