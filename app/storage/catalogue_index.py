"""The catalogue search index of whichever engine a connection is on (SQLite or PostgreSQL).

``catalogue_search`` (FTS5) and ``catalogue_search_pg`` (pg_trgm) answer the same calls with the
same ids in the same order; services and imports call these instead of testing the engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection

from app.storage import catalogue_search, catalogue_search_pg

__all__ = [
    "index_items",
    "index_volumes",
    "insert_item_entries",
    "insert_volume_entries",
    "match_items",
    "match_volumes",
    "remove_span",
]


def _on_server(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def index_volumes(conn: Connection, rows: Iterable[tuple[int, str, str, str]]) -> None:
    """(Re)index volumes given as ``(id, code, title, remarks)``."""
    if _on_server(conn):
        catalogue_search_pg.index_volumes(conn, rows)
    else:
        catalogue_search.index_volumes(conn, rows)


def index_items(conn: Connection, rows: Iterable[tuple[int, str, str, str, str]]) -> None:
    """(Re)index items given as ``(id, title, doc_number, author, remarks)``."""
    if _on_server(conn):
        catalogue_search_pg.index_items(conn, rows)
    else:
        catalogue_search.index_items(conn, rows)


def insert_volume_entries(conn: Connection, entries: Sequence[Sequence[Any]]) -> None:
    """Insert ``catalogue_search.volume_entry`` rows of new volumes (imports)."""
    if _on_server(conn):
        catalogue_search_pg.insert_volume_entries(conn, entries)
    else:
        catalogue_search.insert_volume_entries(conn, entries)


def insert_item_entries(conn: Connection, entries: Sequence[Sequence[Any]]) -> None:
    """Insert ``catalogue_search.item_entry`` rows of new items (imports)."""
    if _on_server(conn):
        catalogue_search_pg.insert_item_entries(conn, entries)
    else:
        catalogue_search.insert_item_entries(conn, entries)


def match_volumes(conn: Connection, query: str, limit: int) -> list[int]:
    """Ids of volumes whose 档号, title, pinyin or remarks contain ``query`` (newest first)."""
    if _on_server(conn):
        return catalogue_search_pg.match_volumes(conn, query, limit)
    return catalogue_search.match_volumes(conn, query, limit)


def match_items(conn: Connection, query: str, limit: int) -> list[int]:
    """Ids of items whose title, 文号, 责任者, pinyin or remarks contain ``query``."""
    if _on_server(conn):
        return catalogue_search_pg.match_items(conn, query, limit)
    return catalogue_search.match_items(conn, query, limit)


def remove_span(conn: Connection, kind: str, first: int, last: int) -> None:
    """Drop the entries of volumes or items (``kind``) with ids from ``first`` to ``last``."""
    if _on_server(conn):
        table, key = ("volume_text", "volume_id") if kind == "volume" else ("item_text", "item_id")
        conn.exec_driver_sql(f"DELETE FROM {table} WHERE {key} BETWEEN %s AND %s", (first, last))
    else:
        table = "volume_fts" if kind == "volume" else "item_fts"
        conn.exec_driver_sql(f"DELETE FROM {table} WHERE rowid BETWEEN ? AND ?", (first, last))
