"""Failed sign-in counting and account lock (5 failures lock for 15 minutes by default)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

# The lock's end is judged by the workstation clock, which a user may set forward. So a lock
# that ran out does not wipe the record: after HARD_LOCKS locks in a row without a good password
# the account stays locked whatever the clock says, until an administrator resets the password
# or the recovery key is used (issue 23). A forward clock gains at most
# HARD_LOCKS × max_failures guesses in all.
HARD_LOCKS = 3
HARD_LOCK_UNTIL = datetime(9000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class LockoutPolicy:
    """How many failures in a row lock an account, and for how long."""

    max_failures: int = 5
    lock_minutes: int = 15


@dataclass(frozen=True)
class AttemptState:
    """Consecutive failures for one account and the end of its current lock."""

    failures: int = 0
    locked_until: datetime | None = None
    locks: int = 0  # locks in a row since the last good password

    @property
    def hard_locked(self) -> bool:
        """True when only a password reset ends the lock (not the clock)."""
        return self.locked_until is not None and self.locked_until >= HARD_LOCK_UNTIL

    def is_locked(self, now: datetime) -> bool:
        """Return True while a lock is in force."""
        return self.locked_until is not None and now < self.locked_until


def register_failure(state: AttemptState, policy: LockoutPolicy, now: datetime) -> AttemptState:
    """Count one more failure; the ``max_failures``-th in a row starts a lock."""
    if state.locked_until is not None and now >= state.locked_until:
        state = AttemptState(locks=state.locks)  # a fresh count; the locks so far remain
    failures = state.failures + 1
    if failures >= policy.max_failures:
        locks = state.locks + 1
        until = (
            HARD_LOCK_UNTIL if locks >= HARD_LOCKS else now + timedelta(minutes=policy.lock_minutes)
        )
        return AttemptState(failures=0, locked_until=until, locks=locks)
    return replace(state, failures=failures)


def register_success() -> AttemptState:
    """A good password clears the count."""
    return AttemptState()
