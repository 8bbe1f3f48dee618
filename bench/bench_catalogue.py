"""Catalogue benchmarks on an existing (large) demo database: 档号 look-up, search with
secrecy filtering, beside the bare FTS5 query.

Run: archive-room demo --db /tmp/large.db --size large
     python bench/bench_catalogue.py /tmp/large.db
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from app.clock import SystemClock
from app.demo import DEMO_PASSWORD
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.catalogue import find_by_reference, search_catalogue
from app.storage.location import DatabaseLocation
from bench._setup import timings


def _column(session: SignedIn, column: str, ids: list[int]) -> list[str]:
    marks = ",".join(map(str, ids))
    with session.store.engine.connect() as conn:
        return [
            r[0] for r in conn.execute(text(f"SELECT {column} FROM volume WHERE id IN ({marks})"))
        ]


def measure(location: DatabaseLocation, user: str) -> tuple[int, list[tuple[str, str]]]:
    """Figures for one user (their clearance decides what the filter keeps)."""
    clock = SystemClock()
    session = sign_in(location=location, username=user, password=DEMO_PASSWORD, clock=clock)
    with session.store.engine.connect() as conn:
        total = int(conn.execute(text("SELECT count(*) FROM volume")).scalar_one())
    picks = random.Random(3).sample(range(1, total + 1), 40)
    prefixes = [c[:-3] for c in _column(session, "reference_code", picks)]
    words = [t[:4] for t in _column(session, "title", picks)]
    words += ["客户信息登记", "业务合作合同", "授权委托书", "对账确认"]

    def bare(q: str) -> None:
        with session.store.engine.connect() as conn:
            list(
                conn.execute(
                    text("SELECT rowid FROM volume_fts WHERE volume_fts MATCH :q LIMIT 200"),
                    {"q": '"' + q + '"'},
                )
            )

    rows = []
    p = timings(lambda q: find_by_reference(session=session, prefix=q, clock=clock), prefixes)
    rows.append(
        (f"{user}: 档号 prefix look-up (≤ 50 rows)", f"p50 {p[0]:.1f} ms, p95 {p[1]:.1f} ms")
    )
    p = timings(bare, words)
    rows.append(
        (
            f"{user}: bare FTS5 query on volume titles (baseline)",
            f"p50 {p[0]:.1f} ms, p95 {p[1]:.1f} ms",
        )
    )
    p = timings(lambda q: search_catalogue(session=session, query=q, clock=clock), words)
    rows.append(
        (
            f"{user}: catalogue search, 3+ chars, secrecy filter on (≤ 200 rows)",
            f"p50 {p[0]:.1f} ms, p95 {p[1]:.1f} ms",
        )
    )
    sign_out(session=session, clock=clock)
    return total, rows


def main() -> None:
    location = DatabaseLocation.parse(sys.argv[1])
    rows: list[tuple[str, str]] = []
    total = 0
    for user in ("archivist", "depthead"):  # clearance 绝密 / 秘密
        total, more = measure(location, user)
        rows += more
    print(f"| measure ({total:,} volumes) | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
