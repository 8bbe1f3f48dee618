"""Staff rules (R26–R28): agreement and training state, filing deadlines, review due dates.

Pure functions over plain values: no database, no Qt. The services load the rows and ask here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class StaffState(StrEnum):
    """Where a person stands (在职/调岗/离职)."""

    ACTIVE = "active"
    TRANSFERRED = "transferred"
    LEFT = "left"


STATE_LABELS: dict[StaffState, str] = {
    StaffState.ACTIVE: "在职",
    StaffState.TRANSFERRED: "调岗",
    StaffState.LEFT: "离职",
}


class HoldingKind(StrEnum):
    """What a leaving or transferred person may hold (R26): each goes to a named successor."""

    CUSTODY = "custody"  # secure places kept (保险柜/涉密专柜)
    LOAN = "loan"  # volumes on loan to them
    APPLICATION = "application"  # applications they await
    APPROVAL = "approval"  # applications only they can approve (sole holder of the post)
    CUSTOMER = "customer"  # customers they are responsible for (负责人员)
    REPAIR = "repair"  # open repair tasks
    INSPECTION = "inspection"  # open inspections they are named on
    FILING_CLERK = "filing_clerk"  # a department's filing clerk (归档专人)


HOLDING_LABELS: dict[HoldingKind, str] = {
    HoldingKind.CUSTODY: "保管的保险柜/涉密专柜",
    HoldingKind.LOAN: "借出未还的案卷",
    HoldingKind.APPLICATION: "本人提出、尚未办结的利用申请",
    HoldingKind.APPROVAL: "须由本人审批的申请",
    HoldingKind.CUSTOMER: "负责的客户",
    HoldingKind.REPAIR: "未完成的修复任务",
    HoldingKind.INSPECTION: "未结束的库房检查",
    HoldingKind.FILING_CLERK: "部门归档专人",
}


@dataclass(frozen=True)
class StaffPolicy:
    """The configurable intervals (setting ``staff_policy``)."""

    training_interval_months: int = 12  # training is due this long after the last one (R28)
    training_grace_days: int = 30  # overdue beyond this: customer data is withheld
    warn_days: int = 30  # the home screen warns this long before a date
    filing_day: int = 10  # departments hand over the previous month by this day (R27)
    review_months: int = 6  # access reviews every N months
    upgrade_grace_days: int = 90  # accounts from before the upgrade bringing R28 keep data so long


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months (the 31st becomes the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has a 28th


@dataclass(frozen=True)
class AgreementTerm:
    """One confidentiality agreement's dates."""

    signed_on: date
    valid_until: date | None  # None: no end date (长期)


@dataclass(frozen=True)
class Gap:
    """Something a person lacks for handling customer data, in words, with its date."""

    code: str  # no_person | left | no_agreement | agreement_expired | training_overdue | ...
    text: str
    blocking: bool  # True: customer data is withheld now; False: a warning
    on: date | None = None


def valid_agreement(terms: list[AgreementTerm], today: date) -> AgreementTerm | None:
    """The agreement in force today that runs longest, or None."""
    current = [
        t
        for t in terms
        if t.signed_on <= today and (t.valid_until is None or today <= t.valid_until)
    ]
    if not current:
        return None
    return max(current, key=lambda t: t.valid_until or date.max)


def training_due(last_training: date | None, since: date, policy: StaffPolicy) -> date:
    """When training is next due: ``interval`` after the last one, or at once for a new person.

    A person never trained is due from the day they were recorded (``since``); the grace period
    gives them time to attend the next session (R28).
    """
    if last_training is None:
        return since
    return add_months(last_training, policy.training_interval_months)


def compliance_gaps(
    *,
    has_person: bool,
    state: StaffState | None,
    agreements: list[AgreementTerm],
    last_training: date | None,
    since: date,
    today: date,
    policy: StaffPolicy,
    transition_until: date | None = None,
) -> list[Gap]:
    """What keeps a person from customer data (blocking) or soon will (warnings), R28.

    ``transition_until``: the last day of the upgrade transition for an account that existed
    when the version bringing R28 was installed. Until then its gaps (except having left) are
    warnings that say when customer data will be withheld, so an installation is not locked
    out the moment it is upgraded.
    """
    if not has_person:
        gaps = [Gap("no_person", "没有人员档案（未登记保密协议和培训）", True)]
    elif state == StaffState.LEFT:
        return [Gap("left", "人员已离职", True)]
    else:
        found = (
            _agreement_gap(agreements, today, policy),
            _training_gap(last_training, since, today, policy),
        )
        gaps = [g for g in found if g is not None]
    if transition_until is None or today > transition_until:
        return gaps
    return [
        g
        if not g.blocking
        else Gap(
            g.code,
            f"{g.text}（升级过渡期至 {transition_until.isoformat()}，之后将暂停使用客户信息）",
            False,
            transition_until,
        )
        for g in gaps
    ]


def _agreement_gap(agreements: list[AgreementTerm], today: date, policy: StaffPolicy) -> Gap | None:
    """No valid agreement (or it has expired) blocks; one ending within ``warn_days`` warns."""
    agreement = valid_agreement(agreements, today)
    if agreement is None:
        ended = max((t.valid_until for t in agreements if t.valid_until), default=None)
        if ended is not None and ended < today:
            return Gap("agreement_expired", f"保密协议已于 {ended.isoformat()} 到期", True, ended)
        return Gap("no_agreement", "没有有效的保密协议", True)
    if agreement.valid_until is not None and agreement.valid_until - today <= timedelta(
        days=policy.warn_days
    ):
        until = agreement.valid_until
        return Gap("agreement_ending", f"保密协议将于 {until.isoformat()} 到期", False, until)
    return None


def _training_gap(
    last_training: date | None, since: date, today: date, policy: StaffPolicy
) -> Gap | None:
    """Training overdue past the grace period blocks; due, or due within ``warn_days``, warns."""
    due = training_due(last_training, since, policy)
    limit = due + timedelta(days=policy.training_grace_days)
    if today > limit:
        text = f"保密培训已逾期（应于 {due.isoformat()} 前完成，宽限至 {limit.isoformat()}）"
        return Gap("training_overdue", text, True, due)
    if today >= due:
        text = (
            f"保密培训已到期（应于 {due.isoformat()} 前完成），"
            f"{limit.isoformat()} 后将暂停使用客户信息"
        )
        return Gap("training_due", text, False, limit)
    if due - today <= timedelta(days=policy.warn_days):
        return Gap("training_soon", f"保密培训将于 {due.isoformat()} 到期", False, due)
    return None


def blocking(gaps: list[Gap]) -> list[Gap]:
    """The gaps that withhold customer data now."""
    return [g for g in gaps if g.blocking]


# --- monthly filing (R27) --------------------------------------------------------------------
@dataclass(frozen=True)
class FilingSheetLine:
    """One line of a 归档移交清单 (recorded, shown and printed alike)."""

    seq: int
    reference_code: str
    title: str
    items: int
    pages: int


def period_of(day: date) -> str:
    """``2026-03``: the month a day belongs to."""
    return f"{day.year:04d}-{day.month:02d}"


def previous_period(today: date) -> str:
    """The month whose filing is handed over this month."""
    return period_of(date(today.year, today.month, 1) - timedelta(days=1))


def parse_period(text: str) -> date | None:
    """The first day of a ``YYYY-MM`` period, or None when it is not one."""
    try:
        year, month = (int(p) for p in text.strip().split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


def filing_deadline(period: str, day: int) -> date:
    """The day by which ``period``'s filing is handed over: ``day`` of the following month."""
    first = parse_period(period)
    if first is None:
        raise ValueError(period)
    following = add_months(first, 1)
    return date(following.year, following.month, max(1, min(day, 28)))


def overdue_filing(
    departments: list[str], handed_over: set[str], today: date, policy: StaffPolicy
) -> tuple[str, list[str]]:
    """The period due and the departments (with a clerk) that have not handed it over late.

    Before the deadline day of this month nothing is overdue for last month; from the day
    after, every department without a 移交 record for it is listed (R27).
    """
    period = previous_period(today)
    if today <= filing_deadline(period, policy.filing_day):
        return period, []
    return period, [d for d in departments if d not in handed_over]


# --- leaving and transfer hand-over (R26) -------------------------------------------------------
@dataclass(frozen=True)
class StaffHandoverLine:
    """One line of a 离职/调岗交接清单 (recorded, shown and printed alike)."""

    seq: int
    kind_label: str
    what: str
    detail: str
    successor: str


# --- access reviews ---------------------------------------------------------------------------
def review_due(last_closed: date | None, first_seen: date, policy: StaffPolicy) -> date:
    """When the next access review is due: N months after the last, or after setup."""
    return add_months(last_closed or first_seen, policy.review_months)
