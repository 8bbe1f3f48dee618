"""The appraisal queue (鉴定, R12, R44): volumes whose retention ends this year or earlier.

Volumes due within the configured look-ahead, grouped by 门类 and year: the counts from the
trigger-kept ``volume_tally``, the rows from the (retention, year) and retention_until indexes.
Volumes already decided (销毁/移交 decisions, those in an open appraisal) or on an open 销毁清册
are not in the queue; those on hold, on loan or in repair are listed apart with the reason, so
nobody wonders where they went.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, not_, or_, select

from app.clock import Clock
from app.domain import disposition as rules
from app.domain.catalogue import RETENTION_YEARS, Retention, VolumeState
from app.security import access
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize, local_today
from app.services.disposition.holds import (
    held_volume_clause,
    held_volume_ids,
    holds_covering_volumes,
)
from app.services.disposition.shared import (
    disposition_settings,
    due_clause,
    end_year,
    level_label,
    retention_text,
    state_block,
)
from app.storage.models import (
    Appraisal,
    AppraisalDecision,
    DestructionListVolume,
    Volume,
    VolumeTally,
)
from app.storage.store import UnitOfWork

OUT_STATES = (VolumeState.ON_LOAN.value, VolumeState.IN_REPAIR.value)


@dataclass(frozen=True)
class QueueGroup:
    """One 门类/year group of the queue: how many volumes are ready, how many are held back."""

    category_code: str
    year: int
    ready: int
    blocked: int


@dataclass(frozen=True)
class QueueRow:
    """A volume of the queue; ``blocked`` says why it cannot be appraised now ("" when it can)."""

    volume_id: int
    reference_code: str
    title: str
    category_code: str
    year: int
    retention: str
    ends: int | None
    secrecy: str
    blocked: str


@dataclass(frozen=True)
class AppraisalQueue:
    """The queue: groups, the first rows ready, and the volumes held back with the reason."""

    last_year: int
    groups: list[QueueGroup]
    ready_total: int
    blocked_total: int
    rows: list[QueueRow]
    blocked: list[QueueRow]


def _decided_clause() -> Any:
    """SQL: the volume has a 销毁/移交 decision, or any decision in an open appraisal."""
    return exists().where(
        AppraisalDecision.volume_id == Volume.id,
        or_(
            AppraisalDecision.decision.in_(
                (rules.Decision.DESTROY.value, rules.Decision.TRANSFER.value)
            ),
            exists().where(
                Appraisal.id == AppraisalDecision.appraisal_id, Appraisal.state == "open"
            ),
        ),
    )


def _listed_clause() -> Any:
    """SQL: the volume is on an open 销毁清册."""
    return exists().where(DestructionListVolume.open_volume_id == Volume.id)


def _branches(last_year: int) -> list[tuple[Any, tuple[Any, ...]]]:
    """The due condition as separate index ranges, each with the order of its index.

    Ordering by the index's own columns keeps each query a range scan of that index (an
    ORDER BY year alone would let the planner walk the whole year index instead).
    """
    out: list[tuple[Any, tuple[Any, ...]]] = [
        (
            and_(
                Volume.retention_until <= last_year,
                Volume.retention != Retention.PERMANENT.value,
            ),
            (Volume.retention_until, Volume.year),
        )
    ]
    for retention, years in RETENTION_YEARS.items():
        if years is not None:
            out.append(
                (
                    and_(
                        Volume.retention == retention.value,
                        Volume.year <= last_year - years,
                        Volume.retention_until.is_(None),
                    ),
                    (Volume.retention, Volume.year),
                )
            )
    return out


def _ids(uow: UnitOfWork, stmt: Any) -> set[int]:
    return {int(i) for i in uow.session.scalars(stmt) if i is not None}


def _taken_ids(uow: UnitOfWork) -> set[int]:
    """Volumes decided (销毁/移交, or in an open appraisal) or on an open list: few rows."""
    decided = select(AppraisalDecision.volume_id).where(
        or_(
            AppraisalDecision.decision.in_(
                (rules.Decision.DESTROY.value, rules.Decision.TRANSFER.value)
            ),
            AppraisalDecision.appraisal_id.in_(
                select(Appraisal.id).where(Appraisal.state == "open")
            ),
        )
    )
    listed = select(DestructionListVolume.open_volume_id).where(
        DestructionListVolume.open_volume_id.is_not(None)
    )
    return _ids(uow, decided) | _ids(uow, listed)


def _group_counts(uow: UnitOfWork, cond: Any, ids: set[int]) -> dict[tuple[str, int], int]:
    """Counts per 门类/year of the volumes ``ids`` that meet ``cond`` (chunked)."""
    found: dict[tuple[str, int], int] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        for c, y, n in uow.session.execute(
            select(Volume.category_code, Volume.year, func.count())
            .where(Volume.id.in_(ordered[start : start + 500]), cond)
            .group_by(Volume.category_code, Volume.year)
        ).all():
            key = (str(c or ""), int(y))
            found[key] = found.get(key, 0) + int(n)
    return found


def _tally(uow: UnitOfWork, reader: Any, last_year: int) -> dict[tuple[str, int], int]:
    """Due volumes per 门类/year within ``reader``'s clearance, from the trigger-kept counts.

    The same condition as :func:`due_clause` on ``volume_tally`` (a few hundred rows, not the
    hundreds of thousands of volumes they count).
    """
    t = VolumeTally
    parts = [and_(t.until_year > 0, t.until_year <= last_year)]
    for retention, years in RETENTION_YEARS.items():
        if years is not None:
            parts.append(
                and_(
                    t.retention == retention.value,
                    t.until_year == 0,
                    t.year <= last_year - years,
                )
            )
    found: dict[tuple[str, int], int] = {}
    for c, y, n in uow.session.execute(
        select(t.category_code, t.year, func.sum(t.n))
        .where(
            or_(*parts),
            t.retention != Retention.PERMANENT.value,
            t.state != VolumeState.DESTROYED.value,
            access.secrecy_clause(reader, func.nullif(t.secrecy_level, "")),
        )
        .group_by(t.category_code, t.year)
    ).all():
        if n:
            found[(str(c or ""), int(y))] = int(n)
    return found


def list_appraisal_queue(
    *,
    session: SignedIn,
    clock: Clock,
    look_ahead_years: int | None = None,
    category_code: str | None = None,
    year: int | None = None,
    limit: int = 500,
) -> AppraisalQueue:
    """The queue within the reader's clearance; ``category_code``/``year`` pick one group.

    The totals per group come from ``volume_tally`` (counts kept by triggers on ``volume``),
    then the few volumes decided, listed, out or held are counted apart (they are found from
    their own small tables) and subtracted, and the first ``limit`` rows are read per range of
    the covering index (retention, year, 门类, …) in year order.
    """
    today = local_today(clock)
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "disposition.read"))
        ahead = look_ahead_years
        if ahead is None:
            ahead = disposition_settings(uow).look_ahead_years
        ahead = max(0, min(ahead, rules.LOOK_AHEAD_MAX_YEARS))
        last_year = today.year + ahead
        live = and_(
            Volume.state != VolumeState.DESTROYED.value,
            access.secrecy_clause(reader, Volume.secrecy_level),
        )
        due = and_(due_clause(last_year), live)
        totals = _tally(uow, reader, last_year)
        taken = _taken_ids(uow)
        out = _ids(uow, select(Volume.id).where(Volume.state.in_(OUT_STATES)))
        holds = held_volume_clause(uow)
        held = held_volume_ids(uow, due)
        blocked_ids = (out | held) - taken
        minus_taken = _group_counts(uow, due, taken)
        minus_blocked = _group_counts(uow, due, blocked_ids)
        groups = []
        for key, n in sorted(totals.items()):
            ready = n - minus_taken.get(key, 0) - minus_blocked.get(key, 0)
            blocked = minus_blocked.get(key, 0)
            if ready or blocked:
                groups.append(QueueGroup(key[0], key[1], ready, blocked))
        picked: list[Any] = [live, Volume.state.not_in(OUT_STATES)]
        if category_code is not None:
            picked.append(Volume.category_code == category_code)
        if year is not None:
            picked.append(Volume.year == year)
        ready_rows: list[Volume] = []
        for branch, order in _branches(last_year):
            ready_rows += uow.session.scalars(
                select(Volume)
                .where(branch, *picked, not_(_decided_clause()), not_(_listed_clause()))
                .where(not_(holds))
                .order_by(*order)
                .limit(limit)
            )
        ready_rows.sort(key=lambda v: (v.year, v.reference_code))
        ready_rows = ready_rows[:limit]
        back = sorted(blocked_ids)[: limit * 4]
        held_back: list[Volume] = []
        for start in range(0, len(back), 500):
            held_back += uow.session.scalars(
                select(Volume).where(Volume.id.in_(back[start : start + 500]), due, *picked[2:])
            )
        held_back.sort(key=lambda v: (v.year, v.reference_code))
        held_back = held_back[:limit]
        refs = holds_covering_volumes(uow, [v.id for v in held_back])

        def row(v: Volume, why: str) -> QueueRow:
            return QueueRow(
                volume_id=v.id,
                reference_code=v.reference_code,
                title=access.restricted_title(reader, v.secrecy_level, v.title),
                category_code=v.category_code,
                year=v.year,
                retention=retention_text(v),
                ends=end_year(v),
                secrecy=level_label(v.secrecy_level),
                blocked=why,
            )

        blocked_rows = []
        for v in held_back:
            reasons = [state_block(v.state)] if state_block(v.state) else []
            reasons += [f"冻结 {h.label()}" for h in refs.get(v.id, [])]
            blocked_rows.append(row(v, "；".join(reasons)))
        return AppraisalQueue(
            last_year=last_year,
            groups=groups,
            ready_total=sum(g.ready for g in groups),
            blocked_total=sum(g.blocked for g in groups),
            rows=[row(v, "") for v in ready_rows],
            blocked=blocked_rows,
        )
