"""快速借出 (issue 21): a staff loan whose route is one step, approved at the desk, in one go.

The desk scans the volume(s), names the borrower and confirms; the approver who holds the
route's single step signs in at the desk (the 审批人登录 path) and the application is filed,
approved and issued at once, and the slip printed. Nothing here bypasses a rule: the route comes
from the routing table by kind and the material's highest level (R31, R32), the application is
filed by :func:`file_application`, signed by :func:`approve_application` under the approver's
own session (who may never approve what they asked for or entered, R34, nor sign a step their
title does not hold) and each volume issued by :func:`issue_loan` (never one already out, R34).
Routes of more than one step go through the ordinary 登记申请 path.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.clock import Clock
from app.domain import loans as rules
from app.domain.catalogue import VolumeState
from app.domain.loans import LoanState, UseKind
from app.domain.roles import TITLE_LABELS, ApproverTitle, Role
from app.errors import (
    ApproverNotInRoute,
    FieldError,
    SelfApprovalRefused,
    ValidationFailed,
    VolumeAlreadyOut,
)
from app.security import access
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize
from app.services.loans.applications import ApplicationDraft, file_application
from app.services.loans.approvals import approve_application
from app.services.loans.issue import LoanIssued, issue_loan
from app.services.loans.settings import loan_settings
from app.services.loans.shared import level_rank, step_label
from app.services.loans.staff import named_route
from app.storage.models import Loan, StaffDepartment, UserAccount, Volume
from app.storage.store import UnitOfWork


@dataclass(frozen=True)
class ApproverChoice:
    """A named person who may sign the route's step (never the operator or the borrower)."""

    user_id: int
    username: str
    display_name: str
    title: str  # 职务, as shown


@dataclass(frozen=True)
class QuickLoanPlan:
    """What a quick loan needs: its route, and who may sign it at the desk."""

    steps: tuple[str, ...]  # the route: each step with who may sign it, by name
    single_step: bool  # one step: the desk may complete it with the approver present
    approvers: tuple[ApproverChoice, ...]  # who holds that step's titles


@dataclass(frozen=True)
class QuickLoanDone:
    """A quick loan made: the application and the register entries (one per volume)."""

    application_id: int
    application_number: str
    loans: tuple[LoanIssued, ...]


def _route(uow: UnitOfWork, session: SignedIn, draft: ApplicationDraft) -> list[rules.Step]:
    """The route the application will take; volumes that cannot go out are refused first."""
    operator = actor_from_row(authorize(uow, session.actor, "loan.write", releases=True))
    try:
        kind = UseKind(draft.kind)
    except ValueError:
        raise ValidationFailed([FieldError("use_kind", "required")]) from None
    if not draft.volumes:
        raise ValidationFailed([FieldError("volumes", "no_volumes")])
    levels: list[str | None] = []
    for n, wanted in enumerate(draft.volumes):
        volume = uow.session.get(Volume, wanted.volume_id)
        if volume is None:
            raise ValidationFailed([FieldError(f"volumes.{n}", "not_found")])
        if not access.may_see(operator, volume.secrecy_level):
            raise ValidationFailed([FieldError(f"volumes.{n}", "no_clearance")])
        out = uow.session.scalar(
            select(Loan.number).where(
                Loan.volume_id == volume.id, Loan.state == LoanState.OUT.value
            )
        )
        if out is not None or volume.state == VolumeState.ON_LOAN.value:
            raise VolumeAlreadyOut(
                reference_code=volume.reference_code, state="借出", loan=out or "—"
            )
        if volume.state == VolumeState.IN_REPAIR.value:
            raise VolumeAlreadyOut(reference_code=volume.reference_code, state="在修", loan="—")
        levels.append(volume.secrecy_level)
    top = max(levels, key=level_rank, default=None)
    return list(rules.route(loan_settings(uow).routing, kind, top))


def _choices(
    uow: UnitOfWork, step: rules.Step, excluded: set[int | None]
) -> tuple[ApproverChoice, ...]:
    users = uow.session.scalars(
        select(UserAccount)
        .where(
            UserAccount.disabled.is_(False),
            UserAccount.approver_title.in_([t.value for t in step]),
        )
        .order_by(UserAccount.display_name)
    )
    return tuple(
        ApproverChoice(
            u.id,
            u.username,
            u.display_name,
            TITLE_LABELS[ApproverTitle(u.approver_title)] if u.approver_title else "",
        )
        for u in users
        if u.id not in excluded and Role.APPROVER.value in {r.role for r in u.roles}
    )


def plan_quick_loan(*, session: SignedIn, draft: ApplicationDraft, clock: Clock) -> QuickLoanPlan:
    """The route of a quick loan and the named approvers who may sign it at the desk.

    Refuses volumes already out or in repair; writes nothing.
    """
    with session.uow(clock) as uow:
        steps = _route(uow, session, draft)
        excluded = {session.actor.user_id, draft.applicant_user_id}
        approvers = _choices(uow, steps[0], excluded) if len(steps) == 1 else ()
        applicant = uow.session.get(StaffDepartment, draft.applicant_user_id or 0)
        named = named_route(
            uow,
            steps,
            excluded=sorted(i for i in excluded if i is not None),
            department=applicant.department if applicant else draft.department,
        )
        return QuickLoanPlan(named, len(steps) == 1, approvers)


def quick_loan(
    *,
    session: SignedIn,
    approver: SignedIn,
    draft: ApplicationDraft,
    clock: Clock,
    opinion: str = "同意",
) -> QuickLoanDone:
    """File, approve (by ``approver``, signed in at the desk) and issue a one-step loan.

    Checked before anything is written: the route has one step, the approver holds its title
    and is neither the operator nor the borrower (R34), and no volume is out. Each part is then
    the ordinary service with its own audit entry (loan.apply, loan.approve, loan.issue).
    """
    with session.uow(clock) as uow:
        steps = _route(uow, session, draft)
    if len(steps) != 1:
        route = " → ".join(step_label(s) for s in steps)
        raise ValidationFailed([FieldError("route", "quick_loan_route", {"route": route})])
    who = approver.actor
    if who.user_id in (session.actor.user_id, draft.applicant_user_id):
        raise SelfApprovalRefused()
    with approver.uow(clock) as uow:
        row = authorize(uow, who, "loan.approve")
        title = ApproverTitle(row.approver_title) if row.approver_title else None
    if title is None or title not in steps[0]:
        raise ApproverNotInRoute(
            title=TITLE_LABELS[title] if title else "无职务", needed=step_label(steps[0])
        )
    saved = file_application(session=session, draft=draft, clock=clock)
    approve_application(
        session=approver, application_id=saved.application_id, opinion=opinion, clock=clock
    )
    issued = tuple(
        issue_loan(
            session=session,
            application_id=saved.application_id,
            volume_id=wanted.volume_id,
            clock=clock,
        )
        for wanted in draft.volumes
    )
    return QuickLoanDone(saved.application_id, saved.number, issued)
