"""One store read by many threads at once: each keeps its own connection (background work).

The GUI reads in worker threads (search, lists, audit pages) while the desk writes on the GUI
thread. A pool that closes another thread's connection once more threads than its size have used
the engine made those reads fail or crash inside SQLCipher under load.
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from app.services.auth import SignedIn
from app.storage.models import AuditEntry

THREADS = 12


def test_many_threads_hold_their_own_connections_at_once(admin: SignedIn) -> None:
    store = admin.store
    all_open = threading.Barrier(THREADS, timeout=60)
    counts: list[int] = []
    failures: list[str] = []

    def read() -> None:
        try:
            with store.new_session() as session:
                first = session.scalar(select(func.count()).select_from(AuditEntry))
                all_open.wait()  # every thread is inside a read transaction now
                again = session.scalar(select(func.count()).select_from(AuditEntry))
                counts.append(int(again or 0))
                assert first == again
        except Exception as exc:  # reported below, with the kind of failure
            failures.append(type(exc).__name__)
            all_open.abort()

    workers = [threading.Thread(target=read) for _ in range(THREADS)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert failures == []
    assert len(counts) == THREADS and len(set(counts)) == 1 and counts[0] > 0
