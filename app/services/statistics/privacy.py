"""客户授权同意、保存期限与地区 (R4, R8, R50): the customers report's privacy sections.

Consent states are folded per customer from the consent entries in one grouped SQL pass; the
customers without any entry are the rest of the total. Storage-period states are the
anonymised customers and the erasure requests (删除/匿名化申请) by state. Regions are the
province-level codes kept in clear on the customer row (``customer.region``), named from the
region table. Counts only.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import case, func, select, true
from sqlalchemy.orm import aliased

from app.domain import privacy as rules
from app.domain.identity import province_name
from app.domain.statistics import Table
from app.services.statistics.common import Query, group_rows, labelled_table, table
from app.storage.models import ConsentPurpose, Customer, CustomerConsent, ErasureRequest

CONSENT_STATES = {
    "consent": "有有效的授权同意",
    "basis": "依据法定或合同必需（无有效同意）",
    "ended": "授权同意已过期或已撤回",
    "none": "未登记授权同意或依据",
}
UNKNOWN_REGION = "（证件未载明地区）"


def consent_state_table(q: Query, customers: int) -> Table:
    """Customers by their consent state today (anonymised customers are left out).

    Distinct counts over ``ix_customer_consent_state`` (kind, customer, dates) — the customers
    with a current consent, with a current basis, with any entry — corrected by the few
    consents every purpose of which has been withdrawn (found through the withdrawal index).
    Every consent entry names at least one purpose (R4), so a consent is in force unless all of
    its purposes are withdrawn. Nothing is read row by row for a million customers.
    """
    today = q.today
    session = q.uow.session
    c = CustomerConsent
    consent_kind = c.kind == rules.EntryKind.CONSENT.value
    basis_kind = c.kind == rules.EntryKind.BASIS.value
    current = (c.given_on <= today) & (c.valid_until.is_(None) | (c.valid_until >= today))
    anonymised = set(
        session.scalars(select(Customer.id).where(Customer.anonymised_at.is_not(None)))
    )
    kept = c.customer_id.not_in(anonymised) if anonymised else true()

    def distinct(*where: Any) -> int:
        return int(
            session.scalar(select(func.count(func.distinct(c.customer_id))).where(*where)) or 0
        )

    # consents whose every purpose is withdrawn by today: not in force
    open_now = ConsentPurpose.withdrawn_on.is_(None) | (ConsentPurpose.withdrawn_on > today)
    touched = select(ConsentPurpose.consent_id).where(ConsentPurpose.withdrawn_on <= today)
    dead = {
        int(cid)
        for cid, has_open in session.execute(
            select(ConsentPurpose.consent_id, func.max(case((open_now, 1), else_=0)))
            .where(ConsentPurpose.consent_id.in_(touched))
            .group_by(ConsentPurpose.consent_id)
        )
        if not has_open
    }
    affected = set(
        session.scalars(select(c.customer_id).where(c.id.in_(dead), consent_kind, current, kept))
    )
    live = set(
        session.scalars(
            select(c.customer_id).where(
                c.customer_id.in_(affected), consent_kind, current, c.id.not_in(dead)
            )
        )
    )
    lost = affected - live  # a current consent, but none in force
    with_consent = distinct(consent_kind, current, kept) - len(lost)
    other = aliased(CustomerConsent)
    has_current_consent = (
        select(other.id)
        .where(
            other.customer_id == c.customer_id,
            other.kind == rules.EntryKind.CONSENT.value,
            other.given_on <= today,
            other.valid_until.is_(None) | (other.valid_until >= today),
        )
        .exists()
    )
    basis_lost = distinct(basis_kind, current, c.customer_id.in_(lost)) if lost else 0
    basis_and_consent = distinct(basis_kind, current, kept, has_current_consent) - basis_lost
    with_basis = distinct(basis_kind, current, kept) - basis_and_consent
    with_entry = distinct(kept)
    counts = {
        "consent": with_consent,
        "basis": with_basis,
        "ended": with_entry - with_consent - with_basis,
        "none": max(0, customers - len(anonymised) - with_entry),
    }
    return labelled_table(
        "consent_states",
        "授权同意情况（统计时，不含已匿名化客户）",
        ("情况", "客户数"),
        counts,
        CONSENT_STATES,
    )


def consent_period_table(q: Query) -> Table:
    """Consents and bases recorded in the period, and purposes withdrawn in it."""
    session = q.uow.session
    start, end = q.period_from, q.period_to
    given = dict(
        session.execute(
            select(CustomerConsent.kind, func.count())
            .where(CustomerConsent.given_on >= start, CustomerConsent.given_on <= end)
            .group_by(CustomerConsent.kind)
        ).all()
    )
    withdrawn = session.scalar(
        select(func.count(ConsentPurpose.id)).where(
            ConsentPurpose.withdrawn_on >= start, ConsentPurpose.withdrawn_on <= end
        )
    )
    return table(
        "consent_period",
        "授权同意（本期）",
        ("项目", "数量"),
        (
            ("登记授权同意", int(given.get(rules.EntryKind.CONSENT.value, 0))),
            ("登记法定或合同依据", int(given.get(rules.EntryKind.BASIS.value, 0))),
            ("撤回的同意用途", int(withdrawn or 0)),
        ),
    )


def anonymised_total(q: Query) -> int:
    """Customers anonymised (now)."""
    return int(
        q.uow.session.scalar(
            select(func.count(Customer.id)).where(Customer.anonymised_at.is_not(None))
        )
        or 0
    )


def storage_table(q: Query) -> Table:
    """保存期限: anonymised customers, and erasure requests of the period by state."""
    session = q.uow.session
    in_period = session.scalar(
        select(func.count(Customer.id)).where(q.in_period(Customer.anonymised_at))
    )
    requests = dict(
        session.execute(
            select(ErasureRequest.state, func.count())
            .where(q.in_period(ErasureRequest.requested_at))
            .group_by(ErasureRequest.state)
        ).all()
    )
    open_now = session.scalar(
        select(func.count(ErasureRequest.id)).where(
            ErasureRequest.state.in_(
                (rules.RequestState.PENDING.value, rules.RequestState.APPROVED.value)
            )
        )
    )
    labels = rules.STATE_LABELS
    return table(
        "storage",
        "保存期限与删除",
        ("项目", "数量"),
        (
            ("已匿名化客户（统计时）", anonymised_total(q)),
            ("本期匿名化", int(in_period or 0)),
            *(
                (f"本期删除申请：{labels[s]}", int(requests.get(s.value, 0)))
                for s in rules.RequestState
            ),
            ("尚未办结的删除申请（统计时）", int(open_now or 0)),
        ),
    )


def region_table(q: Query) -> Table:
    """Customers by province (from the region code of their ID or USCC)."""
    counts: dict[str, int] = defaultdict(int)
    for code, n in q.uow.session.execute(
        select(Customer.region, func.count()).group_by(Customer.region)
    ):
        name = province_name(str(code)) if code else None
        counts[name or UNKNOWN_REGION] += int(n)
    order = sorted((k for k in counts if k != UNKNOWN_REGION), key=lambda k: (-counts[k], k))
    return table(
        "by_region",
        "按地区（省级，来自身份证件或统一社会信用代码）",
        ("地区", "客户数"),
        group_rows(counts, [*order, UNKNOWN_REGION]),
    )
