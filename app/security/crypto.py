"""Key derivation, key wrapping, field encryption (AES-256-GCM) and blind indexes (HMAC-SHA256).

Layout of a field ciphertext (R6)::

    alg (1 byte, 0x01 = AES-256-GCM) | key version (2 bytes, big-endian) | nonce (12) | ct+tag

The associated data binds a value to its table, column and row, so a ciphertext copied into
another row or column fails to decrypt.
"""

from __future__ import annotations

import hmac
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12
ALG_AES256GCM = 0x01
_HEADER = struct.Struct(">BH")


class DecryptionFailed(Exception):
    """A ciphertext was altered, belongs elsewhere, or the key is wrong (no details on purpose)."""


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters for deriving a key-encryption key from a password."""

    memory_kib: int = 65536  # 64 MiB
    time_cost: int = 3
    parallelism: int = 2

    def as_dict(self) -> dict[str, int]:
        """Return the parameters for storage in the keyring."""
        return {"m": self.memory_kib, "t": self.time_cost, "p": self.parallelism}

    @classmethod
    def from_dict(cls, data: dict[str, int]) -> KdfParams:
        """Read parameters stored with :meth:`as_dict`."""
        return cls(memory_kib=int(data["m"]), time_cost=int(data["t"]), parallelism=int(data["p"]))


DEFAULT_KDF = KdfParams()


def random_key() -> bytes:
    """Return a fresh random 256-bit key."""
    return os.urandom(KEY_BYTES)


def derive_password_key(password: str, salt: bytes, params: KdfParams = DEFAULT_KDF) -> bytes:
    """Derive a 256-bit key-encryption key from a password with Argon2id."""
    return bytes(
        hash_secret_raw(
            secret=password.encode("utf-8"),
            salt=salt,
            time_cost=params.time_cost,
            memory_cost=params.memory_kib,
            parallelism=params.parallelism,
            hash_len=KEY_BYTES,
            type=Type.ID,
        )
    )


def derive_subkey(master: bytes, purpose: str) -> bytes:
    """Derive an independent 256-bit key for ``purpose`` from ``master`` (HKDF-SHA256)."""
    return HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=None,
        info=f"archive-room/{purpose}".encode(),
    ).derive(master)


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt with AES-256-GCM; return ``nonce || ciphertext+tag``."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    """Reverse :func:`seal`; raise :class:`DecryptionFailed` on any mismatch."""
    return open_with(AESGCM(key), sealed, aad)


def open_with(aead: AESGCM, sealed: bytes, aad: bytes) -> bytes:
    """:func:`open_sealed` with a ready AES-GCM context (many values under one key)."""
    if len(sealed) < NONCE_BYTES + 16:
        raise DecryptionFailed
    try:
        return aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except (InvalidTag, ValueError) as exc:
        raise DecryptionFailed from exc


def mac(key: bytes, data: bytes) -> bytes:
    """Return HMAC-SHA256 of ``data``."""
    return hmac.digest(key, data, "sha256")


def field_aad(table: str, column: str, row_key: str) -> bytes:
    """Associated data binding a field value to its place."""
    return f"archive-room/field/v1\x1f{table}\x1f{column}\x1f{row_key}".encode()


class NoncePool:
    """Random AES-GCM nonces fetched from the OS in batches (bulk encryption).

    Each nonce is fresh OS randomness handed out once, exactly as ``os.urandom(12)`` per value
    would give, without a system call per value (an import encrypts hundreds of thousands).
    For one thread at a time.
    """

    def __init__(self, batch: int = 4096) -> None:
        self._size = NONCE_BYTES * batch
        self._buffer = b""
        self._at = self._size

    def take(self) -> bytes:
        """The next unused nonce."""
        if self._at >= len(self._buffer):
            self._buffer, self._at = os.urandom(self._size), 0
        start = self._at
        self._at = start + NONCE_BYTES
        return self._buffer[start : self._at]


@lru_cache(maxsize=256)
def _field_place(table: str, column: str) -> bytes:
    """The start of :func:`field_aad` for a column (code constants, never values)."""
    return f"archive-room/field/v1\x1f{table}\x1f{column}".encode()


class FieldCipher:
    """Encrypts single field values with a key derived from the data key (one key version)."""

    def __init__(self, data_key: bytes, key_version: int = 1) -> None:
        self._version = key_version
        self._keys = {key_version: derive_subkey(data_key, f"field-encryption/v{key_version}")}
        self._aead = AESGCM(self._keys[key_version])

    def encrypt(self, plaintext: str, *, table: str, column: str, row_key: str) -> bytes:
        """Encrypt ``plaintext`` for ``table.column`` of the row identified by ``row_key``."""
        header = _HEADER.pack(ALG_AES256GCM, self._version)
        aad = header + field_aad(table, column, row_key)
        nonce = os.urandom(NONCE_BYTES)
        return header + nonce + self._aead.encrypt(nonce, plaintext.encode("utf-8"), aad)

    def for_row(self, row_key: str, nonces: NoncePool) -> Callable[[str, str, str], bytes]:
        """``enc(table, column, plaintext)``: :meth:`encrypt` for the row ``row_key``.

        The same ciphertext layout and associated data; the nonces come from ``nonces`` and
        the per-column part of the associated data is made once (bulk loads).
        """
        header = _HEADER.pack(ALG_AES256GCM, self._version)
        tail = f"\x1f{row_key}".encode()
        seal_ = self._aead.encrypt
        take = nonces.take

        def enc(table: str, column: str, plaintext: str) -> bytes:
            nonce = take()
            aad = header + _field_place(table, column) + tail
            return header + nonce + seal_(nonce, plaintext.encode("utf-8"), aad)

        return enc

    def decrypt(self, blob: bytes, *, table: str, column: str, row_key: str) -> str:
        """Decrypt a value written by :meth:`encrypt`; raise :class:`DecryptionFailed`."""
        if len(blob) < _HEADER.size:
            raise DecryptionFailed
        alg, version = _HEADER.unpack_from(blob)
        key = self._keys.get(version)
        if alg != ALG_AES256GCM or key is None:
            raise DecryptionFailed
        header = blob[: _HEADER.size]
        aad = header + field_aad(table, column, row_key)
        aead = self._aead if version == self._version else AESGCM(key)
        return open_with(aead, blob[_HEADER.size :], aad).decode("utf-8")


class BlindIndex:
    """Keyed hashes for exact look-ups of encrypted values (R14: whole values, never substrings)."""

    def __init__(self, data_key: bytes) -> None:
        self._key = derive_subkey(data_key, "blind-index/v1")
        self._columns: dict[str, hmac.HMAC] = {}

    def __getstate__(self) -> dict[str, object]:
        """Picklable for a worker process on this machine: the key, not the HMAC states."""
        return {"_key": self._key, "_columns": {}}

    def digest(self, column: str, normalized_value: str) -> bytes:
        """Return the index value of ``normalized_value`` in ``column``'s domain.

        HMAC-SHA256 of ``column NUL value``: the state after the key and ``column NUL`` is
        kept per column and copied, so a value costs its own bytes only (imports index
        hundreds of thousands of values).
        """
        started = self._columns.get(column)
        if started is None:
            started = hmac.new(self._key, f"{column}\x00".encode(), "sha256")
            self._columns[column] = started
        h = started.copy()
        h.update(normalized_value.encode())
        return h.digest()
