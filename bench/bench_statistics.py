"""Statistics reports over the large demo (issue 19): each report ≤ 1 s, its PDF ≤ 2 s, the
overview ≤ 300 ms.

The large demo (1,000,000 customers, volumes and items) has no use history, so the first run
adds one: 20,000 applications and 100,000 register entries with their use-log rows spread over
2025–2026 (5 % still out), 2,000 damage reports, twice-daily climate readings in one room, as
plain inserts. Then, signed in as the demo's archivist, each report is computed for one month
and for a whole year (best of three, after one warm-up), rendered to PDF, and the overview
timed.

Run: python bench/bench_statistics.py --db /tmp/large/large.db
     (build the database first: ``archive-room demo --db /tmp/large/large.db --size large``)
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from app.clock import FixedClock
from app.demo import DEMO_PASSWORD
from app.domain.statistics import ReleaseInfo, ReportFilter
from app.printing.statistics.report import StatisticsDocument, render_statistics_report
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.statistics import compute_report, get_overview
from app.storage.location import DatabaseLocation

KINDS = ("holdings", "use", "loans", "inspections", "customers", "activity")
LOANS = 100_000
APPLICATIONS = 20_000
DEPARTMENTS = ("销售部", "财务部", "客服部", "法务部", "市场部")
KIND_MIX = ("loan", "loan", "consult", "consult", "copy", "excerpt", "external")
CLOCK = FixedClock(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))


def add_history(session: SignedIn) -> None:
    """Applications, loans and use rows, damage reports and readings (once)."""
    engine = session.store.engine
    with engine.begin() as conn:
        have = conn.execute(text("SELECT count(*) FROM loan")).scalar_one()
        if have >= LOANS:
            return
        volumes = conn.execute(text("SELECT max(id) FROM volume")).scalar_one()
        rng = random.Random(19)
        start = datetime(2025, 1, 1, 8, 0, tzinfo=UTC)
        apps = [
            {
                "no": f"SQ9{n:09d}",
                "kind": KIND_MIX[n % len(KIND_MIX)],
                "dept": DEPARTMENTS[n % len(DEPARTMENTS)],
                "at": start + timedelta(minutes=50 * n),
            }
            for n in range(APPLICATIONS)
        ]
        conn.execute(
            text(
                "INSERT INTO use_application (number, kind, state, applicant_name, outsider, "
                "unit, department, purpose, reason, steps, created_at, rejection_reason, version)"
                " VALUES (:no, :kind, 'approved', '演示借阅人', 0, '', :dept, '核对合同条款', '',"
                " '[]', :at, '', 1)"
            ),
            apps,
        )
        first_app = conn.execute(
            text("SELECT min(id) FROM use_application WHERE number LIKE 'SQ9%'")
        ).scalar_one()
        loans = []
        for n in range(LOANS):
            a = n % APPLICATIONS
            kind = KIND_MIX[a % len(KIND_MIX)]
            issued = start + timedelta(minutes=10 * n)
            days = 3 if kind == "loan" else 0
            out = n % 20 == 0
            back = None if out else issued + timedelta(days=rng.choice((0, 1, 2, 3, 4)), hours=2)
            loans.append(
                {
                    "no": f"JY9{n:09d}",
                    "app": first_app + a,
                    "v": rng.randint(1, volumes),
                    "kind": kind,
                    "st": "out" if out else "returned",
                    "at": issued,
                    "due": (issued + timedelta(days=days)).date(),
                    "ret": back,
                }
            )
        conn.execute(
            text(
                "INSERT INTO loan (number, application_id, volume_id, kind, state, issued_at, "
                "due_on, renewals, expected_pages, expected_items, returned_at, reminders, "
                "effect, remarks, version) VALUES (:no, :app, :v, :kind, :st, :at, :due, 0, 12, 3,"
                " :ret, 0, '', '', 1)"
            ),
            loans,
        )
        conn.execute(
            text(
                "INSERT INTO use_log (occurred_at, kind, application_id, loan_id, volume_id, "
                "applicant_name, department, purpose, pages_copied) "
                "SELECT l.issued_at, l.kind, l.application_id, l.id, l.volume_id, '演示借阅人', "
                "a.department, a.purpose, CASE WHEN l.kind IN ('copy', 'excerpt', 'external') "
                "THEN 5 ELSE 0 END FROM loan l JOIN use_application a ON a.id = l.application_id "
                "WHERE l.number LIKE 'JY9%'"
            )
        )
        conn.execute(
            text(
                "INSERT INTO damage_report (loan_id, volume_id, kind, expected_pages, "
                "counted_pages, expected_items, counted_items, description, state, opened_at, "
                "resolution) SELECT id, volume_id, 'damage', 12, 12, 3, 3, '', 'open', "
                "returned_at, '' FROM loan WHERE number LIKE 'JY9%' AND returned_at IS NOT NULL "
                "AND id % 47 = 0"
            )
        )
        room = conn.execute(
            text("SELECT min(id) FROM storage_location WHERE kind = 'storeroom'")
        ).scalar_one()
        if room is not None:
            readings = [
                {
                    "room": room,
                    "at": datetime(2025, 1, 1, 8, tzinfo=UTC) + timedelta(hours=12 * n),
                    "t": 200 + rng.randint(-80, 80),
                    "rh": 520 + rng.randint(-120, 120),
                }
                for n in range(2 * 700)
            ]
            conn.execute(
                text(
                    "INSERT INTO environment_reading (room_id, taken_at, temperature_dc, "
                    "humidity_pm, note) VALUES (:room, :at, :t, :rh, '')"
                ),
                readings,
            )


def best(fn, rounds: int = 3) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    fn()  # warm-up (the page cache, the font)
    times, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    location = DatabaseLocation.parse(args.db)
    session = sign_in(location=location, username="archivist", password=DEMO_PASSWORD, clock=CLOCK)
    try:
        t0 = time.perf_counter()
        add_history(session)
        print(f"history ready in {time.perf_counter() - t0:.1f} s")
        with session.store.engine.connect() as conn:
            for table in ("customer", "volume", "archive_item", "loan", "use_log", "audit_entry"):
                n = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                print(f"  {table}: {n:,}")
        periods = {
            "month 2026-03": (date(2026, 3, 1), date(2026, 3, 31)),
            "year 2025": (date(2025, 1, 1), date(2025, 12, 31)),
        }
        print("| report | month (2026-03) | year (2025) | PDF of the year report |")
        print("|---|---|---|---|")
        for kind in KINDS:
            cells = []
            report = None
            for start, end in periods.values():
                seconds, report = best(
                    lambda s=start, e=end, k=kind: compute_report(
                        session=session,
                        kind=k,
                        period_from=s,
                        period_to=e,
                        filters=ReportFilter(),
                        clock=CLOCK,
                    )
                )
                cells.append(f"{seconds * 1000:.0f} ms")
            doc = StatisticsDocument(
                "华东示范贸易有限公司", "演示", "archivist", CLOCK.now(), report, ReleaseInfo()
            )  # type: ignore[arg-type]
            seconds, _pdf = best(lambda d=doc: render_statistics_report(d), rounds=2)
            cells.append(f"{seconds * 1000:.0f} ms")
            print(f"| {kind} | " + " | ".join(cells) + " |")
        for table in ("volume", "customer"):

            def bare(t: str = table) -> object:
                with session.store.engine.connect() as conn:
                    return conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()

            seconds, _n = best(bare)
            label = f"bare `SELECT count(*) FROM {table}` (floor of one scan)"
            print(f"| {label} | {seconds * 1000:.0f} ms | | |")
        seconds, _o = best(lambda: get_overview(session=session, clock=CLOCK))
        print(f"| overview (2026-12) | {seconds * 1000:.0f} ms | | |")
        seconds, _r = best(
            lambda: compute_report(
                session=session,
                kind="use",
                period_from=date(2025, 1, 1),
                period_to=date(2025, 12, 31),
                filters=ReportFilter(category="KH", level="secret"),
                clock=CLOCK,
            )
        )
        print(f"| use 2025, 门类 KH + 秘密 | {seconds * 1000:.0f} ms | | |")
    finally:
        sign_out(session=session, clock=CLOCK)


if __name__ == "__main__":
    main()
