"""Re-sealing an anonymised customer's electronic files under a key of their own (R8, R13).

A customer's files are sealed under a subkey of the customer's key. Anonymising destroys that
key, yet the volumes — and their files — must be kept for their retention. So before the key
goes, every file of the customer's volumes is read (its fixity checked) and sealed again under
a new key, its name likewise; the customer row then points at the new key, which opens only
the files (every protected customer value has been cleared). The new blob files are written
before the commit (an orphan if it fails: ``archive-room check`` reports it); the old ones are
removed after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update

from app.services.catalogue.file_store import (
    StoredFile,
    blob_folder,
    customer_key,
    decrypt_name,
    plain_chunks,
    sealing_key,
)
from app.storage import blob_files, blobs
from app.storage.models import ArchiveItem, Customer, FileChunk, ItemFile, Volume
from app.storage.store import Store, UnitOfWork


@dataclass
class Resealed:
    """What the caller cleans up: blobs to remove after the commit, or on failure."""

    old_key_id: str
    old_blobs: list[str] = field(default_factory=list)
    new_blobs: list[str] = field(default_factory=list)
    files: int = 0

    def after_commit(self, store: Store) -> None:
        """Remove the blobs sealed under the destroyed key."""
        for name in self.old_blobs:
            blob_folder(store).remove(name)

    def after_failure(self, store: Store) -> None:
        """Remove the blobs written for a transaction that did not commit."""
        for name in self.new_blobs:
            blob_folder(store).remove(name)


def reseal_files(uow: UnitOfWork, store: Store, c: Customer) -> Resealed:
    """Seal ``c``'s files under a new key and point ``c`` at it; the old key id is returned."""
    done = Resealed(old_key_id=c.key_id)
    files = list(
        uow.session.scalars(
            select(ItemFile)
            .join(ArchiveItem, ArchiveItem.id == ItemFile.item_id)
            .join(Volume, Volume.id == ArchiveItem.volume_id)
            .where(Volume.customer_id == c.id)
            .order_by(ItemFile.id)
        )
    )
    if not files:
        return done
    old_key = customer_key(store, c.key_id)
    new_id, new_key = store.vault.create_key(uow.clock.now())  # durable before it is used
    new_cipher = store.vault.cipher(new_id)
    try:
        for f in files:
            stored = StoredFile(f.id, f.chunk_count, f.size, f.sha256, f.blob_name)
            name = decrypt_name(store, c.key_id, f)
            # files attached since issue 17 are sealed with the customer's key and their own
            old_key = sealing_key(store, c.key_id, f.key_id)
            write_key = (
                new_key if f.key_id is None else blobs.file_key(new_key, store.vault.key(f.key_id))
            )
            codec = blobs.ChunkCodec(write_key, f.id)
            last = f.chunk_count - 1
            if f.blob_name is not None:
                new_name = blob_files.new_blob_name()
                with blob_folder(store).writing(new_name) as blob:
                    for seq, plain in enumerate(plain_chunks(uow.session, store, stored, old_key)):
                        blob.append(codec.seal(seq, plain, final=seq == last))
                    blob.publish()
                done.new_blobs.append(new_name)
                done.old_blobs.append(f.blob_name)
                f.blob_name = new_name
            else:
                sealed = [
                    codec.seal(seq, plain, final=seq == last)
                    for seq, plain in enumerate(plain_chunks(uow.session, store, stored, old_key))
                ]
                for seq, data in enumerate(sealed):
                    uow.session.execute(
                        update(FileChunk)
                        .where(FileChunk.file_id == f.id, FileChunk.seq == seq)
                        .values(data=data)
                    )
            f.name_enc = new_cipher.encrypt(
                name, table="item_file", column="name", row_key=str(f.id)
            )
            done.files += 1
    except BaseException:
        done.after_failure(store)
        raise
    c.key_id = new_id
    return done
