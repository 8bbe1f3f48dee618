"""Customer search index for SQLite/SQLCipher (the one module with SQLite-only SQL).

* ``customer_key``: ordered keys per customer. *Whole* keys are the folded name and each pinyin
  reading (full and initials); *part* keys are what follows each syllable boundary (``张三丰``:
  ``sanfeng``, ``feng``, ``sf``, ``f``; Latin letters count as syllables). A range read on this
  index answers "starts with" (the rank after exact numbers, already in name order) and any
  pinyin typed from a syllable on, without reading a single name.
* ``customer_fts``: an FTS5 table with the trigram tokenizer over the name, customer number and
  remarks: any substring of 3+ characters (R14). Pinyin is not in it: pinyin's few letters
  make trigram lists that are long and slow to intersect.
* ``customer_gram``: the 1- and 2-character substrings of the name, because trigrams cannot
  match shorter queries and an unbounded ``LIKE`` scan is too slow at a million rows.

All are kept in step by ``search.index_customers`` / :func:`remove_customers` in the same
transaction as the change; bulk loads write them in the same pass instead (no triggers).
``search_pg`` (``pg_trgm``) sits beside this one behind the same functions; the reading queries
both run are built in ``search_common``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Engine

from app.domain.pinyin import pinyin_readings, reading_keys
from app.storage.search_common import IndexReader, chunks, rebuild_in_batches
from app.storage.search_common import IndexRow as IndexRow  # re-exported: callers import it here

VERSION = 3  # of the tables below; another value (or a missing table) rebuilds the index
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS search_index_meta (version INTEGER NOT NULL)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS customer_fts USING fts5("
    "name, number, remarks, tokenize='trigram')",
    "CREATE TABLE IF NOT EXISTS customer_gram ("
    "gram TEXT NOT NULL, customer_id INTEGER NOT NULL, PRIMARY KEY (gram, customer_id)"
    ") WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS customer_key ("
    "key TEXT NOT NULL, customer_id INTEGER NOT NULL, whole INTEGER NOT NULL, "
    "PRIMARY KEY (key, customer_id)) WITHOUT ROWID",
)
TABLES = ("customer_fts", "customer_gram", "customer_key")
OLD_TABLES = ("customer_prefix",)  # of version 1


def _version(conn: Connection) -> int | None:
    names = {
        r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    if "search_index_meta" not in names or not set(TABLES) <= names:
        return None
    return conn.exec_driver_sql("SELECT max(version) FROM search_index_meta").scalar()


def ensure_schema(conn: Connection) -> bool:
    """Create the index tables; return True when existing customers need indexing.

    An index of another version (or with a table missing) is dropped and created afresh; the
    caller then runs :func:`rebuild` once.
    """
    if _version(conn) == VERSION:
        return False
    for table in (*TABLES, *OLD_TABLES):
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    for statement in SCHEMA:
        conn.exec_driver_sql(statement)
    conn.exec_driver_sql("DELETE FROM search_index_meta")
    conn.exec_driver_sql("INSERT INTO search_index_meta (version) VALUES (?)", (VERSION,))
    return conn.exec_driver_sql("SELECT 1 FROM customer LIMIT 1").first() is not None


def name_keys(name: str) -> tuple[set[str], set[str]]:
    """Whole keys (folded name, pinyin readings) and part keys (from each syllable on)."""
    folded = "".join(name.split()).casefold()
    readings = pinyin_readings(name)  # once: the keys below and the parts are both made of it
    whole = {k for k in (folded, *reading_keys(readings)) if k}
    parts: set[str] = set()
    for syllables in readings:
        for i in range(1, len(syllables)):
            parts.add("".join(syllables[i:]))
            if i < len(syllables) - 1:  # a last initial alone starts the full part anyway
                parts.add("".join(s[:1] for s in syllables[i:]))
    parts.discard("")
    return whole, parts - whole


NameEntries = tuple[tuple[str, ...], tuple[tuple[str, int], ...]]  # grams, (key, whole)


def name_entries(name: str) -> NameEntries:
    """What the index holds for a name, whoever bears it (whole keys first)."""
    whole, parts = name_keys(name)
    keys = tuple((k, 1) for k in sorted(whole)) + tuple((k, 0) for k in sorted(parts))
    return tuple(sorted(_grams(name))), keys


def _grams(name: str) -> set[str]:
    """1–2 character pieces of the name."""
    folded = name.casefold().replace(" ", "")
    return {folded[i : i + n] for n in (1, 2) for i in range(len(folded) - n + 1)}


def remove_customers(conn: Connection, ids: list[int]) -> None:
    """Drop customers from the index.

    The name kept in the FTS table tells which key and gram entries the customer has, so they
    are deleted by primary key: no secondary index to keep up during bulk loads.
    """
    for chunk in chunks(ids, 500):
        marks = ", ".join("?" for _ in chunk)
        named = conn.exec_driver_sql(
            f"SELECT rowid, name FROM customer_fts WHERE rowid IN ({marks})", tuple(chunk)
        ).all()
        keys: list[tuple[str, int]] = []
        grams: list[tuple[str, int]] = []
        for cid, name in named:
            entry_grams, entry_keys = name_entries(str(name))
            grams += [(g, cid) for g in entry_grams]
            keys += [(k, cid) for k, _whole in entry_keys]
        if keys:
            conn.exec_driver_sql(
                "DELETE FROM customer_key WHERE key = ? AND customer_id = ?",
                keys,
            )
        if grams:
            conn.exec_driver_sql(
                "DELETE FROM customer_gram WHERE gram = ? AND customer_id = ?",
                grams,
            )
        conn.exec_driver_sql(f"DELETE FROM customer_fts WHERE rowid IN ({marks})", tuple(chunk))


def rebuild(engine: Engine, batch: int = 20_000) -> int:
    """Rebuild the whole index from the customer table (after bulk loads); return the count."""
    return rebuild_in_batches(
        engine,
        ensure_schema=ensure_schema,
        clear="DELETE FROM {}",
        tables=TABLES,
        index_fresh=index_customers_fresh,
        batch=batch,
    )


INSERT_FTS = "INSERT INTO customer_fts (rowid, name, number, remarks) VALUES (?, ?, ?, ?)"
INSERT_GRAM = "INSERT OR IGNORE INTO customer_gram (gram, customer_id) VALUES (?, ?)"
# a key both whole and part of one customer keeps the whole entry (inserted first)
INSERT_KEY = "INSERT OR IGNORE INTO customer_key (key, customer_id, whole) VALUES (?, ?, ?)"


@dataclass
class IndexBatch:
    """Parameter tuples for the three index tables.

    Plain data, so a bulk loader may compute them in another process.
    """

    fts: list[tuple[int, str, str, str]]
    grams: list[tuple[str, int]]
    keys: list[tuple[str, int, int]]

    @classmethod
    def of(cls, rows: Iterable[IndexRow], memo: dict[str, NameEntries] | None = None) -> IndexBatch:
        """Compute the index entries of ``rows`` (``memo``: entries per name, kept by caller)."""
        batch = cls([], [], [])
        memo = {} if memo is None else memo  # names repeat in bulk loads
        for r in rows:
            batch.add(r, memo)
        return batch

    def add(self, r: IndexRow, memo: dict[str, NameEntries] | None = None) -> None:
        """Add the entries of one customer (``memo``: entries per name, for bulk loads)."""
        entries = memo.get(r.name) if memo is not None else None
        if entries is None:
            entries = name_entries(r.name)
            if memo is not None:
                memo[r.name] = entries
        grams, keys = entries
        cid = r.customer_id
        self.fts.append((cid, r.name, r.number, r.remarks))
        self.grams.extend([(g, cid) for g in grams])
        self.keys.extend([(k, cid, whole) for k, whole in keys])

    def write(self, cursor: Any) -> None:
        """Insert with a DB-API cursor (executemany, no per-row Python work)."""
        cursor.executemany(INSERT_FTS, self.fts)
        cursor.executemany(INSERT_GRAM, self.grams)
        cursor.executemany(INSERT_KEY, self.keys)


def index_customers_fresh(
    conn: Connection, rows: list[IndexRow], memo: dict[str, NameEntries] | None = None
) -> None:
    """Insert rows known not to be indexed yet (bulk path: no delete first).

    ``memo``: entries per name, kept by the caller over several calls.
    """
    prepare_fresh(conn, rows, memo)()


def prepare_fresh(
    conn: Connection, rows: list[IndexRow], memo: dict[str, NameEntries] | None = None
) -> Callable[[], None]:
    """:func:`index_customers_fresh` in two steps: entries computed now, inserted by the call.

    A bulk load runs the call returned on its writer thread while computing the next batch.
    The gram and key entries go in key order: neighbouring inserts land on the same pages of
    those B-trees.
    """
    batch = IndexBatch.of(rows, memo)
    grams = sorted(batch.grams)
    keys = sorted(batch.keys, key=itemgetter(0, 1))  # stable: a whole entry stays first
    return lambda: insert_entries(conn, batch.fts, grams, keys)


def insert_entries(conn: Connection, fts: list[Any], grams: list[Any], keys: list[Any]) -> None:
    """Insert entries computed by :class:`IndexBatch` (grams and keys sorted, as above)."""
    if fts:
        conn.exec_driver_sql(INSERT_FTS, fts)
    if grams:
        conn.exec_driver_sql(INSERT_GRAM, grams)
    if keys:
        conn.exec_driver_sql(INSERT_KEY, keys)


def _fts_phrase(query: str) -> str:
    return '"' + query.replace('"', '""') + '"'


def _text_match(q: str) -> tuple[str, tuple[Any, ...]]:
    """Ids whose name, number or remarks contain ``q`` (the FTS5 trigram table)."""
    return (
        "SELECT rowid FROM customer_fts WHERE customer_fts MATCH ? ORDER BY rowid",
        (_fts_phrase(q),),
    )


def _column(conn: Connection, sql: str, params: tuple[Any, ...]) -> list[Any]:
    """First column of every row, fetched by the driver in one call.

    Thousands of ids per keystroke: row-by-row iteration through SQLAlchemy would cost more
    than the query itself.
    """
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    cursor = dbapi.cursor()
    try:
        return [r[0] for r in cursor.execute(sql, params).fetchall()]
    finally:
        cursor.close()


READER = IndexReader(mark="?", text_match=_text_match, column=_column)
match_ids = READER.match_ids
prefix_ids = READER.prefix_ids
syllable_ids = READER.syllable_ids
count_matches = READER.count_matches
