"""Registry benchmarks on an existing (large) demo database.

Run: archive-room demo --db /tmp/large.db --size large
     python bench/bench_customers.py /tmp/large.db
     (or a ``postgresql+psycopg://`` URL: the same measures on a server; its baselines are the
     bare ``pg_trgm`` query on ``customer_text`` instead of the FTS5 one)
Prints a Markdown table for docs/performance.md (p50/p95 over repeated queries, bare baselines).
"""

from __future__ import annotations

import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Connection, text

from app.clock import SystemClock
from app.demo import DEMO_PASSWORD
from app.services.auth import sign_in, sign_out
from app.services.customers import (
    count_customers,
    customer_id_slice,
    find_customer_by_id_number,
    find_customers_by_phone,
    get_customer_rows,
    reveal_customer,
    search_customers,
)
from app.storage.location import DatabaseLocation
from bench._setup import name_queries, print_table, timings


def main() -> None:
    location = DatabaseLocation.parse(sys.argv[1])
    clock = SystemClock()
    session = sign_in(location=location, username="archivist", password=DEMO_PASSWORD, clock=clock)
    rng = random.Random(1)
    queries = name_queries(session, rng)
    total, three, one_two, pinyin = queries.total, queries.three, queries.one_two, queries.pinyin

    server = not location.is_sqlite

    def bare_ids(conn: Connection, q: str, limit: int) -> None:
        """The index's own query for a substring of 3+ characters: FTS5 or pg_trgm."""
        if server:
            pattern = "%" + q.casefold() + "%"
            sql = f"SELECT customer_id FROM customer_text WHERE name LIKE :q LIMIT {limit}"
        else:
            pattern = '"' + q + '"'
            sql = f"SELECT rowid FROM customer_fts WHERE customer_fts MATCH :q LIMIT {limit}"
        list(conn.execute(text(sql), {"q": pattern}))

    def bare(q: str) -> None:
        with session.store.engine.connect() as conn:
            bare_ids(conn, q, 200)

    first_page: dict[str, list[int]] = {}

    def bare_rows(q: str) -> None:
        """The bare index query, then the same 200 rows the service shows, read raw."""
        ids = first_page[q]
        with session.store.engine.connect() as conn:
            bare_ids(conn, q, 2000)
            marks = ", ".join(str(int(i)) for i in ids)
            list(
                conn.execute(
                    text(
                        "SELECT c.*, p.phone_enc FROM customer c LEFT JOIN customer_phone p "
                        f"ON p.customer_id = c.id AND p.position = 0 WHERE c.id IN ({marks})"
                    )
                )
            )

    def service(q: str) -> None:
        search_customers(session=session, query=q, clock=clock)

    def ui_search(q: str) -> None:  # what the 客户 page asks for on each keystroke
        search_customers(session=session, query=q, clock=clock, limit=50)

    index = "pg_trgm" if server else "FTS5"
    r = [("engine", "PostgreSQL" if server else "SQLite (SQLCipher)"), ("customers", f"{total:,}")]
    p50, p95 = timings(bare, three)
    r.append(
        (
            f"bare {index} query, 3+ chars, first 200 (baseline)",
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms",
        )
    )
    for q in three:  # warm both paths alike; the baseline reads the rows the service shows
        first_page[q] = list(search_customers(session=session, query=q, clock=clock).ranked_ids)[
            :200
        ]
    b50, b95 = timings(bare_rows, three)
    r.append(
        (
            f"bare {index} query + reading the same 200 rows raw (baseline, warm)",
            f"p50 {b50:.1f} ms, p95 {b95:.1f} ms",
        )
    )
    s50, s95 = timings(service, three)
    r.append(
        (
            "search service, 3+ chars, first page of 200 (ranked, counted, keys, decrypted, "
            "masked; warm)",
            f"p50 {s50:.1f} ms, p95 {s95:.1f} ms ({s50 / max(b50, 0.01):.1f}× the baseline "
            f"with rows, {s50 / max(p50, 0.01):.0f}× the bare id query)",
        )
    )
    u50, u95 = timings(ui_search, three)
    r.append(
        (
            "search as the 客户 page calls it (first 50 rows), 3+ chars",
            f"p50 {u50:.1f} ms, p95 {u95:.1f} ms",
        )
    )
    a, b = timings(ui_search, one_two)
    r.append(("same, 1–2 characters", f"p50 {a:.1f} ms, p95 {b:.1f} ms"))
    a, b = timings(ui_search, pinyin)
    r.append(("same, pinyin", f"p50 {a:.1f} ms, p95 {b:.1f} ms"))
    a, b = timings(service, one_two)
    r.append(("search service, 1–2 characters", f"p50 {a:.1f} ms, p95 {b:.1f} ms"))
    a, b = timings(service, pinyin)
    r.append(("search service, pinyin", f"p50 {a:.1f} ms, p95 {b:.1f} ms"))
    sample = rng.choices(range(1, total + 1), k=20)
    phones, ids = [], []
    for cid in sample[:10]:
        d = reveal_customer(session=session, customer_id=cid, purpose="性能测试", clock=clock)
        phones.append(d.phones[0])
        ids.append(d.id_number)
    a, b = timings(lambda q: find_customers_by_phone(session=session, phone=q, clock=clock), phones)
    r.append(("exact phone look-up (blind index)", f"p50 {a:.1f} ms, p95 {b:.1f} ms"))
    a, b = timings(
        lambda q: find_customer_by_id_number(session=session, id_number=q, clock=clock), ids
    )
    r.append(("exact ID look-up (blind index)", f"p50 {a:.1f} ms, p95 {b:.1f} ms"))
    start = time.perf_counter()
    count = count_customers(session=session, clock=clock)
    head = customer_id_slice(session=session, clock=clock, limit=100)
    tail = customer_id_slice(session=session, clock=clock, limit=100, from_end=True)
    ends = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    get_customer_rows(session=session, ids=head.ids[:50], clock=clock)
    page = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    get_customer_rows(session=session, ids=tail.ids[-50:], clock=clock)
    last = (time.perf_counter() - start) * 1000
    r.append((f"list: count ({count:,}) + first and last 100 ids (keyset)", f"{ends:.0f} ms"))
    r.append(("list: first 50 rows read, decrypted, masked", f"{page:.0f} ms"))
    r.append(("list: last 50 rows (jump to the end)", f"{last:.0f} ms"))
    start = time.perf_counter()
    after, mapped = None, 0
    while True:
        piece = customer_id_slice(session=session, clock=clock, limit=20_000, after=after)
        mapped += len(piece.ids)
        if len(piece.ids) < 20_000:
            break
        after = piece.last
    fill = (time.perf_counter() - start) * 1000
    r.append((f"list: whole row map in 20,000-id slices ({mapped:,} ids)", f"{fill:.0f} ms in all"))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    r.append(("peak memory of this process", f"{rss:.0f} MiB"))
    sign_out(session=session, clock=clock)
    print_table(r)


if __name__ == "__main__":
    main()
