"""Bulk writing for imports: consecutive ids, id spans (what undo removes), fast inserts.

An import gives its rows consecutive ids from the table's current maximum, so one span
``[first, last, count]`` per table says what it wrote (stored with the import batch) and undo
can check and delete by range.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, delete, func, insert, select

from app.storage.store import UnitOfWork


def chunks(items: Sequence[Any], size: int = 500) -> list[Sequence[Any]]:
    """``items`` in pieces of ``size`` (for ``IN (…)`` lists)."""
    return [items[i : i + size] for i in range(0, len(items), size)]


def pairs_where_in(
    conn: Any, table: Any, key: str, other: str, keys: Sequence[Any]
) -> list[tuple[Any, Any]]:
    """``(key, other)`` of ``table``'s rows whose ``key`` column is one of ``keys``.

    Hundreds of thousands of keys (an import's blind indexes): a table holding fewer rows
    than there are keys (a first ledger) is read once and matched here; else, on SQLite, the
    statement goes to the driver with the keys as they are, ``IN`` lists of 500 (a Core
    ``IN`` renders and processes each value in Python); elsewhere a Core select per list.
    """
    if _smaller_than(conn, table, keys):
        wanted = set(keys)
        rows = conn.execute(select(table.c[key], table.c[other]).where(table.c[key].is_not(None)))
        return [(k, v) for k, v in rows if k in wanted]
    found: list[tuple[Any, Any]] = []
    for part in chunks(keys):
        if conn.dialect.name == "sqlite":
            marks = ", ".join("?" * len(part))
            sql = f"SELECT {key}, {other} FROM {table.name} WHERE {key} IN ({marks})"
            found.extend(conn.exec_driver_sql(sql, tuple(part)).all())
        else:
            query = select(table.c[key], table.c[other]).where(table.c[key].in_(part))
            found.extend(conn.execute(query).all())
    return found


def numbers_where_in(conn: Any, table: Any, key: str, keys: Sequence[Any]) -> list[tuple[Any, str]]:
    """``(key, customer number)`` of ``table``'s rows (a customer's child) with ``key`` in ``keys``.

    As :func:`pairs_where_in`, joined to the customer for its number.
    """
    customer = table.metadata.tables["customer"]
    joined = select(table.c[key], customer.c.number).join(
        customer, customer.c.id == table.c.customer_id
    )
    if _smaller_than(conn, table, keys):
        wanted = set(keys)
        return [(k, n) for k, n in conn.execute(joined) if k in wanted]
    found: list[tuple[Any, str]] = []
    for part in chunks(keys):
        if conn.dialect.name == "sqlite":
            marks = ", ".join("?" * len(part))
            sql = (
                f"SELECT t.{key}, c.number FROM {table.name} AS t JOIN customer AS c"
                f" ON c.id = t.customer_id WHERE t.{key} IN ({marks})"
            )
            found.extend(conn.exec_driver_sql(sql, tuple(part)).all())
        else:
            found.extend(conn.execute(joined.where(table.c[key].in_(part))).all())
    return found


def _smaller_than(conn: Any, table: Any, keys: Sequence[Any]) -> bool:
    """True when ``table`` cannot hold as many rows as there are ``keys`` (its largest id)."""
    if len(keys) <= 500:  # one ``IN`` list anyway
        return False
    largest = conn.execute(select(func.max(table.c.id))).scalar()
    return int(largest or 0) < len(keys)


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
    conn: Any,
    table: Any,
    names: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    bound: bool = False,
) -> None:
    """Insert ``rows`` (tuples in the order of the columns ``names``) with one ``executemany``.

    On SQLite the statement goes straight to the driver with the tuples, only dates and times
    converted by their column types (each value object once: an import's rows share one
    time object): several times less Python work per row than a Core insert, which matters for a
    100,000-row ledger. Elsewhere a Core insert. ``bound``: the rows hold dates and times as
    the driver stores them already (see :func:`stored_forms`).
    """
    if not rows:
        return
    dialect = conn.dialect
    if dialect.name != "sqlite":
        conn.execute(insert(table), [dict(zip(names, r, strict=True)) for r in rows])
        return
    converters: list[tuple[int, Any, dict[int, Any]]] = []
    for i, name in enumerate(() if bound else names):
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


def stored_forms(conn: Any, now: datetime) -> str | None:
    """SQLite: ``now`` as its driver stores a time, if dates are stored as ISO text; else None.

    A bulk writer that puts these in its rows inserts them with ``bound=True``.
    """
    dialect = conn.dialect
    if dialect.name != "sqlite":
        return None
    day = Date().dialect_impl(dialect).bind_processor(dialect)
    probe = date(2001, 2, 3)
    if day is None or day(probe) != probe.isoformat():
        return None
    moment = DateTime(timezone=True).dialect_impl(dialect).bind_processor(dialect)
    return None if moment is None else str(moment(now))


class Executor:
    """``executemany`` on a SQLAlchemy connection (the search index's batch writer wants one)."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """Run ``sql`` once per row (nothing when there are none)."""
        if rows:
            self._conn.exec_driver_sql(sql, rows)
