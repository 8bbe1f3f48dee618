"""A dump file sealed chunk by chunk (AES-256-GCM) under a subkey of the data key.

A PostgreSQL dump holds rows the server keeps in clear (names, 档号, titles) next to the
field-encrypted values; on a backup medium it must be as useless without a password or the
recovery key as an embedded backup (a SQLCipher file). ``pg_dump`` writes to a pipe that is
sealed here as it arrives, and ``pg_restore`` reads the opened stream from a pipe: the clear
dump never touches a disk.

Layout: ``MAGIC`` then records ``<4-byte big-endian length><nonce + ciphertext + tag>``; the
associated data binds each record to its index and marks the last one, so a reordered,
dropped or truncated record fails to open.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.security import crypto

MAGIC = b"ARCHIVE-ROOM-SEALED-DUMP/1\n"
CHUNK = 1024 * 1024
PURPOSE = "backup-dump-file/v1"


class SealedStreamBroken(Exception):
    """The file is not a sealed dump under this key, or was changed, cut or reordered."""


def dump_key(data_key: bytes) -> bytes:
    """The key a backup's dump is sealed under."""
    return crypto.derive_subkey(data_key, PURPOSE)


def _aad(index: int, last: bool) -> bytes:
    return b"archive-room/dump/%d/%s" % (index, b"last" if last else b"more")


def seal_stream(
    source: IO[bytes],
    dest: IO[bytes],
    key: bytes,
    on_chunk: Callable[[int], None] | None = None,
) -> None:
    """Read ``source`` to its end and write it sealed to ``dest``."""
    aead = AESGCM(dump_key(key))
    dest.write(MAGIC)
    index = 0
    pending = source.read(CHUNK)
    while True:
        following = source.read(CHUNK) if pending else b""
        last = not following
        nonce = os.urandom(crypto.NONCE_BYTES)
        record = nonce + aead.encrypt(nonce, pending, _aad(index, last))
        dest.write(struct.pack(">I", len(record)) + record)
        if on_chunk is not None:
            on_chunk(len(pending))
        if last:
            return
        pending, index = following, index + 1


def open_stream(path: Path, key: bytes) -> Iterator[bytes]:
    """The clear chunks of a sealed dump, in order; raises SealedStreamBroken on any change."""
    aead = AESGCM(dump_key(key))
    with path.open("rb") as handle:
        if handle.read(len(MAGIC)) != MAGIC:
            raise SealedStreamBroken()
        index = 0
        while True:
            head = handle.read(4)
            if len(head) != 4:
                raise SealedStreamBroken()  # cut before the record marked last
            (size,) = struct.unpack(">I", head)
            record = handle.read(size)
            if len(record) != size or size < crypto.NONCE_BYTES + 16:
                raise SealedStreamBroken()
            nonce, body = record[: crypto.NONCE_BYTES], record[crypto.NONCE_BYTES :]
            for last in (False, True):
                try:
                    chunk = aead.decrypt(nonce, body, _aad(index, last))
                except InvalidTag:
                    continue
                yield chunk
                if last:
                    if handle.read(1):
                        raise SealedStreamBroken()  # bytes after the last record
                    return
                break
            else:
                raise SealedStreamBroken()
            index += 1
