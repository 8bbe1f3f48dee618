"""Customer search index for PostgreSQL: the same answers, in the same order, as search_sqlite.

The tables come from migration 0010 (PostgreSQL only):

* ``customer_key``: the same ordered keys per customer as on SQLite (whole keys: the folded
  name and its pinyin readings; part keys: from each syllable boundary on), compared
  byte-wise (``COLLATE "C"``, SQLite's BINARY) so a range read answers "starts with".
* ``customer_text``: the case-folded name, customer number and remarks with ``pg_trgm`` GIN
  indexes: any substring of 3+ characters through ``LIKE`` (SQLite: an FTS5 trigram table).
* ``customer_gram``: the 1- and 2-character pieces of the name (trigrams cannot match them).

Kept in step by ``search.index_customers`` / :func:`remove_customers` in the same transaction as
the change. Keys and grams are computed in Python exactly as on SQLite (pinyin has no SQL).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine

from app.storage import search_common
from app.storage.search_common import IndexReader, IndexRow, chunks, rebuild_in_batches
from app.storage.search_sqlite import name_entries

__all__ = [
    "SCHEMA",
    "IndexRow",
    "count_matches",
    "ensure_schema",
    "index_customers_fresh",
    "match_ids",
    "prefix_ids",
    "rebuild",
    "remove_customers",
    "syllable_ids",
]

TABLES = ("customer_text", "customer_gram", "customer_key")
SCHEMA = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TABLE IF NOT EXISTS customer_text ("
    "customer_id INTEGER PRIMARY KEY, name TEXT NOT NULL, number TEXT NOT NULL, "
    "remarks TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_customer_text_name_trgm "
    "ON customer_text USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_customer_text_number_trgm "
    "ON customer_text USING gin (number gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_customer_text_remarks_trgm "
    "ON customer_text USING gin (remarks gin_trgm_ops)",
    "CREATE TABLE IF NOT EXISTS customer_gram ("
    'gram TEXT COLLATE "C" NOT NULL, customer_id INTEGER NOT NULL, '
    "PRIMARY KEY (gram, customer_id))",
    "CREATE INDEX IF NOT EXISTS ix_customer_gram_customer ON customer_gram (customer_id)",
    "CREATE TABLE IF NOT EXISTS customer_key ("
    'key TEXT COLLATE "C" NOT NULL, customer_id INTEGER NOT NULL, whole SMALLINT NOT NULL, '
    "PRIMARY KEY (key, customer_id))",
    "CREATE INDEX IF NOT EXISTS ix_customer_key_whole ON customer_key (whole, key, customer_id)",
    "CREATE INDEX IF NOT EXISTS ix_customer_key_customer ON customer_key (customer_id)",
)


def ensure_schema(conn: Connection) -> bool:
    """Create the index tables if missing; return True when existing customers need indexing."""
    present = {
        r[0]
        for r in conn.exec_driver_sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
    }
    if set(TABLES) <= present:
        return False
    for statement in SCHEMA:
        conn.exec_driver_sql(statement)
    return conn.exec_driver_sql("SELECT 1 FROM customer LIMIT 1").first() is not None


def _fold(value: str) -> str:
    return value.casefold()


def remove_customers(conn: Connection, ids: list[int]) -> None:
    """Drop customers from the index."""
    for chunk in chunks(ids, 5000):
        for table in TABLES:
            conn.exec_driver_sql(f"DELETE FROM {table} WHERE customer_id = ANY(%s)", (chunk,))


def index_customers_fresh(
    conn: Connection, rows: list[IndexRow], memo: dict[str, Any] | None = None
) -> None:
    """Insert rows known not to be indexed yet (no delete first; ``memo``: entries per name)."""
    texts: list[tuple[int, str, str, str]] = []
    grams: list[tuple[str, int]] = []
    keys: list[tuple[str, int, int]] = []
    memo = {} if memo is None else memo
    for r in rows:
        entries = memo.get(r.name)
        if entries is None:
            entries = memo[r.name] = name_entries(r.name)
        entry_grams, entry_keys = entries
        texts.append((r.customer_id, _fold(r.name), _fold(r.number), _fold(r.remarks)))
        grams += [(g, r.customer_id) for g in entry_grams]
        seen: set[str] = set()
        for k, whole in entry_keys:  # whole keys first: a key both whole and part stays whole
            if k not in seen:
                seen.add(k)
                keys.append((k, r.customer_id, whole))
    if not texts:
        return
    conn.exec_driver_sql(
        "INSERT INTO customer_text (customer_id, name, number, remarks) VALUES (%s, %s, %s, %s)",
        texts,
    )
    if grams:
        conn.exec_driver_sql(
            "INSERT INTO customer_gram (gram, customer_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            grams,
        )
    if keys:
        conn.exec_driver_sql(
            "INSERT INTO customer_key (key, customer_id, whole) VALUES (%s, %s, %s) "
            "ON CONFLICT DO NOTHING",
            keys,
        )


def rebuild(engine: Engine, batch: int = 20_000) -> int:
    """Rebuild the whole index from the customer table; return the count."""
    return rebuild_in_batches(
        engine,
        ensure_schema=ensure_schema,
        clear="TRUNCATE {}",
        tables=TABLES,
        index_fresh=index_customers_fresh,
        batch=batch,
    )


def index_batch(conn: Connection, after: int, batch: int) -> tuple[int, int] | None:
    """Index up to ``batch`` customers with ids above ``after`` (migration 0010)."""
    return search_common.index_batch(conn, after, batch, index_customers_fresh)


def _like_pattern(q: str) -> str:
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _text_match(q: str) -> tuple[str, tuple[Any, ...]]:
    """Ids whose folded name, number or remarks contain ``q`` (``pg_trgm`` GIN indexes)."""
    pattern = _like_pattern(q)
    return (
        "SELECT customer_id FROM customer_text "
        "WHERE name LIKE %s OR number LIKE %s OR remarks LIKE %s ORDER BY customer_id",
        (pattern, pattern, pattern),
    )


def _column(conn: Connection, sql: str, params: tuple[Any, ...]) -> list[Any]:
    """First column of every row, fetched by the driver in one call."""
    return [r[0] for r in conn.exec_driver_sql(sql, params).all()]


READER = IndexReader(mark="%s", text_match=_text_match, column=_column)
match_ids = READER.match_ids
prefix_ids = READER.prefix_ids
syllable_ids = READER.syllable_ids
count_matches = READER.count_matches
