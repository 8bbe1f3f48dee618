"""Where item files live and how they are read back (R13): storage, row loading, chunk reading.

Files are AES-256-GCM chunks (``app.storage.blobs``) under a subkey of the customer's own key,
so erasing the customer's key erases their files (R8). Where they are depends on the storage
(:func:`stores_in_folder`): PostgreSQL keeps them as ``file_chunk`` rows; an embedded (SQLite)
database keeps each file's chunks in one blob file in ``<db>.files/`` (``app.storage.blob_files``).
Siblings call ``file_store.stores_in_folder`` through the module, so one patch reaches them all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.domain.disposition import FILE_DESTROYED
from app.errors import (
    CustomerUnreadable,
    FieldError,
    FileMissing,
    FixityFailed,
    ValidationFailed,
)
from app.security import access
from app.security.crypto import DecryptionFailed
from app.security.vault import KeyDestroyed
from app.services.common import actor_from_row
from app.storage import blob_files, blobs
from app.storage.models import (
    ArchiveItem,
    Customer,
    FileChunk,
    ItemFile,
    UserAccount,
    Volume,
)
from app.storage.store import Store, UnitOfWork

WRITING, COMPLETE = "writing", "complete"
DESTROYED = FILE_DESTROYED  # issue 17: key (or chunks) destroyed with the volume; row kept


def stores_in_folder(store: Store) -> bool:
    """True when files go to blob files beside the database (SQLite), not ``file_chunk`` rows."""
    return store.location.is_sqlite


def blob_folder(store: Store) -> blob_files.BlobFolder:
    """The ``<db>.files/`` folder of an embedded database."""
    return blob_files.BlobFolder.beside(store.location.sqlite_path)


def _require_clearance(user: UserAccount, *levels: str | None) -> None:
    """The one access check (``security.access``): classified items need the clearance."""
    actor = actor_from_row(user)
    if not all(access.may_see(actor, level) for level in levels):
        raise ValidationFailed([FieldError("item", "no_clearance")])


def item_customer(uow: UnitOfWork, item_id: int, user: UserAccount) -> tuple[ArchiveItem, Customer]:
    """The item and its customer, refused when missing or above the user's clearance."""
    row = uow.session.execute(
        select(ArchiveItem, Customer, Volume.secrecy_level)
        .join(Volume, Volume.id == ArchiveItem.volume_id)
        .join(Customer, Customer.id == Volume.customer_id)
        .where(ArchiveItem.id == item_id)
    ).one_or_none()
    if row is None:
        raise ValidationFailed([FieldError("item", "not_found")])
    _require_clearance(user, row[0].secrecy_level, row[2])
    return row[0], row[1]


def customer_key(store: Store, key_id: str) -> bytes:
    """The customer's key (CustomerUnreadable once it is destroyed)."""
    try:
        return store.vault.key(key_id)
    except KeyDestroyed as exc:
        raise CustomerUnreadable() from exc


def sealing_key(store: Store, customer_key_id: str, file_key_id: str | None) -> bytes:
    """The key a file's chunks are sealed with; KeyDestroyed when either key is gone.

    Files attached since issue 17 need the customer's key and their own (``blobs.file_key``);
    older ones the customer's alone.
    """
    customer = store.vault.key(customer_key_id)
    if file_key_id is None:
        return customer
    return blobs.file_key(customer, store.vault.key(file_key_id))


def file_sealing_key(store: Store, f: ItemFile, customer: Customer) -> bytes:
    """:func:`sealing_key` of ``f``; CustomerUnreadable when a key is destroyed."""
    try:
        return sealing_key(store, customer.key_id, f.key_id)
    except KeyDestroyed as exc:
        raise CustomerUnreadable() from exc


def file_row(uow: UnitOfWork, file_id: int, user: UserAccount) -> tuple[ItemFile, Customer]:
    """A complete file row and its customer, refused when missing or above the user's clearance."""
    row = uow.session.execute(
        select(ItemFile, Customer, ArchiveItem.secrecy_level, Volume.secrecy_level)
        .join(ArchiveItem, ArchiveItem.id == ItemFile.item_id)
        .join(Volume, Volume.id == ArchiveItem.volume_id)
        .join(Customer, Customer.id == Volume.customer_id)
        .where(ItemFile.id == file_id, ItemFile.state == COMPLETE)
    ).one_or_none()
    if row is None:
        raise ValidationFailed([FieldError("file", "not_found")])
    _require_clearance(user, row[2], row[3])
    return row[0], row[1]


def decrypt_name(store: Store, key_id: str, f: ItemFile) -> str:
    """The file's name in full (CustomerUnreadable, or FixityFailed when damaged)."""
    try:
        return store.vault.cipher(key_id).decrypt(
            f.name_enc, table="item_file", column="name", row_key=str(f.id)
        )
    except KeyDestroyed as exc:
        raise CustomerUnreadable() from exc
    except DecryptionFailed as exc:
        raise FixityFailed(file_id=f.id) from exc


@dataclass(frozen=True)
class StoredFile:
    """What a fixity check needs of a file row."""

    id: int
    chunk_count: int
    size: int
    sha256: str
    blob_name: str | None


def _sealed_chunks(db: Session, store: Store, f: StoredFile) -> Iterator[tuple[int, bytes]]:
    """``(seq, sealed chunk)`` in stored order, from the blob file or the ``file_chunk`` rows.

    A row without a blob name (PostgreSQL; SQLite files attached before blob files) reads its
    rows. FileMissing when the blob file is gone, FixityFailed when it is cut inside a record.
    """
    if f.blob_name is not None:
        try:
            yield from enumerate(blob_folder(store).records(f.blob_name))
        except blob_files.BlobMissing as exc:
            raise FileMissing(file_id=f.id) from exc
        except blob_files.BlobDamaged as exc:
            raise FixityFailed(file_id=f.id) from exc
        except OSError as exc:  # unreadable (permissions, I/O error): not the stored content
            raise FixityFailed(file_id=f.id) from exc
        return
    rows = db.execute(
        select(FileChunk.seq, FileChunk.data)
        .where(FileChunk.file_id == f.id)
        .order_by(FileChunk.seq)
        .execution_options(yield_per=4)
    )
    yield from ((seq, data) for seq, data in rows)


def plain_chunks(db: Session, store: Store, f: StoredFile, key: bytes) -> Iterator[bytes]:
    """Decrypted chunks of ``f`` in order; FixityFailed on a bad tag, gap, reorder or hash."""
    codec = blobs.ChunkCodec(key, f.id)
    digest = hashlib.sha256()
    expected = size = 0
    for seq, data in _sealed_chunks(db, store, f):
        if seq != expected or seq >= f.chunk_count:
            raise FixityFailed(file_id=f.id)
        try:
            plain = codec.open(seq, data, final=seq == f.chunk_count - 1)
        except DecryptionFailed as exc:
            raise FixityFailed(file_id=f.id) from exc
        digest.update(plain)
        size += len(plain)
        expected += 1
        yield plain
    if expected != f.chunk_count or size != f.size or digest.hexdigest() != f.sha256:
        raise FixityFailed(file_id=f.id)


def stored_files(*extra: Any) -> Select[Any]:
    """Every item file with what reading it back needs, then ``extra`` columns, in id order.

    Each row: file id, state, chunk count, size, SHA-256, blob name, the customer's key id and
    the ``extra`` columns (the first six make a :class:`StoredFile`).
    """
    return (
        select(
            ItemFile.id,
            ItemFile.state,
            ItemFile.chunk_count,
            ItemFile.size,
            ItemFile.sha256,
            ItemFile.blob_name,
            Customer.key_id,
            *extra,
        )
        .join(ArchiveItem, ArchiveItem.id == ItemFile.item_id)
        .join(Volume, Volume.id == ArchiveItem.volume_id)
        .join(Customer, Customer.id == Volume.customer_id)
        .order_by(ItemFile.id)
    )
