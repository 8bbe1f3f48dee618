"""Loan desk benchmarks beside bare baselines measured in the same run.

* issuing a loan from the scan to the saved entry (``find_application_for_scan`` + ``issue_loan``)
  beside a bare transaction that inserts a loan row, updates the volume and commits;
* the 借阅登记簿 for 5,000 entries (query, masking, layout, PDF) beside ReportLab drawing the
  same cell texts with ``drawString`` onto as many landscape pages (no table, no wrapping);
* the overdue list over 100,000 historical loans beside the bare indexed SQL query.

Run: python bench/bench_loans.py   (builds a throw-away database in a temporary folder)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from app.clock import FixedClock
from app.domain.scan_codes import scan_payload
from app.services.loans import (
    find_application_for_scan,
    issue_loan,
    list_overdue,
)
from app.services.loans import printing as loan_print
from bench._setup import BareLayout, bare_pdf, fresh_database, ms, page_count, time_each
from tests.conftest import ADMIN_PASSWORD
from tests.loan_helpers import approve_all, make_desk, make_volume, staff_application

ISSUES = 40
REGISTER_ENTRIES = 5_000
HISTORY = 100_000
# 15 rows a landscape page, cells cut to 12 characters, as the 登记簿
PAGE = BareLayout(
    per_page=15, font_size=6.5, top=500, row_step=28, left=40, col_step=35, landscape=True, clip=12
)


def bulk_history(engine, customer_id: int, app_id: int, volumes: int) -> None:  # type: ignore[no-untyped-def]
    """5,000 volumes lent in January 2026 (the register) and 100,000 older returned loans."""
    base = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO volume (reference_code, customer_id, year, title, retention, "
                "created_at, item_count, page_count) VALUES (:c, :cid, 2024, :t, 'Y', :at, 3, 12)"
            ),
            [
                {
                    "c": f"Z001-KH·2023-Y-{n:05d}",
                    "cid": customer_id,
                    "t": f"客户{n}号2023年度客户档案（合同、往来函件）",
                    "at": base,
                }
                for n in range(1, volumes + 1)
            ],
        )
        first = conn.execute(
            text(
                "SELECT min(id) FROM volume WHERE year = 2024 AND "
                "reference_code LIKE 'Z001-KH·2023-%'"
            )
        ).scalar_one()
        rows = []
        for n in range(REGISTER_ENTRIES):
            issued = base + timedelta(minutes=5 * n)
            rows.append(
                {
                    "no": f"JY2026-{500_000 + n:06d}",
                    "app": app_id,
                    "v": first + n,
                    "st": "returned" if n % 3 else "out",
                    "at": issued,
                    "due": (issued + timedelta(days=3)).date(),
                    "ret": issued + timedelta(days=2) if n % 3 else None,
                }
            )
        for n in range(HISTORY):
            issued = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=25 * n)
            rows.append(
                {
                    "no": f"JY{issued.year}-{n:06d}",
                    "app": app_id,
                    "v": first + n % volumes,
                    "st": "returned",
                    "at": issued,
                    "due": (issued + timedelta(days=3)).date(),
                    "ret": issued + timedelta(days=4),
                }
            )
        conn.execute(
            text(
                "INSERT INTO loan (number, application_id, volume_id, kind, state, issued_at, "
                "due_on, renewals, expected_pages, expected_items, returned_at, counted_pages, "
                "condition, effect, remarks, reminders, version) VALUES (:no, :app, :v, 'loan', "
                ":st, :at, :due, 0, 12, 3, :ret, 12, 'intact', '', '', 0, 1)"
            ),
            rows,
        )


def main() -> None:
    clock = FixedClock(datetime(2026, 2, 2, 9, 0, tzinfo=UTC))
    location, admin = fresh_database(
        Path(tempfile.mkdtemp()), clock, ADMIN_PASSWORD, name="bench.db"
    )
    desk = make_desk(admin, location, clock)
    lisi = desk("lisi")
    # issuing: approved applications waiting for their volumes
    waiting = []
    for n in range(ISSUES):
        vid, code = make_volume(lisi, clock, items=3, title=f"待借案卷{n}")
        app_id = staff_application(desk, [vid])
        approve_all(desk, app_id, "info")
        waiting.append(code)
    engine = lisi.store.engine
    with engine.connect() as conn:
        customer_id = conn.execute(text("SELECT min(id) FROM customer")).scalar_one()
        app_id = conn.execute(text("SELECT min(id) FROM use_application")).scalar_one()

    def issue(code: str) -> None:
        found = find_application_for_scan(session=lisi, scan=scan_payload(code), clock=clock)
        issue_loan(session=lisi, application_id=found, scan=scan_payload(code), clock=clock)

    _, issue_times = time_each(issue, waiting)

    def bare_insert(n: int) -> None:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO loan (number, application_id, volume_id, kind, state, "
                    "issued_at, due_on, renewals, expected_pages, expected_items, effect, "
                    "remarks, reminders, version) VALUES (:no, :app, 1, 'loan', 'returned', "
                    ":at, :due, 0, 0, 0, '', '', 0, 1)"
                ),
                {"no": f"BARE-{n:06d}", "app": app_id, "at": clock.now(), "due": date(2026, 2, 5)},
            )
            conn.execute(text("UPDATE volume SET state = state WHERE id = 1"))

    _, bare_issue = time_each(bare_insert, range(ISSUES))
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM loan WHERE number LIKE 'BARE-%'"))
    t0 = time.perf_counter()
    bulk_history(engine, customer_id, app_id, REGISTER_ENTRIES)
    load = time.perf_counter() - t0
    # the register: 5,000 entries issued in January 2026
    pdfs, register_times = time_each(
        lambda _: loan_print.register_pdf(
            session=lisi, clock=clock, date_from=date(2026, 1, 1), date_to=date(2026, 1, 31)
        ),
        range(3),
    )
    pages = page_count(pdfs[-1])
    sample = [
        tuple(f"{c}{n}" for c in ("JY", "借出", "赵敏", "销售部", "138****5678")) * 4
        for n in range(REGISTER_ENTRIES)
    ]
    bare = min(bare_pdf(sample, PAGE) for _ in range(3))
    # the overdue list over 100,000 historical loans (plus the 5,000 and the 40 above)
    lists, overdue_times = time_each(
        lambda _: list_overdue(session=lisi, clock=clock, limit=500), range(20)
    )
    count = len(lists[-1])

    def bare_overdue(_: int) -> None:
        with engine.connect() as conn:
            list(
                conn.execute(
                    text(
                        "SELECT id FROM loan WHERE state = 'out' AND due_on < :d "
                        "ORDER BY due_on, id LIMIT 500"
                    ),
                    {"d": date(2026, 2, 2)},
                )
            )

    _, bare_times = time_each(bare_overdue, range(20))
    with engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM loan")).scalar_one()
    desk.close()
    print(f"loans in the database: {total:,} (bulk load {load:.1f} s)")
    print(
        "| bare insert + update + commit (baseline) | "
        f"median {ms(statistics.median(bare_issue))} | — |"
    )
    print(
        f"| issue by scan → saved (find application, checks, loan, volume, use log, audit) | "
        f"median {ms(statistics.median(issue_times))}, max {ms(max(issue_times))} | ≤ 100 ms |"
    )
    print(f"| drawString of the same 5,000 × 20 texts (baseline) | {ms(bare)} | — |")
    print(
        f"| 借阅登记簿, 5,000 entries ({pages} pages) | "
        f"median {ms(statistics.median(register_times))} "
        f"| ≤ 3 s |"
    )
    print(
        "| bare indexed overdue query (baseline) | "
        f"median {ms(statistics.median(bare_times))} | — |"
    )
    print(
        f"| overdue list over {total:,} loans ({count} overdue shown) | median "
        f"{ms(statistics.median(overdue_times))}, max {ms(max(overdue_times))} | ≤ 100 ms |"
    )


if __name__ == "__main__":
    main()
