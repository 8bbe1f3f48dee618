"""Releasing reports (seed 000 第3章, R50): draft → approval → released, frozen, numbered.

A one-item change after release is a new version; the distribution register (发放登记).

* ``compile_report`` takes the numbers once and stores them with the draft: reviewers approve
  what is stored, and the released version is never recomputed (第13条: 审查后方可报发).
* The route comes from the ``statistics_routing`` setting when the draft is submitted
  (``domain.statistics.DEFAULT_ROUTING``): internal reports are reviewed by the 客户信息主管 or
  the 客服部经理; a report another department asked for also needs the 客服部经理 and the
  总经理 (第10条). Steps are signed in order, each by a different approver, never by the
  compiler.
* ``revise_report`` changes one figure of a released report: a new version with the same
  number, approved by the 总经理 (第11条), its note kept; the old version is superseded.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import date, datetime

from sqlalchemy import select

from app.clock import Clock, as_utc
from app.domain.roles import TITLE_LABELS, ApproverTitle
from app.domain.statistics import (
    ReleaseState,
    Report,
    ReportFilter,
    ReportKind,
    Table,
    parse_routing,
    routing_errors,
)
from app.errors import (
    CompilerCannotApprove,
    FieldError,
    ReportStepNotYours,
    ValidationFailed,
)
from app.services.auth import SignedIn
from app.services.common import (
    actor_from_row,
    add_recorded,
    authorize,
    checked_text,
    clean_text,
    next_yearly_number,
    record_numbered,
    signature,
)
from app.services.statistics.reports import build_report
from app.services.statistics.stored import load_report
from app.services.statistics.stored import needed_titles as _needed
from app.storage.models import (
    StatisticsApproval,
    StatisticsDistribution,
    StatisticsReport,
    UserAccount,
)
from app.storage.store import UnitOfWork

ROUTING_SETTING = "statistics_routing"
NUMBER_PREFIX = "TJ"


# --- routing -------------------------------------------------------------------------------------
def _routing(uow: UnitOfWork) -> dict[str, tuple[tuple[str, ...], ...]]:
    return parse_routing(uow.settings.raw().get(ROUTING_SETTING))


def get_statistics_routing(
    *, session: SignedIn, clock: Clock
) -> dict[str, tuple[tuple[str, ...], ...]]:
    """The routing table in force (defaults where unset)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "statistics.read")
        return _routing(uow)


def set_statistics_routing(
    *, session: SignedIn, routing: dict[str, list[list[str]]], clock: Clock
) -> None:
    """Store the routing table (系统管理员); refused when a rule of 第10/11条 would be lost."""
    clean = parse_routing(routing)
    if routing_errors(routing) or clean != {k: tuple(map(tuple, v)) for k, v in routing.items()}:
        raise ValidationFailed([FieldError("routing", "bad_route")])
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "statistics.settings")
        uow.claim_writes()
        before = _routing(uow)
        uow.settings.put(ROUTING_SETTING, {k: [list(s) for s in v] for k, v in clean.items()})
        uow.audit.record(
            "statistics.routing",
            object_type="setting",
            object_id=ROUTING_SETTING,
            details={
                "before": {k: [list(s) for s in v] for k, v in before.items()},
                "after": {k: [list(s) for s in v] for k, v in clean.items()},
            },
        )
        uow.commit()


# --- compile, submit, decide ---------------------------------------------------------------------
def compile_report(
    *,
    session: SignedIn,
    kind: str,
    period_from: date,
    period_to: date,
    filters: ReportFilter | None = None,
    route: str = "internal",
    requested_by: str = "",
    clock: Clock,
) -> int:
    """Take the report's numbers now and keep them as a draft; returns its id."""
    errors: list[FieldError] = []
    if route not in ("internal", "other_department"):
        errors.append(FieldError("route", "unknown_route"))
    who = clean_text(
        errors, "requested_by", requested_by, 100, required=route == "other_department"
    )
    if kind not in {k.value for k in ReportKind}:
        errors.append(FieldError("report_kind", "required"))
    if errors:
        raise ValidationFailed(errors)
    chosen = filters or ReportFilter()
    now = clock.now()
    with session.uow(clock) as uow:
        user = authorize(uow, session.actor, "statistics.compile")
        report = build_report(
            uow, actor_from_row(user), kind, period_from, period_to, chosen, clock
        )
        uow.claim_writes()
        row = StatisticsReport(
            version=1,
            kind=kind,
            title=report.title,
            period_from=period_from,
            period_to=period_to,
            filters=json.dumps(asdict(chosen), ensure_ascii=False, sort_keys=True),
            route=route,
            requested_by=who,
            steps="[]",
            state=ReleaseState.DRAFT.value,
            data=report.to_json(),
            change_note="",
            compiled_by=user.id,
            compiled_by_name=user.display_name,
            compiled_at=now,
            rejection_reason="",
        )
        add_recorded(
            uow,
            row,
            "statistics.compile",
            object_type="statistics_report",
            details={
                "kind": kind,
                "period": report.period_text(),
                "route": route,
                "requested_by": who,
            },
        )
        uow.commit()
        return row.id


def submit_report(*, session: SignedIn, report_id: int, clock: Clock) -> None:
    """Send a draft on its route (the steps in force now stay with it)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "statistics.compile")
        row = load_report(uow, report_id)
        if row.state != ReleaseState.DRAFT.value:
            raise ValidationFailed([FieldError("statistics_report", "report_not_draft")])
        uow.claim_writes()
        steps = _routing(uow)[row.route]
        row.steps = json.dumps([list(s) for s in steps])
        row.state = ReleaseState.PENDING.value
        row.submitted_at = clock.now()
        uow.audit.record(
            "statistics.submit",
            object_type="statistics_report",
            object_id=row.id,
            details={"steps": [list(s) for s in steps]},
        )
        uow.commit()


def _decide(
    uow: UnitOfWork, session: SignedIn, report_id: int
) -> tuple[StatisticsReport, UserAccount, str, int, list[list[str]], set[int]]:
    approver = authorize(uow, session.actor, "statistics.approve")
    row = load_report(uow, report_id)
    if approver.id == row.compiled_by:
        raise CompilerCannotApprove()
    if row.state != ReleaseState.PENDING.value:
        raise ValidationFailed([FieldError("statistics_report", "report_not_pending")])
    steps: list[list[str]] = json.loads(row.steps)
    approvals = list(
        uow.session.scalars(
            select(StatisticsApproval).where(StatisticsApproval.report_id == row.id)
        )
    )
    if any(a.approver_user_id == approver.id for a in approvals):
        raise ValidationFailed([FieldError("statistics_report", "report_signed_already")])
    signed = {a.step for a in approvals}
    title = approver.approver_title or ""
    step = next((i for i in range(len(steps)) if i not in signed), None)
    if step is None or title not in steps[step]:
        raise ReportStepNotYours(
            title=TITLE_LABELS[ApproverTitle(title)] if title else "无职务",
            needed=_needed(steps, signed),
        )
    return row, approver, title, step, steps, signed


def _sign(
    uow: UnitOfWork, session: SignedIn, report_id: int, decision: str, text: str, now: datetime
) -> tuple[StatisticsReport, str, int, list[list[str]], set[int]]:
    """Record the signer's decision on the open step: ``(report, title, step, steps, signed)``."""
    row, approver, title, step, steps, signed = _decide(uow, session, report_id)
    uow.claim_writes()
    uow.session.add(
        StatisticsApproval(
            report_id=row.id, **signature(approver, title, step, decision, text, now)
        )
    )
    return row, title, step, steps, signed


def approve_report(*, session: SignedIn, report_id: int, opinion: str, clock: Clock) -> str:
    """Sign the open step; the last signature releases the report. Returns the new state."""
    text = checked_text("opinion", opinion, 500, required=False)
    now = clock.now()
    with session.uow(clock) as uow:
        row, title, step, steps, signed = _sign(uow, session, report_id, "approve", text, now)
        uow.audit.record(
            "statistics.approve",
            object_type="statistics_report",
            object_id=row.id,
            details={"step": step + 1, "title": title},
        )
        if len(signed) + 1 == len(steps):
            _release(uow, row, now)
        uow.commit()
        return row.state


def _release(uow: UnitOfWork, row: StatisticsReport, now: datetime) -> None:
    previous = uow.session.get(StatisticsReport, row.previous_id) if row.previous_id else None
    if previous is not None and previous.number:
        row.number = previous.number
        previous.state = ReleaseState.SUPERSEDED.value
    else:
        year = as_utc(now).astimezone().year
        row.number = next_yearly_number(uow, NUMBER_PREFIX, year, digits=4)
    row.state = ReleaseState.RELEASED.value
    row.decided_at = now
    record_numbered(uow, "statistics.release", "statistics_report", row, version=row.version)


def reject_report(*, session: SignedIn, report_id: int, reason: str, clock: Clock) -> None:
    """Send the report back (a reason is required); the compiler compiles it again."""
    text = checked_text("reason", reason, 500, required=True)
    now = clock.now()
    with session.uow(clock) as uow:
        row, _title, step, _steps, _signed = _sign(uow, session, report_id, "reject", text, now)
        row.state = ReleaseState.REJECTED.value
        row.rejection_reason = text
        row.decided_at = now
        uow.audit.record(
            "statistics.reject",
            object_type="statistics_report",
            object_id=row.id,
            details={"step": step + 1, "reason": text},
        )
        uow.commit()


# --- a change after release (第11条) -------------------------------------------------------------
def revise_report(
    *,
    session: SignedIn,
    report_id: int,
    table_key: str,
    row_label: str,
    column: int,
    new_value: str,
    note: str,
    clock: Clock,
) -> int:
    """One figure of a released report changed: a new version for the 总经理 to approve."""
    errors: list[FieldError] = []
    text = clean_text(errors, "change_note", note, 500, required=True)
    try:
        number: int | float = int(new_value) if new_value.strip().isdigit() else float(new_value)
    except ValueError:
        errors.append(FieldError("new_value", "not_a_number"))
        number = 0
    if errors:
        raise ValidationFailed(errors)
    now = clock.now()
    with session.uow(clock) as uow:
        user = authorize(uow, session.actor, "statistics.compile")
        old = load_report(uow, report_id)
        if old.state != ReleaseState.RELEASED.value:
            raise ValidationFailed([FieldError("statistics_report", "report_not_released")])
        report = Report.from_json(old.data)
        tables, before = _changed(report, table_key, row_label, column, number)
        uow.claim_writes()
        steps = _routing(uow)["revision"]
        change = f"{_cell_name(report, table_key, row_label, column)}：{before} → {number}；{text}"
        row = StatisticsReport(
            number=None,
            version=old.version + 1,
            previous_id=old.id,
            kind=old.kind,
            title=old.title,
            period_from=old.period_from,
            period_to=old.period_to,
            filters=old.filters,
            route="revision",
            requested_by=old.requested_by,
            steps=json.dumps([list(s) for s in steps]),
            state=ReleaseState.PENDING.value,
            data=replace(report, tables=tables).to_json(),
            change_note=change,
            compiled_by=user.id,
            compiled_by_name=user.display_name,
            compiled_at=now,
            submitted_at=now,
            rejection_reason="",
        )
        add_recorded(
            uow,
            row,
            "statistics.revise",
            object_type="statistics_report",
            details={"of": old.id, "number": old.number, "change": change},
        )
        uow.commit()
        return row.id


def _cell_name(report: Report, key: str, row: str, column: int) -> str:
    t = report.table(key)
    return f"{t.title}·{row}·{t.headers[column]}"


def _changed(
    report: Report, key: str, label: str, column: int, value: int | float
) -> tuple[tuple[Table, ...], object]:
    tables = list(report.tables)
    for i, t in enumerate(tables):
        if t.key != key:
            continue
        for j, r in enumerate(t.rows):
            if r[0] == label and 1 <= column < len(r) and isinstance(r[column], int | float):
                if r[column] == value:
                    raise ValidationFailed([FieldError("new_value", "same_value")])
                rows = list(t.rows)
                rows[j] = (*r[:column], value, *r[column + 1 :])
                tables[i] = Table(t.title, t.headers, tuple(rows), t.key)
                return tuple(tables), r[column]
    raise ValidationFailed([FieldError("cell", "unknown_cell")])


# --- distribution register (第12条) ---------------------------------------------------------------
def record_distribution(
    *,
    session: SignedIn,
    report_id: int,
    recipient: str,
    copies: int,
    given_on: date,
    note: str = "",
    clock: Clock,
) -> int:
    """Enter one hand-out of a released report in the 发放登记."""
    errors: list[FieldError] = []
    who = clean_text(errors, "recipient", recipient, 100, required=True)
    text = clean_text(errors, "note", note, 500, required=False)
    if not 1 <= copies <= 999:
        errors.append(FieldError("copies", "range", {"min": 1, "max": 999}))
    if given_on > clock.now().astimezone().date():
        errors.append(FieldError("given_on", "not_future"))
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        user = authorize(uow, session.actor, "statistics.distribute")
        row = load_report(uow, report_id)
        if row.state != ReleaseState.RELEASED.value:
            raise ValidationFailed([FieldError("statistics_report", "report_not_released")])
        uow.claim_writes()
        entry = StatisticsDistribution(
            report_id=row.id,
            recipient=who,
            copies=copies,
            given_on=given_on,
            note=text,
            recorded_by=user.id,
            recorded_at=clock.now(),
        )
        uow.session.add(entry)
        uow.session.flush()
        record_numbered(
            uow, "statistics.distribute", "statistics_report", row, recipient=who, copies=copies
        )
        uow.commit()
        return entry.id
