"""A customer's status with its dated history (潜在/在册/流失) and the history tab (audit trail)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from app.clock import Clock
from app.domain.customers import (
    LABELS,
    Status,
)
from app.errors import FieldError, ValidationFailed
from app.services.audit.labels import action_label, changed_fields_text
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.customers.stored import check_version, load_customer
from app.storage.models import (
    AuditEntry,
    CustomerStatusChange,
)


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a customer's history tab."""

    at: datetime
    who: str
    action: str
    summary: str


def change_customer_status(
    *,
    session: SignedIn,
    customer_id: int,
    status: str,
    note: str,
    expected_version: int,
    clock: Clock,
) -> int:
    """Move a customer between 潜在/在册/流失 with a dated history entry; return the new version."""
    if status not in {s.value for s in Status}:
        raise ValidationFailed([FieldError("status", "required")])
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.write")
        c = load_customer(uow, customer_id)
        check_version(uow, c, expected_version, clock)
        if c.status == status:
            return c.version
        if status == Status.REGISTERED and c.id_number_enc is None:
            raise ValidationFailed([FieldError("id_number", "required_registered")])
        old = c.status
        now = clock.now()
        c.status = status
        c.updated_at = now
        c.version += 1
        uow.session.add(
            CustomerStatusChange(
                customer_id=c.id,
                old_status=old,
                new_status=status,
                changed_at=now,
                changed_by=session.actor.user_id,
                note=note.strip()[:200],
            )
        )
        uow.audit.record(
            "customer.status",
            object_type="customer",
            object_id=c.id,
            details={"status": {"before": old, "after": status}, "note": note.strip()[:200]},
        )
        uow.commit()
        return c.version


def _status_label(code: object) -> str:
    try:
        return LABELS[Status(str(code))]
    except (ValueError, KeyError):
        return str(code)


def customer_history(*, session: SignedIn, customer_id: int, clock: Clock) -> list[HistoryEntry]:
    """Everything recorded about a customer, newest first (from the audit trail)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        c = load_customer(uow, customer_id)
        entries = uow.session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.object_type == "customer",
                AuditEntry.object_id == str(c.id),
            )
            .order_by(AuditEntry.id.desc())
        ).all()
        flags = uow.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "customer.duplicate_cleared")
            .where(
                or_(AuditEntry.details.like(f"%[{c.id},%"), AuditEntry.details.like(f"%,{c.id}]%"))
            )
        ).all()
        out = []
        for e in sorted([*entries, *flags], key=lambda e: e.id, reverse=True):
            details = json.loads(e.details or "{}")
            summary = ""
            if e.action == "customer.status":
                status = details.get("status", {})
                before, after = (_status_label(status.get(k)) for k in ("before", "after"))
                summary = f"{before} → {after} {details.get('note', '')}"
            elif e.action == "customer.update":
                summary = changed_fields_text(e.details)
            elif e.action == "customer.reveal":
                summary = e.purpose or ""
            elif e.action == "customer.duplicate_cleared":
                summary = str(details.get("note", ""))
            out.append(HistoryEntry(e.occurred_at, e.actor_name, action_label(e.action), summary))
        return out
