"""Audit trail: write overhead, verifying 1,000,000 chained entries, the auditor's filters.

Run: python bench/bench_audit.py [--entries 1000000]   (prints a Markdown table)

* write: a unit of work that changes a setting and commits, with and without one
  ``uow.audit.record`` (lock, head read on first use, HMAC, insert); the difference per call
  is the audit overhead of a service call;
* verify: ``services.audit.verify_audit_chain`` over the whole table (read every row from
  SQLCipher, rebuild the content bytes, HMAC-SHA256, compare, then the checkpoints) beside a
  bare loop of ``hmac.digest`` over the same bytes, already in memory, in the same run;
* filters: ``services.audit.search_audit`` (newest 500) for the auditor's usual questions.
"""

from __future__ import annotations

import argparse
import hmac
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.clock import SystemClock
from app.domain.roles import Role
from app.security import audit_chain
from app.security.audit_chain import content_bytes, time_text
from app.services import audit
from app.services.audit import AuditFilter
from app.services.auth import SignedIn, sign_in
from app.storage.location import DatabaseLocation
from bench._setup import fresh_database

PASSWORD = "Bench-Trail-Pass-1"
USERS = [f"user{n:02d}" for n in range(20)]
ACTIONS = [
    ("customer.reveal", 0.25),
    ("customer.update", 0.2),
    ("auth.sign_in", 0.15),
    ("auth.sign_out", 0.15),
    ("file.open", 0.1),
    ("volume.create", 0.1),
    ("auth.sign_in_failed", 0.05),
]
PURPOSES = ["办理借阅核对身份", "客户来电核实信息", "合同签订核对", "按客户要求更正信息"]


def setup(folder: Path) -> tuple[DatabaseLocation, SignedIn]:
    return fresh_database(
        folder, SystemClock(), PASSWORD, ("reviewer", Role.AUDITOR), name="audit.db"
    )


def write_overhead(session: SignedIn, rounds: int = 2000) -> tuple[float, float]:
    """Median ms per unit of work without and with one audit entry (alternating)."""
    clock = SystemClock()
    bare: list[float] = []
    audited: list[float] = []
    for n in range(rounds):
        for with_audit in (False, True):
            start = time.perf_counter()
            with session.uow(clock) as uow:
                uow.settings.put("bench_counter", n)
                if with_audit:
                    uow.audit.record(
                        "settings.update",
                        object_type="settings",
                        object_id="bench",
                        details={"bench_counter": {"before": n - 1, "after": n}},
                    )
                uow.commit()
            (audited if with_audit else bare).append((time.perf_counter() - start) * 1000)
    return statistics.median(bare), statistics.median(audited)


def bulk_entries(session: SignedIn, count: int) -> list[bytes]:
    """Append ``count`` chained entries straight into the table; return the MAC'd messages."""
    store = session.store
    key = audit_chain.chain_key(store.data_key)
    rng = random.Random(9)
    names, weights = zip(*ACTIONS, strict=True)
    with store.engine.connect() as conn:
        seq, prev = conn.exec_driver_sql(
            "SELECT seq, entry_hash FROM audit_entry ORDER BY seq DESC LIMIT 1"
        ).one()
    prev = bytes(prev)
    start_time = datetime.now(UTC) - timedelta(days=3 * 365)
    step = timedelta(days=3 * 365) / count
    messages: list[bytes] = []
    rows: list[tuple[object, ...]] = []
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for n in range(count):
            seq += 1
            at = time_text(start_time + step * n)
            user = rng.choice(USERS)
            action = rng.choices(names, weights)[0]
            purpose = rng.choice(PURPOSES) if action in ("customer.reveal", "file.open") else None
            oid = str(rng.randint(1, 1_000_000))
            details = f'{{"fields":["phones"],"number":"KH{oid.zfill(8)}"}}'
            content = content_bytes(
                seq, at, 3, user, action, "customer", oid, purpose, details, "ws-01"
            )
            message = prev + content
            h = hmac.digest(key, message, "sha256")
            messages.append(message)
            rows.append(
                (seq, at, 3, user, action, "customer", oid, purpose, details, "ws-01", prev, h)
            )
            prev = h
            if len(rows) == 50_000:
                _insert(cursor, rows)
                rows = []
        _insert(cursor, rows)
    finally:
        raw.close()
    cp = audit_chain.make_checkpoint(
        audit_chain.checkpoint_key(store.data_key), seq, prev, datetime.now(UTC)
    )
    store.audit_checkpoints.append(cp, None)
    return messages


def _insert(cursor: object, rows: list[tuple[object, ...]]) -> None:
    cursor.execute("BEGIN")  # type: ignore[attr-defined]  # the driver is in autocommit mode
    cursor.executemany(  # type: ignore[attr-defined]
        "INSERT INTO audit_entry (seq, occurred_at, actor_id, actor_name, action, object_type,"
        " object_id, purpose, details, workstation, prev_hash, entry_hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    cursor.execute("COMMIT")  # type: ignore[attr-defined]


def bare_hmac(key: bytes, messages: list[bytes]) -> float:
    start = time.perf_counter()
    digest = hmac.digest
    for m in messages:
        digest(key, m, "sha256")
    return time.perf_counter() - start


def timed_ms(fn: object, repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-audit-"))
    location, admin = setup(folder)
    bare_ms, audited_ms = write_overhead(admin)
    print("| measurement | result | goal |")
    print("|---|---|---|")
    print(f"| unit of work (setting + commit), no audit | {bare_ms:.2f} ms | |")
    print(f"| the same with one audit entry | {audited_ms:.2f} ms | |")
    print(f"| audit overhead per service call | {audited_ms - bare_ms:.2f} ms | ≤ 1 ms |")
    start = time.perf_counter()
    messages = bulk_entries(admin, args.entries)
    print(
        f"| load {args.entries:,} chained entries (bulk) | {time.perf_counter() - start:.1f} s | |"
    )
    key = audit_chain.chain_key(admin.store.data_key)
    bare_s = min(bare_hmac(key, messages) for _ in range(3))
    del messages
    verify_runs = []
    for _ in range(3):
        start = time.perf_counter()
        report = audit.verify_audit_chain(admin.store)
        verify_runs.append(time.perf_counter() - start)
        assert report.ok, [b.describe() for b in report.breaks]
    verify_s = min(verify_runs)
    print(f"| bare HMAC-SHA256 loop over the same bytes | {bare_s:.2f} s | |")
    print(
        f"| verify the whole chain ({report.checked:,} entries, {report.checkpoints} checkpoints)"
        f" | {verify_s:.2f} s ({verify_s / bare_s:.1f}× bare) | ≤ 10 s, ≤ 5× bare |"
    )
    start = time.perf_counter()
    recent = audit.verify_audit_chain(admin.store, recent=True)
    print(
        f"| sign-in check (newest {recent.checked:,} entries) |"
        f" {(time.perf_counter() - start) * 1000:.0f} ms | |"
    )
    auditor = sign_in(
        location=location, username="reviewer", password=PASSWORD, clock=SystemClock()
    )
    today = datetime.now(UTC).date()
    filters = {
        "no filter (newest 500)": AuditFilter(),
        "user": AuditFilter(user="user07"),
        "action": AuditFilter(action="customer.reveal"),
        "user + action": AuditFilter(user="user07", action="customer.reveal"),
        "object (one customer)": AuditFilter(object_type="customer", object_id="4711"),
        "date range (one week, a year ago)": AuditFilter(
            date_from=today - timedelta(days=372), date_to=today - timedelta(days=365)
        ),
        "purpose words": AuditFilter(purpose="借阅"),
        "user + date range + purpose": AuditFilter(
            user="user07",
            date_from=today - timedelta(days=400),
            date_to=today - timedelta(days=300),
            purpose="借阅",
        ),
        "rare: failed sign-ins of one user": AuditFilter(
            user="user07", action="auth.sign_in_failed"
        ),
    }
    clock = SystemClock()
    for name, f in filters.items():
        ms = timed_ms(lambda f=f: audit.search_audit(session=auditor, audit_filter=f, clock=clock))
        print(f"| auditor's filter: {name} | {ms:.0f} ms | ≤ 200 ms |")
    summary_ms = timed_ms(
        lambda: audit.get_audit_summary(
            session=auditor, date_from=today - timedelta(days=30), date_to=today, clock=clock
        ),
        repeat=3,
    )
    print(f"| summary of the last 30 days | {summary_ms:.0f} ms | |")


if __name__ == "__main__":
    main()
