"""Disposition benchmarks (issue 17) beside bare baselines measured in the same run.

* the appraisal queue over 1,000,000 volumes (``list_appraisal_queue``: groups by 门类/year
  from the trigger-kept ``volume_tally``, the first 500 ready rows, the held-back ones with
  their reasons; one hold in force), its first call and then warm, beside the bare
  ``SELECT count(*) … GROUP BY`` over the volumes (what it cost before the tally);
* carrying out a 销毁清册 of 5,000 volumes (``carry_out_list``: states and 销毁情况, places
  freed with move rows, 1,000 electronic files crypto-erased, an audit entry per volume and one
  for the list) — the two 监销人 password checks included;
* printing the 5,000-row 清册 (``destruction_list_pdf``) beside ReportLab drawing the same
  cell texts with ``drawString``.

Run: python bench/bench_disposition.py [--volumes 1000000] [--rounds 5]
(builds a throw-away database in a temporary folder)
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from app.clock import FixedClock
from app.services import disposition as D
from app.services.catalogue import attach_file
from app.services.disposition import printing
from bench._setup import (
    BareLayout,
    bare_pdf,
    box_volumes,
    fresh_database,
    ms,
    shelve_room,
    time_each,
)
from tests.conftest import ADMIN_PASSWORD
from tests.loan_helpers import PASSWORD, make_desk

LISTED = 5_000
FILES = 1_000
PER_BOX = 10
# 30 rows a landscape page, as the 清册
PAGE = BareLayout(
    per_page=30, font_size=8, top=540, row_step=17, left=30, col_step=80, landscape=True
)


def build(engine, customer_id: int, volumes: int, layers: list[int]) -> list[int]:  # type: ignore[no-untyped-def]
    """``volumes`` volumes over 1990–2025 (Y/D30/D10); the first LISTED expired ones boxed."""
    at = datetime(2025, 1, 2, 9, 0, tzinfo=UTC)
    retentions = ("Y", "D30", "D10")
    with engine.begin() as conn:
        batch = []
        for n in range(volumes):
            year = 1990 + n % 36
            retention = retentions[(n // 36) % 3]
            batch.append(
                {
                    "c": f"Z001-KH·{year}-{retention}-{n:06d}",
                    "cid": customer_id,
                    "y": year,
                    "r": retention,
                    "at": at,
                }
            )
            if len(batch) == 50_000:
                conn.execute(
                    text(
                        "INSERT INTO volume (reference_code, customer_id, year, title, retention, "
                        "created_at, item_count, page_count, state, category_code, fonds_code) "
                        "VALUES (:c, :cid, :y, '客户档案', :r, :at, 1, 8, 'on_shelf', 'KH', "
                        "'Z001')"
                    ),
                    batch,
                )
                batch = []
        if batch:
            conn.execute(
                text(
                    "INSERT INTO volume (reference_code, customer_id, year, title, retention, "
                    "created_at, item_count, page_count, state, category_code, fonds_code) "
                    "VALUES (:c, :cid, :y, '客户档案', :r, :at, 1, 8, 'on_shelf', 'KH', 'Z001')"
                ),
                batch,
            )
        chosen = list(
            conn.execute(
                text(
                    "SELECT id FROM volume WHERE retention = 'D10' AND year <= 2010 "
                    "ORDER BY id LIMIT :n"
                ),
                {"n": LISTED},
            ).scalars()
        )
        conn.execute(
            text(
                "INSERT INTO archive_item (volume_id, seq, title, created_at, version, doc_number, "
                "author, carrier, remarks, index_remarks) VALUES (:v, 1, '合同', :at, 1, '', '', "
                "'paper', '', '')"
            ),
            [{"v": v, "at": at} for v in chosen],
        )
        box_volumes(conn, chosen, layers, at, PER_BOX)
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--volumes", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--queue-only", action="store_true")
    args = parser.parse_args()
    clock = FixedClock(datetime(2026, 2, 2, 9, 0, tzinfo=UTC))
    location, admin = fresh_database(
        Path(tempfile.mkdtemp()), clock, ADMIN_PASSWORD, name="bench.db"
    )
    desk = make_desk(admin, location, clock)
    lisi = desk("lisi")
    layers = shelve_room(lisi, clock, "1-10")
    engine = lisi.store.engine
    from tests.disposition_helpers import new_customer

    customer = new_customer(lisi, clock)
    t0 = time.perf_counter()
    chosen = build(engine, customer, args.volumes, layers)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    print(f"load {args.volumes:,} volumes: {time.perf_counter() - t0:.1f} s")
    # one hold in force, on a volume of the queue
    held = chosen[-1] + 1
    D.place_hold(session=desk("manager"), reason="诉讼保全", volume_ids=[held], clock=clock)

    # --- the queue ---------------------------------------------------------------------------
    t0 = time.perf_counter()
    queue = D.list_appraisal_queue(session=lisi, clock=clock)  # first read: cold page cache
    first = time.perf_counter() - t0
    queues, times = time_each(
        lambda _: D.list_appraisal_queue(session=lisi, clock=clock), range(args.rounds)
    )
    queue = queues[-1]

    def bare_queue(_: int) -> None:
        with engine.connect() as conn:
            conn.execute(
                text(
                    "SELECT category_code, year, count(*) FROM volume WHERE "
                    "(retention = 'D10' AND year <= 2016) OR (retention = 'D30' AND year <= 1996) "
                    "GROUP BY category_code, year"
                )
            ).all()

    _, bare = time_each(bare_queue, range(args.rounds))
    print(
        f"queue: {queue.ready_total:,} ready, {queue.blocked_total} held back, "
        f"{len(queue.groups)} groups: first {ms(first)}, then median "
        f"{ms(statistics.median(times))}, max {ms(max(times))} (counting the volumes instead: "
        f"bare GROUP BY median {ms(statistics.median(bare))})"
    )

    if args.queue_only:
        return
    # --- a list of LISTED volumes, approved -----------------------------------------------------
    t0 = time.perf_counter()
    ref = D.start_appraisal(
        session=lisi,
        appraiser_ids=[desk.ids["zhao"], desk.ids["both"]],
        appraised_on=clock.now().date(),
        clock=clock,
    )
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO appraisal_decision (appraisal_id, volume_id, decision, reason, "
                "recipient, opinion, decided_by, decided_at) VALUES (:a, :v, 'destroy', "
                "'保管期满，经鉴定已失去保存价值', '', '', :u, :at)"
            ),
            [{"a": ref.id, "v": v, "u": desk.ids["lisi"], "at": clock.now()} for v in chosen],
        )
    D.close_appraisal(session=lisi, appraisal_id=ref.id, opinion="", clock=clock)
    listed = D.compile_list(session=lisi, volume_ids=chosen, clock=clock)
    D.submit_list(session=lisi, list_id=listed.id, clock=clock)
    for who in ("manager", "gm"):
        D.approve_list(session=desk(who), list_id=listed.id, opinion="同意", clock=clock)
    print(f"appraise + compile + approve {LISTED:,} volumes: {time.perf_counter() - t0:.1f} s")
    with engine.connect() as conn:
        items = list(
            conn.execute(
                text(
                    "SELECT id FROM archive_item WHERE volume_id IN (SELECT volume_id FROM "
                    "destruction_list_volume) ORDER BY id LIMIT :n"
                ),
                {"n": FILES},
            ).scalars()
        )
    t0 = time.perf_counter()
    for n, item in enumerate(items):
        attach_file(
            session=lisi,
            item_id=item,
            source=io.BytesIO(f"合同正文第{n}号\n".encode() * 200),
            file_name="合同.txt",
            clock=clock,
        )
    print(f"attach {len(items):,} files: {time.perf_counter() - t0:.1f} s")

    # --- carrying out ---------------------------------------------------------------------------
    t0 = time.perf_counter()
    result = D.carry_out_list(
        session=lisi,
        list_id=listed.id,
        carried_out_on=clock.now().date(),
        place="碎纸室",
        method="粉碎",
        witnesses=(D.Witness("zhao", PASSWORD), D.Witness("head", PASSWORD)),
        clock=clock,
    )
    carry = time.perf_counter() - t0
    print(
        f"carry out {result.volumes:,} volumes ({result.files_erased:,} files erased, "
        f"{result.places_freed:,} places freed): {carry:.2f} s"
    )

    # --- printing -------------------------------------------------------------------------------
    form = printing.destruction_list_form(session=lisi, list_id=listed.id, clock=clock)
    cells = [
        (str(r.seq), r.reference_code, r.title, r.date_range, r.quantity, r.retention, r.kept)
        for r in form.rows
    ]
    base = bare_pdf(cells, PAGE)
    pdfs, times = time_each(
        lambda _: printing.destruction_list_pdf(session=lisi, list_id=listed.id, clock=clock),
        range(max(1, args.rounds // 2)),
    )
    data = pdfs[-1]
    import pypdfium2

    pages = len(pypdfium2.PdfDocument(data))
    print(
        f"清册 of {len(form.rows):,} rows ({pages} pages): median {statistics.median(times):.2f} s "
        f"(bare drawString {base:.2f} s)"
    )
    desk.close()


if __name__ == "__main__":
    main()
