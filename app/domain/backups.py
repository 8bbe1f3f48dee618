"""Backup rules (R43, R8): which backups rotation keeps, when vault copies expire, overdue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.clock import as_utc


@dataclass(frozen=True)
class RotationPolicy:
    """Keep the newest backup of each of the last N days, ISO weeks and months."""

    keep_daily: int = 7
    keep_weekly: int = 4
    keep_monthly: int = 12


def backups_to_keep(created: Sequence[tuple[str, datetime]], policy: RotationPolicy) -> set[str]:
    """Return the names of the backups rotation keeps.

    ``created`` pairs a backup's name with its creation time. Periods are counted in local
    time (the operator's day), newest first; the newest backup is always kept, so rotation can
    never leave a database without one.
    """
    ordered = sorted(created, key=lambda pair: (as_utc(pair[1]), pair[0]), reverse=True)
    keep: set[str] = set()
    if ordered:
        keep.add(ordered[0][0])

    def pick(period: str, count: int) -> None:
        seen: list[object] = []
        for name, at in ordered:
            local = as_utc(at).astimezone()
            if period == "day":
                bucket: object = local.date()
            elif period == "week":
                bucket = local.isocalendar()[:2]
            else:
                bucket = (local.year, local.month)
            if bucket in seen:
                continue
            if len(seen) >= count:
                break
            seen.append(bucket)
            keep.add(name)

    pick("day", policy.keep_daily)
    pick("week", policy.keep_weekly)
    pick("month", policy.keep_monthly)
    return keep


def vault_copy_expired(created_at: datetime, now: datetime, vault_days: int) -> bool:
    """True when a backup's copy of the customer-key vault must be destroyed (R8).

    Every vault copy lives at most ``vault_days`` days, the newest included: once that window
    has passed since a customer was deleted, no backup holds their key any more.
    """
    return as_utc(now) >= as_utc(created_at) + timedelta(days=vault_days)


def backup_overdue(last_verified_at: datetime | None, now: datetime, interval_hours: int) -> bool:
    """True when no verified backup is younger than the configured interval."""
    if last_verified_at is None:
        return True
    return as_utc(now) - as_utc(last_verified_at) > timedelta(hours=interval_hours)
