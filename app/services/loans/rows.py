"""What the loan desk lists show: application rows and views, register entry rows.

Reads follow ``app.security.access``: titles above the reader's clearance show as "受限".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from app.domain import loans as rules
from app.domain.loans import KIND_LABELS, ApplicationState, Credential, LoanState, UseKind
from app.domain.roles import TITLE_LABELS, ApproverTitle
from app.security import access
from app.security.masking import mask_id_number, mask_phone
from app.services.loans.shared import (
    decrypt_field,
    level_text,
    local_date,
    open_labels,
    signed_steps,
    step_label,
    steps_of,
    volume_marking,
)
from app.services.loans.staff import (
    TitleHolder,
    department_heads,
    named_route,
    named_step,
    title_holders,
)
from app.storage.models import (
    Loan,
    UseApplication,
    UseApplicationVolume,
    UseApproval,
    UserAccount,
    Volume,
)
from app.storage.store import UnitOfWork


@dataclass(frozen=True)
class ApprovalLine:
    """One signature (or rejection) on an application."""

    step: int
    step_label: str
    approver: str
    title: str
    decision: str  # approve | reject
    opinion: str
    decided_at: datetime


@dataclass(frozen=True)
class ApplicationVolumeLine:
    """A volume on an application as the reader may see it."""

    volume_id: int
    reference_code: str
    title: str
    secrecy: str
    item_count: int
    page_count: int
    items: str
    pages: str
    copy_pages: int
    copies: int
    state: str  # the volume's state (on_shelf, on_loan …)
    issued: bool  # issued under this application
    restricted: bool


@dataclass(frozen=True)
class ApplicationRow:
    """An application in a list or queue."""

    id: int
    number: str
    kind: str  # UseKind value
    kind_label: str
    state: str
    state_label: str
    applicant: str
    department: str
    unit: str
    outsider: bool
    purpose: str
    secrecy: str  # highest level label, "" when unclassified
    volumes: str  # 档号 list, shortened
    waiting_for: str  # open steps, each with the named people who may sign it (issue 21)
    created_at: datetime
    rejection_reason: str
    renewal: bool


@dataclass(frozen=True)
class ApplicationView:
    """An application with its volumes and signatures."""

    row: ApplicationRow
    reason: str
    credential: str  # 介绍信/工作证 label
    credential_number: str  # masked
    phone: str  # masked
    requested_from: date | None
    requested_until: date | None
    steps: tuple[str, ...]
    approvals: tuple[ApprovalLine, ...]
    volumes: tuple[ApplicationVolumeLine, ...]
    entered_by: str
    named_steps: tuple[str, ...] = ()  # the route with who may sign each step, by name


def named_open_steps(
    app: UseApplication,
    steps: list[rules.Step],
    approvals: Sequence[UseApproval],
    holders: Sequence[TitleHolder],
) -> tuple[str, ...]:
    """The steps still to sign, each with the people who may sign it.

    Never the applicant, whoever entered the application, or someone who signed it already
    (R34); for 部门负责人, the head of the applicant's department when there is one.
    """
    signed = {a.step for a in approvals if a.decision == "approve"}
    excluded = [app.applicant_user_id, app.created_by, *(a.approver_user_id for a in approvals)]
    return tuple(
        named_step(step, holders, excluded=excluded, department=app.department)
        for n, step in enumerate(steps)
        if n not in signed
    )


def application_row(
    uow: UnitOfWork,
    app: UseApplication,
    codes: list[str],
    approvals: list[UseApproval],
    reader: Any,
    holders: Sequence[TitleHolder] = (),
) -> ApplicationRow:
    """One application as a list row (its 档号 shortened, the steps still open).

    The level word shows only to a reader cleared for it ("受限" otherwise, issue 23).
    """
    steps = steps_of(app)
    signed = {a.step for a in approvals if a.decision == "approve"}
    state = ApplicationState(app.state)
    shown = "、".join(codes[:2]) + (f" 等 {len(codes)} 卷" if len(codes) > 2 else "")
    return ApplicationRow(
        id=app.id,
        number=app.number,
        kind=app.kind,
        kind_label=KIND_LABELS[UseKind(app.kind)],
        state=app.state,
        state_label=rules.APPLICATION_STATE_LABELS[state],
        applicant=app.applicant_name,
        department=app.department,
        unit=app.unit,
        outsider=app.outsider,
        purpose=app.purpose,
        secrecy=level_text(app.secrecy_level)
        if access.may_see(reader, app.secrecy_level)
        else access.RESTRICTED,
        volumes=shown,
        waiting_for=(
            "；".join(named_open_steps(app, steps, approvals, holders)) or "—"
            if holders
            else open_labels(steps, signed)
        )
        if state == ApplicationState.PENDING
        else "",
        created_at=app.created_at,
        rejection_reason=app.rejection_reason,
        renewal=app.renewal_of_loan_id is not None,
    )


def application_rows(
    uow: UnitOfWork, apps: Sequence[UseApplication], reader: Any
) -> list[ApplicationRow]:
    """Applications as list rows for ``reader`` (volumes and signatures in two queries)."""
    ids = [a.id for a in apps]
    codes: dict[int, list[str]] = {}
    approvals: dict[int, list[UseApproval]] = {}
    if ids:
        for app_id, code in uow.session.execute(
            select(UseApplicationVolume.application_id, Volume.reference_code)
            .join(Volume, Volume.id == UseApplicationVolume.volume_id)
            .where(UseApplicationVolume.application_id.in_(ids))
            .order_by(UseApplicationVolume.id)
        ):
            codes.setdefault(app_id, []).append(code)
        for approval in uow.session.scalars(
            select(UseApproval).where(UseApproval.application_id.in_(ids))
        ):
            approvals.setdefault(approval.application_id, []).append(approval)
    holders = (
        title_holders(uow) if any(a.state == ApplicationState.PENDING.value for a in apps) else []
    )
    return [
        application_row(uow, a, codes.get(a.id, []), approvals.get(a.id, []), reader, holders)
        for a in apps
    ]


def application_view(uow: UnitOfWork, reader: Any, app: UseApplication) -> ApplicationView:
    """``app`` with volumes (as ``reader``'s clearance allows), steps and signatures."""
    approvals = signed_steps(uow, app)
    steps = steps_of(app)
    issued = set(uow.session.scalars(select(Loan.volume_id).where(Loan.application_id == app.id)))
    lines = []
    for wanted, v in uow.session.execute(
        select(UseApplicationVolume, Volume)
        .join(Volume, Volume.id == UseApplicationVolume.volume_id)
        .where(UseApplicationVolume.application_id == app.id)
        .order_by(UseApplicationVolume.id)
    ):
        visible = access.may_see(reader, v.secrecy_level)
        lines.append(
            ApplicationVolumeLine(
                volume_id=v.id,
                reference_code=v.reference_code,
                title=v.title if visible else access.RESTRICTED,
                secrecy=volume_marking(v) if visible else access.RESTRICTED,
                item_count=v.item_count if visible else 0,
                page_count=v.page_count if visible else 0,
                items=wanted.items,
                pages=wanted.pages,
                copy_pages=wanted.page_count,
                copies=wanted.copies,
                state=v.state,
                issued=v.id in issued,
                restricted=not visible,
            )
        )
    entered = uow.session.get(UserAccount, app.created_by) if app.created_by else None
    credential = rules.CREDENTIAL_LABELS[Credential(app.credential)] if app.credential else ""
    return ApplicationView(
        row=application_rows(uow, [app], reader)[0],
        reason=app.reason,
        credential=credential,
        credential_number=mask_id_number(decrypt_field(uow, app, "credential_number")),
        phone=mask_phone(decrypt_field(uow, app, "phone")),
        requested_from=app.requested_from,
        requested_until=app.requested_until,
        steps=tuple(step_label(s) for s in steps),
        approvals=tuple(
            ApprovalLine(
                step=a.step,
                step_label=step_label(steps[a.step]) if a.step < len(steps) else "",
                approver=a.approver_name,
                title=TITLE_LABELS.get(ApproverTitle(a.approver_title), a.approver_title),
                decision=a.decision,
                opinion=a.opinion,
                decided_at=a.decided_at,
            )
            for a in approvals
        ),
        volumes=tuple(lines),
        entered_by=entered.display_name if entered else "",
        named_steps=named_route(
            uow, steps, excluded=[app.applicant_user_id, app.created_by], department=app.department
        ),
    )


@dataclass(frozen=True)
class LoanRow:
    """An open or closed register entry in a list."""

    id: int
    number: str
    kind_label: str
    reference_code: str
    title: str
    secrecy: str
    borrower: str
    department: str
    issued_on: date
    due_on: date
    returned_on: date | None
    overdue_days: int
    renewals: int
    reminders: int
    escalate_to: str  # the department head(s) told after N days overdue, "" before
    restricted: bool


def loan_rows(
    uow: UnitOfWork,
    reader: Any,
    rows: Sequence[Any],
    today: date,
    escalation_days: int,
) -> list[LoanRow]:
    """Register entries as list rows: clearance, days overdue, who is told after N days."""
    heads = department_heads(
        uow, [app.department for _l, _v, app in rows if not app.outsider and app.department]
    )
    out = []
    for loan, volume, app in rows:
        visible = access.may_see(reader, volume.secrecy_level)
        days = rules.overdue_days(loan.due_on, today) if loan.state == LoanState.OUT.value else 0
        escalate = ""
        if days >= escalation_days and days > 0:
            names = heads.get(app.department, []) if not app.outsider else []
            escalate = "、".join(names) or "部门负责人（未登记）"
        out.append(
            LoanRow(
                id=loan.id,
                number=loan.number,
                kind_label=KIND_LABELS[UseKind(loan.kind)],
                reference_code=volume.reference_code,
                title=volume.title if visible else access.RESTRICTED,
                secrecy=level_text(volume.secrecy_level) if visible else access.RESTRICTED,
                borrower=app.applicant_name,
                department=app.unit if app.outsider else app.department,
                issued_on=local_date(loan.issued_at) or today,
                due_on=loan.due_on,
                returned_on=local_date(loan.returned_at),
                overdue_days=days,
                renewals=loan.renewals,
                reminders=loan.reminders,
                escalate_to=escalate,
                restricted=not visible,
            )
        )
    return out
