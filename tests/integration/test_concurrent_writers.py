"""Two app processes writing to one database at once: they wait for each other, never "busy"."""

from __future__ import annotations

import multiprocessing

from app.clock import FixedClock
from app.services.auth import SignedIn
from app.storage.location import DatabaseLocation
from tests.concurrent_desks import DeskResult, register_and_reveal
from tests.factories import PASSWORD, add_archivist

SECONDS = 3.0


def test_two_processes_register_and_reveal_without_busy_errors(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    add_archivist(admin, clock)
    db = location.url if location.url is not None else str(location.sqlite_path)
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    out = ctx.Queue()
    desks = [
        ctx.Process(target=register_and_reveal, args=(d, db, "lisi", PASSWORD, SECONDS, start, out))
        for d in (1, 2)
    ]
    for p in desks:
        p.start()
    start.set()
    results: list[DeskResult] = [out.get(timeout=120) for _ in desks]
    for p in desks:
        p.join(30)
        assert p.exitcode == 0
    for r in results:
        assert r.errors == (), r.errors
        assert r.busy == 0, results
        assert r.registered > 0 and r.revealed > 0, results
