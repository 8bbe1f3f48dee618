"""客户信息统计 (R1, R50, seed 000 第3章): customers by classification, new and lost.

Customers by kind, category, status and importance; new and lost customers per month.

Counts of the plain classification columns only: nothing encrypted is read, so no personal
value can reach a report. The region (province, from the ID/USCC region code kept in clear as
``customer.region``), the consent and the storage-period states come from
:mod:`app.services.statistics.privacy`.
"""

from __future__ import annotations

from collections import defaultdict
from enum import StrEnum

from sqlalchemy import func, select

import app.services.statistics.privacy as privacy
from app.domain.customers import LABELS, Category, Importance, Kind, Party, Status
from app.domain.statistics import Report, ReportKind, Table
from app.services.statistics.common import (
    Query,
    bar,
    labelled_table,
    line,
    month_table,
    per_local_month,
    pie,
    table,
)
from app.storage.models import Customer, CustomerStatusChange, StatCounter, StatHourly


def customer_totals(q: Query) -> tuple[int, int]:
    """Customers now, and new in the period (the overview reads these)."""
    total = q.uow.session.scalar(select(func.count(Customer.id)))
    new = q.uow.session.scalar(
        select(func.count(Customer.id)).where(q.in_period(Customer.created_at))
    )
    return int(total or 0), int(new or 0)


def customer_counters(q: Query) -> tuple[int, int]:
    """Customers now, and new in the period, from the running totals (the overview).

    New customers are summed per UTC hour (``stat_hourly``) over the period's UTC range: exact
    for whole-hour time zones, like :func:`per_local_month`.
    """
    session = q.uow.session
    row = session.get(StatCounter, "customer")
    start, end = (moment.strftime("%Y-%m-%d %H") for moment in q.utc)
    new = session.scalar(
        select(func.coalesce(func.sum(StatHourly.n), 0)).where(
            StatHourly.key == "customer", StatHourly.hour >= start, StatHourly.hour < end
        )
    )
    return (int(row.n) if row else 0), int(new or 0)


def build(q: Query) -> Report:
    """The customers report for ``q``."""
    groups = q.uow.session.execute(
        select(
            Customer.party,
            Customer.kind,
            Customer.category,
            Customer.status,
            Customer.importance,
            func.count(),
        ).group_by(
            Customer.party, Customer.kind, Customer.category, Customer.status, Customer.importance
        )
    ).all()
    by: dict[str, dict[str, int]] = {
        name: defaultdict(int) for name in ("party", "kind", "category", "status", "importance")
    }
    for party, kind, category, status, importance, n in groups:
        for name, key in (
            ("party", party),
            ("kind", kind),
            ("category", category),
            ("status", status),
            ("importance", importance),
        ):
            by[name][str(key)] += int(n)

    def section(key: str, title: str, head: str, enum: type[StrEnum]) -> Table:
        labels = {m: LABELS[m] for m in list(enum)}
        return labelled_table(f"by_{key}", title, (head, "客户数"), by[key], labels)

    t_party = section("party", "按性质", "性质", Party)
    t_kind = section("kind", "按类型", "类型", Kind)
    t_category = section("category", "按类别", "类别", Category)
    t_status = section("status", "按状态", "状态", Status)
    t_importance = section("importance", "按重要程度", "重要程度", Importance)
    t_month = _months(q)
    total = int(t_kind.rows[-1][1])
    t_summary = table(
        "summary",
        "客户概况",
        ("项目", "数量"),
        (
            ("客户总数", total),
            ("本期新增", int(t_month.rows[-1][1])),
            ("本期流失", int(t_month.rows[-1][2])),
        ),
    )
    t_region = privacy.region_table(q)
    t_consent = privacy.consent_state_table(q, total)
    t_consent_period = privacy.consent_period_table(q)
    t_storage = privacy.storage_table(q)
    return q.report(
        ReportKind.CUSTOMERS,
        tables=(
            t_summary,
            t_party,
            t_kind,
            t_category,
            t_status,
            t_importance,
            t_region,
            t_month,
            t_consent,
            t_consent_period,
            t_storage,
        ),
        charts=(
            pie("客户（按类别）", t_category),
            bar("客户（按状态）", t_status),
            bar("客户（按地区）", t_region),
            pie("授权同意情况", t_consent),
            line("新增与流失（按月）", t_month, (1, 2)),
        ),
        notes=(
            "客户数为统计时的现状；新增按登记时间、流失按状态改为“流失”的时间统计。"
            "地区取身份证件或统一社会信用代码中的行政区划代码（省级）。",
        ),
        filtered=False,
    )


def _months(q: Query) -> Table:
    new = per_local_month(q.uow, Customer.created_at, q.in_period(Customer.created_at))
    lost = per_local_month(
        q.uow,
        CustomerStatusChange.changed_at,
        q.in_period(CustomerStatusChange.changed_at)
        & (CustomerStatusChange.new_status == Status.LOST.value),
    )
    return month_table(
        "by_month", "新增与流失（按月）", ("月份", "新增", "流失"), q.months(), new, lost
    )
