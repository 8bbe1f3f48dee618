"""The appraisal queue (鉴定, R12, R44): volumes whose retention ends this year or earlier.

Volumes due within the configured look-ahead, grouped by 门类 and year, set-based SQL over the
(retention, year) and retention_until indexes. Volumes already decided (销毁/移交 decisions,
those in an open appraisal) or on an open 销毁清册 are not in the queue; those on hold, on loan
or in repair are listed apart with the reason, so nobody wonders where they went.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, not_, or_, select

from app.clock import Clock
from app.domain import disposition as rules
from app.domain.catalogue import VolumeState
from app.security import access
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize, local_today
from app.services.disposition.holds import held_volume_clause, holds_covering_volumes
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
)

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


def list_appraisal_queue(
    *,
    session: SignedIn,
    clock: Clock,
    look_ahead_years: int | None = None,
    category_code: str | None = None,
    year: int | None = None,
    limit: int = 500,
) -> AppraisalQueue:
    """The queue within the reader's clearance; ``category_code``/``year`` pick one group."""
    today = local_today(clock)
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "disposition.read"))
        ahead = look_ahead_years
        if ahead is None:
            ahead = disposition_settings(uow).look_ahead_years
        ahead = max(0, min(ahead, rules.LOOK_AHEAD_MAX_YEARS))
        last_year = today.year + ahead
        base = and_(
            due_clause(last_year),
            Volume.state != VolumeState.DESTROYED.value,
            access.secrecy_clause(reader, Volume.secrecy_level),
            not_(_decided_clause()),
            not_(_listed_clause()),
        )
        blocked_cond = or_(Volume.state.in_(OUT_STATES), held_volume_clause(uow))
        counts = uow.session.execute(
            select(Volume.category_code, Volume.year, func.count())
            .where(base)
            .group_by(Volume.category_code, Volume.year)
        ).all()
        blocked_counts = dict(
            ((c, y), int(n))
            for c, y, n in uow.session.execute(
                select(Volume.category_code, Volume.year, func.count())
                .where(base, blocked_cond)
                .group_by(Volume.category_code, Volume.year)
            ).all()
        )
        groups = [
            QueueGroup(
                str(c or ""),
                int(y),
                int(n) - blocked_counts.get((c, y), 0),
                blocked_counts.get((c, y), 0),
            )
            for c, y, n in counts
        ]
        groups.sort(key=lambda g: (g.category_code, g.year))
        picked = [base]
        if category_code is not None:
            picked.append(Volume.category_code == category_code)
        if year is not None:
            picked.append(Volume.year == year)
        ready = list(
            uow.session.scalars(
                select(Volume)
                .where(*picked, not_(blocked_cond))
                .order_by(Volume.year, Volume.reference_code)
                .limit(limit)
            )
        )
        held_back = list(
            uow.session.scalars(
                select(Volume)
                .where(*picked, blocked_cond)
                .order_by(Volume.year, Volume.reference_code)
                .limit(limit)
            )
        )
        holds = holds_covering_volumes(uow, [v.id for v in held_back])

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
            reasons += [f"冻结 {h.label()}" for h in holds.get(v.id, [])]
            blocked_rows.append(row(v, "；".join(reasons)))
        return AppraisalQueue(
            last_year=last_year,
            groups=groups,
            ready_total=sum(g.ready for g in groups),
            blocked_total=sum(g.blocked for g in groups),
            rows=[row(v, "") for v in ready],
            blocked=blocked_rows,
        )
