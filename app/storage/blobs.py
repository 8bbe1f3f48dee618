"""Chunk codec for electronic files (R13): AES-256-GCM per chunk, bound to file, place and end.

Stored chunk layout::

    format (1 byte, 0x01) | nonce (12) | ciphertext+tag

The key is an HKDF subkey of the customer's own key (so erasing the customer's key in the vault
erases their files too, R8). The associated data binds every chunk to its file id, its sequence
number and whether it is the last chunk, so a chunk moved to another file or position, a
reordering, a dropped tail or an appended chunk all fail to decrypt.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from typing import Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.security import crypto

CHUNK_SIZE = 1 << 20  # 1 MiB of plain content per chunk
FORMAT_V1 = 0x01
_AAD = struct.Struct(">BQIB")  # format, file id, sequence number, final flag
_AAD_LABEL = b"archive-room/file-chunk/v1"
OVERHEAD = 1 + crypto.NONCE_BYTES + 16


def chunk_key(customer_key: bytes) -> bytes:
    """The subkey that encrypts a customer's file chunks."""
    return crypto.derive_subkey(customer_key, "item-file-chunk/v1")


def file_key(customer_key: bytes, own_key: bytes) -> bytes:
    """The key of a file with its own vault key (issue 17): both keys are needed to read it.

    Destroying the file's key erases that file (destruction of its volume, R44); destroying
    the customer's key still erases all their files (R8).
    """
    return crypto.derive_subkey(customer_key + own_key, "item-file-key/v2")


def chunk_aad(file_id: int, seq: int, final: bool) -> bytes:
    """Associated data of chunk ``seq`` of file ``file_id``."""
    return _AAD_LABEL + _AAD.pack(FORMAT_V1, file_id, seq, 1 if final else 0)


class ChunkCodec:
    """Seals and opens the chunks of one file."""

    def __init__(self, customer_key: bytes, file_id: int) -> None:
        self._aead = AESGCM(chunk_key(customer_key))
        self.file_id = file_id

    def seal(self, seq: int, plain: bytes, *, final: bool) -> bytes:
        """Encrypt chunk ``seq``; ``final`` marks the last chunk of the file."""
        nonce = os.urandom(crypto.NONCE_BYTES)
        aad = chunk_aad(self.file_id, seq, final)
        return bytes((FORMAT_V1,)) + nonce + self._aead.encrypt(nonce, plain, aad)

    def open(self, seq: int, stored: bytes, *, final: bool) -> bytes:
        """Decrypt chunk ``seq``; raise :class:`crypto.DecryptionFailed` on any mismatch."""
        if len(stored) < OVERHEAD or stored[0] != FORMAT_V1:
            raise crypto.DecryptionFailed
        return crypto.open_with(self._aead, stored[1:], chunk_aad(self.file_id, seq, final))


class Readable(Protocol):
    """Anything with a binary ``read(size)``."""

    def read(self, size: int, /) -> bytes:
        """Up to ``size`` bytes; b"" at the end."""
        ...


def read_exact(stream: Readable, size: int) -> bytes:
    """Read up to ``size`` bytes, looping over short reads (pipes, sockets); b"" at the end."""
    first = stream.read(size)
    if not first or len(first) == size:
        return first or b""
    parts = [first]
    got = len(first)
    while got < size:
        more = stream.read(size - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def chunks_with_end(
    stream: Readable, size: int = CHUNK_SIZE, *, first: bytes | None = None
) -> Iterator[tuple[bytes, bool]]:
    """Yield ``(chunk, is_last)`` reading one chunk ahead; an empty stream yields nothing.

    ``first`` is a chunk the caller already read from ``stream`` (to look at its type).
    """
    current = read_exact(stream, size) if first is None else first
    if not current:
        return
    while True:
        following = read_exact(stream, size)
        yield current, not following
        if not following:
            return
        current = following
