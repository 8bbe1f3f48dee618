"""Writing, rotating, listing and verifying backups (R43); every run and check audited."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from app.clock import Clock, as_utc
from app.domain.backups import (
    backups_to_keep,
    vault_copy_expired,
)
from app.errors import (
    AppError,
    BackupDamaged,
)
from app.services.auth import SignedIn
from app.services.backup.config import BackupSettings, _load, _record_backup_event, _target, _time
from app.services.common import authorize
from app.storage import backup as storage
from app.storage.backup import Sink
from app.storage.store import integrity_problems

log = logging.getLogger("app.services.backup")


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


def run_backup(
    *, session: SignedIn, clock: Clock, target: str | Path | None = None, sink: Sink | None = None
) -> BackupReport:
    """Write and verify a backup into ``target`` (default: the configured folder), then rotate.

    The live database stays usable throughout; any failure leaves no partial backup and is
    audited. Raises BackupTargetFailed/BackupTargetFull, BackupCancelled, BackupNoTarget.
    """
    location = session.store.location
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "backup.run")
        settings = _load(uow.settings.raw())
    folder = _target(settings, target)
    now = clock.now()
    try:
        if location.is_sqlite:
            written = storage.write_backup(
                db=location.sqlite_path,
                data_key=session.store.data_key,
                target=folder,
                now=now,
                vault_days=settings.backup_vault_days,
                sink=sink,
            )
        else:  # PostgreSQL: pg_dump without the vault's rows, the vault apart
            assert location.url is not None
            written = storage.write_pg_backup(
                url=location.url,
                data_key=session.store.data_key,
                keyring=session.store.keyring_store,
                target=folder,
                now=now,
                vault_days=settings.backup_vault_days,
                sink=sink,
            )
    except AppError as exc:
        _record_backup_event(
            session, clock, "backup.failed", {"target": str(folder), "error": exc.code}
        )
        raise
    removed, expired = _rotate(
        folder,
        written.manifest.database_id,
        settings,
        clock.now(),
        keys=known_keys(session),
        protect=written.path.name,
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


def known_keys(session: SignedIn) -> list[bytes]:
    """Today's data key and the earlier ones (backups made before a key rotation)."""
    key = session.store.data_key
    return [key, *reversed(session.store.keyring().history_keys(key))]


def _rotate(
    folder: Path,
    database_id: str,
    settings: BackupSettings,
    now: datetime,
    *,
    keys: list[bytes],
    protect: str | None = None,
) -> tuple[int, int]:
    """Remove backups the policy does not keep; destroy vault copies past their window.

    Only backups whose manifest authenticates under one of ``keys`` (today's data key and the
    earlier ones) count: a planted folder with a forged date cannot push real backups out.
    """
    mine = [
        b
        for b in storage.list_folder(folder)
        if b.manifest
        and b.manifest.database_id == database_id
        and any(storage.manifest_authentic(b.manifest, k) for k in keys)
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
    _removed, expired = _rotate(
        folder, database_id, no_rotation, clock.now(), keys=known_keys(session)
    )
    if expired:
        _record_backup_event(
            session,
            clock,
            "backup.vault_expired",
            {"target": str(folder), "vault_copies_destroyed": expired},
        )
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
        keys = known_keys(session)  # a backup from before a key rotation: its earlier key
        manifest = storage.read_manifest(folder)
        key = next((k for k in keys if storage.manifest_authentic(manifest, k)), keys[0])
        result = storage.verify_pg_folder(  # the embedded checks, plus a dump's own
            folder,
            data_key=key,
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


def integrity_of(session: SignedIn) -> list[str]:
    """SQLite integrity problems of the open database (crash tests, ``check``)."""
    return integrity_problems(session.store.engine)
