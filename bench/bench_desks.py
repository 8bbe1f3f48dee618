"""Several desks at once: N app processes on one database issuing loans (issue 22).

Each desk is a real process (multiprocessing, spawn), signed in as its own archivist, and
issues the volumes of its own approved application one after the other, as a desk does with a
scanner: the 档号 scanned (``find_application_for_scan``) and the loan saved (``issue_loan``:
checks, loan number from the shared counter, volume state, use log, audit entry). The desks
are let go at the same moment, so their write transactions overlap all the time. Every
call's latency is recorded, and every error by type ("database busy" apart).

Run on an existing demo database (``archive-room demo --db … [--size large]``):
    python bench/bench_desks.py DB_OR_URL --desks 5 --loans 40
The set-up (desk accounts ``desk1``…, a borrower, one approved application a desk over
volumes nobody has asked for yet) is made by the demo's administrator, 安全保密员 and 信息专员
before the desks start; a second run makes new applications over other volumes.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from app.clock import SystemClock
from app.demo import DEMO_PASSWORD
from app.domain.roles import Role
from app.services import users
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.loans import (
    ApplicationDraft,
    RequestedVolume,
    approve_application,
    file_application,
    set_staff_department,
)
from app.storage.location import DatabaseLocation
from bench._setup import percentiles, print_table
from tests.factories import PASSWORD, TEST_KDF, add_user

BORROWER = "jieyue"  # the staff member who borrows (an application per desk)
APPROVERS = ("infoofficer", "depthead", "csmanager", "gm", "supervisor")  # the demo's


@dataclass
class DeskRun:
    """What one desk process did: its latencies (seconds) and errors by type."""

    desk: int
    issued: int = 0
    seconds: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)  # the first few error texts
    wall: float = 0.0


def _signed_in(location: DatabaseLocation, username: str, password: str) -> SignedIn:
    return sign_in(location=location, username=username, password=password, clock=SystemClock())


def _account(admin: SignedIn, username: str, name: str, department: str = "") -> None:
    """A working archivist ``username`` (password ``PASSWORD``) unless it exists."""
    clock = SystemClock()
    known = {u.username: u.id for u in users.list_users(session=admin, clock=clock)}
    if username not in known:
        add_user(admin, clock, username, [Role.ARCHIVIST], display_name=name, kdf=TEST_KDF)
        known = {u.username: u.id for u in users.list_users(session=admin, clock=clock)}
    if department:
        set_staff_department(
            session=admin, user_id=known[username], department=department, clock=clock
        )


def prepare(location: DatabaseLocation, desks: int, loans: int) -> list[list[str]]:
    """Desk accounts and one approved application a desk; the 档号 each desk will scan."""
    clock = SystemClock()
    admin = _signed_in(location, "admin", DEMO_PASSWORD)
    try:
        for n in range(1, desks + 1):
            _account(admin, f"desk{n}", f"窗口{n}")
        _account(admin, BORROWER, "借阅人", department="销售部")
        borrower = next(
            u.id for u in users.list_users(session=admin, clock=clock) if u.username == BORROWER
        )
        with admin.store.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT id, reference_code FROM volume WHERE secrecy_level IS NULL "
                    "AND state = 'on_shelf' AND id NOT IN "
                    "(SELECT volume_id FROM use_application_volume) ORDER BY id DESC LIMIT :n"
                ),
                {"n": desks * loans},
            ).all()
    finally:
        sign_out(session=admin, clock=clock)
    if len(rows) < desks * loans:
        raise SystemExit(f"only {len(rows)} volumes free to lend; fewer desks or loans")
    approvers = [_signed_in(location, a, DEMO_PASSWORD) for a in APPROVERS]
    clerk = _signed_in(location, "desk1", PASSWORD)
    codes: list[list[str]] = []
    try:
        for d in range(desks):
            mine = rows[d * loans : (d + 1) * loans]
            draft = ApplicationDraft(
                kind="loan",
                purpose="核对合同条款",
                volumes=tuple(RequestedVolume(v) for v, _c in mine),
                applicant_user_id=borrower,
                phone="13812345678",
                reason="多窗口并发借出测试",
            )
            app_id = file_application(session=clerk, draft=draft, clock=clock).application_id
            state = ""
            for approver in approvers:
                if state == "approved":
                    break
                try:
                    state = approve_application(
                        session=approver, application_id=app_id, opinion="同意", clock=clock
                    )
                except Exception:  # not this approver's step
                    continue
            if state != "approved":
                raise SystemExit(f"application {app_id} is {state!r} after every approver")
            codes.append([c for _v, c in mine])
    finally:
        for s in (*approvers, clerk):
            sign_out(session=s, clock=clock)
    return codes


def desk_process(desk: int, db: str, codes: list[str], pause: float, start: Any, out: Any) -> None:
    """One desk: sign in, wait for ``start``, issue every volume of ``codes`` by its scan.

    ``pause``: seconds between a loan saved and the next scan (0: back to back). The desks
    start ``pause / desks`` apart, as people at several counters do not scan in step.
    """
    from app.domain.scan_codes import scan_payload
    from app.errors import DatabaseBusy
    from app.services.loans import find_application_for_scan, issue_loan

    clock = SystemClock()
    run = DeskRun(desk)
    session = _signed_in(DatabaseLocation.parse(db), f"desk{desk}", PASSWORD)
    try:
        start.wait(120)
        began = time.perf_counter()
        time.sleep(pause * (desk - 1) / 5)
        for n, code in enumerate(codes):
            if n and pause:
                time.sleep(pause)
            t0 = time.perf_counter()
            try:
                scan = scan_payload(code)
                app_id = find_application_for_scan(session=session, scan=scan, clock=clock)
                issue_loan(session=session, application_id=app_id, scan=scan, clock=clock)
                run.issued += 1
                run.seconds.append(time.perf_counter() - t0)
            except DatabaseBusy:
                run.errors["DatabaseBusy"] += 1
            except Exception as exc:  # counted by type; the bench reports every one
                run.errors[type(exc).__name__] += 1
                if len(run.samples) < 3:
                    run.samples.append(f"{type(exc).__name__}: {exc}")
        run.wall = time.perf_counter() - began
    finally:
        sign_out(session=session, clock=clock)
    out.put(run)


def run_desks(db: str, codes: list[list[str]], pause: float = 0.0) -> list[DeskRun]:
    """One spawned process a desk, let go together; their runs."""
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    processes = [
        ctx.Process(target=desk_process, args=(d, db, mine, pause, start, out))
        for d, mine in enumerate(codes, start=1)
    ]
    for p in processes:
        p.start()
    time.sleep(3.0)  # every desk signed in (spawn, imports, key derivation) before the start
    start.set()
    runs = [out.get(timeout=1800) for _ in processes]
    for p in processes:
        p.join(60)
    return sorted(runs, key=lambda r: r.desk)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", help="demo database file or postgresql+psycopg:// URL")
    parser.add_argument("--desks", type=int, default=5)
    parser.add_argument("--loans", type=int, default=40, help="loans each desk issues")
    parser.add_argument(
        "--pause", type=float, default=0.0, help="seconds between a desk's loans (0: back to back)"
    )
    args = parser.parse_args()
    location = DatabaseLocation.parse(args.db)
    db = location.url if location.url is not None else str(location.sqlite_path)
    load = os.getloadavg()
    codes = prepare(location, args.desks, args.loans)
    runs = run_desks(db, codes, args.pause)
    seconds = [s * 1000 for r in runs for s in r.seconds]
    errors: Counter[str] = Counter()
    for r in runs:
        errors.update(r.errors)
    issued = sum(r.issued for r in runs)
    wall = max(r.wall for r in runs)
    p50, p95 = percentiles(seconds) if seconds else (0.0, 0.0)
    engine = "SQLite (SQLCipher)" if location.is_sqlite else "PostgreSQL"
    rows = [
        (
            "engine, desks (processes) × loans each, pause between a desk's loans",
            f"{engine}, {args.desks} × {args.loans}, {args.pause:g} s",
        ),
        ("loans issued", f"{issued:,} of {args.desks * args.loans:,} in {wall:.1f} s"),
        (
            "per issue (scan → saved), all desks",
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(seconds, default=0):.1f} ms",
        ),
        ("errors", ", ".join(f"{k} {v}" for k, v in sorted(errors.items())) or "0"),
        ('"database busy" errors', str(errors.get("DatabaseBusy", 0))),
        ("load average at start / end", f"{load[0]:.2f} / {os.getloadavg()[0]:.2f}"),
    ]
    for r in runs:
        d50, d95 = percentiles([s * 1000 for s in r.seconds]) if r.seconds else (0.0, 0.0)
        rows.append((f"desk {r.desk}", f"{r.issued} issued, p50 {d50:.1f} ms, p95 {d95:.1f} ms"))
    print_table(rows)
    for r in runs:
        for sample in r.samples:
            print(f"desk {r.desk}: {sample}")


if __name__ == "__main__":
    main()
