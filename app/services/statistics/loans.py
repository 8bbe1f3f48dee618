"""外借统计 (R32, R33, R50): loans issued and returned, overdue, damage and loss.

Loans issued and returned, average duration, overdue now and overdue in the period
(violations), damage and loss reports.

Only 外借 entries count here (查阅 and copies are returned the same day; the use report counts
them). A loan issued in the period is a violation when it came back after its due date or is
still out past it; "overdue now" is every loan out past its due date today, whenever issued.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from app.clock import as_utc
from app.domain.loans import REPORT_KIND_LABELS, LoanState, UseKind
from app.domain.statistics import Report, ReportKind, Table
from app.services.statistics.common import (
    Query,
    bar,
    group_rows,
    labelled_table,
    line,
    month_key,
    month_table,
    table,
    uses_volume_filter,
    volume_clause,
)
from app.storage.models import DamageReport, Loan, UseApplication, Volume


def _filters(q: Query, *, loans_only: bool = True) -> list[Any]:
    parts: list[Any] = [Loan.kind == UseKind.LOAN.value] if loans_only else []
    if q.filters.department:
        parts.append(
            Loan.application_id.in_(
                select(UseApplication.id).where(UseApplication.department == q.filters.department)
            )
        )
    if uses_volume_filter(q.filters):
        parts.append(Loan.volume_id.in_(select(Volume.id).where(volume_clause(q.filters))))
    return parts


def overdue_now(q: Query) -> int:
    """Register entries of every kind out past their due date today.

    The same count as the home screen's overdue card (``services.loans.overdue_count``).
    """
    return int(
        q.uow.session.scalar(
            select(func.count(Loan.id)).where(
                *_filters(q, loans_only=False),
                Loan.state == LoanState.OUT.value,
                Loan.due_on < q.today,
            )
        )
        or 0
    )


def loan_totals(q: Query) -> tuple[int, int]:
    """Loans issued and returned in the period."""
    issued = q.uow.session.scalar(
        select(func.count(Loan.id)).where(*_filters(q), q.in_period(Loan.issued_at))
    )
    returned = q.uow.session.scalar(
        select(func.count(Loan.id)).where(*_filters(q), q.in_period(Loan.returned_at))
    )
    return int(issued or 0), int(returned or 0)


def build(q: Query) -> Report:
    """The loans report for ``q``."""
    session = q.uow.session
    today = q.today
    issued = session.execute(
        select(
            Loan.due_on,
            Loan.returned_at,
            Loan.state,
            Loan.renewals,
            Loan.issued_at,
            UseApplication.department,
        )
        .join(UseApplication, UseApplication.id == Loan.application_id)
        .where(*_filters(q), q.in_period(Loan.issued_at))
    ).all()
    issued_rows = [(due, back, state, renewals) for due, back, state, renewals, *_x in issued]
    returned_rows = session.execute(
        select(Loan.issued_at, Loan.returned_at).where(*_filters(q), q.in_period(Loan.returned_at))
    ).all()
    late_returned = sum(
        1
        for due, back, state, _r in issued_rows
        if state == LoanState.RETURNED.value
        and back is not None
        and as_utc(back).astimezone().date() > due
    )
    still_late = sum(
        1 for due, _b, state, _r in issued_rows if state == LoanState.OUT.value and due < today
    )
    days = [
        (as_utc(back) - as_utc(out)).total_seconds() / 86400
        for out, back in returned_rows
        if back is not None
    ]
    average = round(sum(days) / len(days), 1) if days else 0.0
    damage = _damage(q)
    t_summary = table(
        "summary",
        "外借概况",
        ("项目", "数量"),
        (
            ("本期借出", len(issued_rows)),
            ("本期归还", len(returned_rows)),
            ("平均借期（天）", average),
            ("续借次数", sum(int(r) for *_x, r in issued_rows)),
            ("当前逾期未还", overdue_now(q)),
            ("本期违规：逾期归还", late_returned),
            ("本期违规：逾期未还", still_late),
            ("损坏、遗失报告", sum(int(r[1]) for r in damage.rows if r[0] != "合计")),
        ),
    )
    t_month = _months(q, [r[4] for r in issued], [r[1] for r in returned_rows])
    departments: dict[str, int] = defaultdict(int)
    for *_x, department in issued:
        departments[department or ""] += 1
    t_department = table(
        "by_department", "借出（按部门）", ("部门", "借出"), group_rows(dict(departments))
    )
    return q.report(
        ReportKind.LOANS,
        tables=(t_summary, t_month, t_department, damage),
        charts=(
            line("借出与归还（按月）", t_month, (1, 2)),
            bar("借出（按部门）", t_department),
        ),
        notes=(
            "借出、归还、借期与违规只统计外借；本期违规指本期借出、逾期归还或至今逾期未还的登记；"
            "当前逾期未还含各种利用方式，不论借出日期（与工作台一致）。",
        ),
        filtered=True,
    )


def _months(q: Query, issued: list[datetime], returned: list[datetime | None]) -> Table:
    out: dict[str, list[int]] = defaultdict(lambda: [0])
    back: dict[str, list[int]] = defaultdict(lambda: [0])
    for at in issued:
        out[month_key(at)][0] += 1
    for moment in returned:
        if moment is not None:
            back[month_key(moment)][0] += 1
    return month_table("by_month", "按月", ("月份", "借出", "归还"), q.months(), out, back)


def _damage(q: Query) -> Table:
    where: list[Any] = [q.in_period(DamageReport.opened_at)]
    if q.filters.department or uses_volume_filter(q.filters):
        where.append(DamageReport.loan_id.in_(select(Loan.id).where(*_filters(q))))
    opened = {
        str(k): int(n)
        for k, n in q.uow.session.execute(
            select(DamageReport.kind, func.count()).where(*where).group_by(DamageReport.kind)
        )
    }
    resolved = {
        str(k): int(n)
        for k, n in q.uow.session.execute(
            select(DamageReport.kind, func.count())
            .where(*where, DamageReport.state == "resolved")
            .group_by(DamageReport.kind)
        )
    }
    counts = {k: [opened.get(k, 0), resolved.get(k, 0)] for k in set(opened) | set(resolved)}
    return labelled_table(
        "damage",
        "损坏、遗失报告（本期登记）",
        ("类别", "登记", "其中已处理"),
        counts,
        REPORT_KIND_LABELS,
    )
