"""Electronic files of an embedded database: one blob file per file in ``<db>.files/`` (R13).

The chunks are sealed by :mod:`app.storage.blobs` exactly as for the in-database path (AES-256-GCM
under a subkey of the customer's key, associated data = file id, chunk number, final flag); this
module only keeps them in a file instead of ``file_chunk`` rows, which SQLCipher would encrypt a
second time and WAL would write twice. Layout of a blob file::

    magic b"ARFBLOB1" (8 bytes)
    record*: length (4 bytes, big-endian) | sealed chunk (format | nonce | ciphertext+tag)

A record is at most ``CHUNK_SIZE + OVERHEAD`` bytes; the end of the file ends the list (a dropped
tail or an extra record fails the chunk tags: the final flag is in the associated data).

The folder is created 0700 and blob files 0600. A blob's name is a random id (32 hex digits) held
in the ``item_file`` row, never the user's file name. Writing goes to ``.tmp-<random>`` in the
folder; :meth:`BlobWriter.publish` fsyncs the file, renames it to its final name and fsyncs the
folder, and the caller then commits the row. A crash before that commit leaves an orphan (a temp
file, or a blob no row names) that
:func:`app.services.catalogue.file_checks.find_orphan_blobs` reports and ``remove_orphan_blobs``
deletes.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import struct
from collections.abc import Iterator
from pathlib import Path

from app.storage.blobs import CHUNK_SIZE, OVERHEAD
from app.storage.files import _fsync_dir, os_error_to_app

FOLDER_SUFFIX = ".files"
MAGIC = b"ARFBLOB1"
TEMP_PREFIX = ".tmp-"
_LENGTH = struct.Struct(">I")
_MAX_RECORD = CHUNK_SIZE + OVERHEAD
_NAME = re.compile(r"[0-9a-f]{32}")
_BINARY = getattr(os, "O_BINARY", 0)


class BlobMissing(Exception):
    """The blob file a row names is not in the folder."""


class BlobDamaged(Exception):
    """The blob file is not a blob (bad magic) or ends inside a record."""


def folder_for(db_path: Path) -> Path:
    """``<db>.files`` beside the database file."""
    return db_path.with_name(db_path.name + FOLDER_SUFFIX)


def new_blob_name() -> str:
    """A random id for a new blob (128 bits, hex)."""
    return secrets.token_hex(16)


def is_blob_name(name: str) -> bool:
    """True for a name :func:`new_blob_name` could have made."""
    return _NAME.fullmatch(name) is not None


class BlobFolder:
    """The folder of blob files of one embedded database."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def beside(cls, db_path: Path) -> BlobFolder:
        """The folder of the database at ``db_path``."""
        return cls(folder_for(db_path))

    def ensure(self) -> None:
        """Create the folder (0700) if needed; StorageError when it cannot be."""
        try:
            self.path.mkdir(mode=0o700, exist_ok=True)
            if os.name == "posix" and (self.path.stat().st_mode & 0o077):
                os.chmod(self.path, 0o700)
        except OSError as exc:
            raise os_error_to_app(exc, self.path) from exc

    def path_of(self, name: str) -> Path:
        """The file of blob ``name`` (only names this module makes)."""
        if not is_blob_name(name):
            raise BlobMissing(name)
        return self.path / name

    @contextlib.contextmanager
    def writing(self, name: str) -> Iterator[BlobWriter]:
        """A writer for a new blob ``name``.

        Any exception before :meth:`BlobWriter.publish` deletes the temp file.
        """
        self.ensure()
        writer = BlobWriter(self, name)
        try:
            yield writer
        except BaseException:
            writer.discard()
            raise
        writer.discard()  # no-op once published; a writer never published leaves nothing

    def records(self, name: str) -> Iterator[bytes]:
        """The sealed chunks of blob ``name`` in order; BlobMissing / BlobDamaged."""
        try:
            handle = self.path_of(name).open("rb")
        except FileNotFoundError as exc:
            raise BlobMissing(name) from exc
        with handle:
            if handle.read(len(MAGIC)) != MAGIC:
                raise BlobDamaged(name)
            while True:
                head = handle.read(_LENGTH.size)
                if not head:
                    return
                if len(head) != _LENGTH.size:
                    raise BlobDamaged(name)
                (length,) = _LENGTH.unpack(head)
                if length > _MAX_RECORD:
                    raise BlobDamaged(name)
                data = handle.read(length)
                if len(data) != length:
                    raise BlobDamaged(name)
                yield data

    def remove(self, name: str) -> None:
        """Delete blob or temp file ``name`` if it exists (best effort)."""
        with contextlib.suppress(OSError):
            (self.path / name).unlink()

    def entries(self) -> tuple[list[str], list[str]]:
        """``(blob names, other names)`` in the folder (others: temp files, strays)."""
        blobs: list[str] = []
        others: list[str] = []
        try:
            names = sorted(os.listdir(self.path))
        except FileNotFoundError:
            return blobs, others
        except OSError as exc:
            raise os_error_to_app(exc, self.path) from exc
        for name in names:
            (blobs if is_blob_name(name) else others).append(name)
        return blobs, others


class BlobWriter:
    """Writes the records of one new blob to a temp file, then publishes it atomically."""

    def __init__(self, folder: BlobFolder, name: str) -> None:
        self._folder = folder
        self._final = folder.path_of(name)
        self._temp = folder.path / f"{TEMP_PREFIX}{secrets.token_hex(8)}"
        self._published = False
        try:
            fd = os.open(self._temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, 0o600)
        except OSError as exc:
            raise os_error_to_app(exc, folder.path) from exc
        self._out = os.fdopen(fd, "wb", buffering=0)
        self._write(MAGIC)

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        try:
            while view:
                written = self._out.write(view)
                view = view[written or 0 :]
        except OSError as exc:
            raise os_error_to_app(exc, self._folder.path) from exc

    def append(self, sealed: bytes) -> None:
        """Add one sealed chunk."""
        self._write(_LENGTH.pack(len(sealed)))
        self._write(sealed)

    def publish(self) -> None:
        """Sync the file, rename it to its final name, fsync the folder."""
        try:
            os.fsync(self._out.fileno())
            self._out.close()
            os.replace(self._temp, self._final)
        except OSError as exc:
            raise os_error_to_app(exc, self._folder.path) from exc
        self._published = True
        _fsync_dir(self._folder.path)

    def discard(self) -> None:
        """Close and delete the temp file unless published."""
        if self._published:
            return
        with contextlib.suppress(OSError):
            self._out.close()
        with contextlib.suppress(OSError):
            self._temp.unlink()
