"""Schema objects dropped for a block of writes and created again after it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection


@contextmanager
def recreated_after(
    conn: Connection, drops: Sequence[str], creates: Sequence[str]
) -> Iterator[None]:
    """Run ``drops`` now and ``creates`` when the block ends, in the caller's transaction.

    After an error in the block they are created again anyway (for a caller that would go on
    in the same transaction); if that fails too, the block's own error is the one raised.
    """
    for sql in drops:
        conn.exec_driver_sql(sql)
    ok = False
    try:
        yield
        ok = True
    finally:
        try:
            for sql in creates:
                conn.exec_driver_sql(sql)
        except Exception:
            if ok:
                raise  # else the block's own error goes on (its transaction is rolled back)
