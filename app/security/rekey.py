"""Re-encrypting the files under a new data key (key rotation), resumable after a crash.

Order, each step atomic on its own:

1. the keyring is saved with the new key sealed to every active slot, the old key kept sealed
   under the new one (``previous``) — from here on only the new key is handed out;
2. the vault's customer keys are re-wrapped in one transaction, then the vault file is
   re-keyed (``PRAGMA rekey``);
3. the database file is re-keyed (``PRAGMA rekey`` with the raw-key form, one transaction);
4. the keyring forgets ``previous``.

:func:`finish_rotation` does steps 2–4 and checks first what is done already, so the sign-in
after a crash in the middle completes the rotation with the new key and the kept old one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlcipher3
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine

from app.errors import VaultForeign
from app.security import crypto
from app.security.keyring import Keyring
from app.security.vault import VAULT_SUFFIX, key_aad, vault_file_key, vault_wrap_key
from app.storage.engine import _key_pragma, classify_open_error

Progress = Callable[[str, int, int], None]  # (stage: "vault" | "database", done, total)
CHUNK = 5_000


def _connect(path: Path, key: bytes) -> Any:
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute(_key_pragma(key))
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def opens_with(path: Path, key: bytes) -> bool:
    """True when ``key`` decrypts the SQLCipher file ``path``."""
    conn = _connect(path, key)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher3.DatabaseError:
        return False
    finally:
        conn.close()


def rekey_file(path: Path, old_key: bytes, new_key: bytes) -> None:
    """Re-encrypt the SQLCipher file ``path`` from ``old_key`` to ``new_key`` (no-op if done)."""
    if opens_with(path, new_key):
        return
    conn = _connect(path, old_key)
    try:
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError as exc:
            raise classify_open_error(exc, path) from exc
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"").fetchall()
        # fold the WAL (pages under the old key) into the file and empty it
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        conn.close()


def rewrap_rows(conn: Any, old_key: bytes, new_key: bytes, progress: Progress | None = None) -> int:
    """Re-wrap every row of ``vault_key`` (a DB-API connection) from the old to the new key.

    One transaction: all rows or none. Rows already under the new key (an interrupted run that
    committed) are detected on the first row and left alone. Returns the rows re-wrapped.
    """
    old = AESGCM(vault_wrap_key(old_key))
    new_wrap = vault_wrap_key(new_key)
    new = AESGCM(new_wrap)
    first = conn.execute("SELECT key_id, wrapped FROM vault_key ORDER BY key_id LIMIT 1").fetchone()
    if first is None:
        return 0
    try:
        crypto.open_with(new, bytes(first[1]), key_aad(str(first[0])))
        return 0  # done already
    except crypto.DecryptionFailed:
        pass
    total = int(conn.execute("SELECT count(*) FROM vault_key").fetchone()[0])
    done = 0
    last = ""
    conn.execute("BEGIN IMMEDIATE")
    try:
        while True:
            rows = conn.execute(
                "SELECT key_id, wrapped FROM vault_key WHERE key_id > ? ORDER BY key_id LIMIT ?",
                (last, CHUNK),
            ).fetchall()
            if not rows:
                break
            updates = []
            for key_id, wrapped in rows:
                aad = key_aad(str(key_id))
                try:
                    key = crypto.open_with(old, bytes(wrapped), aad)
                except crypto.DecryptionFailed as exc:
                    raise VaultForeign(path="vault") from exc
                updates.append((crypto.seal(new_wrap, key, aad), key_id))
            conn.executemany("UPDATE vault_key SET wrapped = ? WHERE key_id = ?", updates)
            last = str(rows[-1][0])
            done += len(rows)
            if progress is not None:
                progress("vault", done, total)
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(Exception):
            conn.execute("ROLLBACK")
        raise
    return done


def rotate_vault_file(
    vault: Path, old_key: bytes, new_key: bytes, progress: Progress | None = None
) -> None:
    """Re-wrap the customer keys of the vault file, then re-key the file itself."""
    if not vault.exists():
        return
    new_file, old_file = vault_file_key(new_key), vault_file_key(old_key)
    file_done = opens_with(vault, new_file)
    if not file_done and not opens_with(vault, old_file):
        raise VaultForeign(path=str(vault))
    conn = _connect(vault, new_file if file_done else old_file)
    try:
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        conn.execute("PRAGMA synchronous = FULL")
        rewrap_rows(conn, old_key, new_key, progress)
    finally:
        conn.close()
    if not file_done:
        rekey_file(vault, old_file, new_file)


def rotate_vault_table(
    engine: Engine, old_key: bytes, new_key: bytes, progress: Progress | None = None
) -> None:
    """PostgreSQL: re-wrap the vault table on the server (no file key there)."""
    from sqlalchemy import inspect

    if not inspect(engine).has_table("vault_key"):
        return  # no customer was ever registered
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        driver.autocommit = True  # type: ignore[union-attr]  # BEGIN/COMMIT issued below
        cursor = driver.cursor()  # type: ignore[union-attr]

        class _Conn:  # the small DB-API surface rewrap_rows uses, with %s parameters
            def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
                cursor.execute(sql.replace("?", "%s").replace("BEGIN IMMEDIATE", "BEGIN"), params)
                return cursor

            def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
                cursor.executemany(sql.replace("?", "%s"), rows)

        rewrap_rows(_Conn(), old_key, new_key, progress)
    finally:
        raw.close()


def finish_rotation(
    *,
    database: Path | None,
    engine: Engine | None,
    keyring: Keyring,
    new_key: bytes,
    progress: Progress | None = None,
) -> bool:
    """Complete an unfinished rotation recorded in ``keyring`` (steps 2–4); False if none.

    ``database`` is the SQLCipher file (None on PostgreSQL, where ``engine`` reaches the
    vault table). Every connection to the files must be closed by the caller.
    """
    old_key = keyring.previous_key(new_key)
    if old_key is None:
        return False
    if database is not None:
        rotate_vault_file(
            database.with_name(database.name + VAULT_SUFFIX), old_key, new_key, progress
        )
        if progress is not None:
            progress("database", 0, 1)
        rekey_file(database, old_key, new_key)
        if progress is not None:
            progress("database", 1, 1)
    elif engine is not None:
        rotate_vault_table(engine, old_key, new_key, progress)
    with keyring.store.locked():
        current = Keyring.load(keyring.store)
        current.verify(new_key)
        current.finish_rotation(new_key)
        current.save()
    keyring.doc = current.doc
    return True
