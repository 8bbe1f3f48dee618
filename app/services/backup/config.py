"""Backup settings (target folder, warning interval, rotation, vault window) and status."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from app.clock import Clock, as_utc
from app.domain.backups import (
    RotationPolicy,
    backup_overdue,
)
from app.errors import (
    BackupNoTarget,
    BackupUnsupported,
    FieldError,
)
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.settings import apply_settings_change
from app.storage.backup import tools_available as storage_tools_available

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
        updated = apply_settings_change(uow, "backup", current, clean, errors)
        if updated is None:
            return current
        uow.commit()
        return updated


def get_backup_status(*, session: SignedIn, clock: Clock) -> BackupStatus:
    """Last backup, last verified backup and whether the warning interval has passed."""
    with session.uow(clock) as uow:
        raw = uow.settings.raw()
    settings = _load(raw)
    verified = _time(raw, "backup_last_verified_at")
    # PostgreSQL: backed up with pg_dump when the client tools are installed here
    supported = session.store.location.is_sqlite or storage_tools_available()
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


def _record_backup_event(
    session: SignedIn,
    clock: Clock,
    action: str,
    details: dict[str, Any],
    *,
    object_id: str | None = None,
) -> None:
    """One audit entry about a backup, in a transaction of its own (the files are outside it)."""
    with session.uow(clock) as uow:
        uow.audit.record(action, object_type="backup", object_id=object_id, details=details)
        uow.commit()
