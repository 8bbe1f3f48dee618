"""Backup, verification and restore of the embedded database (R43, R8).

The copying itself is in :mod:`app.storage.backup`; here are the use cases: permission,
settings (target folder, warning interval, rotation, vault window), audit entries and the
"last verified backup" the home screen warns about. Long work takes a progress sink with
``report(done, total)`` and ``is_cancelled()`` (``ui.tasks.ProgressSink``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app.clock import Clock, as_utc
from app.domain.backups import (
    RotationPolicy,
    backup_overdue,
    backups_to_keep,
    vault_copy_expired,
)
from app.errors import (
    AppError,
    BackupDamaged,
    BackupForeign,
    BackupNoTarget,
    BackupUnsupported,
    FieldError,
    ValidationFailed,
)
from app.services.auth import SignedIn
from app.services.common import authorize
from app.storage import backup as storage
from app.storage.backup import Sink
from app.storage.blob_files import FOLDER_SUFFIX
from app.storage.store import integrity_problems

log = logging.getLogger(__name__)

# Allowed ranges of the numeric backup settings.
BACKUP_RANGES: dict[str, tuple[int, int]] = {
    "backup_interval_hours": (1, 24 * 31),
    "backup_keep_daily": (1, 366),
    "backup_keep_weekly": (0, 520),
    "backup_keep_monthly": (0, 600),
    "backup_vault_days": (1, 365),
}


@dataclass(frozen=True)
class BackupSettings:
    """Where backups go and how long they are kept."""

    backup_target: str = ""
    backup_interval_hours: int = 24  # the home screen warns after this without a verified backup
    backup_keep_daily: int = 7
    backup_keep_weekly: int = 4
    backup_keep_monthly: int = 12
    backup_vault_days: int = 30  # R8: a deleted customer's key survives in backups this long

    @property
    def rotation(self) -> RotationPolicy:
        """The rotation part."""
        return RotationPolicy(
            self.backup_keep_daily, self.backup_keep_weekly, self.backup_keep_monthly
        )


@dataclass(frozen=True)
class BackupStatus:
    """What the home screen shows."""

    supported: bool
    target: str
    last_at: datetime | None
    last_verified_at: datetime | None
    interval_hours: int
    overdue: bool


@dataclass(frozen=True)
class BackupReport:
    """A finished backup."""

    path: str
    created_at: datetime
    counts: dict[str, int]
    total_bytes: int
    seconds_copy: float
    seconds_verify: float
    removed_backups: int
    expired_vault_copies: int


@dataclass(frozen=True)
class BackupRow:
    """One backup in the target folder."""

    path: str
    name: str
    created_at: datetime | None
    counts: dict[str, int]
    total_bytes: int
    vault_state: str  # present | expired | missing
    same_database: bool
    problem: str | None
    vault_until: datetime | None = None  # when the vault copy is destroyed (R8)


@dataclass(frozen=True)
class VerifyReport:
    """Outcome of verifying one backup."""

    path: str
    ok: bool
    problems: list[str]
    created_at: datetime
    vault_expired: bool


@dataclass(frozen=True)
class RestoreSummary:
    """A restored database waiting beside the current one; shown before switching."""

    staged_path: str
    backup_path: str
    backup_created_at: datetime
    counts: dict[str, int]
    audit_head: dict[str, Any]
    schema: str | None
    vault_source: str  # current | backup | none
    erased_customers: int  # deleted after the backup: their values and files stay gone (R8)
    skipped_files: int


_STATE_KEYS = ("backup_last_at", "backup_last_verified_at", "backup_last_path")


def _load(raw: dict[str, Any]) -> BackupSettings:
    values: dict[str, Any] = {}
    defaults = BackupSettings()
    for name in BackupSettings.__dataclass_fields__:
        if name in raw and isinstance(raw[name], type(getattr(defaults, name))):
            values[name] = raw[name]
    return replace(defaults, **values)


def _time(raw: dict[str, Any], key: str) -> datetime | None:
    value = raw.get(key)
    if not isinstance(value, str):
        return None
    try:
        return as_utc(datetime.fromisoformat(value))
    except ValueError:
        return None


def _require_embedded(session: SignedIn) -> Path:
    if not session.store.location.is_sqlite:
        raise BackupUnsupported()
    return session.store.location.sqlite_path


def get_backup_settings(*, session: SignedIn, clock: Clock) -> BackupSettings:
    """The backup settings (any signed-in user may read them)."""
    with session.uow(clock) as uow:
        return _load(uow.settings.raw())


def update_backup_settings(
    *, session: SignedIn, changes: dict[str, Any], clock: Clock
) -> BackupSettings:
    """Change the target folder, interval, rotation or vault window (administrator; audited)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "settings.manage")
        current = _load(uow.settings.raw())
        errors: list[FieldError] = []
        clean: dict[str, Any] = {}
        for key, value in changes.items():
            if key == "backup_target":
                text = str(value).strip()
                if text and not Path(text).expanduser().is_absolute():
                    errors.append(FieldError(key, "format", {"expected": "完整的文件夹路径"}))
                    continue
                clean[key] = str(Path(text).expanduser()) if text else ""
                continue
            if key not in BACKUP_RANGES:
                errors.append(FieldError(key, "unknown"))
                continue
            low, high = BACKUP_RANGES[key]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                errors.append(FieldError(key, "range", {"min": low, "max": high}))
                continue
            clean[key] = value
        if errors:
            raise ValidationFailed(errors)
        updated = replace(current, **clean)
        if updated == current:
            return current
        before, after = current.__dict__, updated.__dict__
        uow.settings.put_many(clean)
        uow.audit.record(
            "settings.update",
            object_type="settings",
            object_id="backup",
            details={
                k: {"before": before[k], "after": after[k]} for k in clean if before[k] != after[k]
            },
        )
        uow.commit()
        return updated


def get_backup_status(*, session: SignedIn, clock: Clock) -> BackupStatus:
    """Last backup, last verified backup and whether the warning interval has passed."""
    with session.uow(clock) as uow:
        raw = uow.settings.raw()
    settings = _load(raw)
    verified = _time(raw, "backup_last_verified_at")
    supported = session.store.location.is_sqlite
    return BackupStatus(
        supported=supported,
        target=settings.backup_target,
        last_at=_time(raw, "backup_last_at"),
        last_verified_at=verified,
        interval_hours=settings.backup_interval_hours,
        overdue=supported and backup_overdue(verified, clock.now(), settings.backup_interval_hours),
    )


def _target(settings: BackupSettings, target: str | Path | None) -> Path:
    chosen = str(target).strip() if target is not None else settings.backup_target
    if not chosen:
        raise BackupNoTarget()
    return Path(chosen).expanduser().resolve()


def run_backup(
    *, session: SignedIn, clock: Clock, target: str | Path | None = None, sink: Sink | None = None
) -> BackupReport:
    """Write and verify a backup into ``target`` (default: the configured folder), then rotate.

    The live database stays usable throughout; any failure leaves no partial backup and is
    audited. Raises BackupTargetFailed/BackupTargetFull, BackupCancelled, BackupNoTarget.
    """
    db = _require_embedded(session)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "backup.run")
        settings = _load(uow.settings.raw())
    folder = _target(settings, target)
    now = clock.now()
    try:
        written = storage.write_backup(
            db=db,
            data_key=session.store.data_key,
            target=folder,
            now=now,
            vault_days=settings.backup_vault_days,
            sink=sink,
        )
    except AppError as exc:
        with session.uow(clock) as uow:
            uow.audit.record(
                "backup.failed",
                object_type="backup",
                details={"target": str(folder), "error": exc.code},
            )
            uow.commit()
        raise
    removed, expired = _rotate(
        folder, written.manifest.database_id, settings, clock.now(), protect=written.path.name
    )
    with session.uow(clock) as uow:
        uow.audit.record(
            "backup.create",
            object_type="backup",
            object_id=written.path.name,
            details={
                "target": str(folder),
                "bytes": written.manifest.total_bytes,
                "counts": written.manifest.counts,
                "audit_head": written.manifest.audit_head.get("last_id"),
                "verified": True,
                "removed_by_rotation": removed,
                "vault_copies_destroyed": expired,
            },
        )
        uow.settings.put_many(
            {
                "backup_last_at": as_utc(now).isoformat(),
                "backup_last_verified_at": as_utc(now).isoformat(),
                "backup_last_path": str(written.path),
            }
        )
        uow.commit()
    log.info("backup written (%d bytes)", written.manifest.total_bytes)
    return BackupReport(
        path=str(written.path),
        created_at=now,
        counts=written.manifest.counts,
        total_bytes=written.manifest.total_bytes,
        seconds_copy=written.seconds_copy,
        seconds_verify=written.seconds_verify,
        removed_backups=removed,
        expired_vault_copies=expired,
    )


def _rotate(
    folder: Path,
    database_id: str,
    settings: BackupSettings,
    now: datetime,
    *,
    protect: str | None = None,
) -> tuple[int, int]:
    """Remove backups the policy does not keep; destroy vault copies past their window."""
    mine = [
        b
        for b in storage.list_folder(folder)
        if b.manifest and b.manifest.database_id == database_id
    ]
    keep = backups_to_keep(
        [(b.path.name, b.manifest.created_at) for b in mine if b.manifest], settings.rotation
    )
    if protect is not None:
        keep.add(protect)  # never the backup just written
    removed = expired = 0
    for b in mine:
        assert b.manifest is not None
        if b.path.name not in keep:
            with contextlib.suppress(OSError):
                storage.remove_backup(b.path)
                removed += 1
        elif b.vault_present and vault_copy_expired(
            b.manifest.created_at, now, settings.backup_vault_days
        ):
            with contextlib.suppress(OSError):
                storage.destroy_file(b.path / (storage.DB_NAME + ".vault"))
                expired += 1
    return removed, expired


def expire_vault_copies(
    *, session: SignedIn, clock: Clock, target: str | Path | None = None
) -> int:
    """Destroy vault copies past their window in the backup folder (also done by every backup)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "backup.run")
        settings = _load(uow.settings.raw())
        database_id = uow.settings.load().database_id
    folder = _target(settings, target)
    no_rotation = replace(
        settings, backup_keep_daily=10_000, backup_keep_weekly=0, backup_keep_monthly=0
    )
    _removed, expired = _rotate(folder, database_id, no_rotation, clock.now())
    if expired:
        with session.uow(clock) as uow:
            uow.audit.record(
                "backup.vault_expired",
                object_type="backup",
                details={"target": str(folder), "vault_copies_destroyed": expired},
            )
            uow.commit()
    return expired


def list_backups(
    *, session: SignedIn, clock: Clock, target: str | Path | None = None
) -> list[BackupRow]:
    """The backups in the target folder, newest first (any folder problem shown per row)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "backup.verify")
        settings = _load(uow.settings.raw())
        database_id = uow.settings.load().database_id
    folder = _target(settings, target)
    rows = []
    now = clock.now()
    for b in storage.list_folder(folder):
        m = b.manifest
        if m is None:
            rows.append(
                BackupRow(str(b.path), b.path.name, None, {}, 0, "missing", False, b.problem)
            )
            continue
        if b.vault_present:
            state = "present"
        elif vault_copy_expired(m.created_at, now, settings.backup_vault_days):
            state = "expired"
        else:
            state = "missing"
        rows.append(
            BackupRow(
                str(b.path),
                b.path.name,
                m.created_at,
                m.counts,
                m.total_bytes,
                state,
                m.database_id == database_id,
                None,
                m.created_at + timedelta(days=settings.backup_vault_days),
            )
        )
    return rows


def verify_backup(
    *, session: SignedIn, clock: Clock, path: str | Path, sink: Sink | None = None
) -> VerifyReport:
    """Read a backup back and check every sum and the tag; audited. Never changes the backup."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "backup.verify")
        settings = _load(uow.settings.raw())
        raw = uow.settings.raw()
    folder = Path(path)
    try:
        result = storage.verify_folder(
            folder,
            data_key=session.store.data_key,
            now=clock.now(),
            sink=sink,
            vault_days=settings.backup_vault_days,
        )
        ok, problems = result.ok, result.problems
        created, expired = result.manifest.created_at, result.vault_expired
    except BackupDamaged as exc:
        ok, problems = False, [str(exc.params.get("detail", ""))]
        created, expired = clock.now(), False
    with session.uow(clock) as uow:
        uow.audit.record(
            "backup.verify",
            object_type="backup",
            object_id=folder.name,
            details={"ok": ok, "problems": len(problems)},
        )
        last = _time(raw, "backup_last_verified_at")
        if ok and (last is None or created > last):
            uow.settings.put("backup_last_verified_at", as_utc(created).isoformat())
        uow.commit()
    return VerifyReport(str(folder), ok, problems, created, expired)


def require_verified(result: storage.VerifyResult, folder: Path) -> None:
    """Raise BackupDamaged naming the first problems of a failed verification."""
    if not result.ok:
        raise BackupDamaged(path=str(folder), detail="；".join(result.problems[:3]))


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
    result = storage.verify_folder(backup, data_key=data_key, now=now, sink=sink)
    require_verified(result, backup)
    manifest = result.manifest
    stamp = as_utc(now).astimezone().strftime("%Y%m%d-%H%M%S")
    staged = storage.restored_names(db, stamp)
    if any(p.exists() for p in storage.sidecars_of(staged)):
        raise BackupForeign()
    try:
        shutil.copyfile(backup / storage.DB_NAME, staged)
        # keyring: the current one (today's passwords and disabled users) when it opens with
        # this key, else the backup's
        from app.security.keyring import FileKeyringStore, Keyring

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
        if ring.database_id != manifest.database_id:
            raise BackupForeign()
        shutil.copyfile(ring_source, staged.with_name(staged.name + ".keyring"))
        live_vault = db.with_name(db.name + ".vault")
        staged_vault = staged.with_name(staged.name + ".vault")
        vault_source = "none"
        if live_vault.exists():
            storage.copy_vault(live_vault, staged_vault, data_key)
            vault_source = "current"
        else:
            newest = next(
                (
                    b
                    for b in storage.list_folder(backup.parent)
                    if b.manifest
                    and b.manifest.database_id == manifest.database_id
                    and b.vault_present
                    and not vault_copy_expired(
                        b.manifest.created_at, now, int(b.manifest.body.get("vault_days", 30))
                    )
                ),
                None,
            )
            if newest is not None:
                shutil.copyfile(newest.path / (storage.DB_NAME + ".vault"), staged_vault)
                vault_source = "backup"
        keys = storage.vault_key_ids(staged_vault, data_key) if staged_vault.exists() else set()
        conn = storage._connect(staged, data_key)
        try:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupDamaged(path=str(backup), detail="恢复出的数据库未通过完整性检查")
            counts, head, database_id, revision = storage.describe_database(conn)
            if database_id != manifest.database_id:
                raise BackupForeign()
            blob_keys = conn.execute(
                "SELECT f.blob_name, c.key_id FROM item_file f "
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
        erased = _record_restore(staged, data_key, now, actor_name, backup.name, head, keys)
        skipped = 0
        source_blobs = backup / (storage.DB_NAME + FOLDER_SUFFIX)
        staged_blobs = staged.with_name(staged.name + FOLDER_SUFFIX)
        for blob_name, key_id in blob_keys:
            if str(key_id) not in keys:
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


def _record_restore(
    staged: Path,
    data_key: bytes,
    now: datetime,
    actor_name: str,
    backup_name: str,
    head: dict[str, Any],
    keys: set[str],
) -> int:
    """Purge customers deleted since the backup, and record the restore in its own trail.

    A customer whose key is in no vault was deleted after the backup was taken (R8): their
    protected values could not be read anyway, and their row (name, number, remarks), contact
    rows and index entries are removed from the restored database too, in the transaction that
    records the restore. A customer who still has volumes is kept (archives leave only through
    the destruction procedure, R44); their protected values stay unreadable. Returns how many
    customers were deleted after the backup.
    """
    from sqlalchemy import or_, select
    from sqlalchemy.orm import Session

    from app.clock import FixedClock
    from app.security.audit import AuditChain, AuditRecorder
    from app.storage import search_sqlite
    from app.storage.engine import sqlcipher_engine
    from app.storage.location import DatabaseLocation
    from app.storage.models import Customer, DuplicateFlag, Volume
    from app.storage.store import checkpoint_log_for

    engine = sqlcipher_engine(staged, data_key)
    try:
        # linked into the restored database's own chain and checkpoints (issue 9), so
        # `check` of the restored database verifies like any other
        chain = AuditChain(
            data_key, checkpoint_log_for(DatabaseLocation.parse(staged), engine), "sqlite"
        )
        with Session(engine) as db_session:
            gone = [
                int(cid)
                for cid, key_id in db_session.execute(select(Customer.id, Customer.key_id))
                if str(key_id) not in keys
            ]
            with_volumes = (
                set(
                    db_session.scalars(
                        select(Volume.customer_id).where(Volume.customer_id.in_(gone)).distinct()
                    )
                )
                if gone
                else set()
            )
            purge = [cid for cid in gone if cid not in with_volumes]
            partners: set[int] = set()
            for start in range(0, len(purge), 500):
                chunk = purge[start : start + 500]
                for a, b in db_session.execute(
                    select(DuplicateFlag.customer_id, DuplicateFlag.other_customer_id).where(
                        or_(
                            DuplicateFlag.customer_id.in_(chunk),
                            DuplicateFlag.other_customer_id.in_(chunk),
                        )
                    )
                ):
                    partners.update((int(a), int(b)))
                for customer in db_session.scalars(select(Customer).where(Customer.id.in_(chunk))):
                    db_session.delete(customer)  # contact rows and flags go by ON DELETE CASCADE
                db_session.flush()
            if purge:
                search_sqlite.remove_customers(db_session.connection(), purge)
            for other in partners - set(purge):
                still_open = db_session.scalar(
                    select(DuplicateFlag.id).where(
                        DuplicateFlag.cleared_at.is_(None),
                        or_(
                            DuplicateFlag.customer_id == other,
                            DuplicateFlag.other_customer_id == other,
                        ),
                    )
                )
                row = db_session.get(Customer, other)
                if row is not None:
                    row.suspected_duplicate = still_open is not None
            AuditRecorder(db_session, None, FixedClock(now), chain).record(
                "backup.restore",
                object_type="backup",
                object_id=backup_name,
                actor_name=actor_name,
                details={
                    "audit_head": head.get("last_id"),
                    "erased_customers": len(gone),
                    "purged_customers": len(purge),
                },
            )
            db_session.commit()
    finally:
        engine.dispose()
    return len(gone)


def prepare_restore(
    *, session: SignedIn, clock: Clock, backup: str | Path, sink: Sink | None = None
) -> RestoreSummary:
    """Restore a backup beside the current database (administrator), verified; audited here."""
    db = _require_embedded(session)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "backup.restore")
    summary = stage_restore(
        db=db,
        data_key=session.store.data_key,
        backup=Path(backup),
        now=clock.now(),
        sink=sink,
        actor_name=session.actor.username,
    )
    with session.uow(clock) as uow:
        uow.audit.record(
            "backup.restore_prepared",
            object_type="backup",
            object_id=Path(backup).name,
            details={"staged": Path(summary.staged_path).name, "counts": summary.counts},
        )
        uow.commit()
    return summary


def discard_staged(staged: Path) -> None:
    """Remove a staged restore that will not be used."""
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
    return kept if moved else None


def integrity_of(session: SignedIn) -> list[str]:
    """SQLite integrity problems of the open database (crash tests, ``check``)."""
    return integrity_problems(session.store.engine)
