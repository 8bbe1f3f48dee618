"""Managing a customer's consent entries (R4): add, withdraw a purpose, list, open the form.

A withdrawal takes effect the day it is recorded: every later use for that purpose is refused
by ``customers.consents.require_purpose``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.clock import Clock
from app.domain import privacy as rules
from app.errors import FieldError, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import authorize, local_today, record_numbered
from app.services.customers.consents import (
    ConsentInput,
    check_entry,
    load_entries,
    purpose_settings,
    read_form,
    write_entry,
)
from app.services.customers.stored import load_customer
from app.storage.models import ConsentPurpose, CustomerConsent


@dataclass(frozen=True)
class PurposeState:
    """One purpose of an entry and whether it is in force today."""

    purpose: str
    withdrawn_on: date | None


@dataclass(frozen=True)
class ConsentRow:
    """A consent or legal basis as the consent editor lists it."""

    id: int
    kind: str  # consent | basis
    label: str  # 书面同意 / 电子同意 / 合同必需 …
    basis: str
    method: str
    given_on: date
    valid_until: date | None
    note: str
    purposes: tuple[PurposeState, ...]
    has_form: bool
    in_force: bool  # valid today for at least one purpose


def _label(row: CustomerConsent) -> str:
    if row.kind == rules.EntryKind.BASIS:
        return row.basis
    method = rules.METHOD_LABELS.get(rules.Method(row.method), row.method) if row.method else ""
    return f"{method}同意"


def add_consent(*, session: SignedIn, customer_id: int, entry: ConsentInput, clock: Clock) -> int:
    """Record a new consent or legal basis for a customer (R4); returns its id."""
    today = local_today(clock)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "consent.write")
        customer = load_customer(uow, customer_id)
        if customer.anonymised_at is not None:
            raise ValidationFailed([FieldError("customer", "already_anonymised")])
        errors = check_entry(entry, purpose_settings(uow), today)
        if errors:
            raise ValidationFailed(errors)
        row = write_entry(uow, session.store, customer, entry, by=session.actor.user_id)
        record_numbered(
            uow,
            "consent.add",
            "customer",
            customer,
            consent=row.id,
            kind=entry.kind,
            basis=entry.basis,
            purposes=list(entry.purposes),
            method=entry.method if entry.kind == rules.EntryKind.CONSENT else "",
            given_on=entry.given_on.isoformat() if entry.given_on else None,
            valid_until=entry.valid_until.isoformat() if entry.valid_until else None,
            form=entry.form is not None,
        )
        uow.commit()
        return row.id


def withdraw_consent(
    *,
    session: SignedIn,
    consent_id: int,
    purposes: tuple[str, ...],
    clock: Clock,
    note: str = "",
) -> None:
    """Record that the customer withdrew consent for ``purposes``; effective at once (R4)."""
    today = local_today(clock)
    if not purposes:
        raise ValidationFailed([FieldError("consent.purposes", "required")])
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "consent.write")
        row = uow.session.get(CustomerConsent, consent_id)
        if row is None or row.kind != rules.EntryKind.CONSENT:
            raise ValidationFailed([FieldError("consent", "not_found")])
        customer = load_customer(uow, row.customer_id)
        held = {
            p.purpose: p
            for p in uow.session.scalars(
                select(ConsentPurpose).where(ConsentPurpose.consent_id == row.id)
            )
        }
        for purpose in purposes:
            found = held.get(purpose)
            if found is None or found.withdrawn_on is not None:
                raise ValidationFailed([FieldError("consent.purposes", "not_withdrawable")])
            found.withdrawn_on = today
            found.withdrawn_by = session.actor.user_id
        uow.audit.record(
            "consent.withdraw",
            object_type="customer",
            object_id=customer.id,
            purpose=note.strip()[:200] or None,
            details={
                "number": customer.number,
                "consent": row.id,
                "purposes": list(purposes),
                "withdrawn_on": today.isoformat(),
            },
        )
        uow.commit()


def list_consents(*, session: SignedIn, customer_id: int, clock: Clock) -> list[ConsentRow]:
    """The customer's consents and legal bases, oldest first, with what is in force today."""
    today = local_today(clock)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        load_customer(uow, customer_id)
        settings = purpose_settings(uow)
        out = []
        for row, entry in load_entries(uow, customer_id):
            covered = rules.entry_purposes(entry, settings.bases)
            in_force = any(
                rules.covering([entry], p, today, settings.bases) is not None for p in covered
            )
            out.append(
                ConsentRow(
                    id=row.id,
                    kind=row.kind,
                    label=_label(row),
                    basis=row.basis,
                    method=row.method,
                    given_on=row.given_on,
                    valid_until=row.valid_until,
                    note=row.note,
                    purposes=tuple(PurposeState(p, w) for p, w in covered.items()),
                    has_form=row.form_enc is not None,
                    in_force=in_force,
                )
            )
        return out


def open_consent_form(
    *, session: SignedIn, consent_id: int, purpose: str, clock: Clock
) -> tuple[str, bytes]:
    """The signed consent form (name, content); the purpose is required and audited (R40)."""
    if not purpose.strip():
        raise ValidationFailed([FieldError("purpose", "required")])
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.reveal")
        row = uow.session.get(CustomerConsent, consent_id)
        if row is None or row.form_enc is None:
            raise ValidationFailed([FieldError("consent.form", "not_found")])
        customer = load_customer(uow, row.customer_id)
        name, content = read_form(session.store, customer, row)
        uow.audit.record(
            "consent.form_open",
            object_type="customer",
            object_id=customer.id,
            purpose=purpose.strip()[:200],
            details={"number": customer.number, "consent": row.id, "sha256": row.form_sha256},
        )
        uow.commit()
        return name, content
