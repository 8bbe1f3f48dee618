"""A customer's own requests (查询/更正/删除): a register with deadlines (R8, PIPL).

Each request is numbered (CX…), its deadline is the received date plus the configured days
(15 by default); an answered date closes it. Open requests past their deadline are overdue and
counted on the home screen. Corrections go through the normal customer edit with the request
number as the purpose.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from app.clock import Clock
from app.domain import privacy as rules
from app.errors import FieldError, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import (
    authorize,
    checked_text,
    fetch,
    local_today,
    next_yearly_number,
    record_numbered,
)
from app.services.customers.stored import load_customer
from app.services.privacy.settings import privacy_settings
from app.storage.models import Customer, DataProvision, SubjectRequest
from app.storage.store import UnitOfWork


@dataclass(frozen=True)
class SubjectRow:
    """A customer's request as listed."""

    id: int
    number: str
    customer_id: int | None
    customer_number: str
    kind: str
    received_on: date
    due_on: date
    answered_on: date | None
    answer: str
    overdue: bool


def add_customer_record(
    uow: UnitOfWork,
    row: SubjectRequest | DataProvision,
    action: str,
    customer: Customer,
    details: Mapping[str, Any],
    *,
    purpose: str | None = None,
) -> None:
    """Insert ``row``, a numbered record about ``customer``, and audit it in their history.

    The entry names the record's number and the customer's number first (CX…, TG…).
    """
    uow.session.add(row)
    uow.session.flush()
    uow.audit.record(
        action,
        object_type="customer",
        object_id=customer.id,
        purpose=purpose,
        details={"number": row.number, "customer": customer.number, **details},
    )


def _row(r: SubjectRequest, today: date) -> SubjectRow:
    return SubjectRow(
        id=r.id,
        number=r.number,
        customer_id=r.customer_id,
        customer_number=r.customer_number,
        kind=r.kind,
        received_on=r.received_on,
        due_on=r.due_on,
        answered_on=r.answered_on,
        answer=r.answer,
        overdue=r.answered_on is None and r.due_on < today,
    )


def record_subject_request(
    *,
    session: SignedIn,
    customer_id: int,
    kind: str,
    clock: Clock,
    received_on: date | None = None,
) -> str:
    """Register a customer's request; returns its number. The deadline follows the settings."""
    today = local_today(clock)
    received = received_on or today
    if kind not in {k.value for k in rules.SubjectKind}:
        raise ValidationFailed([FieldError("kind", "required")])
    if received > today:
        raise ValidationFailed([FieldError("received_on", "future")])
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "subject.request")
        c = load_customer(uow, customer_id)
        days = privacy_settings(uow).answer_days
        number = next_yearly_number(uow, "CX", today.year, digits=4)
        row = SubjectRequest(
            number=number,
            customer_id=c.id,
            customer_number=c.number,
            kind=kind,
            received_on=received,
            due_on=received + timedelta(days=days),
            answer="",
            created_by=session.actor.user_id,
            created_at=clock.now(),
        )
        add_customer_record(
            uow, row, "subject.request", c, {"kind": kind, "due_on": row.due_on.isoformat()}
        )
        uow.commit()
        return number


def answer_subject_request(
    *, session: SignedIn, request_id: int, answer: str, clock: Clock
) -> None:
    """Record the answer and its date; the request leaves the open list."""
    text = checked_text("answer", answer, 2000, required=True)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "subject.request")
        row = fetch(uow, SubjectRequest, request_id, "request")
        if row.answered_on is not None:
            raise ValidationFailed([FieldError("request", "already_answered")])
        row.answered_on = local_today(clock)
        row.answer = text
        record_numbered(
            uow,
            "subject.answer",
            "subject_request",
            row,
            customer=row.customer_number,
            answered_on=row.answered_on.isoformat(),
            late=row.answered_on > row.due_on,
        )
        uow.commit()


def list_subject_requests(
    *, session: SignedIn, clock: Clock, open_only: bool = False, customer_id: int | None = None
) -> list[SubjectRow]:
    """Customers' requests, the earliest deadline first."""
    today = local_today(clock)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "privacy.read")
        stmt = select(SubjectRequest).order_by(SubjectRequest.due_on, SubjectRequest.id)
        if open_only:
            stmt = stmt.where(SubjectRequest.answered_on.is_(None))
        if customer_id is not None:
            stmt = stmt.where(SubjectRequest.customer_id == customer_id)
        return [_row(r, today) for r in uow.session.scalars(stmt)]


def count_overdue_subject_requests(*, session: SignedIn, clock: Clock) -> int:
    """Open requests past their deadline (the home screen's card)."""
    today = local_today(clock)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "privacy.read")
        return int(
            uow.session.scalar(
                select(func.count()).where(
                    SubjectRequest.answered_on.is_(None), SubjectRequest.due_on < today
                )
            )
            or 0
        )
