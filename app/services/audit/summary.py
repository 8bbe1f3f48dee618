"""The auditor's overview of a period: per user and day, reveals, failures, after hours."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from app.clock import Clock, as_utc
from app.services.audit.view import (
    FAILED_SIGN_IN_ACTIONS,
    REVEAL_ACTIONS,
    WORK_HOURS,
    AuditFilter,
    _check_filter,
    _local_bounds,
)
from app.services.auth import SignedIn
from app.services.common import authorize
from app.storage.models import AuditEntry


@dataclass(frozen=True)
class AuditSummary:
    """The auditor's overview of a period."""

    date_from: date
    date_to: date
    per_user_day: tuple[tuple[date, str, int], ...]  # (local day, user, entries)
    reveals: tuple[tuple[str, int], ...]  # user, full-data views and file openings
    failed_sign_ins: tuple[tuple[str, int], ...]  # typed user name, failures and locks
    after_hours: tuple[tuple[str, int], ...]  # user, entries outside 08–18 Mon–Fri
    total: int


def is_after_hours(moment: datetime) -> bool:
    """Outside 08:00–18:00 local time, or on a Saturday or Sunday."""
    local = as_utc(moment).astimezone()
    return local.weekday() >= 5 or not WORK_HOURS[0] <= local.hour < WORK_HOURS[1]


def get_audit_summary(
    *, session: SignedIn, date_from: date, date_to: date, clock: Clock
) -> AuditSummary:
    """Actions per user per day, reveals per user, failed sign-ins, after-hours activity."""
    _check_filter(AuditFilter(date_from=date_from, date_to=date_to))
    low, high = _local_bounds(date_from, date_to)
    per_day: Counter[tuple[date, str]] = Counter()
    reveals: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    after: Counter[str] = Counter()
    total = 0
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "audit.read")
        result = uow.session.execute(
            select(AuditEntry.occurred_at, AuditEntry.actor_name, AuditEntry.action).where(
                AuditEntry.occurred_at >= low, AuditEntry.occurred_at < high
            )
        )
        for at, who, action in result:
            total += 1
            moment = as_utc(at)
            per_day[(moment.astimezone().date(), who)] += 1
            if action in REVEAL_ACTIONS:
                reveals[who] += 1
            if action in FAILED_SIGN_IN_ACTIONS:
                failed[who] += 1
            if is_after_hours(moment):
                after[who] += 1

    def ranked(counter: Counter[str]) -> tuple[tuple[str, int], ...]:
        return tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))

    return AuditSummary(
        date_from,
        date_to,
        tuple(
            (d, u, n) for (d, u), n in sorted(per_day.items(), key=lambda kv: (kv[0][0], kv[0][1]))
        ),
        ranked(reveals),
        ranked(failed),
        ranked(after),
        total,
    )
