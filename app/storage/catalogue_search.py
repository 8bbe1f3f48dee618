"""Catalogue search index for SQLite/SQLCipher (R14): volumes and items.

Title words, pinyin, 档号 and remarks; SQLite-only SQL lives here, beside ``search_sqlite``.

* ``volume_fts``: FTS5 trigram over a volume's 档号, title, the title's pinyin and the 备注栏;
* ``item_fts``: FTS5 trigram over an item's title, 文号, 责任者, pinyin and 备注栏.

The rowid of each is the volume / item id. Secrecy filtering happens in the service, in SQL,
against the volume and item rows (``app.security.access``): a title match never reveals a
volume or item above the reader's clearance.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine

from app.domain.pinyin import title_pinyin

VERSION = 2  # 2: titles' pinyin read character by character
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS catalogue_index_meta (version INTEGER NOT NULL)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS volume_fts USING fts5("
    "code, title, pinyin, remarks, tokenize='trigram')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS item_fts USING fts5("
    "title, doc_number, author, pinyin, remarks, tokenize='trigram')",
)
TABLES = ("volume_fts", "item_fts", "catalogue_index_meta")
INSERT_VOLUME = (
    "INSERT INTO volume_fts (rowid, code, title, pinyin, remarks) VALUES (?, ?, ?, ?, ?)"
)
INSERT_ITEM = (
    "INSERT INTO item_fts (rowid, title, doc_number, author, pinyin, remarks) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


def ensure_schema(conn: Connection) -> bool:
    """Create the tables; return True when existing volumes need indexing."""
    names = {
        r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    if set(TABLES) <= names:
        version = conn.exec_driver_sql("SELECT max(version) FROM catalogue_index_meta").scalar()
        if version == VERSION:
            return False
    for table in TABLES:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    for statement in SCHEMA:
        conn.exec_driver_sql(statement)
    conn.exec_driver_sql("INSERT INTO catalogue_index_meta (version) VALUES (?)", (VERSION,))
    return conn.exec_driver_sql("SELECT 1 FROM volume LIMIT 1").first() is not None


def _pinyin(text: str) -> str:
    return title_pinyin(text)


def volume_entry(
    volume_id: int, code: str, title: str, remarks: str
) -> tuple[int, str, str, str, str]:
    """The ``volume_fts`` row of one volume."""
    return (volume_id, code, title, _pinyin(title), remarks)


def item_entry(
    item_id: int, title: str, doc_number: str, author: str, remarks: str
) -> tuple[int, str, str, str, str, str]:
    """The ``item_fts`` row of one item."""
    return (item_id, title, doc_number, author, _pinyin(title), remarks)


def insert_volume_entries(conn: Connection, entries: Sequence[Sequence[Any]]) -> None:
    """Insert :func:`volume_entry` rows of volumes not indexed yet."""
    if entries:
        conn.exec_driver_sql(INSERT_VOLUME, [tuple(e) for e in entries])


def insert_item_entries(conn: Connection, entries: Sequence[Sequence[Any]]) -> None:
    """Insert :func:`item_entry` rows of items not indexed yet."""
    if entries:
        conn.exec_driver_sql(INSERT_ITEM, [tuple(e) for e in entries])


def index_volumes(conn: Connection, rows: Iterable[tuple[int, str, str, str]]) -> None:
    """(Re)index volumes given as ``(id, code, title, remarks)``."""
    entries = [volume_entry(*r) for r in rows]
    if entries:
        conn.exec_driver_sql("DELETE FROM volume_fts WHERE rowid = ?", [(e[0],) for e in entries])
        conn.exec_driver_sql(INSERT_VOLUME, entries)


def index_items(conn: Connection, rows: Iterable[tuple[int, str, str, str, str]]) -> None:
    """(Re)index items given as ``(id, title, doc_number, author, remarks)``."""
    entries = [item_entry(*r) for r in rows]
    if entries:
        conn.exec_driver_sql("DELETE FROM item_fts WHERE rowid = ?", [(e[0],) for e in entries])
        conn.exec_driver_sql(INSERT_ITEM, entries)


def rebuild(engine: Engine, batch: int = 20_000) -> None:
    """Index every volume and item (after a bulk load or an index version change)."""
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM volume_fts")
        conn.exec_driver_sql("DELETE FROM item_fts")
    for table, columns, insert, make in (
        ("volume", "id, reference_code, title, index_remarks", INSERT_VOLUME, volume_entry),
        (
            "archive_item",
            "id, title, doc_number, author, index_remarks",
            INSERT_ITEM,
            item_entry,
        ),
    ):
        last = 0
        while True:
            with engine.begin() as conn:
                rows = conn.exec_driver_sql(
                    f"SELECT {columns} FROM {table} WHERE id > ? ORDER BY id LIMIT ?",
                    (last, batch),
                ).all()
                if not rows:
                    break
                conn.exec_driver_sql(insert, [make(*r) for r in rows])
            last = rows[-1][0]


def _phrase(query: str) -> str:
    return '"' + query.replace('"', '""') + '"'


def _ids(conn: Connection, sql: str, params: tuple[Any, ...]) -> list[int]:
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    cursor = dbapi.cursor()
    try:
        return [int(r[0]) for r in cursor.execute(sql, params).fetchall()]
    finally:
        cursor.close()


def _match(conn: Connection, fts: str, query: str, limit: int) -> list[int]:
    """Rowids of ``fts`` rows containing ``query`` as a phrase, newest first (3+ characters)."""
    q = query.strip().casefold()
    if len(q) < 3:
        return []
    return _ids(
        conn,
        f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? ORDER BY rowid DESC LIMIT ?",
        (_phrase(q), limit),
    )


def match_volumes(conn: Connection, query: str, limit: int) -> list[int]:
    """Ids of volumes whose 档号, title, pinyin or remarks contain ``query`` (3+ characters)."""
    return _match(conn, "volume_fts", query, limit)


def match_items(conn: Connection, query: str, limit: int) -> list[int]:
    """Ids of items whose title, 文号, 责任者, pinyin or remarks contain ``query``."""
    return _match(conn, "item_fts", query, limit)
