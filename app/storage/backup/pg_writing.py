"""Writing and checking a PostgreSQL backup folder (see :mod:`app.storage.backup.pg`)."""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import BackupDamaged, DatabaseUnavailable
from app.storage.backup.copying import copy_file, hash_file, target_error
from app.storage.backup.manifest import (
    MANIFEST,
    FileEntry,
    Manifest,
    NullSink,
    Sink,
    VerifyResult,
    _Meter,
)
from app.storage.backup.pg import (
    DUMP_NAME,
    ENGINE,
    KEYRING_NAME,
    VAULT_NAME,
    connect,
    describe_snapshot,
    dump_database,
    dump_problems,
    vault_rows,
    write_vault_file,
)
from app.storage.backup.verify import verify_folder
from app.storage.backup.writing import (
    BackupWritten,
    _active_keyring,
    _write_manifest,
    start_folder,
    tagged_manifest,
)
from app.storage.engine import connection_lost_reason
from app.storage.files import _fsync_dir

if TYPE_CHECKING:
    from datetime import datetime

    from app.security.keyring import KeyringStore


def is_pg_backup(manifest: Manifest) -> bool:
    """True for a backup of a PostgreSQL database (a dump, not a database file)."""
    return manifest.body.get("engine") == ENGINE


def write_pg_backup(
    *,
    url: str,
    data_key: bytes,
    keyring: KeyringStore,
    target: Path,
    now: datetime,
    vault_days: int,
    sink: Sink | None = None,
) -> BackupWritten:
    """Dump the database at ``url`` into a new verified backup folder in ``target``.

    Raises BackupTargetFailed/BackupTargetFull, BackupCancelled, PgToolMissing/PgToolFailed,
    DatabaseUnavailable; in every case the partial folder is removed and the server untouched.
    """
    import psycopg

    sink = sink or NullSink()
    name, work = start_folder(target, now)
    files: list[FileEntry] = []
    started = time.perf_counter()
    try:
        try:
            work.mkdir()
            with connect(url) as snap:
                # one snapshot for the dump and for the manifest's counts and audit head
                snap.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
                snap.read_only = True
                snapshot = str(snap.execute("SELECT pg_export_snapshot()").fetchone()[0])
                counts, head, database_id, revision, checkpoints = describe_snapshot(snap)
                active = [
                    str(r[0])
                    for r in snap.execute(
                        "SELECT username FROM user_account WHERE NOT disabled"
                    ).fetchall()
                ]
                sink.report(0, 3)
                dump_database(url, work / DUMP_NAME, data_key, snapshot=snapshot, sink=sink)
                snap.rollback()
            files.append(hash_file(work / DUMP_NAME).entry(DUMP_NAME, "database"))
            sink.report(1, 3)
            # after the dump: a key destroyed meanwhile is missing from the copy too (R8)
            with connect(url, autocommit=True) as live:
                rows = vault_rows(live)
            write_vault_file(rows, work / VAULT_NAME, data_key)
            files.append(hash_file(work / VAULT_NAME).entry(VAULT_NAME, "vault"))
            keyring_file = work / (KEYRING_NAME + ".tmp")
            keyring_file.write_bytes(_active_keyring(keyring, data_key, active))
            sums = copy_file(keyring_file, work / KEYRING_NAME, None)
            keyring_file.unlink()
            files.append(sums.entry(KEYRING_NAME, "keyring"))
            manifest = tagged_manifest(
                data_key,
                files,
                (counts, head, database_id, revision),
                now,
                vault_days,
                engine=ENGINE,
                audit_checkpoints=checkpoints,
                vault_keys=len(rows),
            )
            _write_manifest(work / MANIFEST, manifest)
            _fsync_dir(work)
            copied = time.perf_counter() - started
            sink.report(2, 3)
            result = verify_pg_folder(work, data_key=data_key, now=now)
            if not result.ok:
                raise BackupDamaged(path=str(target / name), detail="；".join(result.problems[:3]))
            os.rename(work, target / name)
            _fsync_dir(target)
            sink.report(3, 3)
        except OSError as exc:
            raise target_error(exc, target) from exc
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailable(detail=connection_lost_reason(str(exc))) from exc
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return BackupWritten(target / name, manifest, copied, time.perf_counter() - started - copied, 0)


def verify_pg_folder(
    folder: Path,
    *,
    data_key: bytes | None,
    now: datetime,
    sink: Sink | None = None,
    meter: _Meter | None = None,
    vault_days: int | None = None,
) -> VerifyResult:
    """:func:`verify_folder`, then ``pg_restore --list`` reads the dump's table of contents.

    The dump must open under the key, be readable by the tool and not carry the vault's rows
    (checked when a key is given: without one only the sums can be).
    """
    result = verify_folder(
        folder, data_key=data_key, now=now, sink=sink, meter=meter, vault_days=vault_days
    )
    dump = folder / DUMP_NAME
    if result.ok and data_key is not None and is_pg_backup(result.manifest):
        with contextlib.suppress(OSError):
            result.problems += dump_problems(dump, data_key)
    return result
