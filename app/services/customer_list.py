"""The customer list: counts and id slices in a chosen order, read by key.

The 客户 page shows a million customers without loading them: it asks for the count, the
first and the last few ids (so both ends paint at once), and then fills in the rest of the
row-to-id map slice by slice while the operator works. Every slice continues from the sort
values of the previous slice's last row (keyset), so its cost does not grow with depth the
way ``OFFSET`` does in an encrypted file. Each sort order has an index (migration 0002).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, tuple_

from app.clock import Clock
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.customers import CustomerFilter
from app.storage.models import Customer


class SortKey(StrEnum):
    """Orders the list can be sorted in (encrypted values cannot be sorted)."""

    NUMBER = "number"
    NAME = "name"
    PARTY = "party"
    CATEGORY = "category"
    STATUS = "status"
    IMPORTANCE = "importance"


_COLUMNS: dict[SortKey, tuple[Any, ...]] = {
    SortKey.NUMBER: (),
    SortKey.NAME: (Customer.name,),
    SortKey.PARTY: (Customer.party,),
    SortKey.CATEGORY: (Customer.kind, Customer.category),
    SortKey.STATUS: (Customer.status,),
    SortKey.IMPORTANCE: (Customer.importance,),
}


@dataclass(frozen=True)
class ListOrder:
    """A sort order; ties are broken by customer number in the same direction."""

    key: SortKey = SortKey.NUMBER
    descending: bool = False


Position = tuple[Any, ...]  # a row's sort values followed by its id: where a slice continues


@dataclass(frozen=True)
class IdSlice:
    """Consecutive customer ids in list order, and the position after the last of them."""

    ids: list[int]
    last: Position | None


def count_customers(
    *, session: SignedIn, clock: Clock, filters: CustomerFilter | None = None
) -> int:
    """Number of customers matching ``filters`` (all customers without)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        stmt = select(func.count()).select_from(Customer)
        if filters is not None:
            stmt = filters.apply(stmt)
        return int(uow.session.scalar(stmt) or 0)


def customer_id_slice(
    *,
    session: SignedIn,
    clock: Clock,
    limit: int,
    filters: CustomerFilter | None = None,
    order: ListOrder = ListOrder(),  # frozen: a safe default
    after: Position | None = None,
    from_end: bool = False,
) -> IdSlice:
    """Up to ``limit`` ids in list order after ``after`` (from the start when None).

    With ``from_end`` the slice is the last ``limit`` ids of the list (``after`` is ignored),
    still in list order: the bottom of the list paints without reading what lies above it.
    """
    columns = (*_COLUMNS[order.key], Customer.id)
    backwards = order.descending != from_end
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        stmt = select(*columns)
        if filters is not None:
            stmt = filters.apply(stmt)
        if after is not None and not from_end:
            here = tuple_(*columns)
            stmt = stmt.where(here < tuple_(*after) if backwards else here > tuple_(*after))
        stmt = stmt.order_by(*(c.desc() if backwards else c.asc() for c in columns))
        rows = [tuple(r) for r in uow.session.execute(stmt.limit(limit)).all()]
    if from_end:
        rows.reverse()
    return IdSlice([int(r[-1]) for r in rows], rows[-1] if rows else None)


def order_ids(*, session: SignedIn, clock: Clock, ids: list[int], order: ListOrder) -> list[int]:
    """``ids`` (a search result) in list order; ids no longer present are dropped."""
    columns = (*_COLUMNS[order.key], Customer.id)
    keyed: list[tuple[Any, ...]] = []
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            keyed += [
                tuple(r)
                for r in uow.session.execute(select(*columns).where(Customer.id.in_(chunk)))
            ]
    keyed.sort(reverse=order.descending)
    return [int(r[-1]) for r in keyed]
