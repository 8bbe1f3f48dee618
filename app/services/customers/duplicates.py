"""疑似重复 (R3): customers sharing a phone or bank account, flagged and cleared.

A pair is flagged once per reason; an approver other than whoever entered the data clears a flag
with a note.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from app.clock import Clock
from app.domain.customers import (
    Party,
)
from app.errors import FieldError, ValidationFailed
from app.security.masking import (
    mask_name,
)
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.customers.records import DuplicateHit
from app.storage.models import (
    AuditEntry,
    Customer,
    CustomerBankAccount,
    CustomerPhone,
    DuplicateFlag,
)
from app.storage.store import UnitOfWork


def flagged_pairs(uow: UnitOfWork, customer_id: int) -> set[tuple[int, str]]:
    """(other customer, reason) of every flag, open or cleared, involving ``customer_id``."""
    rows = uow.session.execute(
        select(
            DuplicateFlag.customer_id, DuplicateFlag.other_customer_id, DuplicateFlag.reason
        ).where(
            or_(
                DuplicateFlag.customer_id == customer_id,
                DuplicateFlag.other_customer_id == customer_id,
            )
        )
    ).all()
    return {(b if a == customer_id else a, reason) for a, b, reason in rows}


def refresh_duplicate_mark(uow: UnitOfWork, customer_id: int) -> None:
    """Set ``suspected_duplicate`` from whether an open flag still involves the customer."""
    still_open = uow.session.scalar(
        select(DuplicateFlag.id).where(
            DuplicateFlag.cleared_at.is_(None),
            or_(
                DuplicateFlag.customer_id == customer_id,
                DuplicateFlag.other_customer_id == customer_id,
            ),
        )
    )
    c = uow.session.get(Customer, customer_id)
    if c is not None:
        c.suspected_duplicate = still_open is not None


def find_duplicates(
    uow: UnitOfWork, customer: Customer, groups: tuple[str, ...] = ("phone", "bank_account")
) -> list[DuplicateHit]:
    """Flag other customers sharing a phone or bank account with ``customer`` (R3).

    A pair is unordered and flagged once per reason: a pair an approver already cleared is not
    raised again by a later edit.
    """
    hits: list[DuplicateHit] = []
    known = flagged_pairs(uow, customer.id)
    pairs = [
        (CustomerPhone, CustomerPhone.phone_bidx, "phone"),
        (CustomerBankAccount, CustomerBankAccount.account_bidx, "bank_account"),
    ]
    for model, column, reason in pairs:
        if reason not in groups:
            continue
        mine = select(column).where(model.customer_id == customer.id)  # type: ignore[attr-defined]
        rows = uow.session.execute(
            select(Customer.id, Customer.number)
            .join(model, model.customer_id == Customer.id)  # type: ignore[attr-defined]
            .where(column.in_(mine), Customer.id != customer.id)
            .distinct()
        ).all()
        for other_id, other_number in rows:
            if (other_id, reason) in known:
                continue
            hits.append(DuplicateHit(other_id, other_number, reason))
            uow.session.add(
                DuplicateFlag(
                    customer_id=customer.id,
                    other_customer_id=other_id,
                    reason=reason,
                    created_at=uow.clock.now(),
                )
            )
            other = uow.session.get(Customer, other_id)
            if other is not None:
                other.suspected_duplicate = True
    if hits:
        customer.suspected_duplicate = True
    return hits


@dataclass(frozen=True)
class DuplicateFlagRow:
    """One open 疑似重复 flag as the review queue shows it (names masked)."""

    id: int
    customer_id: int
    customer: str  # "KH… 张**"
    other_customer_id: int
    other: str
    reason: str
    created_at: datetime


def list_duplicate_flags(*, session: SignedIn, clock: Clock) -> list[DuplicateFlagRow]:
    """The review queue: open 疑似重复 flags, oldest first."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        flags = uow.session.scalars(
            select(DuplicateFlag)
            .where(DuplicateFlag.cleared_at.is_(None))
            .order_by(DuplicateFlag.id)
        ).all()
        ids = {f.customer_id for f in flags} | {f.other_customer_id for f in flags}
        shown = {
            c.id: f"{c.number} {mask_name(c.name) if c.party == Party.PERSON else c.name}"
            for c in uow.session.scalars(select(Customer).where(Customer.id.in_(ids)))
        }
        return [
            DuplicateFlagRow(
                f.id,
                f.customer_id,
                shown.get(f.customer_id, ""),
                f.other_customer_id,
                shown.get(f.other_customer_id, ""),
                f.reason,
                f.created_at,
            )
            for f in flags
        ]


def _imported_by(uow: UnitOfWork, user_id: int, customer_ids: tuple[int, ...]) -> bool:
    """True when one of ``customer_ids`` was written by a customer import of ``user_id``."""
    from app.storage.models import ImportBatch

    batches = uow.session.scalars(
        select(ImportBatch.spans).where(
            ImportBatch.kind == "customers", ImportBatch.created_by == user_id
        )
    )
    for spans in batches:
        span = json.loads(spans or "{}").get("customer")
        if span and any(int(span[0]) <= cid <= int(span[1]) for cid in customer_ids):
            return True
    return False


def clear_duplicate_flag(*, session: SignedIn, flag_id: int, note: str, clock: Clock) -> None:
    """An approver confirms two customers are distinct, with a note (R3); audited."""
    if not note.strip():
        raise ValidationFailed([FieldError("note", "required")])
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "duplicate.review")
        flag = uow.session.get(DuplicateFlag, flag_id)
        if flag is None or flag.cleared_at is not None:
            raise ValidationFailed([FieldError("flag", "not_found")])
        own = uow.session.scalar(
            select(AuditEntry.id).where(
                AuditEntry.actor_id == session.actor.user_id,
                AuditEntry.object_type == "customer",
                AuditEntry.object_id.in_([str(flag.customer_id), str(flag.other_customer_id)]),
                AuditEntry.action.in_(["customer.create", "customer.update"]),
            )
        )
        pair = (flag.customer_id, flag.other_customer_id)
        if own is not None or _imported_by(uow, session.actor.user_id, pair):
            # whoever entered, edited or imported the data does not confirm it (four-eyes,
            # R34 in spirit; issue 23: imports count as one's own action too)
            raise ValidationFailed([FieldError("flag", "own_entry")])
        flag.cleared_at = clock.now()
        flag.cleared_by = session.actor.user_id
        flag.note = note.strip()[:200]
        uow.session.flush()
        for cid in (flag.customer_id, flag.other_customer_id):
            refresh_duplicate_mark(uow, cid)
        uow.audit.record(
            "customer.duplicate_cleared",
            object_type="duplicate_flag",
            object_id=flag.id,
            details={
                "customers": [flag.customer_id, flag.other_customer_id],
                "reason": flag.reason,
                "note": flag.note,
            },
        )
        uow.commit()
