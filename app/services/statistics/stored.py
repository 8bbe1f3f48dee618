"""Reading stored reports: the 报表发布 list, an approver's queue, one report in full.

One report comes with its release details and its 发放登记, as the reader may see it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from app.clock import Clock, as_utc
from app.domain.roles import TITLE_LABELS, ApproverTitle
from app.domain.statistics import (
    RELEASE_LABELS,
    REPORT_LABELS,
    ROUTE_LABELS,
    ReleaseInfo,
    ReleaseState,
    Report,
    ReportKind,
)
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize, fetch
from app.services.statistics.reports import for_reader
from app.storage.models import (
    StatisticsApproval,
    StatisticsDistribution,
    StatisticsReport,
    UserAccount,
)
from app.storage.store import UnitOfWork


@dataclass(frozen=True)
class ReportRow:
    """A stored report in the lists of the 报表 tab."""

    id: int
    number: str
    version: int
    kind_label: str
    title: str
    period: str
    route_label: str
    requested_by: str
    state: str
    state_label: str
    compiled_by: str
    compiled_at: datetime
    waiting_for: str  # the open step's posts ("" when none)
    distributed: int  # copies handed out


@dataclass(frozen=True)
class DistributionRow:
    """One line of the 发放登记."""

    id: int
    recipient: str
    copies: int
    given_on: date
    note: str
    recorded_by: str


@dataclass(frozen=True)
class StoredReport:
    """A stored report for one reader: its frozen figures, release details and register."""

    row: ReportRow
    report: Report
    release: ReleaseInfo
    distributions: tuple[DistributionRow, ...]


def load_report(uow: UnitOfWork, report_id: int) -> StatisticsReport:
    """The stored report ``report_id`` (ValidationFailed when there is none)."""
    return fetch(uow, StatisticsReport, report_id, "statistics_report")


def needed_titles(steps: list[list[str]], signed: set[int]) -> str:
    """The posts that may sign the first unsigned step ("" when all are signed)."""
    for index, step in enumerate(steps):
        if index not in signed:
            return "或".join(TITLE_LABELS[ApproverTitle(t)] for t in step)
    return ""


# --- reading --------------------------------------------------------------------------------------
def _row(uow: UnitOfWork, r: StatisticsReport) -> ReportRow:
    approvals = {
        a.step
        for a in uow.session.scalars(
            select(StatisticsApproval).where(
                StatisticsApproval.report_id == r.id, StatisticsApproval.decision == "approve"
            )
        )
    }
    copies = sum(
        d.copies
        for d in uow.session.scalars(
            select(StatisticsDistribution).where(StatisticsDistribution.report_id == r.id)
        )
    )
    waiting = (
        needed_titles(json.loads(r.steps), approvals)
        if r.state == ReleaseState.PENDING.value
        else ""
    )
    return ReportRow(
        r.id,
        r.number or "",
        r.version,
        REPORT_LABELS[ReportKind(r.kind)],
        r.title,
        f"{r.period_from.isoformat()} 至 {r.period_to.isoformat()}",
        ROUTE_LABELS.get(r.route, r.route),
        r.requested_by,
        r.state,
        RELEASE_LABELS[ReleaseState(r.state)],
        r.compiled_by_name,
        as_utc(r.compiled_at),
        waiting,
        copies,
    )


def list_stored_reports(*, session: SignedIn, clock: Clock, limit: int = 500) -> list[ReportRow]:
    """Stored reports, newest first."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "statistics.read")
        rows = uow.session.scalars(
            select(StatisticsReport).order_by(StatisticsReport.id.desc()).limit(limit)
        ).all()
        return [_row(uow, r) for r in rows]


def report_queue(*, session: SignedIn, clock: Clock) -> list[ReportRow]:
    """Reports whose open step the signed-in approver may sign (not their own)."""
    with session.uow(clock) as uow:
        user = authorize(uow, session.actor, "statistics.approve")
        title = user.approver_title or ""
        out = []
        for r in uow.session.scalars(
            select(StatisticsReport).where(StatisticsReport.state == ReleaseState.PENDING.value)
        ):
            signed = list(
                uow.session.scalars(
                    select(StatisticsApproval).where(StatisticsApproval.report_id == r.id)
                )
            )
            steps: list[list[str]] = json.loads(r.steps)
            done = {a.step for a in signed}
            step = next((i for i in range(len(steps)) if i not in done), None)
            if (
                step is not None
                and title in steps[step]
                and r.compiled_by != user.id
                and all(a.approver_user_id != user.id for a in signed)
            ):
                out.append(_row(uow, r))
        return out


def get_stored_report(*, session: SignedIn, report_id: int, clock: Clock) -> StoredReport:
    """A stored report as the reader may see it, with its release details and register."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "statistics.read"))
        r = load_report(uow, report_id)
        approvals = tuple(
            f"{TITLE_LABELS.get(ApproverTitle(a.approver_title), a.approver_title)} "
            f"{a.approver_name} {'同意' if a.decision == 'approve' else '退回'} "
            f"{as_utc(a.decided_at).astimezone().date().isoformat()}"
            + (f"（{a.opinion}）" if a.opinion else "")
            for a in uow.session.scalars(
                select(StatisticsApproval)
                .where(StatisticsApproval.report_id == r.id)
                .order_by(StatisticsApproval.step, StatisticsApproval.id)
            )
        )
        given = tuple(
            DistributionRow(d.id, d.recipient, d.copies, d.given_on, d.note, name)
            for d, name in _distributions(uow, r.id)
        )
        release = ReleaseInfo(
            number=r.number or "",
            version=r.version,
            state=r.state,
            compiled_by=r.compiled_by_name,
            approvals=approvals,
            change_note=r.change_note,
        )
        return StoredReport(
            _row(uow, r), for_reader(Report.from_json(r.data), reader), release, given
        )


def _distributions(uow: UnitOfWork, report_id: int) -> list[tuple[StatisticsDistribution, str]]:
    return [
        (d, name)
        for d, name in uow.session.execute(
            select(StatisticsDistribution, UserAccount.display_name)
            .join(UserAccount, UserAccount.id == StatisticsDistribution.recorded_by)
            .where(StatisticsDistribution.report_id == report_id)
            .order_by(StatisticsDistribution.given_on, StatisticsDistribution.id)
        )
    ]
