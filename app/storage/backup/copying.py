"""Copying with sums: files, a consistent snapshot of a live SQLCipher file, restore helpers."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlcipher3

from app.errors import (
    AppError,
    BackupTargetFailed,
    BackupTargetFull,
)
from app.storage.backup.manifest import (
    CHUNK,
    OPTIONAL_SIDECARS,
    Sums,
    _Hasher,
    _Meter,
    vault_file_key,
)
from app.storage.blob_files import FOLDER_SUFFIX
from app.storage.engine import _key_pragma
from app.storage.files import _fsync_dir


def _sidecar(db: Path, suffix: str) -> Path:
    return db.with_name(db.name + suffix)


def _is_disk_full(exc: OSError) -> bool:
    return exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def target_error(exc: OSError, where: Path) -> AppError:
    """A clear error for a write to the backup medium that failed."""
    if _is_disk_full(exc):
        return BackupTargetFull(path=str(where))
    return BackupTargetFailed(path=str(where), detail=exc.strerror or type(exc).__name__)


def _drop_cache(fd: int) -> None:
    """Ask the OS to forget cached pages, so reading back checks the medium, not memory."""
    fadvise = getattr(os, "posix_fadvise", None)
    if fadvise is not None:
        with contextlib.suppress(OSError):
            fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)


def _fsync_file(path: Path, *, drop: bool = True) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        if drop:
            _drop_cache(fd)
    finally:
        os.close(fd)


def copy_file(src: Path, dst: Path, meter: _Meter | None) -> Sums:
    """Copy ``src`` to a new ``dst`` and fsync it; return its sums."""
    hasher = _Hasher()
    with src.open("rb") as reader, dst.open("xb") as writer:
        while buf := reader.read(CHUNK):
            writer.write(buf)
            hasher.update(buf)
            if meter is not None:
                meter.add(len(buf))
        writer.flush()
        os.fsync(writer.fileno())
        _drop_cache(writer.fileno())
    return hasher.sums()


def hash_file(path: Path, meter: _Meter | None = None) -> Sums:
    """The sums of ``path``."""
    hasher = _Hasher()
    with path.open("rb") as reader:
        while buf := reader.read(CHUNK):
            hasher.update(buf)
            if meter is not None:
                meter.add(len(buf))
    return hasher.sums()


def _hash_range(path: Path, offset: int, length: int, meter: _Meter) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as reader:
        reader.seek(offset)
        left = length
        while left > 0:
            buf = reader.read(min(CHUNK, left))
            if not buf:
                break
            digest.update(buf)
            left -= len(buf)
            meter.add(len(buf))
    return digest.hexdigest()


def _connect(path: Path, key: bytes) -> Any:
    conn = sqlcipher3.connect(str(path), timeout=10, check_same_thread=False)
    conn.isolation_level = None
    conn.execute(_key_pragma(key))
    conn.execute("PRAGMA cipher_memory_security = OFF")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


@contextlib.contextmanager
def held_snapshot(src: Path, key: bytes) -> Iterator[tuple[Any, bool]]:
    """Hold a read snapshot of ``src``; yield ``(connection, main_file_is_snapshot)``.

    ``main_file_is_snapshot`` is True when a passive checkpoint after the snapshot began folded
    every WAL frame: then the main file equals the snapshot and stays so while it is held.
    """
    reader = _connect(src, key)
    helper = _connect(src, key)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM sqlite_master").fetchone()
        busy, log_frames, done = helper.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        helper.close()
        clean = busy == 0 and (log_frames <= 0 or log_frames == done)
        yield reader, clean
    finally:
        with contextlib.suppress(Exception):
            helper.close()
        with contextlib.suppress(Exception):
            reader.execute("COMMIT")
        reader.close()


def snapshot_copy(
    src: Path, dst: Path, key: bytes, meter: _Meter | None, *, snapshot: tuple[Any, bool]
) -> Sums:
    """Copy the database ``src`` as of the held ``snapshot`` into the new file ``dst``.

    Returns the copy's size and SHA-256. ``dst`` is a plain rollback-journal SQLCipher file.
    """
    _reader, clean = snapshot
    if clean:
        return copy_file(src, dst, meter)
    wal = src.with_name(src.name + "-wal")
    copy_file(src, dst, meter)
    if wal.exists():
        copy_file(wal, dst.with_name(dst.name + "-wal"), None)
    conn = _connect(dst, key)  # replays the copied WAL up to its last whole commit
    try:
        conn.execute("PRAGMA journal_mode = DELETE").fetchone()
    finally:
        conn.close()
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            dst.with_name(dst.name + suffix).unlink()
    _fsync_file(dst)
    return hash_file(dst)


def describe_database(conn: Any) -> tuple[dict[str, int], dict[str, Any], str, str | None]:
    """Counts, audit head, database id and schema revision seen by ``conn``."""
    counts: dict[str, int] = {}
    for name, table in (
        ("customers", "customer"),
        ("volumes", "volume"),
        ("items", "archive_item"),
        ("files", "item_file"),
        ("users", "user_account"),
        ("audit_entries", "audit_entry"),
    ):
        counts[name] = int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    row = conn.execute(
        "SELECT id, occurred_at, action, entry_hash FROM audit_entry ORDER BY id DESC LIMIT 1"
    ).fetchone()
    head: dict[str, Any] = {"entries": counts["audit_entries"], "last_id": None}
    if row is not None:
        head = {
            "entries": counts["audit_entries"],
            "last_id": int(row[0]),
            "last_at": str(row[1]),
            "last_action": str(row[2]),
            "last_hash": None if row[3] is None else bytes(row[3]).hex(),
        }
    found = conn.execute("SELECT value FROM setting WHERE key = 'database_id'").fetchone()
    database_id = "" if found is None else str(json.loads(found[0]))
    rev = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return counts, head, database_id, None if rev is None else str(rev[0])


def destroy_file(path: Path) -> None:
    """Overwrite a file with zeros, fsync and delete it (vault copies past their window)."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        zero = b"\0" * CHUNK
        left = size
        while left > 0:
            n = min(left, CHUNK)
            handle.write(zero[:n])
            left -= n
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()
    _fsync_dir(path.parent)


def vault_key_ids(vault: Path, data_key: bytes) -> set[str]:
    """Key ids present in a vault file."""
    conn = _connect(vault, vault_file_key(data_key))
    try:
        return {str(r[0]) for r in conn.execute("SELECT key_id FROM vault_key").fetchall()}
    finally:
        conn.close()


def copy_vault(src: Path, dst: Path, data_key: bytes) -> None:
    """A consistent copy of a (possibly live) vault file."""
    vkey = vault_file_key(data_key)
    with held_snapshot(src, vkey) as snap:
        snapshot_copy(src, dst, vkey, None, snapshot=snap)


def restored_names(db: Path, stamp: str) -> Path:
    """Where a restore stages its new database beside ``db``."""
    return db.with_name(f"{db.name}.restored-{stamp}")


def sidecars_of(db: Path) -> list[Path]:
    """Every file or folder that belongs with ``db`` (WAL files included)."""
    return [
        db,
        *(_sidecar(db, s) for s in ("-wal", "-shm", ".keyring", ".vault", FOLDER_SUFFIX)),
        *(_sidecar(db, s) for s in OPTIONAL_SIDECARS),
    ]
