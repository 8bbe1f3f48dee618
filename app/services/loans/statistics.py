"""Use statistics (R40, R50): 人次, 卷次 and pages copied from the use log, loans and violations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from app.clock import Clock
from app.domain.loans import KIND_LABELS, UseKind
from app.errors import FieldError, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.loans.shared import local_date, local_today, utc_range
from app.storage.models import Loan, UseLog


@dataclass(frozen=True)
class UseStatistics:
    """Use of the archives in a period."""

    person_times: int  # 人次: applications served
    volume_times: int  # 卷次: volumes used
    pages_copied: int
    by_kind: dict[str, int]  # 卷次 per 利用方式 label
    loans: int  # 外借 entries issued
    overdue_now: int  # violations still out
    returned_late: int  # violations returned after their due date


def use_statistics(
    *, session: SignedIn, clock: Clock, date_from: date, date_to: date
) -> UseStatistics:
    """Counts from the use log for ``date_from``..``date_to`` (local dates, inclusive)."""
    if date_from > date_to:
        raise ValidationFailed([FieldError("date_range", "range_order")])
    start, end = utc_range(date_from, date_to)
    today = local_today(clock)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "loan.read")
        in_range = (UseLog.occurred_at >= start, UseLog.occurred_at < end)
        persons, volumes, pages = uow.session.execute(
            select(
                func.count(func.distinct(UseLog.application_id)),
                func.count(UseLog.id),
                func.coalesce(func.sum(UseLog.pages_copied), 0),
            ).where(*in_range)
        ).one()
        by_kind = {
            KIND_LABELS[UseKind(kind)]: int(n)
            for kind, n in uow.session.execute(
                select(UseLog.kind, func.count(UseLog.id)).where(*in_range).group_by(UseLog.kind)
            )
        }
        loans = [
            (entry.due_on, entry.returned_at, entry.state)
            for entry in uow.session.scalars(
                select(Loan).where(
                    Loan.kind == UseKind.LOAN.value, Loan.issued_at >= start, Loan.issued_at < end
                )
            )
        ]
        overdue_now = sum(1 for due, _r, state in loans if state == "out" and due < today)
        late = sum(
            1
            for due, returned, state in loans
            if state == "returned" and returned is not None and (local_date(returned) or due) > due
        )
        return UseStatistics(
            int(persons), int(volumes), int(pages), by_kind, len(loans), overdue_now, late
        )
