"""Bulk writing for imports: consecutive ids, id spans (what undo removes), fast inserts.

An import gives its rows consecutive ids from the table's current maximum, so one span
``[first, last, count]`` per table says what it wrote (stored with the import batch) and undo
can check and delete by range.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from sqlalchemy import Date, DateTime, delete, func, insert, select

from app.storage.store import UnitOfWork


def chunks(items: Sequence[Any], size: int = 500) -> list[Sequence[Any]]:
    """``items`` in pieces of ``size`` (for ``IN (…)`` lists)."""
    return [items[i : i + size] for i in range(0, len(items), size)]


def next_id(uow: UnitOfWork, model: Any) -> int:
    """The first id after the table's largest."""
    return int(uow.session.scalar(select(func.max(model.id))) or 0) + 1


def advance_sequence(uow: UnitOfWork, table: str) -> None:
    """PostgreSQL: move the table's id sequence past the ids the import gave explicitly."""
    conn = uow.session.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))"
        )


def span(first: int, count: int) -> list[int]:
    """The span ``[first, last, count]`` of ``count`` consecutive ids."""
    return [first, first + count - 1, count]


def spans_of(text: str) -> dict[str, list[int]]:
    """The spans stored with an import batch."""
    value = json.loads(text or "{}")
    return {str(k): [int(x) for x in v] for k, v in value.items()}


def quick_delete(model: Any) -> Any:
    """A bulk DELETE that leaves the session's objects alone (nothing of them is loaded)."""
    return delete(model).execution_options(synchronize_session=False)


def insert_rows(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts keyed by column, all with the same keys) with one ``executemany``."""
    if rows:
        names = list(rows[0])
        insert_tuples(conn, table, names, [tuple(r.values()) for r in rows])


def insert_tuples(
    conn: Any, table: Any, names: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert ``rows`` (tuples in the order of the columns ``names``) with one ``executemany``.

    On SQLite the statement goes straight to the driver with the tuples, only dates and times
    converted by their column types (each value object once: an import's rows share one
    time object): several times less Python work per row than a Core insert, which matters for a
    100,000-row ledger. Elsewhere a Core insert.
    """
    if not rows:
        return
    dialect = conn.dialect
    if dialect.name != "sqlite":
        conn.execute(insert(table), [dict(zip(names, r, strict=True)) for r in rows])
        return
    converters: list[tuple[int, Any, dict[int, Any]]] = []
    for i, name in enumerate(names):
        kind = table.c[name].type
        if isinstance(kind, DateTime | Date):
            proc = kind.dialect_impl(dialect).bind_processor(dialect)
            if proc is not None:
                converters.append((i, proc, {}))
    marks = ", ".join("?" for _ in names)
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})"
    if converters:
        out = []
        for r in rows:
            values = list(r)
            for i, proc, seen in converters:
                value = values[i]
                if value is not None:  # by identity: the rows keep every value alive
                    done = seen.get(id(value))
                    if done is None:
                        done = seen[id(value)] = proc(value)
                    values[i] = done
            out.append(tuple(values))
        rows = out
    conn.exec_driver_sql(sql, rows if isinstance(rows, list) else list(rows))


class ChunkWriter:
    """Runs each chunk's inserts on one worker thread while the caller prepares the next chunk.

    The driver releases the GIL while SQLite inserts a row, so the inserts of one chunk
    (index upkeep, page encryption) overlap with the Python work of the next (keys, AES-GCM,
    HMACs, pinyin) on a second core. At most one chunk is in flight, and only the worker
    touches the connection while it runs: :meth:`submit` waits for the previous chunk, and
    leaving the ``with`` block waits for the last (its error, if any, is raised there; when
    the block itself fails, the worker is still waited for before the caller rolls back).
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer")
        self._pending: Future[None] | None = None

    def __enter__(self) -> ChunkWriter:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        try:
            if error is None:
                self.wait()
        finally:
            self._pool.shutdown(wait=True)

    def submit(self, job: Callable[[], None]) -> None:
        """Run ``job`` on the worker once the previous one is done."""
        self.wait()
        self._pending = self._pool.submit(job)

    def wait(self) -> None:
        """Wait for the chunk in flight; raise its error."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()


class Executor:
    """``executemany`` on a SQLAlchemy connection (the search index's batch writer wants one)."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """Run ``sql`` once per row (nothing when there are none)."""
        if rows:
            self._conn.exec_driver_sql(sql, rows)
