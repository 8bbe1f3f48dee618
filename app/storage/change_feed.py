"""Changes made at other desks on a shared PostgreSQL database (issue 22: LISTEN/NOTIFY).

A writing unit of work on PostgreSQL sends ``pg_notify`` on :data:`CHANNEL` inside its own
transaction, so the server delivers it only once the write is committed (a rolled-back write
announces nothing). The payload is the writing store's token and the changed kinds
(``"<token>|customers,audit"``): no ids, no values, nothing personal.

A :class:`ChangeFeed` listens on one dedicated connection in a background thread and hands the
kinds of every *other* store's commit to a callback: in the GUI, the store's
``report_changes``, which feeds the change bus exactly as a local write does, so the open
pages of every desk refresh. SQLite has no such channel (one desk per file).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from app.domain.changes import Changes

__all__ = ["CHANNEL", "ChangeFeed", "payload", "read_payload"]

CHANNEL = "archive_room_changes"
log = logging.getLogger(__name__)


def payload(token: str, changes: Changes) -> str:
    """The notification text of a commit by the store with ``token``."""
    return f"{token}|{','.join(sorted(changes.kinds()))}"


def read_payload(text: str) -> tuple[str, Changes]:
    """``(token, changes)`` of a notification; unknown kinds count as ``other``."""
    token, _, kinds = text.partition("|")
    known = {f for f in Changes.__dataclass_fields__}
    names = {k if k in known else "other" for k in kinds.split(",") if k}
    return token, Changes.of(*names)


class ChangeFeed:
    """Listen for other stores' commits on ``engine``'s database; call ``on_changes`` for each."""

    def __init__(self, engine: Engine, token: str, on_changes: Callable[[Changes], None]) -> None:
        self._engine = engine
        self._token = token
        self._on_changes = on_changes
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="change-feed", daemon=True)

    def start(self) -> ChangeFeed:
        """Start listening; return once the LISTEN is in place (or after 10 s)."""
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        """Stop listening and close the connection."""
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(5)

    def _connect(self) -> Any:
        raw = self._engine.raw_connection()
        conn = raw.driver_connection
        assert conn is not None
        raw.detach()  # ours alone, never back into the pool
        conn.rollback()
        conn.autocommit = True
        conn.execute(f"LISTEN {CHANNEL}")
        return conn

    def _run(self) -> None:
        conn: Any = None
        while not self._stop.is_set():
            try:
                if conn is None:
                    conn = self._connect()
                    self._ready.set()
                for note in conn.notifies(timeout=0.5, stop_after=50):
                    token, changes = read_payload(note.payload)
                    if token != self._token and changes:
                        self._on_changes(changes)
            except Exception as exc:  # connection lost: try again; the desk's work goes on
                log.warning("change feed interrupted (%s); reconnecting", type(exc).__name__)
                log.debug("change feed error", exc_info=True)
                self._ready.set()
                if conn is not None:
                    try:
                        conn.close()
                    except Exception:
                        log.debug("closing the change feed connection failed")
                conn = None
                self._stop.wait(2)
        if conn is not None:
            conn.close()
