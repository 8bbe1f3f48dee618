"""Deleting a customer irrecoverably (R8): the rows go and the customer's key is destroyed."""

from __future__ import annotations

from sqlalchemy import select

from app.clock import Clock
from app.errors import FieldError, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.customers.duplicates import flagged_pairs, refresh_duplicate_mark
from app.services.customers.stored import load_customer
from app.storage import search as search_index
from app.storage.models import (
    Customer,
    Volume,
)
from app.storage.store import Store, UnitOfWork


def delete_customer(*, session: SignedIn, customer_id: int, reason: str, clock: Clock) -> None:
    """Delete a customer irrecoverably (R8): rows removed and the customer's key destroyed.

    Any copy of the database, older ones included, keeps only ciphertexts nobody can open.
    """
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "required")])
    store = session.store
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.delete")
        c = load_customer(uow, customer_id)
        key_id, number = c.key_id, c.number
        has_volumes = uow.session.scalar(
            select(Volume.id).where(Volume.customer_id == c.id).limit(1)
        )
        if has_volumes is not None:
            # archives go through the destruction procedure (R44), not customer deletion
            raise ValidationFailed([FieldError("customer", "has_volumes")])
        uow.audit.record(
            "customer.delete",
            object_type="customer",
            object_id=c.id,
            purpose=reason.strip()[:200],
            details={"number": number, "key_id": key_id},
        )
        remove_customer(uow, store, c)
        uow.commit()


def remove_customer(uow: UnitOfWork, store: Store, c: Customer) -> None:
    """Delete ``c`` inside ``uow`` and destroy their key (R8); the caller audits and commits.

    Requests and provisions that name the customer keep their number (customer_id set NULL);
    consent entries go with the customer. The key is destroyed before the commit: if the
    commit then fails, the row survives without a readable key and the operator deletes again.
    """
    partners = flagged_pairs(uow, c.id)
    customer_id, key_id = c.id, c.key_id
    uow.session.delete(c)
    search_index.remove_customers(uow.session.connection(), [customer_id])
    uow.session.flush()
    for other_id, _reason in partners:
        refresh_duplicate_mark(uow, other_id)
    store.vault.destroy([key_id])
