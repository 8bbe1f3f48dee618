"""Two app processes writing to one database at once: they wait for each other, never "busy"."""

from __future__ import annotations

from app.clock import FixedClock
from app.services.auth import SignedIn
from app.storage.location import DatabaseLocation
from tests.concurrent_desks import DeskResult, database_address, register_and_reveal, run_desks
from tests.factories import PASSWORD, add_archivist

SECONDS = 3.0


def test_two_processes_register_and_reveal_without_busy_errors(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    add_archivist(admin, clock)
    db = database_address(location)
    desks = [(d, db, "lisi", PASSWORD, SECONDS) for d in (1, 2)]
    results: list[DeskResult] = run_desks(register_and_reveal, desks, timeout=120, join=30)
    for r in results:
        assert r.errors == (), r.errors
        assert r.busy == 0, results
        assert r.registered > 0 and r.revealed > 0, results


def test_look_ups_do_not_wait_for_another_desks_write(
    archivist: SignedIn, clock: FixedClock
) -> None:
    """Exact look-ups, searches and the customer list read without the write lock."""
    import threading

    from sqlalchemy import text

    from app.services.customers import (
        count_customers,
        customer_id_slice,
        find_customer_by_id_number,
        find_customers_by_phone,
        get_customer_rows,
        register_customer,
        search_customers,
    )
    from tests.factories import VALID_ID, person

    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    found: list[object] = []

    def look_up() -> None:
        found.append(find_customer_by_id_number(session=archivist, id_number=VALID_ID, clock=clock))
        found.append(find_customers_by_phone(session=archivist, phone="13812345678", clock=clock))
        found.append(search_customers(session=archivist, query="张三丰", clock=clock).total)
        found.append(count_customers(session=archivist, clock=clock))
        ids = customer_id_slice(session=archivist, clock=clock, limit=10).ids
        found.append([r.id for r in get_customer_rows(session=archivist, ids=ids, clock=clock)])

    with archivist.store.new_session(write=True) as other_desk:  # holds the write lock
        other_desk.execute(text("SELECT 1"))
        reader = threading.Thread(target=look_up)
        reader.start()
        reader.join(60)  # waiting for the lock would block (server) or end "busy" (SQLite)
        done = not reader.is_alive()
        other_desk.rollback()
    reader.join()
    assert done and found == [cid, [cid], 1, 1, [cid]]
