"""Deletion and anonymisation requests (R8): requested, approved by someone else, carried out.

A request names the customer and the reason (客户要求 / 存储期限届满 / 撤回同意). Its outcome
follows from the customer's archives: **delete** when they have no volumes, **anonymise** while
volumes must be kept (checked again when it is carried out). A configured approver decides —
never the requester (R34's rule applied to R8) — and a customer on hold is refused at every
step, the hold named (R46). Carrying it out is one transaction with its audit entry; the key is
destroyed before the commit, so no copy of the database or backup can open the values again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.clock import Clock
from app.domain import privacy as rules
from app.domain.customers import Party
from app.domain.roles import TITLE_LABELS, ApproverTitle
from app.errors import ApproverNotInRoute, FieldError, SelfApprovalRefused, ValidationFailed
from app.security.masking import mask_name
from app.services.auth import SignedIn
from app.services.common import add_recorded, authorize, fetch, local_today, next_yearly_number
from app.services.customers.erasure import remove_customer
from app.services.customers.stored import load_customer
from app.services.privacy.anonymise import (
    anonymise_customer,
    check_anonymisable,
    has_files,
    has_volumes,
)
from app.services.privacy.holds import refuse_if_held
from app.services.privacy.periods import OPEN_STATES, storage_ends
from app.services.privacy.settings import privacy_settings
from app.storage.models import Customer, ErasureRequest, UserAccount
from app.storage.store import UnitOfWork


@dataclass(frozen=True)
class ErasureRow:
    """A request as the lists show it."""

    id: int
    number: str
    customer_id: int | None
    customer_number: str
    customer_name: str  # masked; the pseudonym once anonymised; "" once deleted
    reason: str
    note: str
    outcome: str
    state: str
    requested_by: str
    requested_at: datetime
    decided_by: str
    decided_at: datetime | None
    decision_note: str
    done_at: datetime | None


def _names(uow: UnitOfWork, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = uow.session.execute(
        select(UserAccount.id, UserAccount.display_name).where(UserAccount.id.in_(ids))
    )
    return {int(i): str(n) for i, n in rows}


def _row(r: ErasureRequest, c: Customer | None, names: dict[int, str]) -> ErasureRow:
    name = ""
    if c is not None:
        name = mask_name(c.name) if c.party == Party.PERSON and not c.anonymised_at else c.name
    return ErasureRow(
        id=r.id,
        number=r.number,
        customer_id=r.customer_id,
        customer_number=r.customer_number,
        customer_name=name,
        reason=r.reason,
        note=r.note,
        outcome=r.outcome,
        state=r.state,
        requested_by=names.get(r.requested_by, ""),
        requested_at=r.requested_at,
        decided_by=names.get(r.decided_by, "") if r.decided_by else "",
        decided_at=r.decided_at,
        decision_note=r.decision_note,
        done_at=r.done_at,
    )


def request_erasure(
    *, session: SignedIn, customer_id: int, reason: str, clock: Clock, note: str = ""
) -> str:
    """File a deletion or anonymisation request for a customer; returns its number (SC…)."""
    today = local_today(clock)
    if reason not in {r.value for r in rules.RequestReason}:
        raise ValidationFailed([FieldError("reason", "required")])
    if len(note.strip()) > 200:
        raise ValidationFailed([FieldError("note", "too_long", {"max": 200})])
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "erasure.request")
        c = load_customer(uow, customer_id)
        if c.anonymised_at is not None:
            raise ValidationFailed([FieldError("customer", "already_anonymised")])
        refuse_if_held(uow, c.id)
        open_one = uow.session.scalar(
            select(ErasureRequest.number).where(
                ErasureRequest.customer_id == c.id, ErasureRequest.state.in_(OPEN_STATES)
            )
        )
        if open_one is not None:
            raise ValidationFailed(
                [FieldError("customer", "has_open_request", {"number": open_one})]
            )
        if reason == rules.RequestReason.PERIOD_ENDED:
            end = storage_ends(uow, [c], privacy_settings(uow).lost_years)[c.id]
            if end.ends is None or end.ends >= today:
                shown = end.ends.isoformat() if end.ends else "未确定"
                raise ValidationFailed([FieldError("reason", "not_due", {"ends": shown})])
        outcome = rules.Outcome.ANONYMISE if has_volumes(uow, c.id) else rules.Outcome.DELETE
        if outcome == rules.Outcome.ANONYMISE:
            check_anonymisable(uow, c)
        now = clock.now()
        number = next_yearly_number(uow, "SC", today.year, digits=4)
        row = ErasureRequest(
            number=number,
            customer_id=c.id,
            customer_number=c.number,
            reason=reason,
            note=note.strip(),
            outcome=outcome.value,
            state=rules.RequestState.PENDING.value,
            requested_by=session.actor.user_id,
            requested_at=now,
            decision_note="",
        )
        add_recorded(
            uow,
            row,
            "erasure.request",
            object_type="erasure_request",
            purpose=note.strip()[:200] or None,
            details={
                "number": number,
                "customer": c.number,
                "reason": reason,
                "outcome": outcome.value,
            },
        )
        uow.commit()
        return number


def _load(uow: UnitOfWork, request_id: int) -> ErasureRequest:
    return fetch(uow, ErasureRequest, request_id, "request")


def _state_error(row: ErasureRequest) -> ValidationFailed:
    label = rules.STATE_LABELS.get(rules.RequestState(row.state), row.state)
    return ValidationFailed([FieldError("request", "request_state", {"state": label})])


def decide_erasure(
    *, session: SignedIn, request_id: int, approve: bool, clock: Clock, note: str = ""
) -> None:
    """Approve or refuse a request: a configured approver, never the requester (R8, R34)."""
    if not approve and not note.strip():
        raise ValidationFailed([FieldError("note", "required")])
    with session.uow(clock) as uow:
        user = authorize(uow, session.actor, "erasure.approve")
        row = _load(uow, request_id)
        if row.state != rules.RequestState.PENDING:
            raise _state_error(row)
        if row.requested_by == user.id:
            raise SelfApprovalRefused()
        titles = privacy_settings(uow).approver_titles
        if user.approver_title not in titles:
            own = (
                TITLE_LABELS.get(ApproverTitle(user.approver_title), "")
                if user.approver_title
                else "—"
            )
            needed = "、".join(TITLE_LABELS[ApproverTitle(t)] for t in titles)
            raise ApproverNotInRoute(title=own or "—", needed=needed)
        if approve and row.customer_id is not None:
            refuse_if_held(uow, row.customer_id)
        now = clock.now()
        row.state = (rules.RequestState.APPROVED if approve else rules.RequestState.REFUSED).value
        row.decided_by = user.id
        row.decided_at = now
        row.decision_note = note.strip()[:200]
        uow.audit.record(
            "erasure.approve" if approve else "erasure.refuse",
            object_type="erasure_request",
            object_id=row.id,
            purpose=note.strip()[:200] or None,
            details={"number": row.number, "customer": row.customer_number},
        )
        uow.commit()


def carry_out_erasure(*, session: SignedIn, request_id: int, clock: Clock) -> str:
    """Delete or anonymise the customer of an approved request; returns the outcome done.

    The outcome is checked again: a customer who has volumes by now is anonymised, never
    deleted (their archives leave only through destruction, R44).
    """
    store = session.store
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "erasure.execute")
        row = _load(uow, request_id)
        if row.state != rules.RequestState.APPROVED or row.customer_id is None:
            raise _state_error(row)
        c = load_customer(uow, row.customer_id)
        refuse_if_held(uow, c.id)
        outcome = rules.Outcome.ANONYMISE if has_volumes(uow, c.id) else rules.Outcome.DELETE
        now = clock.now()
        row.state = rules.RequestState.DONE.value
        row.outcome = outcome.value
        row.done_by = session.actor.user_id
        row.done_at = now
        uow.audit.record(
            "erasure.delete" if outcome == rules.Outcome.DELETE else "erasure.anonymise",
            object_type="customer",
            object_id=c.id,
            purpose=rules.REASON_LABELS[rules.RequestReason(row.reason)],
            details={
                "number": c.number,
                "request": row.number,
                "key_id": c.key_id,
                "files": has_files(uow, c.id),
            },
        )
        if outcome == rules.Outcome.DELETE:
            remove_customer(uow, store, c)
            uow.commit()
            return outcome.value
        resealed = anonymise_customer(uow, store, c)
        try:
            uow.commit()
        except BaseException:
            resealed.after_failure(store)
            raise
        resealed.after_commit(store)
        return outcome.value


def list_erasure_requests(
    *, session: SignedIn, clock: Clock, open_only: bool = False, customer_id: int | None = None
) -> list[ErasureRow]:
    """Erasure requests, newest first (open ones only, or one customer's, when asked)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "privacy.read")
        stmt = select(ErasureRequest).order_by(ErasureRequest.id.desc())
        if open_only:
            stmt = stmt.where(ErasureRequest.state.in_(OPEN_STATES))
        if customer_id is not None:
            stmt = stmt.where(ErasureRequest.customer_id == customer_id)
        rows = list(uow.session.scalars(stmt))
        people = {r.requested_by for r in rows} | {r.decided_by for r in rows if r.decided_by}
        names = _names(uow, people)
        customers = {
            c.id: c
            for c in uow.session.scalars(
                select(Customer).where(
                    Customer.id.in_({r.customer_id for r in rows if r.customer_id})
                )
            )
        }
        return [_row(r, customers.get(r.customer_id or 0), names) for r in rows]
