"""The list's counts and keyset slices in every sort order (real encrypted database)."""

from __future__ import annotations

from typing import Any

import pytest

from app import demo_bulk
from app.clock import FixedClock
from app.services.auth import SignedIn
from app.services.customers import (
    CustomerFilter,
    ListOrder,
    SortKey,
    count_customers,
    customer_id_slice,
    order_ids,
)
from tests.factories import erase_customer

SORT_SQL = {
    SortKey.NUMBER: "",
    SortKey.NAME: "name,",
    SortKey.PARTY: "party,",
    SortKey.CATEGORY: "kind, category,",
    SortKey.STATUS: "status,",
    SortKey.IMPORTANCE: "importance,",
}


@pytest.fixture
def loaded(archivist: SignedIn, clock: FixedClock) -> SignedIn:
    demo_bulk.load_customers(archivist.store, clock.now(), 260, parallel=False)
    return archivist


def expected(session: SignedIn, order: ListOrder, where: str = "") -> list[int]:
    direction = " DESC" if order.descending else ""
    columns = [c for c in SORT_SQL[order.key].split(",") if c.strip()] + ["id"]
    sql = f"SELECT id FROM customer {where} ORDER BY " + ", ".join(
        c.strip() + direction for c in columns
    )
    with session.store.engine.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql(sql)]


def walk(session: SignedIn, clock: FixedClock, order: ListOrder, **kw: Any) -> list[int]:
    ids: list[int] = []
    after = None
    while True:
        piece = customer_id_slice(
            session=session, clock=clock, limit=37, order=order, after=after, **kw
        )
        ids += piece.ids
        if len(piece.ids) < 37:
            return ids
        after = piece.last


@pytest.mark.parametrize("key", list(SortKey))
@pytest.mark.parametrize("descending", [False, True])
def test_slices_walk_the_whole_list_in_every_order(
    loaded: SignedIn, clock: FixedClock, key: SortKey, descending: bool
) -> None:
    order = ListOrder(key, descending)
    want = expected(loaded, order)
    assert len(want) == 260
    assert walk(loaded, clock, order) == want
    end = customer_id_slice(session=loaded, clock=clock, limit=25, order=order, from_end=True)
    assert end.ids == want[-25:]  # the bottom of the list, in list order


def test_filters_apply_to_counts_slices_and_both_ends(loaded: SignedIn, clock: FixedClock) -> None:
    lost = CustomerFilter(status="lost")
    want = expected(loaded, ListOrder(SortKey.NAME), "WHERE status = 'lost'")
    assert 0 < len(want) < 260
    assert count_customers(session=loaded, clock=clock, filters=lost) == len(want)
    assert walk(loaded, clock, ListOrder(SortKey.NAME), filters=lost) == want
    end = customer_id_slice(
        session=loaded,
        clock=clock,
        limit=5,
        filters=lost,
        order=ListOrder(SortKey.NAME),
        from_end=True,
    )
    assert end.ids == want[-5:]


def test_search_hits_are_put_in_list_order_and_deleted_ones_dropped(
    loaded: SignedIn, clock: FixedClock
) -> None:
    with loaded.store.engine.begin() as conn:  # demo customers hold a volume each
        conn.exec_driver_sql(
            "DELETE FROM archive_item WHERE volume_id IN "
            "(SELECT id FROM volume WHERE customer_id = 7)"
        )
        conn.exec_driver_sql("DELETE FROM volume WHERE customer_id = 7")
    erase_customer(loaded, 7, clock)
    order = ListOrder(SortKey.NAME, descending=True)
    want = [i for i in expected(loaded, order) if i in {3, 7, 9, 120, 250}]
    assert order_ids(session=loaded, clock=clock, ids=[250, 3, 7, 9, 120], order=order) == want
    assert 7 not in want and len(want) == 4
    assert count_customers(session=loaded, clock=clock) == 259
