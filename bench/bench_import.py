"""Ledger import: a 100,000-row customer ledger read, checked and imported, beside a bare read.

Run: python bench/bench_import.py [--rows 100000]   (prints a Markdown table)

The ledger is the tests' messy kind (tests/ledgers.py): a merged title row, a two-level merged
header, eight columns, valid GB 11643 numbers, mobiles and some land lines, a ``<dimension>``,
and names as varied as a real registry's (``realistic=True``: 86,576 distinct names in 100,000
rows, one in seven a company; the first benches drew from 13,500 names, so the search entries
of most rows were computed once and shared, which real ledgers do not allow).
Each step is timed in wall-clock seconds and in CPU seconds: of this process and of the worker
process a large ledger is checked and prepared with (the machine may be shared: the CPU figures
are what the step costs, the wall figure what it took today):

* bare openpyxl / bare calamine: ``load_workbook(read_only=True)`` + ``iter_rows`` over every
  row, and python-calamine's ``iter_rows`` over every row, nothing else (the floor);
* read: ``imports.load_ledger`` (limits checked before loading, every row really in the sheet
  whatever the dimension says, merged ranges filled, header found, footers told apart);
* preview: the first 1,000 rows checked with the form's rules and masked for display;
* check: every row checked (the preview page's full check, done once): blocks of rows from the
  start in this process, from the end in a worker process, then the duplicate checks here;
* import: ``imports.run_import`` given that check: the rows' verdicts are written as checked,
  only ID uniqueness is looked up again under the write lock (a key per customer committed to
  the vault, values encrypted, blind indexes, search index, 疑似重复 join, one audit entry,
  one commit), into a fresh encrypted database. A worker process prepares chunk k + 1 (keys,
  AES-GCM, HMAC, pinyin) while this process inserts chunk k;
* the estimate for two idle cores: read + (the check's two sides shared out: half their sum)
  + (the import's longer side), from the CPU figures;
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
from app.security.process import MEMORY_SECURITY_ENV, protect_memory
from app.services import imports
from app.services.auth import sign_in
from app.services.imports.kinds import customer_worker
from app.services.setup import initialize_database
from app.storage.location import DatabaseLocation


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """``(result, wall seconds, CPU seconds of this process)``."""
    result, wall, cpu, _workers = timed_workers(fn)
    return result, wall, cpu


def timed_workers(fn: Callable[[], Any]) -> tuple[Any, float, float, float]:
    """``(result, wall s, CPU s of this process, CPU s of the worker processes it ran)``.

    A large ledger is checked and prepared partly in a worker process (ended and waited for
    before the step returns, so its CPU time is counted as a child's).
    """
    wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    result = fn()
    return (
        result,
        time.perf_counter() - wall,
        time.process_time() - cpu,
        _children_cpu() - children,
    )


def _children_cpu() -> float:
    """CPU seconds of the worker processes: ended ones, and the one kept for the next step."""
    times = os.times()
    spent = times.children_user + times.children_system
    kept = customer_worker._shared
    if kept is not None and kept.alive():
        try:  # Linux: utime and stime of the running worker, in clock ticks
            fields = Path(f"/proc/{kept._process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            spent += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass
    return spent


class RowsHere:
    """CPU seconds this process spends checking rows itself (the rest of the check is serial)."""

    def __init__(self) -> None:
        self.cpu = 0.0
        self._check_block = customer_worker.check_block

    def __call__(self, rows: Any, today: Any) -> Any:
        start = time.process_time()
        try:
            return self._check_block(rows, today)
        finally:
            self.cpu += time.process_time() - start


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
    parser.add_argument(
        "--memory-security",
        action="store_true",
        help="as the program with ARCHIVE_ROOM_MEMORY_SECURITY=1 (SQLCipher's, process-wide)",
    )
    args = parser.parse_args()
    if args.memory_security:
        os.environ[MEMORY_SECURITY_ENV] = "1"
    protected = protect_memory()  # as the program runs (ui.launch.harden)
    # here, not at the top: the worker process imports this module again (as multiprocessing's
    # main module) and needs none of the tests' helpers
    from tests.conftest import make_setup_request
    from tests.factories import PASSWORD, add_archivist
    from tests.ledgers import write_big_customer_xlsx

    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    ledger_path = write_big_customer_xlsx(work / "ledger.xlsx", args.rows, realistic=True)
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

    first, preview_s, preview_cpu, preview_worker = timed_workers(preview)
    assert len(first.outcomes) == 1000 and first.rejected == 0
    rows_here = RowsHere()
    customer_worker.check_block = rows_here  # type: ignore[assignment]
    checked, check_s, check_cpu, check_worker = timed_workers(
        lambda: imports.check_ledger(
            session=session, kind=kind, ledger=ledger, mapping=mapping, clock=clock
        )
    )
    customer_worker.check_block = rows_here._check_block  # type: ignore[assignment]
    assert checked.rejected == 0, checked.rejected
    summary, import_s, import_cpu, import_worker = timed_workers(
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

    total = read_s + check_s + import_s
    total_cpu = read_cpu + check_cpu + check_worker + import_cpu + import_worker
    # two idle cores: the check's blocks are shared out (both sides end together), the import
    # is a pipeline (this process inserts while the worker prepares: the longer side counts)
    # the check: its serial part (reading cells into rows, the duplicate checks) plus the rows
    # checked here and in the worker (its start included) shared out evenly
    serial = check_cpu - rows_here.cpu
    check_idle = serial + max((rows_here.cpu + check_worker) / 2, 0.0)
    import_idle = max(import_cpu, import_worker)
    idle = read_cpu + check_idle + import_idle
    n = args.rows
    load = os.getloadavg()[0]
    print(
        f"ledger: {n:,} rows, 8 columns, {size:.1f} MB .xlsx; rows seen: openpyxl {bare_rows:,},"
        f" calamine {cal_rows:,}; {os.cpu_count()} CPUs, load average {load_start:.1f} at the"
        f" start, {load:.1f} at the end; as the program runs: {', '.join(protected) or '-'}"
    )
    print()
    print("| step | wall s | CPU s here | CPU s worker | rows/s (CPU) | goal |")
    print("|---|---:|---:|---:|---:|---|")

    def line(
        step: str, wall: float, cpu: float, worker: float = 0.0, goal: str = "", rows: int = n
    ) -> None:
        spent = cpu + worker
        rate = f"{rows / spent:,.0f}" if rows and spent > 0.005 else ""
        shown = f"{wall:.2f}" if wall else ""
        other = f"{worker:.2f}" if worker else ""
        print(f"| {step} | {shown} | {cpu:.2f} | {other} | {rate} | {goal} |")

    line("bare openpyxl read-only read", bare_s, bare_cpu, goal="baseline")
    line("bare calamine read", cal_s, cal_cpu, goal="baseline")
    line("read (limits, real extent, merges, header, footers)", read_s, read_cpu)
    line(
        "preview: first 1,000 rows checked and masked (the worker started)",
        preview_s,
        preview_cpu,
        preview_worker,
        "≤ 1 s",
        1000,
    )
    line(
        "check every row (once; blocks shared with a worker process)",
        check_s,
        check_cpu,
        check_worker,
    )
    line(
        "import (the check's verdicts written, ID uniqueness re-checked; a worker process"
        " prepares keys, AES-GCM, HMAC, pinyin while this one inserts)",
        import_s,
        import_cpu,
        import_worker,
    )
    line("  of which rows checked in this process", 0, rows_here.cpu)
    line("  of which the rest (serial: rows read, duplicate and ID checks)", 0, serial)
    line(
        "**read + check + import**",
        total,
        read_cpu + check_cpu + import_cpu,
        check_worker + import_worker,
        "≤ 15 s",
    )
    print(
        f"| read + check + import on two idle cores (estimate from the CPU figures) |"
        f" {idle:.2f} | | | | ≤ 15 s |"
    )
    line("undo of the import", undo_s, undo_cpu)
    del total_cpu


if __name__ == "__main__":
    main()
