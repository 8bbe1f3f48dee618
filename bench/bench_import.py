"""Ledger import: a 100,000-row customer ledger beside a bare openpyxl read of the same file.

Run: python bench/bench_import.py [--rows 100000]   (prints a Markdown table)

The ledger is the tests' messy kind (tests/ledgers.py): a merged title row, a two-level merged
header, eight columns, valid GB 11643 numbers, mobiles and some land lines. Timed:

* bare: ``openpyxl.load_workbook(read_only=True)`` and ``iter_rows(values_only=True)`` over
  every row, nothing else (the floor for reading the file);
* read: ``imports.load_ledger`` (limits checked before loading, merged ranges read and filled,
  header found);
* preview: what the wizard's preview shows at once once the file is read: the first 1,000
  rows checked with the form's rules (duplicate-ID look-up included) and masked for display
  (every row is then checked behind a progress dialog: "check every row");
* first rows from the file: reading only the first 1,100 rows, finding the header, checking
  1,000 rows, beside openpyxl's own cost of opening the workbook (its shared-string table is
  read whole on open);
* check: every row checked (the preview page's full check);
* import: ``imports.run_import`` (every row checked again inside the write transaction, a key
  per customer committed to the vault, values encrypted, blind indexes, search index, 疑似重复
  join, one audit entry, one commit), into a fresh encrypted database;
* goal: read + import ≤ 30 s (issue 10), preview ≤ 1 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.clock import SystemClock
from app.imports.layout import detect_header
from app.imports.source import read_sheet
from app.services import imports
from app.services.auth import sign_in
from app.services.setup import initialize_database
from app.storage.location import DatabaseLocation
from tests.conftest import make_setup_request
from tests.factories import PASSWORD, add_archivist
from tests.ledgers import write_big_customer_xlsx


def bare_read(path: Path) -> tuple[float, float, int]:
    from openpyxl import load_workbook

    start = time.perf_counter()
    book = load_workbook(path, read_only=True, data_only=True)
    opened = time.perf_counter() - start
    rows = sum(1 for _ in book.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    book.close()
    return time.perf_counter() - start, opened, rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    ledger_path = write_big_customer_xlsx(work / "ledger.xlsx", args.rows)
    size = ledger_path.stat().st_size / 1e6
    clock = SystemClock()
    location = DatabaseLocation.parse(work / "bench.db")
    admin = initialize_database(location=location, request=make_setup_request(), clock=clock)
    add_archivist(admin.session, clock)
    session = sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)

    bare_s, open_s, bare_rows = bare_read(ledger_path)

    start = time.perf_counter()
    head = read_sheet(ledger_path, max_rows=1_100)
    fields = imports.ledger_fields("customers")
    first = imports.Ledger(ledger_path, head, detect_header(head, fields))
    mapping, _ = imports.guess_columns(session=session, kind="customers", ledger=first, clock=clock)
    imports.check_ledger(
        session=session, kind="customers", ledger=first, mapping=mapping, clock=clock, limit=1000
    )
    first_rows_s = time.perf_counter() - start

    start = time.perf_counter()
    ledger = imports.load_ledger(ledger_path, kind="customers")
    read_s = time.perf_counter() - start

    start = time.perf_counter()
    preview = imports.check_ledger(
        session=session, kind="customers", ledger=ledger, mapping=mapping, clock=clock, limit=1000
    )
    shown = [
        imports.preview_cells("customers", ledger, mapping, o.row - 1) for o in preview.outcomes
    ]
    preview_s = time.perf_counter() - start
    assert len(shown) == 1000 and preview.rejected == 0

    start = time.perf_counter()
    checked = imports.check_ledger(
        session=session, kind="customers", ledger=ledger, mapping=mapping, clock=clock
    )
    check_s = time.perf_counter() - start
    assert checked.rejected == 0, checked.rejected

    start = time.perf_counter()
    summary = imports.run_import(
        session=session,
        kind="customers",
        ledger=ledger,
        mapping=mapping,
        mode=imports.ImportMode.ALL_OR_NOTHING,
        clock=clock,
    )
    import_s = time.perf_counter() - start
    assert summary.imported == args.rows

    start = time.perf_counter()
    assert summary.batch_id is not None
    imports.undo_import(session=session, batch_id=summary.batch_id, clock=clock)
    undo_s = time.perf_counter() - start

    total = read_s + import_s
    print(f"ledger: {args.rows:,} rows, 8 columns, {size:.1f} MB .xlsx; bare rows {bare_rows:,}")
    print()
    print("| step | seconds | rows/s | goal |")
    print("|---|---:|---:|---|")
    print(f"| bare openpyxl read-only read | {bare_s:.2f} | {bare_rows / bare_s:,.0f} | baseline |")
    print(f"| read (limits, merges, header) | {read_s:.2f} | {args.rows / read_s:,.0f} | |")
    print(f"| preview: first 1,000 rows checked and masked | {preview_s:.2f} | | ≤ 1 s |")
    print(f"| first 1,000 rows straight from the file | {first_rows_s:.2f} | | |")
    print(f"| bare openpyxl open (shared strings) | {open_s:.2f} | | baseline |")
    print(f"| check every row | {check_s:.2f} | {args.rows / check_s:,.0f} | |")
    print(f"| import (checks again, writes) | {import_s:.2f} | {args.rows / import_s:,.0f} | |")
    print(f"| **read + import** | **{total:.2f}** | {args.rows / total:,.0f} | ≤ 30 s |")
    print(f"| undo of the import | {undo_s:.2f} | {args.rows / undo_s:,.0f} | |")


if __name__ == "__main__":
    main()
