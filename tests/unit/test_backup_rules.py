"""Backup rules: rotation keeps N daily / weekly / monthly, vault copies expire, overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.domain.backups import (
    RotationPolicy,
    backup_overdue,
    backups_to_keep,
    vault_copy_expired,
)

START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def nightly(days: int) -> list[tuple[str, datetime]]:
    return [(f"b{n:03d}", START + timedelta(days=n)) for n in range(days)]


def test_rotation_keeps_the_newest_of_each_recent_day_week_and_month() -> None:
    backups = nightly(120)
    keep = backups_to_keep(backups, RotationPolicy(keep_daily=7, keep_weekly=4, keep_monthly=3))
    names = [n for n, _ in backups]
    assert set(names[-7:]) <= keep  # the last seven days
    assert len(keep) <= 7 + 4 + 3
    months = {(at.year, at.month) for n, at in backups if n in keep}
    assert len(months) == 3


def test_rotation_always_keeps_the_newest_backup_and_one_per_day_only() -> None:
    same_day = [(f"x{n}", START + timedelta(minutes=n)) for n in range(5)]
    assert backups_to_keep(same_day, RotationPolicy(1, 0, 0)) == {"x4"}
    assert backups_to_keep([], RotationPolicy()) == set()


def test_a_vault_copy_expires_after_its_window_and_not_before() -> None:
    assert not vault_copy_expired(START, START + timedelta(days=29, hours=23), 30)
    assert vault_copy_expired(START, START + timedelta(days=30), 30)


def test_a_backup_is_overdue_without_a_verified_one_inside_the_interval() -> None:
    assert backup_overdue(None, START, 24)
    assert not backup_overdue(START, START + timedelta(hours=24), 24)
    assert backup_overdue(START, START + timedelta(hours=24, minutes=1), 24)
