"""Trusted time: the high-water mark of recorded time, and what a write may claim (issue 23).

A workstation's clock is one person's word: anyone who can set it could otherwise date entries
in the past, run the daily checks years ahead or move retention cut-offs. The database keeps
its own record of time seen: the **high-water mark** is the newest time of the recent audit
entries written by checked writes (sign-in and other ``auth.*`` entries are written whatever
the clock says, so that a wrong clock can still be reported and fixed, and do not move the
mark). A write is refused when the clock is more than :data:`BEHIND_TOLERANCE` behind the mark
or more than :data:`FAR_AHEAD` ahead of it. A wrong mark (someone did write with a clock set
ahead) is put right by ``time.mark_reset``: the auditor with a second person's password.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import as_utc
from app.errors import ClockAhead, ClockBehind
from app.storage.models import AuditEntry

BEHIND_TOLERANCE = timedelta(minutes=5)  # workstations of one office differ by a little
FAR_AHEAD = timedelta(days=366)  # more than a year without a single write: confirm the clock
AGREES_WITHIN = timedelta(days=1)  # "the clock agrees with the recorded time"
RESET_ACTION = "time.mark_reset"
RECENT = 50  # entries looked at for the mark


def exempt(action: str) -> bool:
    """Entries written whatever the clock says (and not counted in the mark)."""
    return action.startswith("auth.") or action in {"audit.verify_failed", RESET_ACTION}


def mark_from_rows(rows: Sequence[tuple[str, datetime | str | None]]) -> datetime | None:
    """The mark from recent ``(action, occurred_at)`` rows, newest first.

    The newest reset ends the look-back: what was recorded before it is what was reset.
    """
    best: datetime | None = None
    for action, at in rows:
        if at is None:
            continue
        when = as_utc(datetime.fromisoformat(at) if isinstance(at, str) else at)
        if action == RESET_ACTION:
            return when if best is None or when > best else best
        if exempt(action):
            continue
        if best is None or when > best:
            best = when
    return best


def high_water_mark(session: Session) -> datetime | None:
    """The newest recorded time (None: nothing recorded yet)."""
    rows = session.execute(
        select(AuditEntry.action, AuditEntry.occurred_at)
        .where(AuditEntry.seq.is_not(None))
        .order_by(AuditEntry.seq.desc())
        .limit(RECENT)
    ).all()
    return mark_from_rows([(r[0], r[1]) for r in rows])


def check_write_time(now: datetime, mark: datetime | None) -> None:
    """Raise ClockBehind / ClockAhead when ``now`` cannot be the time of a write."""
    if mark is None:
        return
    now = as_utc(now)
    if now < mark - BEHIND_TOLERANCE:
        raise ClockBehind(now=_text(now), mark=_text(mark))
    if now > mark + FAR_AHEAD:
        raise ClockAhead(now=_text(now), mark=_text(mark), days=(now - mark).days)


def agrees(now: datetime, mark: datetime | None) -> bool:
    """True when the clock is within a day of the recorded time (and not behind it)."""
    if mark is None:
        return False
    delta = as_utc(now) - mark
    return -BEHIND_TOLERANCE <= delta <= AGREES_WITHIN


def _text(value: datetime) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def utc_naive(value: datetime) -> datetime:
    """``value`` as naive UTC (how SQLite compares stored times)."""
    return as_utc(value).astimezone(UTC).replace(tzinfo=None)
