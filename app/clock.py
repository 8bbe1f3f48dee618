"""Clocks: the system clock and a settable one for tests and demos."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that can tell the current time (timezone-aware, UTC)."""

    def now(self) -> datetime:
        """Return the current time in UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """Return the current time in UTC."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to (tests, reproducible demos)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        """Return the frozen time."""
        return self._now

    def advance(self, **kwargs: float) -> None:
        """Move forward by a ``timedelta(**kwargs)``."""
        self._now += timedelta(**kwargs)


def as_utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime (SQLite hands back naive ones)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def format_local(value: datetime) -> str:
    """Format a time for people: local time zone, 24 h, ``YYYY-MM-DD HH:MM`` plus zone name."""
    local = as_utc(value).astimezone()
    return local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or "")
