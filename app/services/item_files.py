"""Electronic files of archive items (R13, R40): attach, open with a purpose, verify fixity.

Files are AES-256-GCM chunks (``app.storage.blobs``) under a subkey of the customer's own key,
so erasing the customer's key erases their files (R8). Where they are depends on the storage
(:func:`stores_in_folder`): PostgreSQL keeps them as ``file_chunk`` rows; an embedded (SQLite)
database keeps each file's chunks in one blob file in ``<db>.files/`` (``app.storage.blob_files``),
written to a temp name, fsynced and renamed before the row commits. The file name, which may
hold a person's name, is encrypted the same way and appears only masked in the audit trail.
An attach is one transaction: a failure part-way leaves no row, no chunk and no temp file; a
crash between the rename and the commit leaves only an orphan blob, which
:func:`find_orphan_blobs` (``archive-room check``) reports and :func:`remove_orphan_blobs` deletes.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.clock import Clock
from app.domain import file_types
from app.errors import (
    CustomerUnreadable,
    FieldError,
    FileMissing,
    FileReadFailed,
    FixityFailed,
    ValidationFailed,
)
from app.security import access
from app.security.crypto import DecryptionFailed
from app.security.masking import mask_name
from app.security.vault import KeyDestroyed
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize
from app.storage import blob_files, blobs
from app.storage.models import ArchiveItem, Customer, FileChunk, ItemFile, UserAccount, Volume
from app.storage.store import Store, UnitOfWork

MAX_SIZE_SETTING = "item_file_max_mib"  # a positive whole number of MiB
DEFAULT_MAX_MIB = 200
MAX_NAME_LENGTH = 255
WRITING, COMPLETE = "writing", "complete"
Source = BinaryIO | str | os.PathLike[str]


@dataclass(frozen=True)
class ItemFileInfo:
    """An attached file as listed: the name masked (it may hold a person's name)."""

    id: int
    item_id: int
    masked_name: str
    media_type: str
    type_label: str
    size: int
    sha256: str


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


# --- storage -----------------------------------------------------------------------------------
def stores_in_folder(store: Store) -> bool:
    """True when files go to blob files beside the database (SQLite), not ``file_chunk`` rows."""
    return store.location.is_sqlite


def blob_folder(store: Store) -> blob_files.BlobFolder:
    """The ``<db>.files/`` folder of an embedded database."""
    return blob_files.BlobFolder.beside(store.location.sqlite_path)


# --- names -------------------------------------------------------------------------------------
def clean_file_name(file_name: str) -> str:
    """The name as stored: trimmed, one line, no folder part; ValidationFailed otherwise."""
    name = (file_name or "").strip()
    if not name:
        raise ValidationFailed([FieldError("file_name", "required")])
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationFailed([FieldError("file_name", "too_long", {"max": MAX_NAME_LENGTH})])
    if any(ch in "/\\" or ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise ValidationFailed([FieldError("file_name", "file_name_chars")])
    return name


def mask_file_name(name: str) -> str:
    """``张三丰身份证.pdf`` → ``张*****.pdf``: the first character and the extension only."""
    ext = file_types.extension_of(name)
    stem = name[: -(len(ext) + 1)] if ext else name
    return mask_name(stem) + (f".{ext}" if ext else "")


# --- sources -----------------------------------------------------------------------------------
class _Reader:
    """Reads the caller's source; its OS errors become :class:`FileReadFailed`."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def read(self, size: int) -> bytes:
        try:
            return self._stream.read(size) or b""
        except OSError as exc:
            raise FileReadFailed() from exc


@contextlib.contextmanager
def _open_source(source: Source) -> Iterator[BinaryIO]:
    if isinstance(source, str | os.PathLike):
        try:
            handle = Path(source).open("rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise ValidationFailed([FieldError("file", "not_found")]) from exc
        with handle:
            yield handle
    else:
        yield source


def _seekable(stream: BinaryIO) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _remaining(stream: BinaryIO) -> int | None:
    """Bytes left in a seekable stream (None when unknown)."""
    if not _seekable(stream):
        return None
    try:
        here = stream.tell()
        end = stream.seek(0, io.SEEK_END)
        stream.seek(here)
    except OSError:
        return None
    return end - here


def _too_large(max_bytes: int) -> ValidationFailed:
    return ValidationFailed([FieldError("file", "too_large", {"max_mib": max_bytes >> 20})])


def _refused_type() -> ValidationFailed:
    return ValidationFailed(
        [FieldError("file", "file_type", {"allowed": file_types.ALLOWED_LABELS})]
    )


def max_file_bytes(uow: UnitOfWork) -> int:
    """The configured size limit (setting ``item_file_max_mib``, default 200 MiB)."""
    value = uow.settings.raw().get(MAX_SIZE_SETTING, DEFAULT_MAX_MIB)
    mib = value if isinstance(value, int) and value > 0 else DEFAULT_MAX_MIB
    return mib << 20


def _detect(stream: BinaryIO, first: bytes, name: str, max_bytes: int) -> tuple[str, BinaryIO]:
    """The content's media type (checked against the name) and the stream to go on reading."""
    kind = file_types.sniff(first)
    if kind == file_types.ZIP_CANDIDATE:
        if _seekable(stream):
            start = stream.tell() - len(first)
            stream.seek(start)
            kind = file_types.zip_media_type(stream)
            stream.seek(start + len(first))
        else:  # a pipe: the ZIP directory is at the end, so hold it (bounded by the limit)
            rest = _Reader(stream).read(max_bytes - len(first) + 1)
            while len(rest) <= max_bytes - len(first):
                more = _Reader(stream).read(max_bytes - len(first) + 1 - len(rest))
                if not more:
                    break
                rest += more
            if len(first) + len(rest) > max_bytes:
                raise _too_large(max_bytes)
            buffer = io.BytesIO(first + rest)
            kind = file_types.zip_media_type(buffer)
            buffer.seek(len(first))
            stream = buffer
    if kind is None or kind not in file_types.ALLOWED:
        raise _refused_type()
    ext = file_types.extension_conflict(name, kind)
    if ext is not None:
        raise ValidationFailed(
            [
                FieldError(
                    "file",
                    "type_mismatch",
                    {"detected": file_types.ALLOWED[kind].label, "ext": ext[:16]},
                )
            ]
        )
    return kind, stream


# --- loading -----------------------------------------------------------------------------------
def _require_clearance(user: UserAccount, *levels: str | None) -> None:
    """The one access check (``security.access``): classified items need the clearance."""
    actor = actor_from_row(user)
    if not all(access.may_see(actor, level) for level in levels):
        raise ValidationFailed([FieldError("item", "no_clearance")])


def _item_customer(
    uow: UnitOfWork, item_id: int, user: UserAccount
) -> tuple[ArchiveItem, Customer]:
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


def _customer_key(store: Store, key_id: str) -> bytes:
    try:
        return store.vault.key(key_id)
    except KeyDestroyed as exc:
        raise CustomerUnreadable() from exc


def _file_row(uow: UnitOfWork, file_id: int, user: UserAccount) -> tuple[ItemFile, Customer]:
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


def _decrypt_name(store: Store, key_id: str, f: ItemFile) -> str:
    try:
        return store.vault.cipher(key_id).decrypt(
            f.name_enc, table="item_file", column="name", row_key=str(f.id)
        )
    except KeyDestroyed as exc:
        raise CustomerUnreadable() from exc
    except DecryptionFailed as exc:
        raise FixityFailed(file_id=f.id) from exc


# --- attach ------------------------------------------------------------------------------------
def attach_file(
    *, session: SignedIn, item_id: int, source: Source, file_name: str, clock: Clock
) -> int:
    """Store a file for item ``item_id``; return the new file id.

    ``source`` is a path or a binary stream read to its end. The type comes from the content
    (``app.domain.file_types``); a name whose extension claims another type is refused. One
    transaction: chunks, the row and the audit entry commit together or not at all.
    """
    name = clean_file_name(file_name)
    store = session.store
    with _open_source(source) as raw, session.uow(clock) as uow:
        user = authorize(uow, session.actor, "file.attach")
        item, customer = _item_customer(uow, item_id, user)
        max_bytes = max_file_bytes(uow)
        known = _remaining(raw)
        if known is not None and known > max_bytes:
            raise _too_large(max_bytes)
        first = blobs.read_exact(_Reader(raw), blobs.CHUNK_SIZE)
        if not first:
            raise ValidationFailed([FieldError("file", "file_empty")])
        kind, stream = _detect(raw, first, name, max_bytes)
        key = _customer_key(store, customer.key_id)
        in_folder = stores_in_folder(store)
        row = ItemFile(
            item_id=item.id,
            name_enc=b"",
            media_type=kind,
            size=0,
            sha256="",
            chunk_count=0,
            state=WRITING,
            created_at=clock.now(),
            created_by=user.id,
            blob_name=blob_files.new_blob_name() if in_folder else None,
        )
        uow.session.add(row)
        uow.session.flush()  # the id is in every chunk's associated data
        codec = blobs.ChunkCodec(key, row.id)
        digest = hashlib.sha256()
        text = file_types.TextCheck() if kind == file_types.TEXT else None
        total = seq = 0

        def sealed_chunks() -> Iterator[tuple[int, bytes]]:
            nonlocal total, seq
            for chunk, last in blobs.chunks_with_end(_Reader(stream), first=first):
                total += len(chunk)
                if total > max_bytes:
                    raise _too_large(max_bytes)
                if text is not None:
                    text.feed(chunk, final=last)
                    if not text.ok:
                        raise _refused_type()
                digest.update(chunk)
                yield seq, codec.seal(seq, chunk, final=last)
                seq += 1

        if row.blob_name is not None:
            folder = blob_folder(store)
            with folder.writing(row.blob_name) as blob:  # a failure deletes the temp file
                for _seq, sealed in sealed_chunks():
                    blob.append(sealed)
                blob.publish()  # fsync, rename, fsync the folder; the row commits below
        else:
            conn = uow.session.connection()
            add_chunk = insert(FileChunk)
            for n, sealed in sealed_chunks():
                conn.execute(add_chunk, {"file_id": row.id, "seq": n, "data": sealed})
        row.name_enc = store.vault.cipher(customer.key_id).encrypt(
            name, table="item_file", column="name", row_key=str(row.id)
        )
        row.size, row.sha256, row.chunk_count, row.state = total, digest.hexdigest(), seq, COMPLETE
        uow.audit.record(
            "file.attach",
            object_type="item_file",
            object_id=row.id,
            details={
                "item_id": item.id,
                "name": mask_file_name(name),
                "media_type": kind,
                "size": total,
                "sha256": row.sha256,
            },
        )
        if row.blob_name is None:
            uow.commit()
            return row.id
        try:
            uow.commit()
        except BaseException:
            blob_folder(store).remove(row.blob_name)  # no committed row names it
            raise
        return row.id


# --- read --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Stored:
    """What a fixity check needs of a file row."""

    id: int
    chunk_count: int
    size: int
    sha256: str
    blob_name: str | None


def _sealed_chunks(db: Session, store: Store, f: _Stored) -> Iterator[tuple[int, bytes]]:
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


def _plain_chunks(db: Session, store: Store, f: _Stored, key: bytes) -> Iterator[bytes]:
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


def open_file(
    *,
    session: SignedIn,
    file_id: int,
    purpose: str,
    clock: Clock,
    sink: BinaryIO | None = None,
) -> bytes:
    """The plain content of a file, after its fixity check; the purpose is recorded (R40).

    With ``sink`` the content is written there chunk by chunk and ``b""`` returned; on
    :class:`FixityFailed` the caller must discard what the sink received. A failed check is
    audited (``file.fixity_failed``) and nothing is returned.
    """
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationFailed([FieldError("purpose", "required")])
    store = session.store
    with session.uow(clock) as uow:
        user = authorize(uow, session.actor, "file.open")
        f, customer = _file_row(uow, file_id, user)
        key = _customer_key(store, customer.key_id)
        parts: list[bytes] = []
        write: Callable[[bytes], object] = parts.append if sink is None else sink.write
        try:
            name = _decrypt_name(store, customer.key_id, f)
            stored = _Stored(f.id, f.chunk_count, f.size, f.sha256, f.blob_name)
            for plain in _plain_chunks(uow.session, store, stored, key):
                write(plain)
        except (FixityFailed, FileMissing) as exc:
            uow.audit.record(
                "file.fixity_failed" if isinstance(exc, FixityFailed) else "file.missing",
                object_type="item_file",
                object_id=f.id,
                purpose=purpose[:200],
                details={"item_id": f.item_id, "sha256": f.sha256, "when": "open"},
            )
            uow.commit()
            raise
        uow.audit.record_view(  # once per session, file and purpose (issue 9)
            "file.open",
            object_type="item_file",
            object_id=f.id,
            purpose=purpose[:200],
            details={
                "item_id": f.item_id,
                "name": mask_file_name(name),
                "media_type": f.media_type,
                "size": f.size,
            },
        )
        uow.commit()
        return b"".join(parts)


def list_item_files(*, session: SignedIn, item_id: int, clock: Clock) -> list[ItemFileInfo]:
    """The files of one item with masked names (opening one needs a purpose)."""
    store = session.store
    with session.uow(clock) as uow:
        user = authorize(uow, session.actor, "catalogue.read")
        _item, customer = _item_customer(uow, item_id, user)
        files = uow.session.scalars(
            select(ItemFile)
            .where(ItemFile.item_id == item_id, ItemFile.state == COMPLETE)
            .order_by(ItemFile.id)
        ).all()
        out = []
        for f in files:
            try:
                masked = mask_file_name(_decrypt_name(store, customer.key_id, f))
            except (CustomerUnreadable, FixityFailed):
                masked = "（无法解密）"
            kind = file_types.ALLOWED.get(f.media_type)
            out.append(
                ItemFileInfo(
                    id=f.id,
                    item_id=f.item_id,
                    masked_name=masked,
                    media_type=f.media_type,
                    type_label=kind.label if kind else f.media_type,
                    size=f.size,
                    sha256=f.sha256,
                )
            )
        return out


# --- verification ------------------------------------------------------------------------------
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
        rows = s.execute(
            select(
                ItemFile.id,
                ItemFile.state,
                ItemFile.chunk_count,
                ItemFile.size,
                ItemFile.sha256,
                ItemFile.blob_name,
                Customer.key_id,
            )
            .join(ArchiveItem, ArchiveItem.id == ItemFile.item_id)
            .join(Volume, Volume.id == ArchiveItem.volume_id)
            .join(Customer, Customer.id == Volume.customer_id)
            .order_by(ItemFile.id)
        ).all()
        total = len(rows)
        for done, row in enumerate(rows, 1):
            file_id, state, chunk_count, size, sha256, blob_name, key_id = row
            result.checked += 1
            if state != COMPLETE:
                result.incomplete_ids.append(file_id)
            else:
                try:
                    key = store.vault.key(key_id)
                except KeyDestroyed:
                    result.unreadable_ids.append(file_id)
                else:
                    try:
                        stored = _Stored(file_id, chunk_count, size, sha256, blob_name)
                        for plain in _plain_chunks(s, store, stored, key):
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
    if not stores_in_folder(store):
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
    if not stores_in_folder(store):
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
    if not stores_in_folder(store):
        return
    folder = blob_folder(store)
    for name in blob_names:
        if name is not None and blob_files.is_blob_name(name):
            folder.remove(name)
