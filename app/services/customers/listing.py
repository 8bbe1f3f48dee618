"""The customer list: masked rows read by id, filters, counts and keyset id slices in order.

The 客户 page shows a million customers without loading them: it asks for the count, the
first and the last few ids (so both ends paint at once), and then fills in the rest of the
row-to-id map slice by slice while the operator works. Every slice continues from the sort
values of the previous slice's last row (keyset), so its cost does not grow with depth the
way ``OFFSET`` does in an encrypted file. Each sort order has an index (migration 0002).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, tuple_

from app.clock import Clock
from app.domain.customers import (
    Party,
)
from app.security.crypto import DecryptionFailed
from app.security.masking import (
    mask_id_number,
    mask_name,
    mask_phone,
)
from app.security.vault import KeyDestroyed
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.customers.records import UNREADABLE, CustomerRow
from app.storage.models import (
    Customer,
    CustomerPhone,
)
from app.storage.store import Store, UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CustomerFilter:
    """The list filters (None / False: no restriction)."""

    status: str | None = None
    kind: str | None = None
    importance: str | None = None
    suspected_duplicate: bool = False

    @property
    def active(self) -> bool:
        """True when anything is filtered."""
        return bool(self.status or self.kind or self.importance or self.suspected_duplicate)

    def apply(self, stmt: Any) -> Any:
        """Add the filter conditions to a select over ``Customer``."""
        if self.status:
            stmt = stmt.where(Customer.status == self.status)
        if self.kind:
            stmt = stmt.where(Customer.kind == self.kind)
        if self.importance:
            stmt = stmt.where(Customer.importance == self.importance)
        if self.suspected_duplicate:
            stmt = stmt.where(Customer.suspected_duplicate.is_(True))
        return stmt


def _list_values(store: Store, row: Any) -> tuple[str, str]:
    """The identity number and first phone of a list row, decrypted."""
    cipher = store.vault.cipher(row.key_id)
    idn = (
        cipher.decrypt(row.id_number_enc, table="customer", column="id_number", row_key=row.row_key)
        if row.id_number_enc
        else ""
    )
    phone = (
        cipher.decrypt(row.phone_enc, table="customer_phone", column="phone.0", row_key=row.row_key)
        if row.phone_enc
        else ""
    )
    return idn, phone


def customer_rows_for(
    store: Store, uow: UnitOfWork, ids: list[int], *, masked: bool = True
) -> list[CustomerRow]:
    """List rows for ``ids`` inside the caller's unit of work, in that order (searches, exports).

    One query over plain columns, no ORM objects.

    Masked unless ``masked`` is False (an unmasked export: the caller checked the role and
    records the purpose, R5, R40).
    """
    if not ids:
        return []
    first_phone = CustomerPhone.__table__.alias("first_phone")
    stmt = (
        select(
            Customer.id,
            Customer.number,
            Customer.name,
            Customer.party,
            Customer.kind,
            Customer.category,
            Customer.status,
            Customer.importance,
            Customer.suspected_duplicate,
            Customer.key_id,
            Customer.row_key,
            Customer.id_number_enc,
            Customer.anonymised_at,
            first_phone.c.phone_enc,
        )
        .outerjoin(
            first_phone,
            (first_phone.c.customer_id == Customer.id) & (first_phone.c.position == 0),
        )
        .where(Customer.id.in_(ids))
    )
    by_id = {r.id: r for r in uow.session.execute(stmt).all()}
    try:
        store.vault.preload(r.key_id for r in by_id.values())
    except DecryptionFailed:
        log.warning("a vault entry is damaged; reading keys one by one")
    out = []
    for cid in ids:
        c = by_id.get(cid)
        if c is None:
            continue
        try:
            # an anonymised customer has nothing protected left (R8)
            idn, phone = ("", "") if c.anonymised_at is not None else _list_values(store, c)
        except (KeyDestroyed, DecryptionFailed):
            # key gone (an erased customer in a restored copy) or damaged: never crash a list
            log.warning("protected values of customer %s cannot be read", c.id)
            idn, phone = UNREADABLE, ""
        out.append(
            CustomerRow(
                id=c.id,
                number=c.number,
                name=mask_name(c.name)
                if masked and c.party == Party.PERSON and c.anonymised_at is None
                else c.name,
                party=c.party,
                kind=c.kind,
                category=c.category,
                status=c.status,
                importance=c.importance,
                id_number=mask_id_number(idn) if masked and idn and idn != UNREADABLE else idn,
                phone=(mask_phone(phone.split(";")[0]) if masked else phone) if phone else "",
                suspected_duplicate=c.suspected_duplicate,
            )
        )
    return out


def list_customers(
    *, session: SignedIn, clock: Clock, after_id: int = 0, limit: int = 200
) -> list[CustomerRow]:
    """One page of customers by id (keyset: fast at any depth), personal values masked."""
    with session.read_uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        ids = list(
            uow.session.scalars(
                select(Customer.id).where(Customer.id > after_id).order_by(Customer.id).limit(limit)
            )
        )
        return customer_rows_for(session.store, uow, ids)


def list_customer_ids(
    *,
    session: SignedIn,
    clock: Clock,
    filters: CustomerFilter | None = None,
    limit: int | None = None,
) -> list[int]:
    """Ids of every customer matching the filters, in number order (the list view's row map).

    The list model keeps this compact id list and reads rows by id, so jumping to the last row
    costs the same as the first (no ``OFFSET`` scans in the encrypted file).
    """
    with session.read_uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        stmt = select(Customer.id).order_by(Customer.id)
        if filters is not None:
            stmt = filters.apply(stmt)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(uow.session.scalars(stmt))


def get_customer_rows(*, session: SignedIn, ids: list[int], clock: Clock) -> list[CustomerRow]:
    """Masked list rows for ``ids`` (a window of the list), in that order."""
    with session.read_uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        return customer_rows_for(session.store, uow, ids)


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
    with session.read_uow(clock) as uow:
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
    with session.read_uow(clock) as uow:
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
    with session.read_uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            keyed += [
                tuple(r)
                for r in uow.session.execute(select(*columns).where(Customer.id.in_(chunk)))
            ]
    keyed.sort(reverse=order.descending)
    return [int(r[-1]) for r in keyed]
