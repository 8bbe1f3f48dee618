"""Ledger import: a 100,000-row customer ledger read, checked and imported, beside a bare read.

Run: python bench/bench_import.py [--rows 100000]   (prints a Markdown table)

The ledger is the tests' messy kind (tests/ledgers.py): a merged title row, a two-level merged
header, eight columns, valid GB 11643 numbers, mobiles and some land lines, a ``<dimension>``.
Each step is timed in wall-clock seconds and in CPU seconds of this process (the machine may
be shared: the CPU figure is what the step costs, the wall figure what it took today):

* bare openpyxl / bare calamine: ``load_workbook(read_only=True)`` + ``iter_rows`` over every
  row, and python-calamine's ``iter_rows`` over every row, nothing else (the floor);
* read: ``imports.load_ledger`` (limits checked before loading, every row really in the sheet
  whatever the dimension says, merged ranges filled, header found, footers told apart);
* preview: the first 1,000 rows checked with the form's rules and masked for display;
* check: every row checked (the preview page's full check, done once);
* import: ``imports.run_import`` given that check: the rows' verdicts are written as checked,
  only ID uniqueness is looked up again under the write lock (a key per customer committed to
  the vault, values encrypted, blind indexes, search index, 疑似重复 join, one audit entry,
  one commit), into a fresh encrypted database. Each chunk is inserted on a writer thread
  while the next is prepared, so its CPU is split: the main thread's (preparing) and the
  rest (inserting); on two idle cores the import's wall time is about the longer side;
* goal (issue 16): read + check + import ≤ 15 s, preview ≤ 1 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.clock import SystemClock
from app.services import imports
from app.services.auth import sign_in
from app.services.setup import initialize_database
from app.storage.location import DatabaseLocation
from tests.conftest import make_setup_request
from tests.factories import PASSWORD, add_archivist
from tests.ledgers import write_big_customer_xlsx


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """``(result, wall seconds, CPU seconds of this process)``."""
    result, wall, cpu, _main = timed_threads(fn)
    return result, wall, cpu


def timed_threads(fn: Callable[[], Any]) -> tuple[Any, float, float, float]:
    """``(result, wall s, CPU s of this process, CPU s of this thread)``.

    The import inserts each chunk on a writer thread while it prepares the next one: the
    process's CPU is both threads', this thread's is the preparing side.
    """
    wall, cpu, own = time.perf_counter(), time.process_time(), time.thread_time()
    result = fn()
    return (
        result,
        time.perf_counter() - wall,
        time.process_time() - cpu,
        time.thread_time() - own,
    )


def bare_openpyxl(path: Path) -> int:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    rows = sum(1 for _ in book.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    book.close()
    return rows


def bare_calamine(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    rows = sum(1 for _ in book.get_sheet_by_index(0).iter_rows())
    book.close()
    return rows


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
    kind = "customers"

    load_start = os.getloadavg()[0]
    bare_rows, bare_s, bare_cpu = timed(lambda: bare_openpyxl(ledger_path))
    cal_rows, cal_s, cal_cpu = timed(lambda: bare_calamine(ledger_path))
    ledger, read_s, read_cpu = timed(lambda: imports.load_ledger(ledger_path, kind=kind))
    assert ledger.data_rows == args.rows, ledger.data_rows
    mapping, _ = imports.guess_columns(session=session, kind=kind, ledger=ledger, clock=clock)

    def preview() -> imports.CheckResult:
        result = imports.check_ledger(
            session=session, kind=kind, ledger=ledger, mapping=mapping, clock=clock, limit=1000
        )
        for o in result.outcomes:
            imports.preview_cells(kind, ledger, mapping, o.row - 1)
        return result

    first, preview_s, preview_cpu = timed(preview)
    assert len(first.outcomes) == 1000 and first.rejected == 0
    checked, check_s, check_cpu = timed(
        lambda: imports.check_ledger(
            session=session, kind=kind, ledger=ledger, mapping=mapping, clock=clock
        )
    )
    assert checked.rejected == 0, checked.rejected
    summary, import_s, import_cpu, import_main = timed_threads(
        lambda: imports.run_import(
            session=session,
            kind=kind,
            ledger=ledger,
            mapping=mapping,
            mode=imports.ImportMode.ALL_OR_NOTHING,
            clock=clock,
            checked=checked,
        )
    )
    assert summary.imported == args.rows and summary.rechecked_only
    assert summary.read == summary.imported + summary.rejected + len(summary.skipped)
    _, undo_s, undo_cpu = timed(
        lambda: imports.undo_import(session=session, batch_id=summary.batch_id, clock=clock)
    )

    total, total_cpu = read_s + check_s + import_s, read_cpu + check_cpu + import_cpu
    n = args.rows
    load = os.getloadavg()[0]
    print(
        f"ledger: {n:,} rows, 8 columns, {size:.1f} MB .xlsx; rows seen: openpyxl {bare_rows:,},"
        f" calamine {cal_rows:,}; {os.cpu_count()} CPUs, load average {load_start:.1f} at the"
        f" start, {load:.1f} at the end"
    )
    print()
    print("| step | wall s | CPU s | rows/s (CPU) | goal |")
    print("|---|---:|---:|---:|---|")

    def line(step: str, wall: float, cpu: float, goal: str = "", rows: int = n) -> None:
        rate = f"{rows / cpu:,.0f}" if rows and cpu > 0.005 else ""
        shown = f"{wall:.2f}" if wall else ""
        print(f"| {step} | {shown} | {cpu:.2f} | {rate} | {goal} |")

    line("bare openpyxl read-only read", bare_s, bare_cpu, "baseline")
    line("bare calamine read", cal_s, cal_cpu, "baseline")
    line("read (limits, real extent, merges, header, footers)", read_s, read_cpu)
    line("preview: first 1,000 rows checked and masked", preview_s, preview_cpu, "≤ 1 s", 1000)
    line("check every row (once)", check_s, check_cpu)
    line("import (the check's verdicts written, ID uniqueness re-checked)", import_s, import_cpu)
    line("  of which preparing (main thread: keys, AES-GCM, HMAC, pinyin)", 0, import_main)
    line("  of which inserting (writer thread, beside it)", 0, max(0.0, import_cpu - import_main))
    line("**read + check + import**", total, total_cpu, "≤ 15 s")
    # on two idle cores the import takes about its longer side: the other runs beside it
    overlapped = read_cpu + check_cpu + max(import_main, import_cpu - import_main, 0.0)
    line("read + check + import, CPU with the import's two sides overlapped", 0, overlapped)
    line("undo of the import", undo_s, undo_cpu)


if __name__ == "__main__":
    main()
