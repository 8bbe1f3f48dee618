"""Access reviews (定期审查访问权限): every N months each account is confirmed or changed.

The administrator starts a review; it copies every account with its roles, last
sign-in and agreement/training state at that moment into lines. Each line is decided: 确认
(access stays as is) or 需变更 (with a note saying what; the 安全保密员 changes roles through
the ordinary, confirmed account change). A review closes when every line is decided; the
auditor (or another administrator) verifies and closes it, never whoever decided every line
alone (two people look at it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from app.clock import Clock, as_utc
from app.domain.roles import ROLE_LABELS, TITLE_LABELS, ApproverTitle, Role
from app.domain.staff import review_due
from app.errors import FieldError, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import (
    authorize,
    checked_text,
    clean_text,
    fetch,
    local_today,
    next_yearly_number,
    record_numbered,
)
from app.services.compliance import load_policy, person_gaps
from app.storage.models import AccessReview, AccessReviewLine, StaffPerson, UserAccount

DECISIONS = {"confirmed": "确认", "changed": "需变更", "pending": "待审查"}


@dataclass(frozen=True)
class ReviewLine:
    """One account in a review."""

    id: int
    user_id: int
    username: str
    display_name: str
    roles: str
    disabled: bool
    last_sign_in_at: datetime | None
    compliance: str
    decision: str
    decision_label: str
    note: str
    decided_by: str


@dataclass(frozen=True)
class Review:
    """A review with its lines."""

    id: int
    number: str
    started_at: datetime
    started_by: str
    closed_at: datetime | None
    closed_by: str
    note: str
    lines: tuple[ReviewLine, ...]

    @property
    def open_lines(self) -> int:
        """Lines still to decide."""
        return sum(1 for line in self.lines if line.decision == "pending")


@dataclass(frozen=True)
class ReviewDue:
    """When the next review is due, and whether one is under way (home cards)."""

    due_on: date
    overdue: bool
    open_review_id: int | None
    last_closed_on: date | None


def _roles_text(user: UserAccount) -> str:
    roles = sorted((Role(r.role) for r in user.roles), key=list(Role).index)
    text = "、".join(ROLE_LABELS[r] for r in roles)
    if user.approver_title:
        text += f"（{TITLE_LABELS[ApproverTitle(user.approver_title)]}）"
    return text or "—"


def start_access_review(*, session: SignedIn, clock: Clock) -> int:
    """Open a review of every account as it is now; one review at a time."""
    today = local_today(clock)
    with session.uow(clock) as uow:
        uow.claim_writes()
        authorize(uow, session.actor, "access_review.run")
        if uow.session.scalar(select(AccessReview.id).where(AccessReview.closed_at.is_(None))):
            raise ValidationFailed([FieldError("review", "open")])
        policy = load_policy(uow.session)
        review = AccessReview(
            number=next_yearly_number(uow, "SC", today.year, digits=4),
            started_at=clock.now(),
            started_by=session.actor.user_id,
        )
        uow.session.add(review)
        uow.session.flush()
        people = {
            p.user_id: p
            for p in uow.session.scalars(
                select(StaffPerson).where(StaffPerson.user_id.is_not(None))
            )
        }
        count = 0
        for user in uow.session.scalars(select(UserAccount).order_by(UserAccount.username)):
            data = {r.role for r in user.roles} & {Role.ARCHIVIST.value, Role.APPROVER.value}
            gaps = (
                person_gaps(uow.session, people.get(user.id), today, policy, user_id=user.id)
                if data
                else []
            )
            compliance = "；".join(g.text for g in gaps) or ("正常" if data else "不涉及客户信息")
            uow.session.add(
                AccessReviewLine(
                    review_id=review.id,
                    user_id=user.id,
                    username=user.username,
                    display_name=user.display_name,
                    roles=_roles_text(user)[:200],
                    disabled=user.disabled,
                    last_sign_in_at=user.last_sign_in_at,
                    compliance=compliance,
                )
            )
            count += 1
        record_numbered(uow, "access_review.start", "access_review", review, accounts=count)
        uow.commit()
        return review.id


def decide_review_line(
    *, session: SignedIn, line_id: int, decision: str, clock: Clock, note: str = ""
) -> None:
    """Confirm a line, or mark it 需变更 with a note saying what must change."""
    errors: list[FieldError] = []
    note = clean_text(errors, "note", note, 500, required=decision == "changed")
    if decision not in ("confirmed", "changed"):
        errors.append(FieldError("decision", "required"))
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "access_review.run")
        line = fetch(uow, AccessReviewLine, line_id, "review_line")
        review = uow.session.get(AccessReview, line.review_id)
        if review is None or review.closed_at is not None:
            raise ValidationFailed([FieldError("review", "closed")])
        line.decision, line.note = decision, note
        line.decided_by, line.decided_at = session.actor.user_id, clock.now()
        uow.audit.record(
            "access_review.decide",
            object_type="access_review",
            object_id=review.id,
            details={"user": line.user_id, "decision": decision},
        )
        uow.commit()


def close_access_review(*, session: SignedIn, review_id: int, clock: Clock, note: str = "") -> None:
    """Close a review once every line is decided (by a second person if one decided all)."""
    note = checked_text("note", note, 500, required=False)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "access_review.verify")
        review = fetch(uow, AccessReview, review_id, "review")
        if review.closed_at is not None:
            raise ValidationFailed([FieldError("review", "closed")])
        lines = list(
            uow.session.scalars(
                select(AccessReviewLine).where(AccessReviewLine.review_id == review.id)
            )
        )
        if any(line.decision == "pending" for line in lines):
            raise ValidationFailed([FieldError("review", "undecided")])
        deciders = {line.decided_by for line in lines}
        if deciders == {session.actor.user_id}:
            raise ValidationFailed([FieldError("review", "decided_alone")])
        review.closed_at, review.closed_by, review.note = clock.now(), session.actor.user_id, note
        record_numbered(
            uow,
            "access_review.close",
            "access_review",
            review,
            confirmed=sum(1 for line in lines if line.decision == "confirmed"),
            changed=sum(1 for line in lines if line.decision == "changed"),
        )
        uow.commit()


def get_access_review(*, session: SignedIn, review_id: int, clock: Clock) -> Review:
    """A review with its lines (accounts by user name)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "access_review.verify")
        review = fetch(uow, AccessReview, review_id, "review")
        names = dict(uow.session.execute(select(UserAccount.id, UserAccount.display_name)).all())
        lines = tuple(
            ReviewLine(
                line.id,
                line.user_id,
                line.username,
                line.display_name,
                line.roles,
                line.disabled,
                as_utc(line.last_sign_in_at) if line.last_sign_in_at else None,
                line.compliance,
                line.decision,
                DECISIONS.get(line.decision, line.decision),
                line.note,
                names.get(line.decided_by or -1, ""),
            )
            for line in uow.session.scalars(
                select(AccessReviewLine)
                .where(AccessReviewLine.review_id == review.id)
                .order_by(AccessReviewLine.username)
            )
        )
        return Review(
            review.id,
            review.number,
            as_utc(review.started_at),
            names.get(review.started_by, ""),
            as_utc(review.closed_at) if review.closed_at else None,
            names.get(review.closed_by or -1, ""),
            review.note,
            lines,
        )


def list_access_reviews(*, session: SignedIn, clock: Clock) -> list[Review]:
    """Every review, newest first."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "access_review.verify")
        ids = list(uow.session.scalars(select(AccessReview.id).order_by(AccessReview.id.desc())))
    return [get_access_review(session=session, review_id=i, clock=clock) for i in ids]


def get_review_due(*, session: SignedIn, clock: Clock) -> ReviewDue:
    """The next review's due date: N months after the last closed one (or after setup)."""
    today = local_today(clock)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "access_review.verify")
        policy = load_policy(uow.session)
        last = uow.session.scalar(select(func.max(AccessReview.closed_at)))
        open_id = uow.session.scalar(
            select(AccessReview.id).where(AccessReview.closed_at.is_(None))
        )
        first = uow.session.scalar(select(func.min(UserAccount.created_at)))
    last_day = as_utc(last).astimezone().date() if last else None
    since = as_utc(first).astimezone().date() if first else today
    due = review_due(last_day, since, policy)
    return ReviewDue(due, today > due, open_id, last_day)
