"""归档移交统计 (R27, issue 20): each department's monthly filing hand-over, on time or not.

For every department with a filing clerk (专人) and every month of the report's period: whether
its 移交 was recorded by the deadline (the configured day of the following month), late, not
at all after the deadline (未移交), or is not due yet; with the volumes, items and pages handed
over. The overview and the archivist's home screen list the departments that have not handed
over last month by the deadline. Department names and counts only.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import func, select

from app.clock import as_utc
from app.domain.staff import filing_deadline, overdue_filing, previous_period
from app.domain.statistics import Cell, Table
from app.services.compliance import load_policy
from app.services.statistics.common import Query, table
from app.storage.models import Department, FilingHandover

HEADERS = (
    "部门",
    "按期移交（月）",
    "逾期移交（月）",
    "未移交（月）",
    "未到期（月）",
    "卷",
    "件",
    "页",
)


def _clerked(q: Query) -> dict[int, str]:
    return dict(
        q.uow.session.execute(
            select(Department.id, Department.name).where(Department.filing_clerk_id.is_not(None))
        ).all()
    )


def filing_table(q: Query) -> Table:
    """Per department: months of the period handed over on time, late, not at all, not due."""
    policy = load_policy(q.uow.session)
    deps = _clerked(q)
    months = q.months()
    firsts: dict[tuple[int, str], datetime] = {}
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for dep_id, period, first, v, i, p in q.uow.session.execute(
        select(
            FilingHandover.department_id,
            FilingHandover.period,
            func.min(FilingHandover.occurred_at),
            func.sum(FilingHandover.volumes),
            func.sum(FilingHandover.items),
            func.sum(FilingHandover.pages),
        )
        .where(FilingHandover.period.in_(months))
        .group_by(FilingHandover.department_id, FilingHandover.period)
    ):
        firsts[(int(dep_id), str(period))] = first
        acc = sums[int(dep_id)]
        for k, n in enumerate((v, i, p)):
            acc[k] += int(n or 0)
        deps.setdefault(int(dep_id), "")
    today = q.today
    rows: list[tuple[Cell, ...]] = []
    for dep_id, name in sorted(deps.items(), key=lambda d: d[1]):
        on_time = late = missing = not_due = 0
        for m in months:
            deadline = filing_deadline(m, policy.filing_day)
            at = firsts.get((dep_id, m))
            if at is not None:
                day = as_utc(at).astimezone().date()
                if day <= deadline:
                    on_time += 1
                else:
                    late += 1
            elif today > deadline:
                missing += 1
            else:
                not_due += 1
        rows.append((name or "（已撤销的部门）", on_time, late, missing, not_due, *sums[dep_id]))
    totals = tuple(sum(int(r[c]) for r in rows) for c in range(1, len(HEADERS)))
    return table("filing", "归档移交（按部门，本期各月）", HEADERS, [*rows, ("合计", *totals)])


def overdue_table(q: Query) -> Table:
    """Last month's filing: departments due, handed over, and those not handed over in time."""
    policy = load_policy(q.uow.session)
    deps = _clerked(q)
    today = q.today
    done = _handed_over(q, deps, today)
    period, late = overdue_filing(list(deps.values()), done, today, policy)
    deadline = filing_deadline(period, policy.filing_day)
    return table(
        "filing_overdue",
        f"归档移交（{period}，{deadline.isoformat()} 前）",
        ("项目", "数量"),
        (
            ("应移交部门", len(deps)),
            ("已移交", len(done)),
            ("逾期未移交", len(late)),
            *((f"逾期未移交：{name}", 1) for name in late),
        ),
    )


def _handed_over(q: Query, deps: dict[int, str], today: date) -> set[str]:
    period = previous_period(today)
    done = q.uow.session.scalars(
        select(FilingHandover.department_id).where(FilingHandover.period == period).distinct()
    )
    return {deps[d] for d in done if d in deps}
