"""Finding customers (R14): the index box and exact personal numbers.

One box for names, pinyin, numbers and remarks; exact phones, ID numbers and bank accounts go
through their blind indexes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.clock import Clock
from app.domain import identity
from app.domain.search_text import search_text
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.customers.listing import CustomerFilter, customer_rows_for
from app.services.customers.records import CustomerRow
from app.storage import search as search_index
from app.storage.models import (
    Customer,
    CustomerBankAccount,
    CustomerPhone,
)
from app.storage.store import Store, UnitOfWork


@dataclass(frozen=True)
class SearchResult:
    """A page of hits, ranked: exact number matches, then name prefixes, then the rest."""

    rows: list[CustomerRow]  # the first ``limit`` hits, read and masked
    total: int  # counted up to ``SEARCH_COUNT_CAP``
    capped: bool
    exact_ids: frozenset[int]
    ranked_ids: tuple[int, ...] = ()  # every ranked candidate: a list view reads more lazily


SEARCH_COUNT_CAP = 10_000
_CANDIDATES = 2_000


def _exact_ids(store: Store, uow: UnitOfWork, query: str) -> list[int]:
    """Ids matched by a whole number: customer number, phone, ID, bank account, phone tail."""
    found: list[int] = []
    q = identity.compact(query).upper()
    if q.startswith("KH") and q[2:].isdigit():
        found += uow.session.scalars(select(Customer.id).where(Customer.number == q))
    bidx = store.blind_index
    if len(q) >= 6:
        found += uow.session.scalars(
            select(Customer.id).where(
                Customer.id_number_bidx == bidx.digest("customer.id_number", q)
            )
        )
    phone = identity.check_phone(query)
    if isinstance(phone.value, identity.Phone):
        found += uow.session.scalars(
            select(CustomerPhone.customer_id).where(
                CustomerPhone.phone_bidx == bidx.digest("customer.phone", phone.value.e164)
            )
        )
    if q.isdigit() and 12 <= len(q) <= 19:
        found += uow.session.scalars(
            select(CustomerBankAccount.customer_id).where(
                CustomerBankAccount.account_bidx == bidx.digest("customer.bank_account", q)
            )
        )
    if q.isdigit() and len(q) == 4:
        found += uow.session.scalars(
            select(CustomerPhone.customer_id)
            .where(CustomerPhone.tail_bidx == bidx.digest("customer.phone_tail", q))
            .limit(_CANDIDATES)
        )
    return list(dict.fromkeys(found))


def search_customers(
    *,
    session: SignedIn,
    query: str,
    clock: Clock,
    limit: int = 200,
    filters: CustomerFilter | None = None,
) -> SearchResult:
    """The index (R14): one box for names, pinyin, numbers, remarks and exact personal numbers.

    Filters apply to every candidate before ranking and counting, so nothing matching the
    filters hides behind the first page.
    """
    q = identity.normalize(search_text(query))
    with session.read_uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        if not q:
            return SearchResult([], 0, False, frozenset())
        exact = _exact_ids(session.store, uow, q)
        conn = uow.session.connection()
        # "zhang san" is pinyin typed with a space: the index holds it without spaces
        text_q = q.replace(" ", "") if q.isascii() and q.replace(" ", "").isalpha() else q
        # ranked: exact numbers, then names / pinyin starting with the query (in name order,
        # straight from an index), then every other match by customer number
        prefix = search_index.prefix_ids(conn, text_q, _CANDIDATES)
        inner = search_index.syllable_ids(conn, text_q, _CANDIDATES)
        # substring matches read once up to the count cap: the first ones rank, all count
        matched = search_index.match_ids(conn, text_q, SEARCH_COUNT_CAP + 1)
        text_ids = matched[:_CANDIDATES]
        ranked = list(dict.fromkeys([*exact, *prefix, *inner, *text_ids]))
        more = max(len(prefix), len(inner), len(matched)) >= _CANDIDATES  # lists were cut
        if filters is not None and filters.active:
            keep = set(
                uow.session.scalars(
                    filters.apply(select(Customer.id).where(Customer.id.in_(ranked)))
                )
            )
            ranked = [i for i in ranked if i in keep]
            rows = customer_rows_for(session.store, uow, ranked[:limit])
            return SearchResult(rows, len(ranked), more, frozenset(exact), tuple(ranked))
        rows = customer_rows_for(session.store, uow, ranked[:limit])
        if not more:
            total, capped = len(ranked), False
        else:  # the longest list decides; substring matches were counted up to the cap
            counted = max(len(ranked), len(matched))
            total = min(counted, SEARCH_COUNT_CAP)
            capped = counted > SEARCH_COUNT_CAP or len(matched) < _CANDIDATES
        return SearchResult(rows, total, capped, frozenset(exact), tuple(ranked))


def find_customers_by_phone(*, session: SignedIn, phone: str, clock: Clock) -> list[int]:
    """Customers with exactly this phone number (any format typed; blind index, R14)."""
    checked = identity.check_phone(phone)
    if not isinstance(checked.value, identity.Phone):
        return []
    digest = session.store.blind_index.digest("customer.phone", checked.value.e164)
    return _phone_owners(session, clock, CustomerPhone.phone_bidx == digest)


def find_customers_by_phone_tail(*, session: SignedIn, last4: str, clock: Clock) -> list[int]:
    """Customers with a phone ending in these 4 digits (blind index of the tail, R14)."""
    digits = identity.compact(last4)
    if len(digits) != 4 or not digits.isdigit():
        return []
    digest = session.store.blind_index.digest("customer.phone_tail", digits)
    return _phone_owners(session, clock, CustomerPhone.tail_bidx == digest)


def _phone_owners(session: SignedIn, clock: Clock, match: Any) -> list[int]:
    """Ids of the customers with a phone matching ``match`` (a blind-index condition), sorted."""
    with session.read_uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        return sorted(set(uow.session.scalars(select(CustomerPhone.customer_id).where(match))))


def find_customer_by_id_number(*, session: SignedIn, id_number: str, clock: Clock) -> int | None:
    """The customer with exactly this identity number (blind index, R14)."""
    digest = session.store.blind_index.digest(
        "customer.id_number", identity.compact(id_number).upper()
    )
    with session.read_uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        return uow.session.scalar(select(Customer.id).where(Customer.id_number_bidx == digest))
