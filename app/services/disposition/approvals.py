"""Approving a 销毁清册 (R44): the configured titles sign in order, never an appraiser or compiler.

Each step is signed by an approver holding its title; 机密/绝密 lists always end with the 总经理
(fixed at submission). Whoever appraised a listed volume or compiled the list may not approve it
(nobody approves their own work, R34's spirit); a rejection keeps its reason and frees the
volumes for another list.
"""

from __future__ import annotations

from sqlalchemy import select, update

from app.clock import Clock
from app.domain import disposition as rules
from app.domain.roles import TITLE_LABELS, ApproverTitle
from app.errors import DispositionRefused, FieldError, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import authorize, checked_text, fetch, signature
from app.services.disposition.reading import ListSummary, _counts, _summary, steps_of
from app.services.disposition.shared import list_changed
from app.storage.models import (
    AppraisalDecision,
    AppraisalMember,
    DestructionApproval,
    DestructionList,
    DestructionListVolume,
    UserAccount,
)
from app.storage.store import UnitOfWork

ListState = rules.ListState


def appraisers_of(uow: UnitOfWork, list_id: int) -> set[int]:
    """User ids of everyone who appraised a volume of the list (any 销毁 decision on it)."""
    listed = select(DestructionListVolume.volume_id).where(DestructionListVolume.list_id == list_id)
    return set(
        uow.session.scalars(
            select(AppraisalMember.user_id)
            .join(
                AppraisalDecision,
                AppraisalDecision.appraisal_id == AppraisalMember.appraisal_id,
            )
            .where(
                AppraisalDecision.volume_id.in_(listed),
                AppraisalDecision.decision == rules.Decision.DESTROY.value,
            )
            .distinct()
        )
    )


def _signed(uow: UnitOfWork, dl: DestructionList) -> list[DestructionApproval]:
    return list(
        uow.session.scalars(
            select(DestructionApproval)
            .where(DestructionApproval.list_id == dl.id, DestructionApproval.decision == "approve")
            .order_by(DestructionApproval.step)
        )
    )


def _decide_checks(
    uow: UnitOfWork, session: SignedIn, list_id: int
) -> tuple[DestructionList, UserAccount, ApproverTitle, int, list[str]]:
    """Every decision passes here: the approver, own work, the route, the state."""
    approver = authorize(uow, session.actor, "disposition.approve")
    dl = fetch(uow, DestructionList, list_id, "destruction_list")
    if approver.id == dl.compiled_by or approver.id in appraisers_of(uow, dl.id):
        raise DispositionRefused(reason="self_approval")
    if dl.state != ListState.PENDING.value:
        raise DispositionRefused(
            reason="list_closed", number=dl.number, state=ListState(dl.state).label
        )
    steps = steps_of(dl)
    signed = _signed(uow, dl)
    if any(a.approver_user_id == approver.id for a in signed):
        raise ValidationFailed([FieldError("destruction_list", "signed_already")])
    step = rules.next_step(steps, {a.step for a in signed})
    title = ApproverTitle(approver.approver_title) if approver.approver_title else None
    if step is None or title is None or steps[step] != title.value:
        needed = TITLE_LABELS[ApproverTitle(steps[step])] if step is not None else ""
        raise DispositionRefused(
            reason="approver_not_in_route",
            needed=needed,
            title=TITLE_LABELS[title] if title else "无职务",
        )
    return dl, approver, title, step, steps


def _sign(
    uow: UnitOfWork,
    dl: DestructionList,
    approver: UserAccount,
    title: ApproverTitle,
    step: int,
    decision: str,
    opinion: str,
    clock: Clock,
) -> None:
    uow.session.add(
        DestructionApproval(
            list_id=dl.id, **signature(approver, title.value, step, decision, opinion, clock.now())
        )
    )


def approve_list(*, session: SignedIn, list_id: int, opinion: str, clock: Clock) -> str:
    """Sign the approver's step; the last signature approves the list. Returns its state."""
    opinion = checked_text("opinion", opinion or "同意销毁", 500, required=False)
    with session.uow(clock) as uow:
        uow.claim_writes()
        dl, approver, title, step, steps = _decide_checks(uow, session, list_id)
        _sign(uow, dl, approver, title, step, "approve", opinion, clock)
        done = step == len(steps) - 1
        if done:
            dl.state = ListState.APPROVED.value
            dl.decided_at = clock.now()
        list_changed(
            uow,
            dl,
            "disposition.list_approve",
            step=TITLE_LABELS[title],
            final=done,
            opinion=opinion,
        )
        uow.commit()
        return dl.state


def reject_list(*, session: SignedIn, list_id: int, reason: str, clock: Clock) -> None:
    """Refuse a list; its reason is kept, and its volumes are free for another list."""
    reason = checked_text("reason", reason, 500, required=True)
    with session.uow(clock) as uow:
        uow.claim_writes()
        dl, approver, title, step, _steps = _decide_checks(uow, session, list_id)
        _sign(uow, dl, approver, title, step, "reject", reason, clock)
        dl.state = ListState.REJECTED.value
        dl.rejection_reason = reason
        dl.decided_at = clock.now()
        uow.session.execute(
            update(DestructionListVolume)
            .where(DestructionListVolume.list_id == dl.id)
            .values(open_volume_id=None)
        )
        list_changed(uow, dl, "disposition.list_reject", step=TITLE_LABELS[title], reason=reason)
        uow.commit()


def list_approval_queue(*, session: SignedIn, clock: Clock) -> list[ListSummary]:
    """Pending lists whose next step the signed-in approver may sign (never their own work)."""
    with session.uow(clock) as uow:
        approver = authorize(uow, session.actor, "disposition.approve")
        if not approver.approver_title:
            return []
        counts = _counts(uow)
        mine = []
        for dl in uow.session.scalars(
            select(DestructionList)
            .where(DestructionList.state == ListState.PENDING.value)
            .order_by(DestructionList.id)
        ):
            if approver.id == dl.compiled_by or approver.id in appraisers_of(uow, dl.id):
                continue
            steps = steps_of(dl)
            step = rules.next_step(steps, {a.step for a in _signed(uow, dl)})
            if step is not None and steps[step] == approver.approver_title:
                mine.append(_summary(uow, dl, counts))
        return mine
