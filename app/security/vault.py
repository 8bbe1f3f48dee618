"""Per-customer key vault, kept outside the database file (R6, R8).

Each customer's protected values (and later their electronic files) are encrypted under the
customer's own 256-bit key. Those keys live here, wrapped by a key derived from the database key,
in a separate SQLCipher file beside the database (``<db>.vault``). Deleting a customer destroys
the key with ``secure_delete`` and a truncating checkpoint, so no copy of the database file,
an older backup included, can give the customer's values back (crypto-erasure).

A new key is committed here (synchronous=FULL) before the database transaction that uses it, so
a crash leaves at most an unused key, never a customer whose key was lost. SQLite in WAL mode is
not atomic across attached files, hence two separate commits in this order.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    func,
    select,
    text,
)

from app.errors import StorageError, VaultForeign, VaultMissing
from app.security import crypto
from app.storage.engine import KeyHolder, sqlcipher_engine

VAULT_SUFFIX = ".vault"


def vault_file_key(data_key: bytes) -> bytes:
    """The SQLCipher key of the vault file."""
    return crypto.derive_subkey(data_key, "customer-key-vault-file/v1")


def vault_wrap_key(data_key: bytes) -> bytes:
    """The key that wraps each customer key in the vault."""
    return crypto.derive_subkey(data_key, "customer-key-wrap/v1")


def database_has_customers(database: Path, data_key: bytes) -> bool:
    """True when the database beside the vault has customers (whose keys the vault holds)."""
    engine = sqlcipher_engine(database, KeyHolder(data_key))
    try:
        with engine.connect() as conn:
            found = conn.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'customer'"
            ).scalar()
            return bool(found and conn.exec_driver_sql("SELECT 1 FROM customer LIMIT 1").scalar())
    finally:
        engine.dispose()


metadata = MetaData()
vault_key = Table(
    "vault_key",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("wrapped", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    sqlite_with_rowid=False,  # one B-tree: a key costs one leaf read, not index + table
)


def _upgrade_layout(engine: Engine) -> None:
    """Move a vault made with a rowid table (before 0.1.1) into the one-B-tree layout.

    One transaction; ``secure_delete`` (set on vault connections) zeroes the old pages.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as conn:
        sql = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'vault_key'"
        ).scalar()
        if sql is None or "WITHOUT ROWID" in str(sql).upper():
            return
        conn.exec_driver_sql("ALTER TABLE vault_key RENAME TO vault_key_old")
        vault_key.create(conn)
        conn.exec_driver_sql(
            "INSERT INTO vault_key (key_id, wrapped, created_at) "
            "SELECT key_id, wrapped, created_at FROM vault_key_old"
        )
        conn.exec_driver_sql("DROP TABLE vault_key_old")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


class KeyDestroyed(Exception):
    """The customer's key is gone: their protected values can no longer be read."""


class KeyWrapper:
    """Wraps new customer keys for the vault.

    Plain data, so a bulk loader's worker process can use it; the wrapping key never leaves
    this machine's processes.
    """

    def __init__(self, wrap_key: bytes) -> None:
        self._wrap_key = wrap_key

    def wrap(self, key_id: str, key: bytes) -> bytes:
        """The vault's stored form of ``key``."""
        return crypto.seal(self._wrap_key, key, key_aad(key_id))

    def wrap_many(self, pairs: Iterable[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
        """``(key_id, wrapped)`` for many ``(key_id, key)`` pairs: :meth:`wrap`'s stored form.

        One AES-GCM context and one ``os.urandom`` call for all the nonces (bulk loads).
        """
        pairs = list(pairs)
        aead = AESGCM(self._wrap_key)
        step = crypto.NONCE_BYTES
        nonces = os.urandom(step * len(pairs))
        out = []
        for i, (key_id, key) in enumerate(pairs):
            nonce = nonces[step * i : step * (i + 1)]
            out.append((key_id, nonce + aead.encrypt(nonce, key, key_aad(key_id))))
        return out


def key_aad(key_id: str) -> bytes:
    """Associated data binding a wrapped key to its id."""
    return f"archive-room/customer-key/v1/{key_id}".encode()


class CustomerKeyVault:
    """Creates, unwraps and destroys per-customer keys."""

    def __init__(self, engine: Engine, data_key: bytes) -> None:
        self._engine = engine
        self._wrap_key = vault_wrap_key(data_key)
        self._unwrap = AESGCM(self._wrap_key)
        self._cache: dict[str, bytes] = {}
        self._ciphers: dict[str, crypto.FieldCipher] = {}  # per key id, dropped with the key
        _upgrade_layout(engine)
        metadata.create_all(engine)

    @classmethod
    def beside(cls, database: Path, data_key: bytes, *, create: bool = False) -> CustomerKeyVault:
        """Open the vault file next to an embedded database.

        A missing (or empty) vault is made anew only with ``create`` or while the database has
        no customers; otherwise VaultMissing — an empty vault would silently lose every
        customer's protected values. A file the key does not open is VaultForeign.
        """
        path = database.with_name(database.name + VAULT_SUFFIX)
        try:
            size: int | None = path.stat().st_size
        except FileNotFoundError:
            size = None
        if not size and not create and database_has_customers(database, data_key):
            if size is None:
                raise VaultMissing(path=str(path))
            raise VaultForeign(path=str(path))
        engine = sqlcipher_engine(path, KeyHolder(vault_file_key(data_key)))
        try:
            with engine.connect() as conn:
                conn.execute(text("PRAGMA secure_delete = ON"))
            vault = cls(engine, data_key)
        except StorageError as exc:
            engine.dispose()
            if exc.code in ("foreign_database", "database_corrupt"):
                raise VaultForeign(path=str(path)) from exc
            raise
        if os.name == "posix":
            path.chmod(0o600)
        return vault

    def _aad(self, key_id: str) -> bytes:
        return key_aad(key_id)

    def wrapper(self) -> KeyWrapper:
        """A :class:`KeyWrapper` for keys stored later with :meth:`store_wrapped`."""
        return KeyWrapper(self._wrap_key)

    def store_wrapped(self, rows: list[tuple[str, bytes]], now: datetime) -> None:
        """Commit pre-wrapped ``(key_id, wrapped)`` rows durably (bulk loads), in one transaction.

        Not cached: a bulk load makes far more keys than anyone reads soon after. On SQLite
        the rows go to the driver as tuples in key order (the table is its key's B-tree, so
        sorted inserts touch each page once).
        """
        if not rows:
            return
        with self._engine.begin() as conn:
            if conn.dialect.name != "sqlite":  # engine-neutral: one executemany
                conn.execute(
                    vault_key.insert(),
                    [{"key_id": k, "wrapped": w, "created_at": now} for k, w in rows],
                )
                return
            kind = vault_key.c.created_at.type
            created = kind.dialect_impl(conn.dialect).bind_processor(conn.dialect)
            stamp = created(now) if created is not None else now
            conn.exec_driver_sql(
                "INSERT INTO vault_key (key_id, wrapped, created_at) VALUES (?, ?, ?)",
                [(k, w, stamp) for k, w in sorted(rows)],
            )

    def create_keys(self, count: int, now: datetime) -> list[tuple[str, bytes]]:
        """Create ``count`` keys and commit them durably; return ``(key_id, key)`` pairs."""
        made = [(uuid.uuid4().hex, crypto.random_key()) for _ in range(count)]
        rows = [
            {
                "key_id": kid,
                "wrapped": crypto.seal(self._wrap_key, key, self._aad(kid)),
                "created_at": now,
            }
            for kid, key in made
        ]
        with self._engine.begin() as conn:
            conn.execute(vault_key.insert(), rows)
        self._cache.update(made)
        return made

    def create_key(self, now: datetime) -> tuple[str, bytes]:
        """Create one key (committed before it is used)."""
        return self.create_keys(1, now)[0]

    def key(self, key_id: str) -> bytes:
        """Return the key ``key_id``; raise KeyDestroyed when it no longer exists."""
        cached = self._cache.get(key_id)
        if cached is not None:
            return cached
        with self._engine.connect() as conn:
            wrapped = conn.scalar(select(vault_key.c.wrapped).where(vault_key.c.key_id == key_id))
        if wrapped is None:
            raise KeyDestroyed(key_id)
        key = crypto.open_sealed(self._wrap_key, wrapped, self._aad(key_id))
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[key_id] = key
        return key

    def cipher(self, key_id: str) -> crypto.FieldCipher:
        """The field cipher of key ``key_id`` (kept while the key is cached)."""
        found = self._ciphers.get(key_id)
        if found is None:
            found = crypto.FieldCipher(self.key(key_id))
            if len(self._ciphers) > 10_000:
                self._ciphers.clear()
            self._ciphers[key_id] = found
        return found

    def preload(self, key_ids: Iterable[str]) -> None:
        """Fetch many keys in one query (a list page needs 200 of them)."""
        missing = [k for k in dict.fromkeys(key_ids) if k not in self._cache]
        if not missing:
            return
        if len(self._cache) + len(missing) > 10_000:
            self._cache.clear()
        with self._engine.connect() as conn:
            for start in range(0, len(missing), 500):
                chunk = missing[start : start + 500]
                rows = conn.execute(
                    select(vault_key.c.key_id, vault_key.c.wrapped).where(
                        vault_key.c.key_id.in_(chunk)
                    )
                ).all()  # one driver fetch, not a round per row
                for key_id, wrapped in rows:
                    self._cache[key_id] = crypto.open_with(self._unwrap, wrapped, self._aad(key_id))

    def destroy(self, key_ids: Iterable[str]) -> None:
        """Erase keys for good: secure delete, then fold and truncate the WAL."""
        ids = list(key_ids)
        with self._engine.begin() as conn:
            conn.execute(delete(vault_key).where(vault_key.c.key_id.in_(ids)))
        for kid in ids:
            self._cache.pop(kid, None)
            self._ciphers.pop(kid, None)
        if self._engine.dialect.name == "sqlite":
            with self._engine.connect() as conn:
                conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))

    def count(self) -> int:
        """Number of live keys."""
        with self._engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(vault_key)) or 0)

    def close(self) -> None:
        """Forget cached keys and release the file."""
        self._cache.clear()
        self._ciphers.clear()
        self._wrap_key = b""
        self._engine.dispose()
