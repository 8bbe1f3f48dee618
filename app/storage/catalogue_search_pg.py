"""Catalogue search index for PostgreSQL (R14): the same answers as ``catalogue_search`` (SQLite).

The tables come from migration 0020 (PostgreSQL only):

* ``volume_text``: per volume, its 档号, title, the title's pinyin and the 备注栏, case-folded
  and joined by line breaks, with a ``pg_trgm`` GIN index;
* ``item_text``: per item, its title, 文号, 责任者, the title's pinyin and the 备注栏, likewise.

SQLite's FTS5 trigram phrase query finds a 3+ character piece inside any one column; here the
columns are joined by a line break, which a search never contains, so ``LIKE '%q%'`` answers the
same (the GIN index narrows, the server checks every candidate). Below 3 characters neither
engine matches titles (the 档号 prefix look-up still does). Secrecy filtering stays in the
service, against the volume and item rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine

from app.storage.catalogue_search import item_entry, volume_entry

__all__ = [
    "SCHEMA",
    "TABLES",
    "index_items",
    "index_volumes",
    "insert_item_entries",
    "insert_volume_entries",
    "match_items",
    "match_volumes",
    "rebuild",
]

TABLES = ("volume_text", "item_text")
SCHEMA = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TABLE IF NOT EXISTS volume_text (volume_id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_volume_text_body_trgm "
    "ON volume_text USING gin (body gin_trgm_ops)",
    "CREATE TABLE IF NOT EXISTS item_text (item_id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_item_text_body_trgm ON item_text USING gin (body gin_trgm_ops)",
)
_SEPARATOR = "\n"


def _body(parts: Sequence[Any]) -> str:
    return _SEPARATOR.join(" ".join(str(p or "").split(_SEPARATOR)).casefold() for p in parts)


def insert_volume_entries(conn: Connection, entries: Sequence[Sequence[Any]]) -> None:
    """Insert ``catalogue_search.volume_entry`` rows of volumes not indexed yet."""
    if entries:
        conn.exec_driver_sql(
            "INSERT INTO volume_text (volume_id, body) VALUES (%s, %s)",
            [(e[0], _body(e[1:])) for e in entries],
        )


def insert_item_entries(conn: Connection, entries: Sequence[Sequence[Any]]) -> None:
    """Insert ``catalogue_search.item_entry`` rows of items not indexed yet."""
    if entries:
        conn.exec_driver_sql(
            "INSERT INTO item_text (item_id, body) VALUES (%s, %s)",
            [(e[0], _body(e[1:])) for e in entries],
        )


def index_volumes(conn: Connection, rows: Iterable[tuple[int, str, str, str]]) -> None:
    """(Re)index volumes given as ``(id, code, title, remarks)``."""
    entries = [volume_entry(*r) for r in rows]
    if entries:
        conn.exec_driver_sql(
            "DELETE FROM volume_text WHERE volume_id = ANY(%s)", ([e[0] for e in entries],)
        )
        insert_volume_entries(conn, entries)


def index_items(conn: Connection, rows: Iterable[tuple[int, str, str, str, str]]) -> None:
    """(Re)index items given as ``(id, title, doc_number, author, remarks)``."""
    entries = [item_entry(*r) for r in rows]
    if entries:
        conn.exec_driver_sql(
            "DELETE FROM item_text WHERE item_id = ANY(%s)", ([e[0] for e in entries],)
        )
        insert_item_entries(conn, entries)


def index_batch(conn: Connection, table: str, after: int, batch: int) -> int | None:
    """Index up to ``batch`` volumes or items (``table``) with ids above ``after``; last id."""
    if table == "volume":
        rows = conn.exec_driver_sql(
            "SELECT id, reference_code, title, index_remarks FROM volume "
            "WHERE id > %s ORDER BY id LIMIT %s",
            (after, batch),
        ).all()
        insert_volume_entries(conn, [volume_entry(*r) for r in rows])
    else:
        rows = conn.exec_driver_sql(
            "SELECT id, title, doc_number, author, index_remarks FROM archive_item "
            "WHERE id > %s ORDER BY id LIMIT %s",
            (after, batch),
        ).all()
        insert_item_entries(conn, [item_entry(*r) for r in rows])
    return int(rows[-1][0]) if rows else None


def index_all(conn: Connection, batch: int = 20_000) -> None:
    """Index every volume and item into empty tables (migration 0020), in ``conn``'s transaction."""
    for table in ("volume", "archive_item"):
        last: int | None = 0
        while last is not None:
            last = index_batch(conn, table, last, batch)


def rebuild(engine: Engine, batch: int = 20_000) -> None:
    """Index every volume and item again (after a bulk load), a batch per transaction."""
    with engine.begin() as conn:
        for statement in SCHEMA:
            conn.exec_driver_sql(statement)
        conn.exec_driver_sql("TRUNCATE volume_text, item_text")
    for table in ("volume", "archive_item"):
        last: int | None = 0
        while last is not None:
            with engine.begin() as conn:
                last = index_batch(conn, table, last, batch)


def _like_pattern(q: str) -> str:
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _match(conn: Connection, table: str, key: str, query: str, limit: int) -> list[int]:
    q = " ".join(query.strip().casefold().split(_SEPARATOR))
    if len(q) < 3:
        return []
    return [
        int(r[0])
        for r in conn.exec_driver_sql(
            f"SELECT {key} FROM {table} WHERE body LIKE %s ORDER BY {key} DESC LIMIT %s",
            (_like_pattern(q), limit),
        ).all()
    ]


def match_volumes(conn: Connection, query: str, limit: int) -> list[int]:
    """Ids of volumes whose 档号, title, pinyin or remarks contain ``query`` (3+ characters)."""
    return _match(conn, "volume_text", "volume_id", query, limit)


def match_items(conn: Connection, query: str, limit: int) -> list[int]:
    """Ids of items whose title, 文号, 责任者, pinyin or remarks contain ``query``."""
    return _match(conn, "item_text", "item_id", query, limit)
