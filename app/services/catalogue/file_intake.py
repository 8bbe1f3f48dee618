"""Attaching an electronic file to an item (R13): name, size and type checks, then sealed chunks.

The chunks are written to a temp name, fsynced and renamed before the row commits. The file
name, which may hold a person's name, is encrypted the same way and appears only masked in the
audit trail. An attach is one transaction: a failure part-way leaves no row, no chunk and no
temp file; a crash between the rename and the commit leaves only an orphan blob, which
:func:`~app.services.catalogue.file_checks.find_orphan_blobs` reports.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import insert

import app.services.catalogue.file_store as file_store
from app.clock import Clock
from app.domain import file_types
from app.errors import (
    FieldError,
    FileReadFailed,
    ValidationFailed,
)
from app.security.masking import mask_name
from app.services.auth import SignedIn
from app.services.catalogue.file_store import (
    COMPLETE,
    WRITING,
    blob_folder,
    customer_key,
    item_customer,
)
from app.services.common import authorize
from app.storage import blob_files, blobs
from app.storage.models import (
    FileChunk,
    ItemFile,
)
from app.storage.store import UnitOfWork

MAX_SIZE_SETTING = "item_file_max_mib"  # a positive whole number of MiB
DEFAULT_MAX_MIB = 200
MAX_NAME_LENGTH = 255


Source = BinaryIO | str | os.PathLike[str]


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
        item, customer = item_customer(uow, item_id, user)
        max_bytes = max_file_bytes(uow)
        known = _remaining(raw)
        if known is not None and known > max_bytes:
            raise _too_large(max_bytes)
        first = blobs.read_exact(_Reader(raw), blobs.CHUNK_SIZE)
        if not first:
            raise ValidationFailed([FieldError("file", "file_empty")])
        kind, stream = _detect(raw, first, name, max_bytes)
        owner_key = customer_key(store, customer.key_id)  # refused when it is gone
        in_folder = file_store.stores_in_folder(store)
        # the file's own key (issue 17): destroying it erases this file alone, in every copy
        # of the database (crypto-erasure); committed to the vault first, destroyed on failure
        key_id, own_key = store.vault.create_key(clock.now())
        key = blobs.file_key(owner_key, own_key)
        try:
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
                key_id=key_id,
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
            row.size, row.sha256, row.chunk_count, row.state = (
                total,
                digest.hexdigest(),
                seq,
                COMPLETE,
            )
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
        except BaseException:
            store.vault.destroy([key_id])
            raise
