"""Backups of an embedded database: consistent snapshot copy, manifest, verification, restore.

A backup is a folder ``archive-backup-<local time>`` holding ``database.db`` (still encrypted
by SQLCipher under the data key), its keyring, the customer-key vault, the electronic files
(``database.db.files/``, already sealed under each customer's key) and any other sidecar
(``.audit-checkpoints``), plus ``manifest.json``: size and SHA-256 of every file, counts, the
audit head, and an HMAC-SHA256 tag under a key derived from the data key. Without a user's
password or the recovery key (which unwrap the data key from the keyring copy) it is useless.

**Consistency while the app writes.** The copy holds a read transaction on the live database
(a WAL snapshot), then runs a passive checkpoint: when that folds every WAL frame, the main
file is exactly the snapshot and cannot change while the snapshot is held (SQLite never
backfills frames newer than a reader's snapshot and never restarts the WAL under it), so the
file is copied byte for byte at disk speed, hashed on the way. Otherwise (another reader
holds an older snapshot, or a write slipped in) the file and its WAL are copied under the same
snapshot and the copy's WAL is folded by opening it, exactly like crash recovery; SQLite's
online backup API (``sqlite3_backup``) would give the same result but decrypts and
re-encrypts every page, at a quarter of the disk's speed (docs/performance.md). The vault is
copied *after* the database, so a customer deleted meanwhile has no key in the copy.

**Crash and media safety.** Everything is written into ``.partial-<name>``, fsynced, read back
(page cache dropped first where the OS allows) and compared with the manifest, and only then
renamed to its final name: a crash, a full disk or a pulled USB stick leaves at most a
``.partial-`` folder (removed by the next backup) and never touches the live database.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import sqlcipher3

from app import __version__
from app.clock import as_utc
from app.errors import (
    AppError,
    BackupCancelled,
    BackupDamaged,
    BackupTargetFailed,
    BackupTargetFull,
)
from app.security import crypto
from app.storage.blob_files import FOLDER_SUFFIX, is_blob_name
from app.storage.engine import _key_pragma
from app.storage.files import _fsync_dir

FORMAT = "archive-room-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_NAME = "database.db"
PREFIX = "archive-backup-"
PARTIAL = ".partial-"
CHUNK = 4 * 1024 * 1024
SEGMENT = 64 * 1024 * 1024  # verified in parallel, one thread per segment
VAULT_FILE_PURPOSE = "customer-key-vault-file/v1"  # as in app.security.vault
TAG_PURPOSE = "backup-manifest/v1"
# Sidecars copied when they exist (another area may add its own, e.g. audit checkpoints).
OPTIONAL_SIDECARS = (".audit-checkpoints",)

Progress = Callable[[int, int], None]


class Sink(Protocol):
    """Progress and cancel for long copies (``ui.tasks.ProgressSink`` fits)."""

    def report(self, done: int, total: int) -> None:
        """Tell how far the work is (bytes)."""

    def is_cancelled(self) -> bool:
        """True once a cancel was asked for."""


class NullSink:
    """No progress shown, never cancelled."""

    def report(self, done: int, total: int) -> None:
        """Ignore progress."""

    def is_cancelled(self) -> bool:
        """Never cancelled."""
        return False


@dataclass
class _Meter:
    sink: Sink
    total: int
    done: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, n: int) -> None:
        with self.lock:  # verification hashes segments on several threads
            self.done += n
            done = min(self.done, self.total)
        self.sink.report(done, self.total)
        if self.sink.is_cancelled():
            raise BackupCancelled()


@dataclass(frozen=True)
class FileEntry:
    """One file of a backup."""

    path: str  # relative, with "/"
    kind: str  # database | keyring | vault | blob | sidecar
    size: int
    sha256: str  # of the whole file (``sha256sum`` gives the same)
    segments: tuple[str, ...] = ()  # SHA-256 of each SEGMENT bytes, for files above SEGMENT

    def as_json(self) -> dict[str, Any]:
        """The manifest form."""
        out: dict[str, Any] = {
            "path": self.path,
            "kind": self.kind,
            "size": self.size,
            "sha256": self.sha256,
        }
        if self.segments:
            out["segments"] = list(self.segments)
        return out


@dataclass(frozen=True)
class Sums:
    """Size and SHA-256 sums of one file, computed while it was written or read."""

    size: int
    sha256: str
    segments: tuple[str, ...]

    def entry(self, path: str, kind: str) -> FileEntry:
        """The manifest entry for this file."""
        return FileEntry(path, kind, self.size, self.sha256, self.segments)


class _Hasher:
    """Whole-file SHA-256 plus one SHA-256 per SEGMENT (verification runs them in parallel)."""

    def __init__(self) -> None:
        self.whole = hashlib.sha256()
        self.part = hashlib.sha256()
        self.part_len = 0
        self.parts: list[str] = []
        self.size = 0

    def update(self, buf: bytes) -> None:
        self.whole.update(buf)
        self.size += len(buf)
        view = memoryview(buf)
        while view:
            take = min(len(view), SEGMENT - self.part_len)
            self.part.update(view[:take])
            self.part_len += take
            view = view[take:]
            if self.part_len == SEGMENT:
                self.parts.append(self.part.hexdigest())
                self.part, self.part_len = hashlib.sha256(), 0

    def sums(self) -> Sums:
        if self.size <= SEGMENT:
            return Sums(self.size, self.whole.hexdigest(), ())
        parts = list(self.parts)
        if self.part_len:
            parts.append(self.part.hexdigest())
        return Sums(self.size, self.whole.hexdigest(), tuple(parts))


@dataclass(frozen=True)
class Manifest:
    """What a backup holds; ``body`` is what the tag authenticates."""

    body: dict[str, Any]
    tag: str

    @property
    def created_at(self) -> datetime:
        """When the snapshot was taken (UTC)."""
        return as_utc(datetime.fromisoformat(str(self.body["created_at"])))

    @property
    def database_id(self) -> str:
        """The database the backup belongs to."""
        return str(self.body["database_id"])

    @property
    def files(self) -> list[FileEntry]:
        """Every file listed."""
        return [
            FileEntry(
                str(f["path"]),
                str(f["kind"]),
                int(f["size"]),
                str(f["sha256"]),
                tuple(str(x) for x in f.get("segments", ())),
            )
            for f in self.body["files"]
        ]

    @property
    def counts(self) -> dict[str, int]:
        """Row counts at the snapshot."""
        return {k: int(v) for k, v in self.body["counts"].items()}

    @property
    def audit_head(self) -> dict[str, Any]:
        """The last audit entry at the snapshot."""
        return dict(self.body["audit_head"])

    @property
    def total_bytes(self) -> int:
        """Sum of the file sizes."""
        return sum(f.size for f in self.files)


@dataclass
class VerifyResult:
    """Outcome of checking a backup folder."""

    manifest: Manifest
    tag_checked: bool
    vault_expired: bool
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every sum (and the tag, if checked) matched."""
        return not self.problems


# --- small helpers -------------------------------------------------------------------------
def _canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def manifest_tag(data_key: bytes, body: dict[str, Any]) -> str:
    """HMAC-SHA256 of the canonical manifest body under a subkey of the data key."""
    key = crypto.derive_subkey(data_key, TAG_PURPOSE)
    return hmac.new(key, _canonical(body), hashlib.sha256).hexdigest()


def vault_file_key(data_key: bytes) -> bytes:
    """The SQLCipher key of the vault file (derived like ``CustomerKeyVault.beside``)."""
    return crypto.derive_subkey(data_key, VAULT_FILE_PURPOSE)


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


# --- consistent copy of a live SQLCipher file ----------------------------------------------
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


# --- writing ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class BackupWritten:
    """A finished, verified backup."""

    path: Path
    manifest: Manifest
    seconds_copy: float
    seconds_verify: float
    blobs_gone: int  # files deleted by the app between the snapshot and their copy


def _sidecar(db: Path, suffix: str) -> Path:
    return db.with_name(db.name + suffix)


def backup_folder_name(now: datetime, target: Path) -> str:
    """A new folder name from the local time (a suffix if that second is taken)."""
    stem = PREFIX + as_utc(now).astimezone().strftime("%Y%m%d-%H%M%S")
    name, n = stem, 1
    while (target / name).exists() or (target / (PARTIAL + name)).exists():
        n += 1
        name = f"{stem}-{n}"
    return name


def remove_partial(target: Path) -> int:
    """Delete ``.partial-`` folders left by an interrupted backup or removal; return how many."""
    removed = 0
    with contextlib.suppress(OSError):
        for entry in target.iterdir():
            if entry.name.startswith(PARTIAL) and entry.is_dir():
                discard_folder(entry)
                removed += 1
    return removed


def discard_folder(folder: Path) -> None:
    """Remove a backup folder; its vault copy is overwritten first (R8)."""
    vault = folder / (DB_NAME + ".vault")
    with contextlib.suppress(OSError):
        if vault.exists():
            destroy_file(vault)
    shutil.rmtree(folder, ignore_errors=True)


def remove_backup(folder: Path) -> None:
    """Remove a finished backup; renamed to ``.partial-`` first (a crash leaves no half backup)."""
    doomed = folder.with_name(PARTIAL + "removed-" + folder.name)
    os.rename(folder, doomed)
    _fsync_dir(folder.parent)
    discard_folder(doomed)


def write_backup(
    *,
    db: Path,
    data_key: bytes,
    target: Path,
    now: datetime,
    vault_days: int,
    sink: Sink | None = None,
) -> BackupWritten:
    """Write a verified backup of the embedded database ``db`` into a new folder in ``target``.

    Raises BackupTargetFailed / DiskFull (medium full, removed or read-only), BackupCancelled;
    in every case the partial folder is removed and the live database is untouched.
    """
    import time

    sink = sink or NullSink()
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise target_error(exc, target) from exc
    remove_partial(target)
    name = backup_folder_name(now, target)
    work = target / (PARTIAL + name)
    files: list[FileEntry] = []
    blobs_gone = 0
    started = time.perf_counter()
    try:
        try:
            work.mkdir()
            blob_dir = work / (DB_NAME + FOLDER_SUFFIX)
            with held_snapshot(db, data_key) as snap:
                reader, _clean = snap
                blob_names = [
                    str(r[0])
                    for r in reader.execute(
                        "SELECT blob_name FROM item_file WHERE blob_name IS NOT NULL"
                    ).fetchall()
                ]
                live_blobs = _sidecar(db, FOLDER_SUFFIX)
                sizes = [db.stat().st_size]
                for blob in blob_names:
                    with contextlib.suppress(OSError):
                        sizes.append((live_blobs / blob).stat().st_size)
                meter = _Meter(sink, sum(sizes) * 2)
                counts, head, database_id, revision = describe_database(reader)
                db_sums = snapshot_copy(db, work / DB_NAME, data_key, meter, snapshot=snap)
                if not _clean:
                    check = _connect(work / DB_NAME, data_key)
                    try:
                        counts, head, database_id, revision = describe_database(check)
                    finally:
                        check.close()
                files.append(db_sums.entry(DB_NAME, "database"))
                # Blob files are immutable once named by a row: copy those of the snapshot.
                if blob_names:
                    blob_dir.mkdir()
                for blob in blob_names:
                    if not is_blob_name(blob):
                        continue
                    try:
                        sums = copy_file(live_blobs / blob, blob_dir / blob, meter)
                    except FileNotFoundError:
                        blobs_gone += 1  # deleted with its customer after the snapshot
                        continue
                    files.append(sums.entry(f"{blob_dir.name}/{blob}", "blob"))
            # After the database: a key destroyed meanwhile is missing from the copy too (R8).
            vault = _sidecar(db, ".vault")
            if vault.exists():
                vkey = vault_file_key(data_key)
                with held_snapshot(vault, vkey) as vsnap:
                    sums = snapshot_copy(
                        vault, work / (DB_NAME + ".vault"), vkey, None, snapshot=vsnap
                    )
                files.append(sums.entry(DB_NAME + ".vault", "vault"))
            keyring = _sidecar(db, ".keyring")
            sums = copy_file(keyring, work / (DB_NAME + ".keyring"), None)
            files.append(sums.entry(DB_NAME + ".keyring", "keyring"))
            for suffix in OPTIONAL_SIDECARS:
                files.extend(_copy_sidecar(_sidecar(db, suffix), work, DB_NAME + suffix))
            body: dict[str, Any] = {
                "format": FORMAT,
                "version": FORMAT_VERSION,
                "app_version": __version__,
                "database_id": database_id,
                "schema": revision,
                "created_at": as_utc(now).isoformat(),
                "vault_days": vault_days,
                "counts": counts,
                "audit_head": head,
                "files": [f.as_json() for f in sorted(files, key=lambda f: f.path)],
            }
            manifest = Manifest(body, manifest_tag(data_key, body))
            _write_manifest(work / MANIFEST, manifest)
            for folder in {work, blob_dir} if blob_dir.exists() else {work}:
                _fsync_dir(folder)
            copied = time.perf_counter() - started
            meter.done = meter.total // 2
            result = verify_folder(work, data_key=data_key, now=now, sink=sink, meter=meter)
            if not result.ok:
                raise BackupDamaged(path=str(target / name), detail="；".join(result.problems[:3]))
            os.rename(work, target / name)
            _fsync_dir(target)
        except OSError as exc:
            raise target_error(exc, target) from exc
        except sqlcipher3.Error as exc:  # the copy could not be opened (medium failed under it)
            raise BackupTargetFailed(path=str(target), detail=type(exc).__name__) from exc
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return BackupWritten(
        target / name, manifest, copied, time.perf_counter() - started - copied, blobs_gone
    )


def _copy_sidecar(src: Path, work: Path, rel: str) -> list[FileEntry]:
    if src.is_file():
        return [copy_file(src, work / rel, None).entry(rel, "sidecar")]
    if src.is_dir():
        out = []
        (work / rel).mkdir()
        for path in sorted(src.rglob("*")):
            sub = path.relative_to(src).as_posix()
            if path.is_dir():
                (work / rel / sub).mkdir(parents=True, exist_ok=True)
            elif path.is_file():
                out.append(copy_file(path, work / rel / sub, None).entry(f"{rel}/{sub}", "sidecar"))
        return out
    return []


def _write_manifest(path: Path, manifest: Manifest) -> None:
    data = json.dumps(
        {"body": manifest.body, "tag": manifest.tag}, ensure_ascii=False, indent=1, sort_keys=True
    ).encode()
    with path.open("xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


# --- reading and verifying -------------------------------------------------------------------
def read_manifest(folder: Path) -> Manifest:
    """Parse ``manifest.json``; raise BackupDamaged when it is missing or malformed."""
    try:
        raw = (folder / MANIFEST).read_bytes()
    except FileNotFoundError as exc:
        raise BackupDamaged(path=str(folder), detail="缺少清单文件 manifest.json") from exc
    except OSError as exc:
        raise BackupTargetFailed(path=str(folder), detail=exc.strerror or "") from exc
    try:
        doc = json.loads(raw.decode("utf-8"))
        body, tag = doc["body"], str(doc["tag"])
        if body.get("format") != FORMAT or not isinstance(body.get("files"), list):
            raise ValueError("format")
        manifest = Manifest(body, tag)
        _ = manifest.created_at, manifest.files, manifest.counts, manifest.database_id
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, AttributeError) as exc:
        raise BackupDamaged(path=str(folder), detail="清单文件格式错误或被改动") from exc
    return manifest


def _safe_rel(rel: str) -> bool:
    parts = rel.split("/")
    return bool(rel) and not rel.startswith("/") and ".." not in parts and "\\" not in rel


def verify_folder(
    folder: Path,
    *,
    data_key: bytes | None,
    now: datetime,
    sink: Sink | None = None,
    meter: _Meter | None = None,
    vault_days: int | None = None,
) -> VerifyResult:
    """Read every file of a backup and compare it with the manifest (and the tag with a key).

    A vault copy removed by rotation after its window is expected, not a problem.
    """
    from app.domain.backups import vault_copy_expired

    manifest = read_manifest(folder)
    days = int(manifest.body.get("vault_days", 30)) if vault_days is None else vault_days
    result = VerifyResult(
        manifest, tag_checked=data_key is not None, vault_expired=False, problems=[]
    )
    if data_key is not None and not hmac.compare_digest(
        manifest.tag, manifest_tag(data_key, manifest.body)
    ):
        result.problems.append("清单的认证标记不符：清单被改动，或备份不属于此数据库")
    if meter is None:
        meter = _Meter(sink or NullSink(), manifest.total_bytes)
    listed = set()
    units: list[tuple[FileEntry, Path, int, int, str]] = []
    for entry in manifest.files:
        listed.add(entry.path)
        if not _safe_rel(entry.path):
            result.problems.append("清单中有不合法的路径")
            continue
        path = folder / entry.path
        if entry.kind == "vault" and vault_copy_expired(manifest.created_at, now, days):
            result.vault_expired = True  # destroyed (or being destroyed) by design: not checked
            continue
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            result.problems.append(f"缺少文件 {entry.path}")
            continue
        except OSError as exc:
            result.problems.append(f"无法读取 {entry.path}（{exc.strerror}）")
            continue
        if size != entry.size:
            result.problems.append(f"{entry.path} 的长度与清单不符（内容已改变）")
            continue
        if entry.segments:
            for n, expected in enumerate(entry.segments):
                length = min(SEGMENT, entry.size - n * SEGMENT)
                units.append((entry, path, n * SEGMENT, length, expected))
        else:
            units.append((entry, path, 0, entry.size, entry.sha256))
    bad: set[str] = set()

    def check(unit: tuple[FileEntry, Path, int, int, str]) -> None:
        entry, path, offset, length, expected = unit
        try:
            digest = _hash_range(path, offset, length, meter)
        except OSError as exc:
            bad.add(f"无法读取 {entry.path}（{exc.strerror}）")
            return
        if not hmac.compare_digest(digest, expected):
            bad.add(f"{entry.path} 的 SHA-256 校验值不符（内容已改变）")

    # hashlib releases the GIL: one thread per core hashes segments side by side
    workers = max(1, min(4, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(check, units))
    result.problems += sorted(bad)
    for path in folder.rglob("*"):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel != MANIFEST and rel not in listed:
            result.problems.append(f"多出清单之外的文件 {rel}")
    return result


@dataclass(frozen=True)
class BackupListing:
    """One folder found in a backup target."""

    path: Path
    manifest: Manifest | None
    vault_present: bool
    problem: str | None = None


def list_folder(target: Path) -> list[BackupListing]:
    """Backups in ``target``, newest first (partial folders are not backups)."""
    out: list[BackupListing] = []
    try:
        entries = sorted(target.iterdir())
    except OSError:
        return out
    for entry in entries:
        if not entry.is_dir() or not entry.name.startswith(PREFIX):
            continue
        try:
            manifest: Manifest | None = read_manifest(entry)
            problem = None
        except AppError as exc:
            manifest, problem = None, exc.code
        out.append(BackupListing(entry, manifest, (entry / (DB_NAME + ".vault")).exists(), problem))
    out.sort(key=lambda b: b.manifest.created_at.timestamp() if b.manifest else 0.0, reverse=True)
    return out


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


# --- restoring ---------------------------------------------------------------------------------
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
