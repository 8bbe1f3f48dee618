"""Fixity of every stored file (``archive-room check``) and the upkeep of the blob folder.

A crash between an attach's rename and its commit leaves an orphan blob, which
:func:`find_orphan_blobs` reports and :func:`remove_orphan_blobs` deletes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import app.services.catalogue.file_store as file_store
from app.clock import Clock
from app.errors import (
    FileMissing,
    FixityFailed,
)
from app.security.vault import KeyDestroyed
from app.services.catalogue.file_store import (
    COMPLETE,
    DESTROYED,
    StoredFile,
    blob_folder,
    plain_chunks,
    sealing_key,
    stored_files,
)
from app.storage import blob_files
from app.storage.models import (
    ItemFile,
)
from app.storage.store import Store


@dataclass
class FileCheckResult:
    """What :func:`verify_all_files` found."""

    checked: int = 0
    bytes_checked: int = 0
    failed_ids: list[int] = field(default_factory=list)  # damaged, reordered, truncated
    unreadable_ids: list[int] = field(default_factory=list)  # the customer's key is gone
    incomplete_ids: list[int] = field(default_factory=list)  # state "writing" (never committed)
    missing_ids: list[int] = field(default_factory=list)  # the blob file is gone (SQLite)

    @property
    def ok(self) -> bool:
        """True when every file passed."""
        return not (
            self.failed_ids or self.unreadable_ids or self.incomplete_ids or self.missing_ids
        )


def count_files(store: Store) -> int:
    """How many file rows the database holds."""
    with store.new_session() as s:
        return int(s.scalar(select(func.count()).select_from(ItemFile)) or 0)


def verify_all_files(
    store: Store, *, progress: Callable[[int, int], None] | None = None
) -> FileCheckResult:
    """Check every stored file's chunks (tags, order, end) and SHA-256 (``archive-room check``).

    Reads only; ``progress(done, total)`` is called after each file.
    """
    result = FileCheckResult()
    with store.new_session() as s:
        rows = s.execute(stored_files(ItemFile.key_id)).all()
        total = len(rows)
        for done, row in enumerate(rows, 1):
            file_id, state, chunk_count, size, sha256, blob_name, key_id, own_key_id = row
            if state == DESTROYED:  # erased with its volume (issue 17): nothing left to check
                continue
            result.checked += 1
            if state != COMPLETE:
                result.incomplete_ids.append(file_id)
            else:
                try:
                    key = sealing_key(store, key_id, own_key_id)
                except KeyDestroyed:
                    result.unreadable_ids.append(file_id)
                else:
                    try:
                        stored = StoredFile(file_id, chunk_count, size, sha256, blob_name)
                        for plain in plain_chunks(s, store, stored, key):
                            result.bytes_checked += len(plain)
                    except FixityFailed:
                        result.failed_ids.append(file_id)
                    except FileMissing:
                        result.missing_ids.append(file_id)
            if progress is not None:
                progress(done, total)
    return result


# --- blob folder upkeep (SQLite) ----------------------------------------------------------------
def _named_blobs(db: Session) -> set[str]:
    return set(db.scalars(select(ItemFile.blob_name).where(ItemFile.blob_name.is_not(None))))


def find_orphan_blobs(store: Store) -> list[str]:
    """Names in ``<db>.files/`` that no row names (empty for PostgreSQL).

    Blobs of attaches that crashed before their commit, temp files of attaches killed mid-write,
    strays. Reads only (an attach running in another process may show its temp file here).
    """
    if not file_store.stores_in_folder(store):
        return []
    folder = blob_folder(store)
    with store.new_session() as s:
        named = _named_blobs(s)
        found, others = folder.entries()
    return [n for n in found if n not in named] + others


def remove_orphan_blobs(store: Store, clock: Clock) -> int:
    """Delete what :func:`find_orphan_blobs` lists; return how many; audited (``file.orphans``).

    Runs holding the database's write lock: an attach holds it from inserting its row (before
    its temp file exists) to its commit, so no attach in flight can lose its blob here.
    """
    if not file_store.stores_in_folder(store):
        return 0
    folder = blob_folder(store)
    with store.unit_of_work(None, clock) as uow:
        uow.claim_writes()
        named = _named_blobs(uow.session)
        found, others = folder.entries()
        orphans = [n for n in found if n not in named] + others
        if not orphans:
            return 0
        for name in orphans:
            target = folder.path / name
            if target.is_dir() and not target.is_symlink():
                continue  # never a folder of ours: left for a person to look at
            folder.remove(name)
        uow.audit.record(
            "file.orphans_removed", object_type="item_file", details={"count": len(orphans)}
        )
        uow.commit()
    return len(orphans)


def remove_blobs_after_commit(store: Store, blob_names: list[str | None]) -> None:
    """Delete the blobs of deleted ``item_file`` rows: call after the deleting commit.

    A crash in between leaves orphans for :func:`remove_orphan_blobs`.
    """
    if not file_store.stores_in_folder(store):
        return
    folder = blob_folder(store)
    for name in blob_names:
        if name is not None and blob_files.is_blob_name(name):
            folder.remove(name)
