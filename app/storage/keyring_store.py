"""Where a database keeps its keyring and audit checkpoints: beside the file or in a table."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session

from app.errors import DatabaseUnavailable
from app.security.audit_chain import (
    CHECKPOINT_SUFFIX,
    CheckpointLog,
    FileCheckpointLog,
    TableCheckpointLog,
)
from app.security.keyring import KeyringStore
from app.storage.engine import connection_lost_reason, engine_for
from app.storage.location import DatabaseLocation
from app.storage.models import KeyringRow


class TableKeyringStore:
    """The keyring document in the ``keyring`` table (PostgreSQL)."""

    # Arbitrary constant naming the keyring's advisory lock ("ARKR").
    LOCK_ID = 0x41524B52

    def __init__(self, engine: Engine, description: str) -> None:
        self._engine = engine
        self.description = description

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold a PostgreSQL session-level advisory lock for a load → change → save cycle.

        Waits at most ``keyring.LOCK_TIMEOUT_SECONDS``, then raises KeyringBusy (issue 23).
        """
        import time

        from app.errors import KeyringBusy
        from app.security import keyring as kr

        with self._engine.connect() as conn:
            deadline = time.monotonic() + kr.LOCK_TIMEOUT_SECONDS
            query = text("SELECT pg_try_advisory_lock(:id)")
            while not conn.execute(query, {"id": self.LOCK_ID}).scalar():
                if time.monotonic() >= deadline:
                    raise KeyringBusy(seconds=round(kr.LOCK_TIMEOUT_SECONDS))
                time.sleep(0.02)
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": self.LOCK_ID})
                conn.commit()

    def exists(self) -> bool:
        """Return True when the row exists."""
        from app.errors import KeyringMissing

        try:
            self.load()
        except KeyringMissing:
            return False
        return True

    def load(self) -> dict[str, Any]:
        """Read the document row."""
        from app.errors import KeyringMissing
        from app.security.keyring import parse_document

        try:
            with Session(self._engine) as session:
                row = session.get(KeyringRow, 1)
        except OperationalError as exc:
            raise DatabaseUnavailable(detail=connection_lost_reason(str(exc.orig))) from exc
        except DatabaseError as exc:
            raise KeyringMissing(path=self.description) from exc
        if row is None:
            raise KeyringMissing(path=self.description)
        return parse_document(row.document.encode(), self.description)

    def save(self, doc: dict[str, Any]) -> None:
        """Write the document row in its own transaction."""
        import json

        with Session(self._engine) as session, session.begin():
            row = session.get(KeyringRow, 1)
            payload = json.dumps(doc, sort_keys=True)
            if row is None:
                session.add(KeyringRow(id=1, document=payload))
            else:
                row.document = payload


def checkpoint_log_for(location: DatabaseLocation, engine: Engine) -> CheckpointLog:
    """Where ``location`` keeps its audit checkpoints: ``<db>.audit-checkpoints`` or a table."""
    if location.is_sqlite:
        path = location.sqlite_path
        return FileCheckpointLog(path.with_name(path.name + CHECKPOINT_SUFFIX))
    return TableCheckpointLog(engine, location.display() + "#audit_checkpoint")


def keyring_store_for(location: DatabaseLocation, engine: Engine | None = None) -> KeyringStore:
    """Return where ``location`` keeps its keyring."""
    from app.security.keyring import FileKeyringStore

    if location.is_sqlite:
        return FileKeyringStore(location.keyring_path)
    if engine is None:
        engine = engine_for(location, None)
    return TableKeyringStore(engine, location.display() + "#keyring")
