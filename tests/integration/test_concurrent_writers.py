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
