"""Holds (冻结, R46) as the lifecycle sees them: the disposition area's one query.

A customer under a hold, or with a volume under one, may not be deleted or anonymised; the
refusal (:class:`app.errors.HoldInForce`) names each hold. The holds themselves are the
disposition area's (issue 17, ``services.disposition.holds``).
"""

from __future__ import annotations

from app.services.disposition.holds import any_hold_in_force, holds_covering_customer
from app.services.disposition.holds import refuse_if_held as refuse_holds
from app.storage.store import UnitOfWork


def holds_on_customer(uow: UnitOfWork, customer_id: int) -> list[str]:
    """The holds in force on the customer or their volumes, by label (empty: none)."""
    return [ref.label() for ref in holds_covering_customer(uow, customer_id)]


def refuse_if_held(uow: UnitOfWork, customer_id: int) -> None:
    """Raise :class:`HoldInForce` naming the holds on the customer (R46)."""
    refuse_holds(holds_covering_customer(uow, customer_id))


def any_hold(uow: UnitOfWork) -> bool:
    """True when any hold is in force at all (the queue then asks customer by customer)."""
    return any_hold_in_force(uow)
