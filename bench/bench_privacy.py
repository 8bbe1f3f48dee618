"""The 到期处理 queue (issue 18, R8) over many customers, beside a bare count of the table.

Customers come from the large demo's generator (``demo_bulk.load_customers``: phones, status
history, one volume each); one in a hundred is then made due — status 流失 since 2015 and its
volume a 定期10年 of 1990 — so the queue has rows to compute. ``list_storage_due`` cuts the
candidates in SQL (anonymised, a volume still kept, an open-ended consent or basis) with index
probes per customer (volume.customer_id, customer_consent.customer_id,
consent_purpose.consent_id) and computes the storage end of those left.

Run: python bench/bench_privacy.py [--customers 100000] [--rounds 3]
(builds a throw-away database in a temporary folder)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from app import demo_bulk
from app.clock import FixedClock
from app.services import privacy
from app.services.setup import initialize_database
from app.storage.location import DatabaseLocation
from tests.conftest import make_setup_request
from tests.loan_helpers import make_desk


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp())
    clock = FixedClock(datetime(2026, 2, 2, 9, 0, tzinfo=UTC))
    location = DatabaseLocation.parse(work / "bench.db")
    admin = initialize_database(
        location=location, request=make_setup_request(), clock=clock
    ).session
    desk = make_desk(admin, location, clock)
    lisi = desk("lisi")
    t0 = time.perf_counter()
    demo_bulk.load_customers(lisi.store, clock.now(), args.customers)
    print(f"load {args.customers:,} customers: {time.perf_counter() - t0:.1f} s")
    with lisi.store.engine.begin() as conn:
        conn.execute(text("UPDATE customer SET status = 'lost' WHERE id % 100 = 0"))
        conn.execute(
            text(
                "INSERT INTO customer_status_change (customer_id, old_status, new_status, note, "
                "changed_at) SELECT id, 'registered', 'lost', '', '2015-03-01 09:00:00.000000' "
                "FROM customer WHERE id % 100 = 0"
            )
        )
        conn.execute(
            text("UPDATE volume SET year = 1990, retention = 'D10' WHERE customer_id % 100 = 0")
        )
        conn.execute(text("ANALYZE"))
    privacy.list_storage_due(session=lisi, clock=clock)  # warm
    times = []
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        due = privacy.list_storage_due(session=lisi, clock=clock)
        times.append(time.perf_counter() - t0)
    bare = []
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        with lisi.store.engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM customer WHERE anonymised_at IS NULL")).one()
        bare.append(time.perf_counter() - t0)
    print(
        f"到期处理 queue over {args.customers:,} customers: {len(due):,} due, median "
        f"{statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
        f"(bare count of the table: median {statistics.median(bare) * 1000:.0f} ms)"
    )
    desk.close()


if __name__ == "__main__":
    main()
