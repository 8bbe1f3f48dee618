"""Inspection benchmarks beside bare baselines measured in the same run.

* reconciling a room of 100,000 expected volumes against 100,000 scans (``get_reconciliation``:
  missing, misplaced, on loan seen, unexpected) beside the bare SQL anti-join counting the
  missing;
* one scan acknowledged (``record_scan``: check character, look-up, scan row, found rows,
  counts, audit) beside a bare insert + commit;
* the printed 库房检查记录 with 2,000 differences beside ReportLab drawing the same cell texts
  with ``drawString`` (no table, no wrapping).

Run: python bench/bench_inspections.py   (builds a throw-away database in a temporary folder)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from app.clock import FixedClock
from app.domain.scan_codes import scan_payload
from app.services import inspections as I
from app.services.auth import sign_in
from app.services.inspections import printing as inspection_print
from bench._setup import (
    BareLayout,
    bare_pdf,
    box_volumes,
    fresh_database,
    ms,
    page_count,
    shelve_room,
    time_each,
)
from tests.conftest import ADMIN_PASSWORD
from tests.factories import PASSWORD, add_archivist

VOLUMES = 100_000
PER_BOX = 10
MISSING = 1_000  # expected, never scanned
UNPLACED = 1_000  # registered, never placed, found on the shelf (unexpected)
SCANS = 200
# 40 rows an upright page, as the 库房检查记录
PAGE = BareLayout(per_page=40, font_size=8, top=780, row_step=18, left=40, col_step=85)


def build(engine, customer_id: int, layers: list[int]) -> None:  # type: ignore[no-untyped-def]
    """100,000 volumes in 10,000 boxes over the room's 层, and 1,000 never placed."""
    at = datetime(2025, 1, 2, 9, 0, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO volume (reference_code, customer_id, year, title, retention, "
                "created_at, item_count, page_count, state) VALUES (:c, :cid, 2024, '客户档案', "
                "'Y', :at, 3, 12, 'on_shelf')"
            ),
            [
                {"c": f"Z001-KH·2024-Y-{n:06d}", "cid": customer_id, "at": at}
                for n in range(1, VOLUMES + UNPLACED + 1)
            ],
        )
        first = conn.execute(
            text("SELECT min(id) FROM volume WHERE reference_code LIKE 'Z001-KH·2024-Y-%'")
        ).scalar_one()
        box_volumes(conn, [first + n for n in range(VOLUMES)], layers, at, PER_BOX)


def main() -> None:
    clock = FixedClock(datetime(2026, 2, 2, 9, 0, tzinfo=UTC))
    location, admin = fresh_database(
        Path(tempfile.mkdtemp()), clock, ADMIN_PASSWORD, name="bench.db"
    )
    add_archivist(admin, clock)
    lisi = sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
    layers = shelve_room(lisi, clock, "1-20")
    engine = lisi.store.engine
    with engine.connect() as conn:
        room_id = conn.execute(
            text("SELECT id FROM storage_location WHERE code = 'K1'")
        ).scalar_one()
    from app.services.customers import register_customer
    from tests.factories import person

    customer_id = register_customer(
        session=lisi,
        draft=person(id_number="", id_type=None, status="potential", phones=(), bank_accounts=()),
        clock=clock,
    ).customer_id
    t0 = time.perf_counter()
    build(engine, customer_id, layers)
    load = time.perf_counter() - t0
    draft = I.InspectionDraft(
        kind="half_yearly",
        room_id=room_id,
        inspected_on=date(2026, 2, 2),
        inspectors=(I.Inspector(user_id=lisi.actor.user_id), I.Inspector(name="王五")),
    )
    sid = I.start_inspection(session=lisi, draft=draft, clock=clock)
    t0 = time.perf_counter()
    expected = I.begin_counting(session=lisi, inspection_id=sid, clock=clock)
    begin = time.perf_counter() - t0
    # the scans: every expected volume but MISSING, plus UNPLACED ones found on the shelf
    with engine.begin() as conn:
        vids = list(
            conn.execute(
                text(
                    "SELECT volume_id FROM inspection_expected WHERE session_id = :s "
                    "ORDER BY volume_id"
                ),
                {"s": sid},
            ).scalars()
        )
        unplaced = list(
            conn.execute(
                text(
                    "SELECT v.id FROM volume v LEFT JOIN volume_place p ON p.volume_id = v.id "
                    "WHERE p.volume_id IS NULL AND v.reference_code LIKE 'Z001-KH·2024-Y-%'"
                )
            ).scalars()
        )[:UNPLACED]
        seen = vids[: len(vids) - MISSING - SCANS] + unplaced
        conn.execute(
            text(
                "INSERT INTO inspection_scan (session_id, scanned_at, code, kind, object_id) "
                "VALUES (:s, :at, 'X', 'volume', :v)"
            ),
            [{"s": sid, "at": clock.now(), "v": v} for v in seen],
        )
        conn.execute(
            text(
                "INSERT INTO inspection_found (session_id, volume_id, scan_id) VALUES (:s, :v, 0)"
            ),
            [{"s": sid, "v": v} for v in seen],
        )
        codes = dict(
            conn.execute(
                text(
                    "SELECT id, reference_code FROM volume WHERE id IN ("
                    + ",".join(map(str, vids[-MISSING - SCANS : -MISSING]))
                    + ")"
                )
            ).all()
        )
    # each scan acknowledged (the last SCANS expected volumes)
    payloads = [scan_payload(codes[vid]) for vid in vids[-MISSING - SCANS : -MISSING]]
    _, scan_times = time_each(
        lambda payload: I.record_scan(session=lisi, inspection_id=sid, text=payload, clock=clock),
        payloads,
    )

    def bare_insert(n: int) -> None:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO inspection_scan (session_id, scanned_at, code, kind) "
                    "VALUES (:s, :at, :c, 'bare')"
                ),
                {"s": sid, "at": clock.now(), "c": f"BARE{n}"},
            )

    _, bare_scan = time_each(bare_insert, range(SCANS))
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM inspection_scan WHERE kind = 'bare'"))
        found_total = conn.execute(
            text("SELECT count(*) FROM inspection_found WHERE session_id = :s"), {"s": sid}
        ).scalar_one()
    # reconciliation
    recs, rec_times = time_each(
        lambda _: I.get_reconciliation(session=lisi, inspection_id=sid, clock=clock), range(5)
    )
    rec = recs[-1]

    def bare_missing(_: int) -> None:
        with engine.connect() as conn:
            conn.execute(
                text(
                    "SELECT count(*) FROM inspection_expected e LEFT JOIN inspection_found f "
                    "ON f.session_id = e.session_id AND f.volume_id = e.volume_id "
                    "WHERE e.session_id = :s AND f.volume_id IS NULL"
                ),
                {"s": sid},
            ).scalar_one()

    _, bare_times = time_each(bare_missing, range(5))
    # the printed record with its 2,000 differences
    I.finish_counting(session=lisi, inspection_id=sid, clock=clock)
    for n in range(9):
        I.set_check(session=lisi, inspection_id=sid, seq=n + 1, ok=True, clock=clock)
    pdfs, pdf_times = time_each(
        lambda _: inspection_print.inspection_record_pdf(
            session=lisi, inspection_id=sid, clock=clock
        ),
        range(3),
    )
    pages = page_count(pdfs[-1])
    sample = [
        (str(n), "缺失", f"Z001-KH·2024-Y-{n:06d}", "K1-01-A-1-1", "", "未处理")
        for n in range(len(rec.differences))
    ]
    bare = min(bare_pdf(sample, PAGE) for _ in range(3))
    print(f"load: {load:.1f} s for {VOLUMES + UNPLACED:,} volumes")
    print(f"begin counting (expected list, INSERT … SELECT): {ms(begin)} for {expected:,} expected")
    print(f"scans in the session: {found_total:,}")
    print(f"bare scan insert + commit (baseline): median {ms(statistics.median(bare_scan))}")
    print(
        f"record_scan acknowledged: median {ms(statistics.median(scan_times))}, "
        f"max {ms(max(scan_times))}"
    )
    print(f"bare missing anti-join (baseline): median {ms(statistics.median(bare_times))}")
    print(
        f"reconciliation {expected:,} expected vs {found_total:,} found: "
        f"median {ms(statistics.median(rec_times))}, "
        f"max {ms(max(rec_times))}; missing {rec.count(I.DifferenceKind.MISSING)}, "
        f"unexpected {rec.count(I.DifferenceKind.UNEXPECTED)}"
    )
    print(f"drawString of {len(sample):,} × 6 texts (baseline): {ms(bare)}")
    print(
        f"库房检查记录 with {len(rec.differences):,} differences ({pages} pages): "
        f"median {ms(statistics.median(pdf_times))}"
    )


if __name__ == "__main__":
    main()
