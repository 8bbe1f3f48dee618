"""Failed sign-in counting and account lock (5 failures lock for 15 minutes by default)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockoutPolicy:
    """How many failures in a row lock an account, and for how long."""

    max_failures: int = 5
    lock_minutes: int = 15


# Allowed range of each policy value (the settings page offers the same ranges).
MAX_FAILURES_RANGE = (3, 20)
LOCK_MINUTES_RANGE = (1, 1440)


def bounded_policy(policy: LockoutPolicy) -> LockoutPolicy:
    """``policy`` with each value brought into its allowed range (an edited file cannot lift it)."""
    low_f, high_f = MAX_FAILURES_RANGE
    low_m, high_m = LOCK_MINUTES_RANGE
    return LockoutPolicy(
        max_failures=min(max(policy.max_failures, low_f), high_f),
        lock_minutes=min(max(policy.lock_minutes, low_m), high_m),
    )


@dataclass(frozen=True)
class AttemptState:
    """Consecutive failures for one account and the end of its current lock."""

    failures: int = 0
    locked_until: datetime | None = None

    def is_locked(self, now: datetime) -> bool:
        """Return True while a lock is in force."""
        return self.locked_until is not None and now < self.locked_until


def register_failure(state: AttemptState, policy: LockoutPolicy, now: datetime) -> AttemptState:
    """Count one more failure; the ``max_failures``-th in a row starts a lock."""
    if state.locked_until is not None and now >= state.locked_until:
        state = AttemptState()  # an expired lock starts a fresh count
    failures = state.failures + 1
    if failures >= policy.max_failures:
        return AttemptState(failures=0, locked_until=now + timedelta(minutes=policy.lock_minutes))
    return replace(state, failures=failures)


def register_success() -> AttemptState:
    """A good password clears the count."""
    return AttemptState()
