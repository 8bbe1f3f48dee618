"""Writing a backup: into a ``.partial-`` folder, verified, then renamed; removing one."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3

from app import __version__
from app.clock import as_utc
from app.errors import (
    BackupDamaged,
    BackupTargetFailed,
)
from app.storage.backup.copying import (
    _connect,
    _sidecar,
    copy_file,
    describe_database,
    destroy_file,
    held_snapshot,
    snapshot_copy,
    target_error,
)
from app.storage.backup.manifest import (
    DB_NAME,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    OPTIONAL_SIDECARS,
    PARTIAL,
    PREFIX,
    FileEntry,
    Manifest,
    NullSink,
    Sink,
    _Meter,
    manifest_tag,
    vault_file_key,
)
from app.storage.backup.verify import verify_folder
from app.storage.blob_files import FOLDER_SUFFIX, is_blob_name
from app.storage.files import _fsync_dir

if TYPE_CHECKING:
    from app.security.keyring import KeyringStore


@dataclass(frozen=True)
class BackupWritten:
    """A finished, verified backup."""

    path: Path
    manifest: Manifest
    seconds_copy: float
    seconds_verify: float
    blobs_gone: int  # files deleted by the app between the snapshot and their copy


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


def start_folder(target: Path, now: datetime) -> tuple[str, Path]:
    """Make ``target`` (if need be), clear its partial folders; a new name and its partial path.

    Raises BackupTargetFailed / DiskFull when ``target`` cannot be created.
    """
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise target_error(exc, target) from exc
    remove_partial(target)
    name = backup_folder_name(now, target)
    return name, target / (PARTIAL + name)


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


def _active_keyring(live: Path | KeyringStore, data_key: bytes, active: list[str]) -> bytes:
    """The keyring as a backup carries it: active accounts' slots and recovery only.

    Slots of disabled or unknown accounts, failed-attempt counters and queued events stay
    behind; the body is sealed again under the data key. ``live``: the keyring file beside an
    embedded database, or the store of a server's keyring row.
    """
    from app.security.keyring import RECOVERY_LABEL, FileKeyringStore, Keyring

    ring = Keyring.load(FileKeyringStore(live) if isinstance(live, Path) else live)
    ring.verify(data_key)
    keep = {ring.label_for(name) for name in active} | {RECOVERY_LABEL}
    ring.body["slots"] = {k: v for k, v in ring.body["slots"].items() if k in keep}
    ring.doc["attempts"] = {}
    ring.doc["events"] = []
    ring.seal(data_key)
    return json.dumps(ring.doc, indent=1, sort_keys=True).encode()


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
    name, work = start_folder(target, now)
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
                described = describe_database(reader)
                active = [
                    str(r[0])
                    for r in reader.execute(
                        "SELECT username FROM user_account WHERE NOT disabled"
                    ).fetchall()
                ]
                db_sums = snapshot_copy(db, work / DB_NAME, data_key, meter, snapshot=snap)
                if not _clean:
                    check = _connect(work / DB_NAME, data_key)
                    try:
                        described = describe_database(check)
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
            keyring = work / (DB_NAME + ".keyring")
            keyring.write_bytes(_active_keyring(_sidecar(db, ".keyring"), data_key, active))
            sums = copy_file(keyring, work / (DB_NAME + ".keyring.tmp"), None)
            os.replace(work / (DB_NAME + ".keyring.tmp"), keyring)
            files.append(sums.entry(DB_NAME + ".keyring", "keyring"))
            for suffix in OPTIONAL_SIDECARS:
                files.extend(_copy_sidecar(_sidecar(db, suffix), work, DB_NAME + suffix))
            manifest = tagged_manifest(data_key, files, described, now, vault_days)
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


def tagged_manifest(
    data_key: bytes,
    files: list[FileEntry],
    described: tuple[dict[str, int], dict[str, Any], str, str | None],
    now: datetime,
    vault_days: int,
    **more: Any,
) -> Manifest:
    """The manifest of a backup, tagged under ``data_key``.

    ``described`` is what ``describe_database`` saw (counts, audit head, database id, schema
    revision); ``more`` adds the engine's own keys.
    """
    counts, head, database_id, revision = described
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
        **more,
        "files": [f.as_json() for f in sorted(files, key=lambda f: f.path)],
    }
    return Manifest(body, manifest_tag(data_key, body))


def _write_manifest(path: Path, manifest: Manifest) -> None:
    data = json.dumps(
        {"body": manifest.body, "tag": manifest.tag}, ensure_ascii=False, indent=1, sort_keys=True
    ).encode()
    with path.open("xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
