"""Approvals (R31, R34): approvers sign one step each; nobody decides what they made or entered.

Only a title of an open step may sign it; the last signature approves the application, and a
rejection keeps its reason.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.clock import Clock
from app.domain import loans as rules
from app.domain.loans import ApplicationState
from app.domain.roles import TITLE_LABELS, ApproverTitle
from app.errors import ApproverNotInRoute, FieldError, SelfApprovalRefused, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import (
    actor_from_row,
    authorize,
    checked_text,
    fetch,
    record_numbered,
    signature,
)
from app.services.loans.renewals import renew
from app.services.loans.rows import ApplicationRow, application_rows
from app.services.loans.shared import local_today, open_labels, signed_steps, step_label, steps_of
from app.storage.models import UseApplication, UseApproval, UserAccount
from app.storage.store import UnitOfWork


def _decide_checks(
    uow: UnitOfWork, session: SignedIn, application_id: int
) -> tuple[UseApplication, UserAccount, ApproverTitle, int, list[rules.Step]]:
    """Every path to a decision passes here: the approver, R34, and the route."""
    approver = authorize(uow, session.actor, "loan.approve")
    app = fetch(uow, UseApplication, application_id, "application")
    # R34: never one's own application, nor one entered by oneself (checked before anything else)
    if approver.id in (app.applicant_user_id, app.created_by):
        raise SelfApprovalRefused()
    if app.state != ApplicationState.PENDING.value:
        raise ValidationFailed([FieldError("application", "decided")])
    steps = steps_of(app)
    approvals = signed_steps(uow, app)
    signed = {a.step for a in approvals}
    title = ApproverTitle(approver.approver_title) if approver.approver_title else None
    if any(a.approver_user_id == approver.id for a in approvals):
        raise ValidationFailed([FieldError("application", "signed_already")])
    step = rules.open_step(steps, signed, title) if title is not None else None
    if title is None or step is None:
        raise ApproverNotInRoute(
            title=TITLE_LABELS[title] if title else "无职务",
            needed=open_labels(steps, signed),
        )
    return app, approver, title, step, steps


def _sign_step(
    uow: UnitOfWork,
    session: SignedIn,
    application_id: int,
    decision: str,
    opinion: str,
    now: datetime,
) -> tuple[UseApplication, ApproverTitle, int, list[rules.Step]]:
    """Record the approver's decision on their open step of the route, once it passes the checks."""
    app, approver, title, step, steps = _decide_checks(uow, session, application_id)
    uow.session.add(
        UseApproval(
            application_id=app.id, **signature(approver, title.value, step, decision, opinion, now)
        )
    )
    return app, title, step, steps


def approve_application(
    *, session: SignedIn, application_id: int, opinion: str, clock: Clock
) -> str:
    """Sign the approver's step; the last signature approves the application. Returns its state.

    A renewal's approval moves the loan's due date on by one loan period (R32).
    """
    opinion = checked_text("opinion", opinion or "同意", 500, required=False)
    with session.uow(clock) as uow:
        uow.claim_writes()
        now = clock.now()
        app, title, step, steps = _sign_step(uow, session, application_id, "approve", opinion, now)
        signed = {a.step for a in signed_steps(uow, app)} | {step}
        done = len(signed) == len(steps)
        extended: str | None = None
        if done:
            app.state = ApplicationState.APPROVED.value
            app.decided_at = now
            if app.renewal_of_loan_id is not None:
                extended = renew(uow, app, local_today(clock))
        app.version += 1
        record_numbered(
            uow,
            "loan.approve",
            "use_application",
            app,
            step=step_label(steps[step]),
            title=title.value,
            final=done,
            renewed_until=extended,
        )
        uow.commit()
        return app.state


def reject_application(
    *, session: SignedIn, application_id: int, reason: str, clock: Clock
) -> None:
    """Refuse an application; the reason is kept and shown with it (R30)."""
    reason = checked_text("reason", reason, 500, required=True)
    with session.uow(clock) as uow:
        uow.claim_writes()
        now = clock.now()
        app, _title, step, steps = _sign_step(uow, session, application_id, "reject", reason, now)
        app.state = ApplicationState.REJECTED.value
        app.rejection_reason = reason
        app.decided_at = now
        app.version += 1
        record_numbered(
            uow, "loan.reject", "use_application", app, step=step_label(steps[step]), reason=reason
        )
        uow.commit()


def approval_queue(*, session: SignedIn, clock: Clock) -> list[ApplicationRow]:
    """Pending applications the signed-in approver may sign now (never their own), oldest first."""
    with session.uow(clock) as uow:
        approver = authorize(uow, session.actor, "loan.approve")
        title = ApproverTitle(approver.approver_title) if approver.approver_title else None
        if title is None:
            return []
        pending = list(
            uow.session.scalars(
                select(UseApplication)
                .where(UseApplication.state == ApplicationState.PENDING.value)
                .order_by(UseApplication.id)
            )
        )
        mine: list[UseApplication] = []
        for app in pending:
            if approver.id in (app.applicant_user_id, app.created_by):
                continue
            approvals = signed_steps(uow, app)
            if any(a.approver_user_id == approver.id for a in approvals):
                continue
            if rules.open_step(steps_of(app), {a.step for a in approvals}, title) is not None:
                mine.append(app)
        return application_rows(uow, mine, actor_from_row(approver))
