"""What the SQLite and PostgreSQL customer search indexes share: reading, rebuilding, chunking.

Both engines keep the same ``customer_key`` and ``customer_gram`` tables and answer the same
calls with the same ids in the same order; they differ in the DB-API placeholder (``?`` or
``%s``), in how a 3+ character query finds text (FTS5 trigram ``MATCH`` or ``pg_trgm`` ``LIKE``)
and in how the driver is asked for a column. An :class:`IndexReader` takes those three and
builds every reading query; ``search_sqlite`` and ``search_pg`` each hold one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, text

__all__ = ["END", "IndexReader", "IndexRow", "chunks", "index_batch", "rebuild_in_batches"]

# One past the largest code point: ``key >= q AND key < q || END`` is "key starts with q".
END = "\U0010ffff"


@dataclass(frozen=True)
class IndexRow:
    """What the index needs of one customer."""

    customer_id: int
    name: str
    number: str
    remarks: str


IndexFresh = Callable[[Connection, list[IndexRow]], None]
Column = Callable[[Connection, str, tuple[Any, ...]], list[Any]]
TextMatch = Callable[[str], tuple[str, tuple[Any, ...]]]


class IndexReader:
    """The reading queries of one engine's customer index.

    Args:
        mark: the driver's parameter placeholder (``?`` or ``%s``).
        text_match: for a folded query of 3+ characters, the SELECT of matching customer ids in
            id order with its parameters.
        column: runs a SELECT and returns the first column of every row.
    """

    def __init__(self, *, mark: str, text_match: TextMatch, column: Column) -> None:
        self.mark = mark
        self.text_match = text_match
        self.column = column

    def match_sql(self, query: str) -> tuple[str, tuple[Any, ...]] | None:
        """The SELECT of matching ids (in id order) for ``query``, with its parameters."""
        q = query.strip().casefold()
        if not q:
            return None
        if len(q) < 3:
            where = f"WHERE gram = {self.mark} ORDER BY customer_id"
            return f"SELECT customer_id FROM customer_gram {where}", (q,)
        return self.text_match(q)

    def match_ids(self, conn: Connection, query: str, limit: int) -> list[int]:
        """Customer ids whose name, pinyin, number or remarks contain ``query`` (any length)."""
        found = self.match_sql(query)
        if found is None:
            return []
        sql, params = found
        return self.column(conn, f"{sql} LIMIT {self.mark}", (*params, limit))

    def key_ids(self, conn: Connection, query: str, whole: int, limit: int) -> list[int]:
        """Ids with a key (``whole`` 1: whole keys, 0: part keys) starting with ``query``."""
        q = "".join(query.split()).casefold()
        if not q:
            return []
        m = self.mark
        ids = self.column(
            conn,
            f"SELECT customer_id FROM customer_key WHERE key >= {m} AND key < {m} AND whole = {m} "
            f"ORDER BY key, customer_id LIMIT {m}",
            (q, q + END, whole, limit),
        )
        return list(dict.fromkeys(ids))

    def prefix_ids(self, conn: Connection, query: str, limit: int) -> list[int]:
        """Ids whose name or a pinyin reading starts with ``query`` (key order: shortest first)."""
        return self.key_ids(conn, query, 1, limit)

    def syllable_ids(self, conn: Connection, query: str, limit: int) -> list[int]:
        """Ids whose pinyin (or Latin name) contains ``query`` from a syllable boundary on."""
        return self.key_ids(conn, query, 0, limit)

    def count_matches(self, conn: Connection, query: str, cap: int) -> int:
        """Number of matches, counted up to ``cap + 1`` (the UI shows "cap+" beyond)."""
        found = self.match_sql(query)
        if found is None:
            return 0
        sql, params = found
        counted = self.column(
            conn, f"SELECT count(*) FROM ({sql} LIMIT {self.mark}) AS m", (*params, cap + 1)
        )
        return int(counted[0])


def index_batch(
    conn: Connection, after: int, batch: int, index_fresh: IndexFresh
) -> tuple[int, int] | None:
    """Index up to ``batch`` customers with ids above ``after``; ``(last id, count)`` or None.

    ``index_fresh`` is the engine's ``index_customers_fresh`` (the rows are not indexed yet).
    """
    rows = conn.execute(
        text(
            "SELECT id, name, number, "
            "trim(coalesce(remarks, '') || ' ' || coalesce(index_remarks, '')) "
            "FROM customer WHERE id > :last ORDER BY id LIMIT :n"
        ),
        {"last": after, "n": batch},
    ).all()
    if not rows:
        return None
    index_fresh(conn, [IndexRow(r[0], r[1], r[2], r[3] or "") for r in rows])
    return int(rows[-1][0]), len(rows)


def rebuild_in_batches(
    engine: Engine,
    *,
    ensure_schema: Callable[[Connection], object],
    clear: str,
    tables: Iterable[str],
    index_fresh: IndexFresh,
    batch: int,
) -> int:
    """Empty the index, then fill it one transaction per batch; return the count.

    ``clear`` is the statement emptying one table (``{}``: its name). One transaction per batch
    keeps the write-ahead log small on a million customers.
    """
    with engine.begin() as conn:
        ensure_schema(conn)
        for table in tables:
            conn.exec_driver_sql(clear.format(table))
    last, total = 0, 0
    while True:
        with engine.begin() as conn:
            done = index_batch(conn, last, batch, index_fresh)
        if done is None:
            return total
        last, n = done
        total += n


def chunks(items: list[int], size: int) -> Iterator[list[int]]:
    """``items`` in consecutive slices of at most ``size`` (bound parameter limits)."""
    for i in range(0, len(items), size):
        yield items[i : i + size]
