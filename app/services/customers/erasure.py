"""Deleting a customer irrecoverably (R8): the rows go and the customer's key is destroyed.

There is no service here that deletes on one person's word: a customer is erased only by
carrying out an approved request (``services.privacy.carry_out_erasure``: requested, approved by
a configured approver who is not the requester, refused under a hold), which calls
:func:`remove_customer` in its own unit of work.
"""

from __future__ import annotations

from app.services.customers.duplicates import flagged_pairs, refresh_duplicate_mark
from app.storage import search as search_index
from app.storage.models import (
    Customer,
)
from app.storage.store import Store, UnitOfWork


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
