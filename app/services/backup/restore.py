"""Restoring a backup beside the current database, then switching to it (R43, R8)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from datetime import datetime
from pathlib import Path

from app.clock import Clock, as_utc
from app.domain.backups import (
    vault_copy_expired,
)
from app.errors import (
    AppError,
    BackupDamaged,
    BackupForeign,
    VaultMissing,
)
from app.services.auth import SignedIn
from app.services.backup.config import _record_backup_event, _require_embedded
from app.services.backup.purge import RestoreSummary, _record_restore
from app.services.backup.run import require_verified
from app.services.common import authorize
from app.storage import backup as storage
from app.storage.backup import Sink
from app.storage.blob_files import FOLDER_SUFFIX
from app.storage.sessions import require_alone


def stage_restore(
    *,
    db: Path,
    data_key: bytes,
    backup: Path,
    now: datetime,
    sink: Sink | None = None,
    actor_name: str,
) -> RestoreSummary:
    """Restore ``backup`` into a NEW database beside ``db`` and verify it; ``db`` is untouched.

    The newest vault is used: the current ``<db>.vault`` when it exists, else the vault copy of
    the newest backup in the same folder; keys destroyed since the backup stay destroyed, so a
    customer deleted after the backup is not brought back (their files are not copied).
    """
    from app.security.keyring import FileKeyringStore, Keyring
    from app.security.rekey import rekey_file, rotate_vault_file

    # keyring: the current one (today's passwords, disabled users, the current key) when it
    # opens with this key, else the backup's
    live_ring = db.with_name(db.name + ".keyring")
    ring_source = backup / (storage.DB_NAME + ".keyring")
    if live_ring.exists():
        try:
            Keyring.load(FileKeyringStore(live_ring)).verify(data_key)
            ring_source = live_ring
        except AppError:
            pass
    ring = Keyring.load(FileKeyringStore(ring_source))
    ring.verify(data_key)
    # a backup made before a key rotation is under an earlier key the keyring still holds
    candidates = [data_key, *reversed(ring.history_keys(data_key))]
    # none fits: verified with today's key, which reports the tag (refused as damaged)
    backup_key = _authenticating_key(backup, candidates) or data_key
    result = storage.verify_folder(backup, data_key=backup_key, now=now, sink=sink)
    require_verified(result, backup)
    manifest = result.manifest
    if ring.database_id != manifest.database_id:
        raise BackupForeign()
    stamp = as_utc(now).astimezone().strftime("%Y%m%d-%H%M%S")
    staged = storage.restored_names(db, stamp)
    if any(p.exists() for p in storage.sidecars_of(staged)):
        raise BackupForeign()
    try:
        shutil.copyfile(backup / storage.DB_NAME, staged)
        if backup_key != data_key:
            rekey_file(staged, backup_key, data_key)  # the restored copy takes today's key
        shutil.copyfile(ring_source, staged.with_name(staged.name + ".keyring"))
        live_vault = db.with_name(db.name + ".vault")
        staged_vault = staged.with_name(staged.name + ".vault")
        vault_source = "none"
        if live_vault.exists():
            storage.copy_vault(live_vault, staged_vault, data_key)
            vault_source = "current"
        else:
            newest = _newest_vault_copy(backup.parent, manifest.database_id, candidates, now)
            if newest is not None:
                folder, vault_key = newest
                shutil.copyfile(folder / (storage.DB_NAME + ".vault"), staged_vault)
                if vault_key != data_key:
                    rotate_vault_file(staged_vault, vault_key, data_key)
                vault_source = "backup"
        keys = storage.vault_key_ids(staged_vault, data_key) if staged_vault.exists() else set()
        conn = storage._connect(staged, data_key)
        try:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupDamaged(path=str(backup), detail="恢复出的数据库未通过完整性检查")
            counts, head, database_id, revision = storage.describe_database(conn)
            if database_id != manifest.database_id:
                raise BackupForeign()
            if vault_source == "none" and counts.get("customers", 0):
                # without a vault every customer would be purged as "deleted since": refused
                raise VaultMissing(path=str(live_vault))
            # a file's own key (issue 17) where it has one: a blob whose key was destroyed
            # since the backup is not brought back
            own = any(r[1] == "key_id" for r in conn.execute("PRAGMA table_info(item_file)"))
            own_col = "f.key_id" if own else "NULL"
            blob_keys = conn.execute(
                f"SELECT f.blob_name, c.key_id, {own_col} FROM item_file f "
                "JOIN archive_item i ON i.id = f.item_id JOIN volume v ON v.id = i.volume_id "
                "JOIN customer c ON c.id = v.customer_id WHERE f.blob_name IS NOT NULL"
            ).fetchall()
        finally:
            conn.close()
        for suffix in storage.OPTIONAL_SIDECARS:
            src = backup / (storage.DB_NAME + suffix)
            if src.is_file():
                shutil.copyfile(src, staged.with_name(staged.name + suffix))
            elif src.is_dir():
                shutil.copytree(src, staged.with_name(staged.name + suffix))
        # the checkpoints come first: the restore's own entry is linked after the backup's
        erased, (restore_seq, restore_hash) = _record_restore(
            staged, data_key, now, actor_name, backup.name, head, keys, ring.root_key(data_key)
        )
        # kept for the switch: the workstation's anchor book learns of the restore then
        _restore_head_path(staged).write_text(
            json.dumps(
                {
                    "database_id": manifest.database_id,
                    "seq": restore_seq,
                    "hash": restore_hash.hex(),
                    "backup": backup.name,
                    "at": as_utc(now).isoformat(),
                }
            ),
            encoding="utf-8",
        )
        skipped = 0
        source_blobs = backup / (storage.DB_NAME + FOLDER_SUFFIX)
        staged_blobs = staged.with_name(staged.name + FOLDER_SUFFIX)
        for blob_name, key_id, own_key_id in blob_keys:
            if str(key_id) not in keys or (own_key_id is not None and str(own_key_id) not in keys):
                skipped += 1  # sealed under a destroyed key: not brought back (R8)
                continue
            staged_blobs.mkdir(mode=0o700, exist_ok=True)
            shutil.copyfile(source_blobs / str(blob_name), staged_blobs / str(blob_name))
        with contextlib.suppress(OSError):
            for p in storage.sidecars_of(staged):
                if p.is_file():
                    os.chmod(p, 0o600)
    except BaseException:
        discard_staged(staged)
        raise
    return RestoreSummary(
        staged_path=str(staged),
        backup_path=str(backup),
        backup_created_at=manifest.created_at,
        counts=counts,
        audit_head=head,
        schema=revision,
        vault_source=vault_source,
        erased_customers=erased,
        skipped_files=skipped,
    )


def _authenticating_key(folder: Path, candidates: list[bytes]) -> bytes | None:
    """The key among ``candidates`` whose tag the backup's manifest carries (None: foreign)."""
    manifest = storage.read_manifest(folder)
    return next((k for k in candidates if storage.manifest_authentic(manifest, k)), None)


def _newest_vault_copy(
    target: Path, database_id: str, candidates: list[bytes], now: datetime
) -> tuple[Path, bytes] | None:
    """The newest vault copy in ``target`` whose manifest authenticates (and its key).

    Nothing of a manifest is trusted (its database id, date, retention) before its tag is
    checked: a planted folder cannot make a restore pick its vault.
    """
    for b in storage.list_folder(target):
        if b.manifest is None or not b.vault_present:
            continue
        key = next((k for k in candidates if storage.manifest_authentic(b.manifest, k)), None)
        if key is None or b.manifest.database_id != database_id:
            continue
        if storage.symlinks_in(b.path):
            continue
        if vault_copy_expired(
            b.manifest.created_at, now, int(b.manifest.body.get("vault_days", 30))
        ):
            continue
        return b.path, key
    return None


def prepare_restore(
    *,
    session: SignedIn,
    clock: Clock,
    backup: str | Path,
    sink: Sink | None = None,
    into: str | None = None,
) -> RestoreSummary:
    """Restore a backup beside the current database (administrator), verified; audited here.

    PostgreSQL: into the NEW database ``into`` on the same server (the live one untouched).
    """
    if not session.store.location.is_sqlite:
        from app.services.backup.pg_restore import _prepare_pg_restore

        return _prepare_pg_restore(
            session=session, clock=clock, backup=backup, into=into or "", sink=sink
        )
    db = _require_embedded(session)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "backup.restore")
    # switching would send other sessions' writes to the file set aside: refused, naming them
    require_alone(db, mine=session.store.lease)
    summary = stage_restore(
        db=db,
        data_key=session.store.data_key,
        backup=Path(backup),
        now=clock.now(),
        sink=sink,
        actor_name=session.actor.username,
    )
    _record_backup_event(
        session,
        clock,
        "backup.restore_prepared",
        {"staged": Path(summary.staged_path).name, "counts": summary.counts},
        object_id=Path(backup).name,
    )
    return summary


def _restore_head_path(staged: Path) -> Path:
    """Where a staged restore keeps its own audit entry's head until the switch."""
    return staged.with_name(staged.name + ".restore-head")


def _note_restore_anchor(staged: Path) -> None:
    """Tell this workstation's anchor book that the database was restored on purpose.

    Without it every anchor an auditor kept after the backup was taken would report the
    restored database as rolled back at each sign-in and in ``check``.
    """
    from app.security.anchors import Anchor, AnchorBook

    path = _restore_head_path(staged)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        book = AnchorBook(str(data["database_id"]))
        book.add(Anchor(int(data["seq"]), str(data["hash"]), str(data["at"]), str(data["backup"])))
    except (OSError, ValueError, KeyError, TypeError):
        return  # no note (an older staging): the auditor's printed anchors still stand
    finally:
        with contextlib.suppress(OSError):
            path.unlink()


def discard_staged(staged: Path) -> None:
    """Remove a staged restore that will not be used."""
    with contextlib.suppress(FileNotFoundError):
        _restore_head_path(Path(staged)).unlink()
    for p in storage.sidecars_of(Path(staged)):
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                p.unlink()


def switch_to_restored(*, db: Path, staged: Path, now: datetime) -> Path | None:
    """Make the staged restore the database at ``db``; keep the current one renamed aside.

    Call only with every connection to ``db`` closed (after sign-out). The current vault is
    kept in place (it is the newest and the restore was checked against it); the current
    database, keyring and files become ``<db>.replaced-<time>…``. Returns that name (None when
    there was no current database).
    """
    require_alone(db)  # nobody may still be signed in to the database being replaced
    stamp = as_utc(now).astimezone().strftime("%Y%m%d-%H%M%S")
    kept = db.with_name(f"{db.name}.replaced-{stamp}")
    moved = False
    live_vault = db.with_name(db.name + ".vault")
    for src, dst in zip(storage.sidecars_of(db), storage.sidecars_of(kept), strict=True):
        if src == live_vault:
            continue
        if src.exists():
            os.rename(src, dst)
            moved = True
    staged_vault = staged.with_name(staged.name + ".vault")
    for src, dst in zip(storage.sidecars_of(staged), storage.sidecars_of(db), strict=True):
        if src == staged_vault:
            if live_vault.exists():
                src.unlink(missing_ok=True)  # the live vault is at least as new
            elif src.exists():
                os.rename(src, dst)
            continue
        if src.exists():
            os.rename(src, dst)
    from app.storage.files import _fsync_dir

    _fsync_dir(db.parent)
    _note_restore_anchor(staged)
    return kept if moved else None
