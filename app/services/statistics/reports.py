"""Computing reports: one entry point for every kind, the month's overview, filter choices.

The overview and the home screen's statistics card read the same totals functions the reports
use (``use_totals``, ``loan_totals``, ``overdue_now``, ``filing.overdue_table``), so the figures
agree wherever they are shown; the holdings and customer totals come from the running totals
the database triggers keep (``holdings_counters``, ``customer_counters``: a million rows are
not counted for one page), and tests check they equal the reports' own counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select

import app.services.statistics.activity as activity
import app.services.statistics.customers as customers
import app.services.statistics.filing as filing
import app.services.statistics.holdings as holdings
import app.services.statistics.inspections as inspections
import app.services.statistics.loans as loans
import app.services.statistics.use as use
from app.clock import Clock, as_utc
from app.domain.accounts import Actor
from app.domain.statistics import Report, ReportFilter, ReportKind, month_of
from app.errors import FieldError, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize
from app.services.statistics.common import Query, check_period, table
from app.storage.models import UseLog, Volume
from app.storage.store import UnitOfWork

BUILDERS: dict[str, Callable[[Query], Report]] = {
    ReportKind.HOLDINGS.value: holdings.build,
    ReportKind.USE.value: use.build,
    ReportKind.LOANS.value: loans.build,
    ReportKind.INSPECTIONS.value: inspections.build,
    ReportKind.CUSTOMERS.value: customers.build,
    ReportKind.ACTIVITY.value: activity.build,
}
# which filters each report applies (the page shows only these)
FILTERS: dict[str, tuple[str, ...]] = {
    ReportKind.HOLDINGS.value: ("category", "year", "level"),
    ReportKind.USE.value: ("category", "year", "department", "level"),
    ReportKind.LOANS.value: ("category", "year", "department", "level"),
    ReportKind.INSPECTIONS.value: (),
    ReportKind.CUSTOMERS.value: (),
    ReportKind.ACTIVITY.value: (),
}


def build_report(
    uow: UnitOfWork,
    actor: Actor,
    kind: str,
    period_from: date,
    period_to: date,
    filters: ReportFilter,
    clock: Clock,
) -> Report:
    """Compute a report inside the caller's unit of work (the release service freezes it)."""
    builder = BUILDERS.get(kind)
    if builder is None:
        raise ValidationFailed([FieldError("report_kind", "required")])
    check_period(period_from, period_to)
    q = Query(uow, actor, period_from, period_to, filters, clock)
    report = builder(q)
    return replace(report, computed_at=as_utc(clock.now()).isoformat(timespec="seconds"))


def compute_report(
    *,
    session: SignedIn,
    kind: str,
    period_from: date,
    period_to: date,
    filters: ReportFilter | None = None,
    clock: Clock,
) -> Report:
    """A report of ``kind`` for the period (local days, inclusive), as the reader may see it."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "statistics.read"))
        report = build_report(
            uow, reader, kind, period_from, period_to, filters or ReportFilter(), clock
        )
    return for_reader(report, reader)


def for_reader(report: Report, reader: Actor) -> Report:
    """``report`` as ``reader`` may see it.

    Reports hold counts, classification words and 档号 only (no titles, no names), so every
    reader with ``statistics.read`` sees the same figures; this is the one place a future
    reader-dependent section would be filtered (a frozen report is shown through it).
    """
    del reader
    return report


# --- the month at a glance ---------------------------------------------------------------------
@dataclass(frozen=True)
class Overview:
    """The 统计 page's first tab and the home screen's card: the current month."""

    month_from: date
    month_to: date
    report: Report  # one table per area, the same figures as the reports

    def figure(self, key: str, row: str) -> int | float | str:
        """One figure (tests, the home card)."""
        return self.report.value(key, row)


def get_overview(*, session: SignedIn, clock: Clock, day: date | None = None) -> Overview:
    """The month of ``day`` (default: today) in counts, from the reports' own totals."""
    first, last = month_of(day or clock.now().astimezone().date())
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "statistics.read"))
        q = Query(uow, reader, first, last, ReportFilter(), clock)
        volumes_total, items_total, pages_total = holdings.holdings_counters(q)
        persons, volumes, items, pages = use.use_totals(q)
        issued, returned = loans.loan_totals(q)
        overdue = loans.overdue_now(q)
        customer_total, customer_new = customers.customer_counters(q)
        incidents = activity.incident_count(q)
        t_filing = filing.overdue_table(q)
    report = Report(
        kind="overview",
        title="本月概况",
        period_from=first,
        period_to=last,
        tables=(
            table(
                "holdings",
                "馆藏（截至统计时）",
                ("项目", "数量"),
                (("案卷", volumes_total), ("件", items_total), ("页", pages_total)),
            ),
            table(
                "use",
                "本月利用",
                ("项目", "数量"),
                (("人次", persons), ("卷次", volumes), ("件次", items), ("复制页数", pages)),
            ),
            table(
                "loans",
                "本月外借",
                ("项目", "数量"),
                (("借出", issued), ("归还", returned), ("当前逾期未还", overdue)),
            ),
            table(
                "customers",
                "客户",
                ("项目", "数量"),
                (("客户总数", customer_total), ("本月新增", customer_new)),
            ),
            table("incidents", "事件", ("项目", "数量"), (("本月登记事件", incidents),)),
            t_filing,
        ),
        computed_at=as_utc(clock.now()).isoformat(timespec="seconds"),
    )
    return Overview(first, last, report)


# --- filter choices ------------------------------------------------------------------------------
@dataclass(frozen=True)
class FilterChoices:
    """What the filter boxes offer."""

    categories: tuple[str, ...]
    years: tuple[int, ...]
    departments: tuple[str, ...]


def list_filter_choices(*, session: SignedIn, clock: Clock) -> FilterChoices:
    """门类 codes, 年度 and departments that occur in the data."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "statistics.read")
        categories = uow.session.scalars(select(Volume.category_code).distinct()).all()
        years = uow.session.scalars(select(Volume.year).distinct()).all()
        departments = uow.session.scalars(select(UseLog.department).distinct()).all()
    return FilterChoices(
        tuple(sorted(c for c in categories if c)),
        tuple(sorted((int(y) for y in years if y is not None), reverse=True)),
        tuple(sorted(d for d in departments if d)),
    )
